"""The reader's user-interface strings, translated on the server and handed to
the ES modules as JSON, so the scripts hold no language of their own."""

from django.utils.translation import gettext as _

from annotations.models import EntityType, MentionStatus, StanceLabel


def reader_strings() -> dict:
    return {
        "saving": _("Saving…"),
        "saved": _("All changes saved"),
        "retrying": _("Not saved: the server did not answer. Retrying in {seconds} s."),
        "retryNow": _("Retry now"),
        "failed": _("Not saved:"),
        "unsaved": _("{count} change(s) waiting to be saved"),
        "submitWhenSaved": _("Handing in as soon as {count} change(s) are saved…"),
        "submitCancelled": _("Not handed in: a change could not be saved."),
        "restored": _("{count} unsaved change(s) from your last visit are being saved."),
        "leaveWarning": _("Some changes are not saved yet."),
        "markClaim": _("Mark as a claim mention"),
        "searchClaims": _("Find a claim or type a new one"),
        "createClaim": _("New claim: {text}"),
        "noClaims": _("No matching claim."),
        "rationaleFor": _("Rationale for the stance toward"),
        "addRationale": _("Add as rationale"),
        "needStance": _("Set a stance toward this claim first."),
        "needClaim": _("Mark a claim in the text first; a new claim takes a stance once it is saved."),
        "markEntity": _("Mark as entity"),
        "close": _("Close"),
        "delete": _("Delete"),
        "mentionDeleted": _("Claim mention deleted."),
        "undo": _("Undo"),
        "accept": _("Accept"),
        "reject": _("Reject"),
        "retype": _("Change type"),
        "removeRationale": _("Remove rationale"),
        "mention": _("Claim mention"),
        "rationale": _("Rationale"),
        "note": _("Note"),
        "saveNote": _("Save note"),
        "entity": _("Entity"),
        "by": _("by"),
        "stanceOf": _("Stance of"),
        "thisArticle": _("this article"),
        "commentBy": _("the comment by {author}"),
        "conflictTitle": _("Someone else changed this"),
        "conflictMine": _("Keep mine"),
        "conflictTheirs": _("Take theirs"),
        "yours": _("Yours"),
        "theirs": _("Theirs (saved)"),
        "selectionEmpty": _("Select some text first."),
        "selectionOneText": _("Select within one text: the article, or a single comment."),
        "noSpans": _("No highlights here."),
        "deleted": _("Deleted."),
        "labels": dict(StanceLabel.choices),
        "entityTypes": dict(EntityType.choices),
        "statuses": dict(MentionStatus.choices),
    }

"""Browser forms of the editorial workflow. They check shapes; the services
check meaning (and raise InvalidInput with the field, shown next to it)."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from annotations.models import StanceLabel, Verdict
from newsdesk.models import Source
from newsdesk.roles import ANNOTATOR


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, strip=True)
    guidelines = forms.CharField(label=_("Guidelines (Markdown)"), required=False, widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}))
    source = forms.ModelChoiceField(label=_("Articles from source"), queryset=Source.objects.order_by("name"), required=False, to_field_name="slug")
    q = forms.CharField(label=_("Articles matching words"), required=False, widget=forms.TextInput(attrs={"dir": "auto"}))
    article_ids = forms.CharField(label=_("Or these article ids (comma-separated)"), required=False)
    annotators = forms.ModelMultipleChoiceField(
        label=_("Annotators"), queryset=get_user_model().objects.none(), widget=forms.CheckboxSelectMultiple, to_field_name="username"
    )
    labels = forms.MultipleChoiceField(
        label=_("Stance labels"), choices=StanceLabel.choices, initial=StanceLabel.values, widget=forms.CheckboxSelectMultiple
    )
    overlap = forms.IntegerField(label=_("Annotators per article"), min_value=1, max_value=20, initial=2)
    blind = forms.BooleanField(label=_("Blind: annotators do not see each other's work"), required=False, initial=True)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annotators"].queryset = get_user_model().objects.filter(groups__name=ANNOTATOR, is_active=True).order_by("username")

    def clean_article_ids(self):
        raw = self.cleaned_data["article_ids"].replace("،", ",")
        try:
            return [int(part) for part in raw.split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(_("Article ids are whole numbers separated by commas.")) from None

    def selection(self) -> dict:
        data = self.cleaned_data
        if data["article_ids"]:
            return {"articles": data["article_ids"]}
        selection = {}
        if data["source"]:
            selection["source"] = data["source"].slug
        if data["q"]:
            selection["q"] = data["q"]
        return selection


class SkipForm(forms.Form):
    reason = forms.CharField(label=_("Why skip this article?"), widget=forms.TextInput(attrs={"dir": "auto"}))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("request_changes", _("Request changes")), ("reject", _("Reject"))])
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}))
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class ClaimEditForm(forms.Form):
    """The claim's own words; the verdict only for editors (the view drops the field otherwise)."""

    text = forms.CharField(label=_("Claim"), widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}))
    claimant = forms.CharField(label=_("Claimant"), max_length=300, required=False, widget=forms.TextInput(attrs={"dir": "auto"}))
    verdict = forms.ChoiceField(label=_("Verdict"), choices=[("", _("none yet")), *Verdict.choices], required=False)
    version = forms.IntegerField(
        min_value=0, widget=forms.HiddenInput,
        error_messages={key: _("The form lost which version of the claim it corrects: reload the page.") for key in ("required", "invalid", "min_value")},
    )

    def __init__(self, *args, can_judge: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_judge:
            del self.fields["verdict"]

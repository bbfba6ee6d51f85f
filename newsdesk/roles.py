"""The roles people have in Newsdesk, as Django groups.

Annotators mark claims, stances and entities; editors also build campaigns and
review work; admins are superusers. Read-only API access is a token property,
not a role.
"""

ANNOTATOR = "annotator"
EDITOR = "editor"
ROLE_GROUPS = (ANNOTATOR, EDITOR)

"""Issue an API token for a user (an API client, a data team, another newsroom system).

The key is printed once and only its hash is stored.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from newsdesk.api.auth import issue_token
from newsdesk.roles import API_CLIENT, can_read


class Command(BaseCommand):
    help = "Create an API token for USERNAME (read-only unless --read-write). Creates the user as an API client if needed."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="api", help="what the token is for, shown in the admin")
        parser.add_argument("--read-write", action="store_true", help="allow writes (the user's role still applies)")

    def handle(self, *args, username, name, read_write, **options):
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if not can_read(user):
            user.groups.add(Group.objects.get_or_create(name=API_CLIENT)[0])
        if not user.is_active:
            raise CommandError(f"User {username} is inactive.")
        token, key = issue_token(user=user, name=name, read_only=not read_write)
        scope = "read-write" if read_write else "read-only"
        self.stdout.write(f"Created {scope} token {token.key_prefix}… for {username}. The key (shown once):")
        self.stdout.write(key)

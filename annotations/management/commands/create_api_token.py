"""Issue an API token for a user (an API client, a data team, another newsroom system).

The key is printed once and only its hash is stored.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from newsdesk.api.auth import issue_token
from newsdesk.roles import API_CLIENT, can_read


class Command(BaseCommand):
    help = (
        "Create an API token for USERNAME (read-only unless --read-write). With --new-client, "
        "USERNAME is a new API client user, created for it."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="api", help="what the token is for, shown in the admin")
        parser.add_argument("--read-write", action="store_true", help="allow writes (the user's role still applies)")
        parser.add_argument("--new-client", action="store_true", help="create USERNAME as an API client (it must not exist)")

    @transaction.atomic
    def handle(self, *args, username, name, read_write, new_client, **options):
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first()
        if new_client:
            if user is not None:
                raise CommandError(f"User {username} already exists; leave out --new-client to give it a token.")
            user = user_model.objects.create_user(username=username)  # no password: it signs in only with tokens
        elif user is None:
            # A mistyped name must not quietly become a new account with a working token.
            raise CommandError(f"No user {username}. To create an API client user, add --new-client.")
        if not user.is_active:
            raise CommandError(f"User {username} is inactive.")
        if not can_read(user):
            user.groups.add(Group.objects.get_or_create(name=API_CLIENT)[0])
        token, key = issue_token(user=user, name=name, read_only=not read_write)
        scope = "read-write" if read_write else "read-only"
        self.stdout.write(f"Created {scope} token {token.key_prefix}… for {username}. The key (shown once):")
        self.stdout.write(key)

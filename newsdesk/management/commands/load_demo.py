"""Load the quick start's demo data: synthetic articles and one user per role.

Safe to run again: existing users keep their passwords, known pages are
recognised as unchanged.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from newsdesk.services.demo import (
    DEMO_PASSWORD,
    ensure_demo_campaign,
    ensure_demo_claims,
    ensure_demo_users,
    load_demo_articles,
)


class Command(BaseCommand):
    help = "Create demo users (annotator, editor, admin) and import the demo articles. Run after migrate."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true",
            help="load it with DEBUG off too (it creates a superuser 'admin' whose password is public)",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                f"DEBUG is off: this looks like production, and the demo creates a superuser 'admin' with the "
                f"public password {DEMO_PASSWORD!r}. Run with --force for a demo server."
            )
        users = ensure_demo_users()
        report = load_demo_articles()
        self.stdout.write(f"Demo articles: {report.summary()}")
        for failure in report.failures:
            self.stderr.write(f"FAILED {failure}")
        campaign = ensure_demo_campaign()
        self.stdout.write(f"Demo campaign: {campaign.name} ({campaign.items.count()} articles, layla and omar)")
        self.stdout.write(f"Demo claims: {len(ensure_demo_claims())}")
        self.stdout.write(f"Demo users (password for all: {DEMO_PASSWORD}):")
        for user in users:
            self.stdout.write(f"  {user.username:<8} {user.role}")
        if report.failed:
            raise CommandError("some demo pages failed to import", returncode=1)

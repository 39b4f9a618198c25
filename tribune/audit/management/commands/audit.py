import sys

from django.core.management.base import BaseCommand

from tribune.audit.log import verify_chain
from tribune.organisations.models import Organisation


class Command(BaseCommand):
    help = "Audit log tools. `audit verify` recomputes every organisation's hash chain."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])
        parser.add_argument("--organisation", help="slug of one organisation (default: all)")

    def handle(self, *args, action, organisation=None, **options):
        organisations = Organisation.objects.all()
        if organisation:
            organisations = organisations.filter(slug=organisation)
        broken = 0
        for org in organisations:
            result = verify_chain(org)
            if result.ok:
                self.stdout.write(f"{org.slug}: OK ({result.entries} entries)")
            else:
                broken += 1
                self.stdout.write(
                    f"{org.slug}: BROKEN at entry #{result.broken_seq}: {result.reason}"
                )
        if broken:
            sys.exit(1)

"""``tribune restore FILE``: bring a backup back on an empty server, then verify the audit chains.

Exit status 0 when restored and every chain verifies against the file's
checkpoints; 1 when restored but a chain does not verify; 2 when refused (a
server that is not empty without --force, a file that is not a backup, another
engine, a newer Tribune). Stop Tribune (web and task worker) before restoring.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from tribune.ops import backup


class Command(BaseCommand):
    help = "Restore a backup made by `tribune backup` onto an empty server and verify it."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file (tribune-YYYYMMDDTHHMMSSZ.tar.gz)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace everything in a database that is not empty",
        )

    def handle(self, *args, file, force=False, **options):
        try:
            result = backup.restore(file, force=force)
        except backup.BackupError as error:
            raise CommandError(f"Not restored: {error}", returncode=2) from None
        for line in result.organisations.values():
            self.stdout.write(line)
        for note in result.notes:
            self.stdout.write(f"Note: {note}")
        for problem in result.problems:
            self.stdout.write(problem)
        if not result.ok:
            self.stderr.write("Restored, but the audit chains above do not verify.")
            sys.exit(1)
        self.stdout.write(f"Restored {file}; every audit chain verifies.")

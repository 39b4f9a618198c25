"""``tribune backup [PATH]``: one consistent file while Tribune runs (see tribune/ops/backup.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tribune.ops import backup


class Command(BaseCommand):
    help = (
        "Write a backup (database, uploaded files, signed audit checkpoints) to PATH, a file "
        "or a directory (default: TRIBUNE_BACKUP_DIR). The audit key is not included."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="file or directory to write the backup to")
        parser.add_argument(
            "--keep",
            type=int,
            help="afterwards, keep only the newest KEEP backups in the directory",
        )

    def handle(self, *args, path=None, keep=None, **options):
        from pathlib import Path

        target = Path(path or settings.TRIBUNE_BACKUP_DIR)
        if not target.name.endswith(".tar.gz"):
            target.mkdir(parents=True, exist_ok=True)  # a directory: a dated name inside
        try:
            written = backup.create(target)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backup written: {written}")
        if keep is not None:
            for removed in backup.prune(written.parent, keep):
                self.stdout.write(f"Removed old backup: {removed.name}")

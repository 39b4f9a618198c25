"""``tribune audit verify|checkpoint|export``: the audit chain, checked and anchored.

* ``verify`` recomputes every organisation's chain and checks it against the
  last checkpoint the server recorded; ``--checkpoint FILE`` (with
  ``--organisation``) checks it against a checkpoint kept elsewhere, which is
  what catches a chain cut short or rewritten and rehashed;
  ``--since-last-checkpoint`` verifies only the entries since that checkpoint.
* ``checkpoint`` prints a signed checkpoint of the current head (to keep).
* ``export`` prints the whole log with its checkpoint.

Exit status 1 when anything does not verify, 2 for unusable input.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from tribune.audit import checkpoints
from tribune.audit.log import verify_chain
from tribune.audit.models import Checkpoint
from tribune.organisations.models import Organisation


class Command(BaseCommand):
    help = "Audit log tools: verify the chain (against a kept checkpoint), issue or export."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint", "export"])
        parser.add_argument("--organisation", help="slug of one organisation (default: all)")
        parser.add_argument("--checkpoint", help="a checkpoint file to verify the chain against")
        parser.add_argument(
            "--since-last-checkpoint",
            action="store_true",
            help="verify only the entries after the last checkpoint the server issued",
        )

    def handle(self, *args, action, organisation=None, checkpoint=None, **options):
        organisations = Organisation.objects.order_by("slug")
        if organisation:
            organisations = organisations.filter(slug=organisation)
            if not organisations.exists():
                raise CommandError(f"No organisation {organisation!r}.", returncode=2)
        if action != "verify" or checkpoint:
            if not organisation:
                raise CommandError("Name the organisation with --organisation.", returncode=2)
            org = organisations.get()
        if action == "checkpoint":
            self.stdout.write(json.dumps(checkpoints.issue(org).document, indent=2))
            return
        if action == "export":
            self.stdout.write(json.dumps(checkpoints.export(org), indent=2))
            return
        if checkpoint:
            self._verify_file(org, checkpoint)
            return
        broken = 0
        for org in organisations:
            broken += not self._verify(org, options["since_last_checkpoint"])
        if broken:
            sys.exit(1)

    def _verify(self, org, since_last: bool) -> bool:
        if since_last:
            result = checkpoints.verify_since_last(org)
            if result.ok:
                self.stdout.write(
                    f"{org.slug}: OK ({result.entries} entries since checkpoint "
                    f"#{result.checkpoint_seq})"
                )
                return True
            self.stdout.write(f"{org.slug}: BROKEN: {result.reason}")
            return False
        result = verify_chain(org)
        if not result.ok:
            self.stdout.write(f"{org.slug}: BROKEN at entry #{result.broken_seq}: {result.reason}")
            return False
        last = Checkpoint.objects.filter(organisation=org).order_by("-seq").first()
        if last is not None:
            against = checkpoints.verify(org, last.document, full=False)
            if not against.ok:
                self.stdout.write(f"{org.slug}: BROKEN: {against.reason}")
                return False
        self.stdout.write(f"{org.slug}: OK ({result.entries} entries)")
        return True

    def _verify_file(self, org, path: str) -> None:
        try:
            with open(path, encoding="utf-8") as handle:
                document = json.load(handle)
        except (OSError, ValueError) as error:
            raise CommandError(
                f"Cannot read the checkpoint {path}: {error}", returncode=2
            ) from None
        if isinstance(document, dict) and "checkpoint" in document and "entries" in document:
            document = document["checkpoint"]  # an export carries its checkpoint
        result = checkpoints.verify(org, document)
        if not result.ok:
            self.stdout.write(f"{org.slug}: BROKEN: {result.reason}")
            sys.exit(1)
        signers = ", ".join(result.signers)
        self.stdout.write(
            f"{org.slug}: OK ({result.entries} entries; checkpoint #{result.checkpoint_seq} "
            f"holds, signed by {signers})"
        )

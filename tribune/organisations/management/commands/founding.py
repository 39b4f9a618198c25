"""``tribune founding``: the operator lists, approves and refuses founding requests."""

from django.core.management.base import BaseCommand, CommandError

from tribune.lib.errors import RuleViolation
from tribune.organisations import founding
from tribune.organisations.models import FoundingRequest


class Command(BaseCommand):
    help = "List founding requests; approve or refuse one (TRIBUNE_FOUNDING=approval)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "approve", "refuse"])
        parser.add_argument("request_id", nargs="?", type=int)
        parser.add_argument("--reason", default="", help="why a request is refused")

    def handle(self, *args, action, request_id=None, reason="", **options):
        if action == "list":
            pending = FoundingRequest.objects.filter(status=FoundingRequest.Status.PENDING)
            for r in pending.select_related("requested_by"):
                self.stdout.write(
                    f"#{r.pk} {r.name} ({r.slug}) by {r.founder_name} <{r.requested_by.email}>, "
                    f"{r.created_at:%Y-%m-%d}, template {r.preset}"
                )
            if not pending.exists():
                self.stdout.write("No founding request is waiting.")
            return
        request = FoundingRequest.objects.filter(pk=request_id).first()
        if request is None:
            raise CommandError("Give the number of a founding request (see `founding list`).")
        try:
            if action == "approve":
                organisation = founding.approve_founding(request)
                self.stdout.write(f"Founded {organisation.name} at /o/{organisation.slug}/.")
            else:
                founding.refuse_founding(request, reason)
                self.stdout.write(f"Refused #{request.pk} {request.name}.")
        except RuleViolation as exc:
            raise CommandError(exc.message) from None

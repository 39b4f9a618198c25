"""``tribune found``: the operator founds an organisation from the command line."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tribune.constitution.presets import PRESETS
from tribune.lib.errors import RuleViolation
from tribune.organisations import founding


class Command(BaseCommand):
    help = (
        "Found an organisation whose founder is the account with --founder-email (created "
        "without a password if missing: the founder sets one with 'Forgot password')."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True, help="short name used in web addresses")
        parser.add_argument("--founder-email", required=True)
        parser.add_argument("--founder-name", required=True)
        parser.add_argument("--template", default="tenants-union", choices=sorted(PRESETS))
        parser.add_argument("--description", default="")
        parser.add_argument("--branch", action="append", default=[], help="a first branch")
        parser.add_argument(
            "--co-founder", action="append", default=[], help="email to invite to the committee"
        )
        parser.add_argument(
            "--appeals", action="append", default=[], help="email to invite to hear appeals"
        )

    def handle(self, *args, **opts):
        with transaction.atomic():
            user = _account(opts["founder_email"])
            try:
                request = founding.request_founding(
                    user,
                    name=opts["name"],
                    slug=opts["slug"],
                    founder_name=opts["founder_name"],
                    preset=opts["template"],
                    description=opts["description"],
                    branches=opts["branch"],
                    committee=opts["co_founder"],
                    appeals=opts["appeals"],
                    by_operator=True,
                )
            except RuleViolation as exc:
                raise CommandError(f"{exc.field}: {exc.message}") from None
        self.stdout.write(
            f"Founded {request.name} at /o/{request.slug}/ with {len(opts['branch'])} branches "
            f"and {len(opts['co_founder']) + len(opts['appeals'])} co-founders invited."
        )


def _account(email: str):
    User = get_user_model()
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(username=email[:150], email=email)
        user.set_unusable_password()
        user.save()
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    return user

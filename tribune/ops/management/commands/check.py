"""``tribune check``: Django's check; with ``--deploy`` every warning counts as a failure.

Django's deployment checks are warnings (exit 0); a server about to go public
should not start with any, so ``--deploy`` fails at WARNING unless
``--fail-level`` says otherwise.
"""

from django.core.management.commands import check


class Command(check.Command):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(fail_level=None)

    def handle(self, *app_labels, **options):
        if options["fail_level"] is None:
            options["fail_level"] = "WARNING" if options["deploy"] else "ERROR"
        return super().handle(*app_labels, **options)

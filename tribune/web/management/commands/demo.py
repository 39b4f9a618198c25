from django.core.management.base import BaseCommand, CommandError

from tribune.organisations import demo


class Command(BaseCommand):
    help = "Create the demo organisation (or, with --reset, wipe and recreate it)."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="wipe the demo and rebuild it")
        parser.add_argument(
            "--remove", action="store_true", help="wipe the demo (before going into production)"
        )
        parser.add_argument("--members", type=int, default=200)

    def handle(self, *args, reset=False, remove=False, members=200, **options):
        from tribune.organisations.models import Organisation

        if remove:
            demo.remove_demo()
            self.stdout.write("The demo organisation is removed.")
            return
        if reset:
            demo.remove_demo()
        if Organisation.objects.filter(slug=demo.SLUG).exists():
            self.stdout.write("The demo organisation exists (use --reset to rebuild it).")
            return
        if members < demo.FEWEST_MEMBERS:
            raise CommandError(f"--members must be at least {demo.FEWEST_MEMBERS}.")
        organisation = demo.create_demo(members)
        self.stdout.write(
            f"Created {organisation.name} with {organisation.members.count()} member records. "
            "Log in as ana@example.org, dana@example.org, eli@example.org or ben@example.org "
            "with the password 'tribune-demo' (TRIBUNE_DEMO_PASSWORD)."
        )

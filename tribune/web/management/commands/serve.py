import os

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, create the demo on an empty database, and serve Tribune with uvicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")))
        parser.add_argument("--no-demo", action="store_true")

    def handle(self, *args, host, port, workers, no_demo, **options):
        import uvicorn

        from tribune.organisations.models import Organisation

        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not no_demo and not Organisation.objects.exists():
            call_command("demo")
        self.stdout.write(f"Tribune is serving on http://{host}:{port}/")
        uvicorn.run(
            "tribune.asgi:application",
            host=host,
            port=port,
            workers=workers,
            lifespan="off",
            log_level="warning",
        )

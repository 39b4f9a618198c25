import os

from django.core.management import call_command
from django.core.management.base import BaseCommand


def _die_with_parent() -> None:
    """On Linux, have the kernel stop the worker when the server process dies."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Command(BaseCommand):
    help = "Migrate, create the demo on an empty database, and serve Tribune with uvicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")))
        parser.add_argument("--no-demo", action="store_true")
        parser.add_argument(
            "--no-worker", action="store_true", help="don't start the background worker"
        )

    def handle(self, *args, host, port, workers, no_demo, no_worker, **options):
        import subprocess
        import sys

        import uvicorn

        from tribune.organisations.models import Organisation

        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not no_demo and not Organisation.objects.exists():
            call_command("demo")
        worker = None
        if not no_worker:
            # The huey worker runs the election clock and other periodic work.
            worker = subprocess.Popen(
                [sys.executable, "-m", "tribune.cli", "run_huey", "--workers", "1", "--quiet"],
                preexec_fn=_die_with_parent,
            )
        self.stdout.write(f"Tribune is serving on http://{host}:{port}/")
        try:
            uvicorn.run(
                "tribune.asgi:application",
                host=host,
                port=port,
                workers=workers,
                lifespan="off",
                log_level="warning",
            )
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)

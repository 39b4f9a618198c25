import argparse
import ipaddress
import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tribune.lib.secret_key import key_problem
from tribune.organisations.demo import SLUG as DEMO_SLUG
from tribune.settings import envbool


def _die_with_parent() -> None:
    """On Linux, have the kernel stop the worker when the server process dies."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def is_local(host: str) -> bool:
    """Whether ``host`` (what uvicorn binds to) is reachable from this machine only."""
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name, or 0.0.0.0 / :: (every interface)


def check_secret_key(host: str) -> str | None:
    """Refuse (raise) to serve a public address with a key others may know; warn on localhost.

    On localhost a weak key endangers only this machine's own user, so it is a
    warning; anywhere else it lets anyone forge signed links, so it stops the server.
    """
    problem = key_problem(settings.SECRET_KEY, settings.SECRET_KEY_FILE)
    if problem and not is_local(host):
        raise CommandError(
            f"Refusing to serve on {host}: {problem} Set SECRET_KEY to a long random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))'), or unset it "
            "to use the key Tribune keeps in its data directory."
        )
    return problem


def _empty_metrics_directory() -> None:
    """Start the web workers' shared metrics afresh (prometheus_client's multiprocess mode).

    Files left by the previous run's processes would count their live gauges
    (open connections) forever; serve is the one parent of every web worker.
    """
    from pathlib import Path

    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory and Path(directory).is_dir():
        for stale in Path(directory).glob("*.db"):
            stale.unlink(missing_ok=True)


class Command(BaseCommand):
    help = "Migrate, create the demo if asked (--demo), and serve Tribune with uvicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")))
        parser.add_argument(
            "--demo",
            action=argparse.BooleanOptionalAction,
            default=envbool("TRIBUNE_DEMO"),
            help="on an empty database, create the demo organisation, whose accounts share a "
            "published password (default: TRIBUNE_DEMO, off)",
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="don't start the background worker"
        )

    def handle(self, *args, host, port, workers, demo, no_worker, **options):
        import subprocess
        import sys

        import uvicorn

        from tribune.organisations.models import Organisation

        problem = check_secret_key(host)
        if problem:
            self.stderr.write(f"Warning: {problem} (acceptable on {host} only)")
        if not is_local(host) and not settings.SESSION_COOKIE_SECURE:
            self.stderr.write(
                f"Warning: serving on {host} without HTTPS=1: login cookies are not marked "
                "Secure. Serve the public through an HTTPS proxy and set HTTPS=1."
            )
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        # The demo's accounts share a published password, so they are created
        # only when asked (`make run` asks), never by serving an empty database.
        if demo and not Organisation.objects.exists():
            call_command("demo")
        elif not Organisation.objects.exists():
            self.stdout.write("No organisation yet; to try Tribune: tribune serve --demo")
        if not is_local(host) and Organisation.objects.filter(slug=DEMO_SLUG).exists():
            self.stderr.write(
                f"Warning: the demo organisation is served on {host}; its accounts share a "
                "published password (TRIBUNE_DEMO_PASSWORD)."
            )
        worker = None
        if not no_worker:
            # The huey worker runs the election clock and other periodic work.
            worker = subprocess.Popen(
                [sys.executable, "-m", "tribune.cli", "run_huey", "--workers", "1", "--quiet"],
                preexec_fn=_die_with_parent,
            )
        _empty_metrics_directory()
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

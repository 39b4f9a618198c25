"""Benchmark: CSV import of a membership list (dry run, then the chunked import).

Usage: python bench/import_members.py [--rows N] [--database-url postgres://...]

Builds a throw-away database (SQLite in a temp dir; with ``--database-url``, an
admin URL, the PostgreSQL database ``tribune_bench_import``, dropped after),
founds an organisation, and imports N generated rows with 1% bad rows, then
the same list again with every name and phone changed (the path of an
organisation re-importing its list: each row updates a member). Prints
rows/second for the dry run, the import and the re-import, the time of the
first and the last chunk (equal when the import is linear), the time to serve
the dry-run report page (median of 3 views), and the machine.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import machine  # noqa: E402  (bench/ is the script's folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL admin URL")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="tribune-bench-")
    os.environ["TRIBUNE_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    with ExitStack() as stack:
        if args.database_url:
            from tribune.elections.loadtest import throwaway_postgres

            url = stack.enter_context(throwaway_postgres(args.database_url, "tribune_bench_import"))
            os.environ["DATABASE_URL"] = url
        run(args)


def run(args) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tribune.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)

    from allauth.mfa.models import Authenticator
    from django.contrib.auth import get_user_model

    from tribune.constitution.models import AdmissionRule
    from tribune.members import importing
    from tribune.members.models import Member
    from tribune.organisations.services import found_organisation

    user = get_user_model().objects.create_user("officer", "officer@bench.org", "x" * 16)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={})
    org = found_organisation(
        name="Bench Union",
        slug="bench",
        constitution={
            "default_term_days": 365,
            "max_term_days": 730,
            "term_limit": 2,
            "recall_threshold_percent": 20,
            "quorum_percent": 10,
            "faction_threshold": 5,
            "admission_rule": AdmissionRule.OFFICER,
        },
        founders=[
            {
                "name": "Officer",
                "email": "officer@bench.org",
                "user": user,
                "powers": ["import_members"],
            }
        ],
    )
    officer = Member.objects.get(organisation=org, user=user)
    csv_text = _csv(args.rows, "Member", "0700")

    started = time.perf_counter()
    job = importing.check_import(officer, org, csv_text, "bench.csv")
    dry = time.perf_counter() - started
    from django.test import Client

    client = Client()
    client.force_login(user)
    views = []
    for _ in range(3):
        started = time.perf_counter()
        response = client.get(f"/o/{org.slug}/import/{job.pk}/")
        views.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    job = importing.confirm_import(officer, job)
    chunks = []
    started = time.perf_counter()
    while job.status == "running":
        begun = time.perf_counter()
        job = importing.run_chunk(job)
        chunks.append(time.perf_counter() - begun)
    run = time.perf_counter() - started
    job.refresh_from_db()
    again = importing.confirm_import(
        officer, importing.check_import(officer, org, _csv(args.rows, "Renamed", "0800"), "b.csv")
    )
    started = time.perf_counter()
    again = importing.run_all(again)
    rerun = time.perf_counter() - started
    print(f"machine: {machine()}")
    print(f"database: {connection.vendor}")
    print(f"rows: {args.rows} ({len(job.rejected)} rejected)")
    print(f"dry run: {dry:.2f} s ({args.rows / dry:,.0f} rows/s)")
    print(f"dry-run report page: {statistics.median(views) * 1000:,.0f} ms (median of 3 views)")
    print(f"import:  {run:.2f} s ({job.created / run:,.0f} rows/s, {job.created} created)")
    rate = again.updated / rerun
    print(f"re-import: {rerun:.2f} s ({rate:,.0f} rows/s, {again.updated} updated)")
    print(
        f"chunks: {len(chunks)}; first {chunks[0] * 1000:,.0f} ms, last {chunks[-1] * 1000:,.0f} ms"
    )


def _csv(rows: int, name: str, phone: str) -> str:
    lines = ["name,email,branch,phone"]
    for i in range(rows):
        email = f"member{i}@bench.org" if i % 100 else "not-an-email"
        lines.append(f"{name} {i},{email},bench,{phone} {i:06d}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()

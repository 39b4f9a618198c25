"""Benchmark: CSV import of a membership list (dry run, then the chunked import).

Usage: python bench/import_members.py [--rows N]

Builds a throw-away SQLite database in a temp dir,
founds an organisation, and imports N generated rows with 1% bad rows.
Prints rows/second for the dry run and the import, and the machine.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import machine  # noqa: E402  (bench/ is the script's folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="tribune-bench-")
    os.environ["TRIBUNE_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
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
    lines = ["name,email,branch,phone"]
    for i in range(args.rows):
        email = f"member{i}@bench.org" if i % 100 else "not-an-email"
        lines.append(f"Member {i},{email},bench,0700 {i:06d}")
    csv_text = "\n".join(lines) + "\n"

    started = time.perf_counter()
    job = importing.check_import(officer, org, csv_text, "bench.csv")
    dry = time.perf_counter() - started
    job = importing.confirm_import(officer, job)
    started = time.perf_counter()
    job = importing.run_all(job)
    run = time.perf_counter() - started
    print(f"machine: {machine()}")
    print(f"database: {connection.vendor}")
    print(f"rows: {args.rows} ({len(job.rejected)} rejected)")
    print(f"dry run: {dry:.2f} s ({args.rows / dry:,.0f} rows/s)")
    print(f"import:  {run:.2f} s ({job.created / run:,.0f} rows/s, {job.created} created)")


if __name__ == "__main__":
    main()

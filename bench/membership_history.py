"""Benchmark: membership over time (``members.history.by_month``) for a large organisation.

Usage: python bench/membership_history.py [--members M] [--runs R]

SQLite (default): a throw-away database in a temp dir. PostgreSQL: set
``DATABASE_URL`` to a database this benchmark may empty (it is flushed first).

Builds one organisation with M members (100,000 by default) over 40 branches,
admitted over two years (in bulk, as an import writes them: no change on
record), a fifth of them with a change of standing (lapsed or resigned, some of
the lapsed renewed later), then times the organisation's history and one
branch's, as the organisation's and the branch's pages draw them: the first
read of the month (which keeps the finished months), then R runs.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import machine, percentile  # noqa: E402  (bench/ is the script's folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        os.environ["TRIBUNE_DATA_DIR"] = tempfile.mkdtemp(prefix="tribune-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tribune.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    from tribune.members import history
    from tribune.members.models import Member, Standing, StandingChange
    from tribune.organisations.services import create_branch, found_organisation

    user = get_user_model().objects.create_user("sec", "sec@bench.org", "x" * 16)
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
            "admission_rule": "officer",
        },
        founders=[
            {
                "name": "Secretary",
                "email": "sec@bench.org",
                "user": user,
                "office": "Secretary",
                "powers": ["manage_branches", "manage_standing"],
            }
        ],
    )
    secretary = Member.objects.get(organisation=org)
    branches = [
        create_branch(secretary, org.root_branch, name=f"Branch {i}", level="local")
        for i in range(40)
    ]
    rng = random.Random(1917)
    now = timezone.now()
    started = time.perf_counter()
    for start in range(0, args.members, 5000):
        with transaction.atomic():
            members = Member.objects.bulk_create(
                [
                    Member(
                        organisation=org,
                        name=f"Member {i}",
                        email=f"m{i}@bench.org",
                        home_branch=branches[i % 40],
                        standing=Standing.GOOD,
                        admitted_at=now - timedelta(days=rng.randrange(730)),
                    )
                    for i in range(start, min(args.members, start + 5000))
                ]
            )
            changes, gone = [], []
            for m in members:
                if rng.random() < 0.2:
                    left = m.admitted_at + timedelta(days=rng.randrange(1, 200))
                    to = rng.choice([Standing.LAPSED, Standing.RESIGNED])
                    changes.append(
                        StandingChange(member=m, from_standing="good", to_standing=to, at=left)
                    )
                    m.standing = to
                    if to == Standing.LAPSED and rng.random() < 0.5:
                        back = left + timedelta(days=rng.randrange(1, 100))
                        changes.append(
                            StandingChange(member=m, from_standing=to, to_standing="good", at=back)
                        )
                        m.standing = Standing.GOOD
                    gone.append(m)
            # ``at`` is auto_now_add: written, then set to the story's moments.
            moments = [c.at for c in changes]
            made = StandingChange.objects.bulk_create(changes)
            for c, moment in zip(made, moments, strict=True):
                c.at = moment
            StandingChange.objects.bulk_update(made, ["at"], batch_size=1000)
            Member.objects.bulk_update(gone, ["standing"])
    built = time.perf_counter() - started

    def timed(branch) -> tuple[float, float, float, float, int]:
        # The first read of a month also keeps the finished months (MonthlyStanding).
        t = time.perf_counter()
        history.by_month(org, branch)
        first = (time.perf_counter() - t) * 1000
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            rows = history.by_month(org, branch)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        return first, percentile(times, 50), percentile(times, 95), times[-1], len(rows)

    print(machine())
    print(f"{connection.vendor}: {args.members} members, built in {built:.1f} s")
    for label, branch in (("organisation", None), ("one branch", branches[7])):
        first, p50, p95, top, months = timed(branch)
        print(
            f"{label}: {months} months, first read {first:.0f} ms, then "
            f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {top:.0f} ms"
        )


if __name__ == "__main__":
    main()

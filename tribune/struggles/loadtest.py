"""Seed and check a pledge benchmark against a real server's database (``bench/pledges.py``).

``python -m tribune.struggles.loadtest seed --members N --threshold T --out FILE``
writes an organisation with N members (each with an API token) and one pledge
of threshold T; ``check --pledge ID`` reports what the database holds after
the run: the count, the trigger, the notices written, and the time from the
trigger to the last trigger notice (written by the task worker once the trigger commits).
"""

import argparse
import json
from pathlib import Path

from tribune.elections.loadtest import _setup, seed_organisation

SLUG = "load-union"


def seed(members: int, threshold: int) -> dict:
    _setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from tribune.struggles.services import pledges

    call_command("migrate", verbosity=0, interactive=False)
    with transaction.atomic():
        org, founder, _token, tokens = seed_organisation(
            name="Load Union",
            slug=SLUG,
            founder="Organiser",
            powers=["run_struggles"],
            members=members,
            prefix="tenant",
        )
        pledge = pledges.create_pledge(
            founder,
            org,
            action="withhold rent together",
            threshold=threshold,
            deadline=timezone.now() + timedelta(days=1),
        )
    return {"slug": SLUG, "pledge": pledge.pk, "tokens": tokens}


def check(pledge_id: int) -> dict:
    _setup()
    from django.db.models import Max

    from tribune.audit.models import AuditEntry
    from tribune.struggles.models import Commitment, Notice, Pledge

    pledge = Pledge.objects.get(pk=pledge_id)
    key = f"pledge:{pledge.pk}:triggered"
    notices = Notice.objects.filter(key=key)
    on_time = Commitment.objects.filter(pledge=pledge, late=False).values("member_id")
    # The trigger's own notices (late pledgers are told later, as they pledge).
    last = notices.filter(member_id__in=on_time).aggregate(last=Max("created_at"))["last"]
    return {
        "count": pledge.count,
        "commitments": Commitment.objects.filter(pledge=pledge).count(),
        "late": Commitment.objects.filter(pledge=pledge, late=True).count(),
        "triggered": pledge.triggered_at is not None,
        "told": pledge.trigger_told_at is not None,
        "triggers_logged": AuditEntry.objects.filter(
            action="pledge.triggered", target=f"pledge:{pledge.pk}"
        ).count(),
        "notices": notices.count(),
        "notified_members": notices.values("member").distinct().count(),
        "trigger_to_last_notice_ms": (
            (last - pledge.triggered_at).total_seconds() * 1000
            if last and pledge.triggered_at
            else None
        ),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    seeding = sub.add_parser("seed")
    seeding.add_argument("--members", type=int, required=True)
    seeding.add_argument("--threshold", type=int, required=True)
    seeding.add_argument("--out", required=True)
    checking = sub.add_parser("check")
    checking.add_argument("--pledge", type=int, required=True)
    args = parser.parse_args(argv)
    if args.command == "seed":
        data = seed(args.members, args.threshold)
        Path(args.out).write_text(json.dumps(data))
        print(json.dumps({"pledge": data["pledge"], "members": len(data["tokens"])}))
    else:
        print(json.dumps(check(args.pledge)))


if __name__ == "__main__":
    main()

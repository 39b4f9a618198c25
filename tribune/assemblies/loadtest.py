"""Drive a real server's congress: shared by the SSE delivery test and bench/congress_vote.py.

The server itself is started with ``tribune.elections.loadtest.Server``. Seeding
and counting run in separate processes against the server's database
(``python -m tribune.assemblies.loadtest seed|count``), so the caller never
configures Django against the server's data. ``Stream`` reads the assembly's
Server-Sent Events with plain ``http.client``, as a browser's EventSource would.
"""

import argparse
import http.client
import json
import time
from pathlib import Path

SLUG = "load-congress"


def run_tool(env: dict[str, str], *args: str) -> dict:
    """Run ``python -m tribune.assemblies.loadtest <args>`` and return its JSON answer."""
    from tribune.elections.loadtest import run_tool as run

    return run(env, *args, module=__name__)


def base(seed: dict) -> str:
    return f"/api/v1/organisations/{seed['slug']}/assemblies/{seed['assembly']}"


def events_path(seed: dict) -> str:
    return f"/o/{seed['slug']}/assemblies/{seed['assembly']}/events/"


class Stream:
    """One open SSE connection; ``next_event`` returns each ``data:`` message as a dict."""

    def __init__(self, port: int, path: str, timeout: float = 30):
        self.timeout = timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.conn.request("GET", path, headers={"Accept": "text/event-stream"})
        self.response = self.conn.getresponse()
        if self.response.status != 200:
            raise RuntimeError(f"events: HTTP {self.response.status}")
        # The first message is the reconnection delay: once it is read, the listener is live.
        while not self.response.readline().startswith(b"retry:"):
            pass

    def next_event(self) -> dict:
        """The next ``data:`` message; TimeoutError if none comes within the timeout
        (keep-alive comments keep the socket busy, so its own timeout is not enough)."""
        deadline = time.monotonic() + self.timeout
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError("no event within the timeout")
            line = self.response.readline()
            if not line:
                raise ConnectionError("the event stream ended")
            if line.startswith(b"data: "):
                return json.loads(line[6:])

    def close(self) -> None:
        self.conn.close()


# --- run inside Django, against the server's database ------------------------------------------


def seed(participants: int) -> dict:
    """A general assembly in session: ``participants`` members seated, each with an API token.

    The chair is the founder (a token too) and is seated but does not vote in the
    benchmark, so exactly ``participants`` ballots are expected. Members are written
    in bulk, as in the elections load test; the assembly, motion and seating go
    through the services.
    """
    from tribune.elections.loadtest import _setup, seed_organisation

    _setup()
    from datetime import timedelta
    from unittest import mock

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from tribune.assemblies import services, sessions

    call_command("migrate", verbosity=0, interactive=False)
    with transaction.atomic():
        org, chair, chair_token, tokens = seed_organisation(
            name="Load Congress",
            slug=SLUG,
            founder="Chair",
            powers=["convene_assemblies"],
            members=participants,
            prefix="delegate",
        )
        now = timezone.now()
        assembly = services.convene(
            chair,
            org.root_branch,
            title="Load congress",
            kind="general",
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(days=1),
            motions_deadline=now - timedelta(minutes=2),
            chair=chair,
        )
        # Motions were tabled before the deadline; the congress sits now, everyone checked in.
        with mock.patch("django.utils.timezone.now", return_value=now - timedelta(minutes=3)):
            motion = services.table_motion(
                chair, assembly, title="Rents", text="1. Rents are frozen.\n2. Repairs in 7 days."
            )
        services.seat_participants(chair, assembly)
        sessions.check_in(chair, assembly, list(assembly.participants.all()), "present")
        sessions.open_session(chair, assembly)
    return {
        "slug": SLUG,
        "assembly": assembly.pk,
        "motion": motion.pk,
        "chair_token": chair_token,
        "tokens": tokens,
    }


def count(vote_id: int) -> dict:
    """What the database holds for one live vote: ballots in the box, marks on the roll, result."""
    from tribune.elections.loadtest import _setup

    _setup()
    from tribune.assemblies import services
    from tribune.assemblies.models import LiveVote
    from tribune.elections.models import Ballot, VoterRoll

    vote = LiveVote.objects.select_related("election").get(pk=vote_id)
    election = vote.election
    return {
        "ballots": Ballot.objects.filter(election=election).count(),
        "voted": VoterRoll.objects.filter(election=election, voted=True).count(),
        "status": election.status,
        "result": services.vote_counts(election),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    seeding = sub.add_parser("seed")
    seeding.add_argument("--participants", type=int, required=True)
    seeding.add_argument("--out", required=True, help="JSON file for the tokens")
    counting = sub.add_parser("count")
    counting.add_argument("--vote", type=int, required=True)
    args = parser.parse_args(argv)
    if args.command == "seed":
        data = seed(args.participants)
        Path(args.out).write_text(json.dumps(data))
        print(json.dumps({"assembly": data["assembly"], "participants": len(data["tokens"])}))
    else:
        print(json.dumps(count(args.vote)))


if __name__ == "__main__":
    main()

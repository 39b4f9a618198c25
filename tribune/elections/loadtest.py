"""Drive a real Tribune server with many voters: shared by the durability test and the benchmark.

The server runs as a subprocess (``tribune serve``) on its own data directory
and database, exactly as deployed, and ballots go over loopback HTTP with
personal API tokens, so what is measured or checked is what a voter gets.

Seeding and counting run in separate processes against the same database
(``python -m tribune.elections.loadtest seed|count``), so the caller — a test
run with its own test database, or the benchmark — never configures Django
against the server's data.
"""

import argparse
import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

# Where servers get their databases: tests and benchmarks import them from here too.
from tribune.lib.testdb import ROOT
from tribune.lib.testdb import fresh_database as fresh_database
from tribune.lib.testdb import migrated_template as migrated_template
from tribune.lib.testdb import server_env as server_env
from tribune.lib.testdb import throwaway_postgres as throwaway_postgres

SLUG = "load-union"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_tool(env: dict[str, str], *args: str, module: str = __name__) -> dict:
    """Run ``python -m <module> <args>`` (this module by default); return its JSON answer."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"loadtest {args[0]} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class Server:
    """``tribune serve`` in its own process group, so it (and any worker) can be killed whole."""

    def __init__(self, env: dict[str, str], port: int, log: Path, worker: bool = False):
        self.env, self.port, self.log, self.worker = env, port, log, worker
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "Server":
        command = [sys.executable, "-m", "tribune.cli", "serve", "--port", str(self.port)]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [*command, "--no-demo", *([] if self.worker else ["--no-worker"])],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/v1/organisations/")
                if conn.getresponse().status == 200:
                    conn.close()
                    return self
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")

    def _signal(self, sig: int) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flush; what was acknowledged must already be safe."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        self._signal(signal.SIGTERM)


class Client:
    """One keep-alive HTTP connection with one voter's token (one per thread)."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method: str, path: str, token: str = "", body=None) -> tuple[int, dict | str]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body) if body is not None else None
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                raw = response.read().decode()
                break
            except (ConnectionError, http.client.HTTPException):
                # A dropped keep-alive connection is retried once on a fresh one.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, raw

    def cast(self, election: int, token: str, choice) -> tuple[int, dict | str]:
        path = f"/api/v1/organisations/{SLUG}/elections/{election}/ballots"
        return self.call("POST", path, token, {"choice": choice})

    def close(self) -> None:
        self.conn.close()


# --- run inside Django, against the server's database ------------------------------------------


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tribune.settings")
    import django

    django.setup()


def seed_organisation(
    *, name: str, slug: str, founder: str, powers: list[str], members: int, prefix: str
) -> tuple:
    """An organisation whose founder holds ``powers``, and ``members`` members with API tokens.

    Members, users and tokens are written in bulk (not through the admission
    service) so that seeding thousands stays quick; they are ordinary members in
    good standing. Returns (organisation, founder member, founder token, tokens).
    Call inside a transaction, after ``_setup()`` and migrating.
    """
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tribune.accounts.models import ApiToken, hash_token
    from tribune.constitution.models import AdmissionRule
    from tribune.lib import figures
    from tribune.members.models import Member, Standing
    from tribune.organisations.services import found_organisation

    User = get_user_model()
    founder_user = User.objects.create_user(
        founder.lower(), f"{founder.lower()}@load.test", secrets.token_hex(16)
    )
    org = found_organisation(
        name=name,
        slug=slug,
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
            {"name": founder, "email": founder_user.email, "user": founder_user, "powers": powers}
        ],
    )
    founding_member = Member.objects.get(organisation=org, user=founder_user)
    User.objects.bulk_create(
        [
            User(username=f"{prefix}{i}", email=f"{prefix}{i}@load.test", password="!")
            for i in range(members)
        ],
        batch_size=1000,
    )
    users = list(User.objects.filter(username__startswith=prefix).order_by("id"))
    now = timezone.now()
    Member.objects.bulk_create(
        [
            Member(
                organisation=org,
                user=u,
                home_branch=org.root_branch,
                name=f"{prefix.title()} {i}",
                email=u.email,
                standing=Standing.GOOD,
                admitted_at=now,
            )
            for i, u in enumerate(users)
        ],
        batch_size=1000,
    )
    figures.changed(org.pk)  # bulk_create calls no save hook
    tokens = [f"trb_{secrets.token_urlsafe(32)}" for _ in users]
    founder_token = f"trb_{secrets.token_urlsafe(32)}"
    ApiToken.objects.bulk_create(
        [
            ApiToken(user=u, name="load", prefix=t[:12], token_hash=hash_token(t))
            for u, t in [*zip(users, tokens, strict=True), (founder_user, founder_token)]
        ],
        batch_size=1000,
    )
    return org, founding_member, founder_token, tokens


def seed(voters: int) -> dict:
    """An organisation, ``voters`` members each with an API token, and an election open to vote."""
    _setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from tribune.elections import services
    from tribune.elections.models import Election, Status
    from tribune.members.models import Member
    from tribune.offices.models import BodyKind
    from tribune.offices.services import create_body, create_office

    call_command("migrate", verbosity=0, interactive=False)
    with transaction.atomic():
        org, founder, _token, tokens = seed_organisation(
            name="Load Union",
            slug=SLUG,
            founder="Officer",
            powers=["call_elections"],
            members=voters,
            prefix="voter",
        )
        body = create_body(org, name="Executive committee", kind=BodyKind.COMMITTEE)
        office = create_office(body, title="Secretary", mandate="Keep the records.")
        election = services.call_election(founder, office=office)
        voters_ = Member.objects.filter(organisation=org, user__username__startswith="voter")
        standing = list(voters_.order_by("user_id")[:3])
        candidates = [services.nominate(m, election, m).pk for m in standing]
    election = services.advance(election, election.voting_open_at)
    assert election.status == Status.VOTING, election.status
    # Let voting run in real time from now on, for a day.
    Election.objects.filter(pk=election.pk).update(
        voting_open_at=timezone.now() - timedelta(minutes=1),
        voting_close_at=timezone.now() + timedelta(days=1),
    )
    return {"slug": SLUG, "election": election.pk, "candidates": candidates, "tokens": tokens}


def count(election_id: int) -> dict:
    """Close voting by the clock and count; report the ballots, the roll and the result."""
    _setup()
    from tribune.elections import services
    from tribune.elections.models import Ballot, Election, VoterRoll

    election = Election.objects.get(pk=election_id)
    ballots = Ballot.objects.filter(election=election).count()
    voted = VoterRoll.objects.filter(election=election, voted=True).count()
    election = services.advance(election, election.voting_close_at)
    return {
        "ballots": ballots,
        "voted": voted,
        "status": election.status,
        "turnout": election.turnout,
        "elected": (election.result or {}).get("elected"),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    seeding = sub.add_parser("seed")
    seeding.add_argument("--voters", type=int, required=True)
    seeding.add_argument("--out", required=True, help="JSON file for the tokens")
    counting = sub.add_parser("count")
    counting.add_argument("--election", type=int, required=True)
    args = parser.parse_args(argv)
    if args.command == "seed":
        data = seed(args.voters)
        Path(args.out).write_text(json.dumps(data))
        print(json.dumps({"election": data["election"], "voters": len(data["tokens"])}))
    else:
        print(json.dumps(count(args.election)))


if __name__ == "__main__":
    main()

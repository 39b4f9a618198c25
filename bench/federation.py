"""Benchmark: pledges spread over three federated servers toward one coalition pledge.

Usage: python bench/federation.py [--members M] [--pings P] [--profile FOLDER]

Starts three real Tribune servers on this machine (tribune/federation/harness.py:
``tribune serve`` each, own data directory and port, SQLite, or throw-away
PostgreSQL databases when ``DATABASE_URL`` points at PostgreSQL; the task worker
running), links them, and plays the scenario of docs/federation.md: A's
organisation founds a network and a coalition on one demand; B's and C's
organisations ratify by their own referendums; A opens a coalition pledge whose
threshold is 3×M. Then M members on each server pledge, at once on all three
(each pledge on B and C is a count sent to A; each count on A a state sent to B
and C). Prints:

* messages delivered between the servers per second: while pledging (most are
  superseded by a later state before they are sent, see docs/federation.md), and
  raw, as P pings from A to each of B and C, each delivered and taken once;
* the time from the threshold-crossing pledge's commit to the trigger visible
  on every server (every pledger there notified);
* how many triggers (notices per pledger: exactly one each).

The issue's run is ``--members 10000`` (30,000 pledges). ``--profile`` records
py-spy samples (collapsed stacks) of each server's pledging and of each server
with its task worker; set ``PY_SPY`` to py-spy's path. On a loaded machine raise
the harness's command timeout (``TRIBUNE_HARNESS_COMMAND_TIMEOUT=900``).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import machine  # noqa: E402

from tribune.federation.harness import ROOT as SERVER_ROOT  # noqa: E402
from tribune.federation.harness import Operator, cluster, link, wait_for  # noqa: E402

SETUP = """
from datetime import timedelta
from unittest import mock
from tribune.elections import services as elections
from tribune.elections.models import Kind
from tribune.members.models import Member
from tribune.members.services import admit_member, apply_for_membership
from tribune.organisations.services import found_organisation
org = found_organisation(
    name=NAME.upper() + " Union", slug=NAME + "-union",
    constitution={"default_term_days": 365, "max_term_days": 730, "term_limit": 2,
                  "recall_threshold_percent": 20, "quorum_percent": 10,
                  "faction_threshold": 3, "admission_rule": "officer"},
    founders=[{"name": "Op", "email": user.email, "user": user, "office": "Secretary",
               "powers": ["admit_members", "call_elections", "represent_in_networks",
                          "run_struggles"]}],
)
op = Member.objects.get(organisation=org, user=user)
question = "Ratify the Rent Freeze Coalition?"
election = elections.call_election(op, kind=Kind.REFERENDUM, title=question, question=question,
                                   electorate_branch=org.root_branch)
with mock.patch("django.utils.timezone.now",
                return_value=election.voting_open_at + timedelta(minutes=1)):
    elections.cast_ballot(op, election, "yes")
elections.advance(election, election.voting_close_at)
# The pledgers in bulk (ordinary members in good standing, as seed_organisation writes them):
# admitting 10,000 one by one through the service takes longer than the run itself.
from django.utils import timezone
from tribune.members.models import Standing
now = timezone.now()
Member.objects.bulk_create(
    [Member(organisation=org, home_branch=org.root_branch, name=f"Member {i}",
            email=f"m{i}@{NAME}.test", standing=Standing.GOOD, admitted_at=now)
     for i in range(MEMBERS - 1)],
    batch_size=1000,
)
"""

CONTEXT = """
import json, time
from datetime import date, timedelta
from django.utils import timezone
from tribune.elections.models import Election
from tribune.members.models import Member
from tribune.networks import coalitions, concert, networks
from tribune.networks.models import Coalition, ConcertPledge, Network
from tribune.organisations.models import Organisation
from tribune.struggles.services import pledges
org = Organisation.objects.get()
op = Member.objects.get(organisation=org, name="Op")
members = list(Member.objects.filter(organisation=org).order_by("pk"))
referendum = Election.objects.get(organisation=org)
def copy_of(model, **filters):
    for _ in range(600):
        found = model.objects.filter(home=False, **filters).first()
        if found is not None:
            return found
        time.sleep(0.1)
    raise SystemExit("no copy arrived")
"""


def org_uri(node) -> str:
    uid = node.scalar("SELECT uid FROM organisations_organisation")
    return f"{node.url}/id/organisation/{uuid.UUID(str(uid))}"


def delivered(node) -> int:
    return node.scalar("SELECT COUNT(*) FROM federation_delivery WHERE status = 'delivered'")


def queued(node) -> int:
    return node.scalar("SELECT COUNT(*) FROM federation_delivery WHERE status = 'queued'")


def py_spy() -> str:
    return os.environ.get("PY_SPY", "py-spy")


def profiled_shell(node, code: str, folder: str) -> object:
    """``node.shell(code)`` under py-spy (its samples, collapsed stacks, in ``folder``)."""
    out = Path(folder) / f"pledging-{node.name}.txt"
    done = subprocess.run(
        [py_spy(), "record", "-r", "50", "-f", "raw", "-o", str(out), "--", sys.executable]
        + ["-m", "tribune.cli", "shell", "-c", code],
        env=node.env,
        cwd=SERVER_ROOT,
        capture_output=True,
        text=True,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("[")]
    return json.loads(lines[-1])


def spy_on_servers(servers, folder: str, seconds: int = 60) -> list:
    """py-spy on each server and its task worker for the first ``seconds`` of the pledging."""
    return [
        subprocess.Popen(
            [py_spy(), "record", "-r", "50", "-f", "raw", "--subprocesses", "-d", str(seconds)]
            + ["-o", str(Path(folder) / f"server-{node.name}.txt"), "-p", str(node.process.pid)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for node in servers
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100, help="pledgers on each server")
    parser.add_argument(
        "--pings", type=int, default=3000, help="pings from A to each of B and C (raw delivery)"
    )
    parser.add_argument(
        "--profile",
        metavar="FOLDER",
        help="py-spy samples of the pledging and the servers into FOLDER (PY_SPY: its path)",
    )
    args = parser.parse_args()
    m = args.members
    print(machine())
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory() as tmp,
        cluster(Path(tmp), ["a", "b", "c"], setup=SETUP.replace("MEMBERS", str(m))) as servers,
    ):
        a, b, c = servers
        ops = [Operator(node) for node in servers]
        link(ops[0], ops[1])
        link(ops[0], ops[2])
        link(ops[1], ops[2])
        print(f"3 servers set up and linked in {time.monotonic() - started:.0f} s")
        b_uri, c_uri = org_uri(b), org_uri(c)
        coalition_uri = a.shell(
            CONTEXT
            + "net = networks.found_network(op, org, name='Rent Network', slug='rent-network',"
            " purpose='Together.', decision_rule='one_vote', decision_kind='mandate')\n"
            "k = coalitions.create_coalition(op, org, name='Rent Freeze Coalition',"
            " slug='rent-freeze', demands=[{'key': 'rent-freeze', 'title': 'Freeze rents'}],"
            " ends_on=date.today() + timedelta(days=90), network=net)\n"
            f"coalitions.invite(op, org, k, organisation_uri={b_uri!r}, organisation_name='B')\n"
            f"coalitions.invite(op, org, k, organisation_uri={c_uri!r}, organisation_name='C')\n"
            "coalitions.decide(op, org, k, 'ratified', decision_kind='referendum',"
            " decision_ref=referendum.pk)\n"
            "print(json.dumps(k.uri))"
        )
        ratify = (
            CONTEXT + f"k = copy_of(Coalition, uri={coalition_uri!r})\n"
            "coalitions.decide(op, org, k, 'ratified', decision_kind='referendum',"
            " decision_ref=referendum.pk); print(1)"
        )
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda node: node.shell(ratify), (b, c)))
        wait_for(
            lambda: (
                a.scalar("SELECT COUNT(*) FROM networks_participation WHERE state = 'ratified'")
                == 3
            ),
            timeout=120,
        )
        pledge_uri = a.shell(
            CONTEXT + "k = Coalition.objects.get(slug='rent-freeze')\n"
            f"p = concert.create(op, org, k, action='Rent strike', threshold={3 * m},"
            " deadline=timezone.now() + timedelta(days=7))\n"
            "concert.open_chapter(op, org, p); print(json.dumps(p.uri))"
        )
        open_chapter = (
            CONTEXT + f"p = copy_of(ConcertPledge, uri={pledge_uri!r})\n"
            "concert.open_chapter(op, org, p); print(1)"
        )
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda node: node.shell(open_chapter), (b, c)))
        wait_for(lambda: not any(queued(node) for node in servers), timeout=120)
        before = sum(delivered(node) for node in servers)
        pledge_all = (
            CONTEXT + "from tribune.struggles.models import Pledge\n"
            "chapter = Pledge.objects.get(organisation=org)\n"
            "start = time.time()\n"
            "for member in members: pledges.make_pledge(member, chapter)\n"
            "print(json.dumps([start, time.time()]))"
        )
        spies = [] if not args.profile else spy_on_servers(servers, args.profile)
        with ThreadPoolExecutor(3) as pool:
            spans = list(
                pool.map(
                    lambda node: (
                        profiled_shell(node, pledge_all, args.profile)
                        if args.profile
                        else node.shell(pledge_all)
                    ),
                    servers,
                )
            )
        for spy in spies:
            spy.wait(timeout=600)
        first_pledge = min(s[0] for s in spans)
        crossing = max(s[1] for s in spans)  # the last pledge made is the one that crosses

        def everyone_told():
            return all(
                node.scalar(
                    "SELECT COUNT(*) FROM struggles_notice WHERE key LIKE 'pledge:%:triggered'"
                )
                == m
                for node in servers
            )

        wait_for(everyone_told, timeout=600, what="every pledger told")
        visible = time.time()
        wait_for(lambda: not any(queued(node) for node in servers), timeout=600)
        drained = time.time()
        messages = sum(delivered(node) for node in servers) - before
        notices = [
            row
            for node in servers
            for row in node.query(
                "SELECT member_id, COUNT(*) FROM struggles_notice"
                " WHERE key LIKE 'pledge:%:triggered' GROUP BY member_id"
            )
        ]
        superseded = sum(
            node.scalar("SELECT COUNT(*) FROM federation_delivery WHERE status = 'superseded'")
            for node in servers
        )
        triggers = a.scalar(
            "SELECT COUNT(*) FROM networks_concertpledge WHERE triggered_at IS NOT NULL"
        )
        total = a.scalar("SELECT total FROM networks_concertpledge")
        # Raw delivery: pings (each one distinct, none superseded) from A to B and C.
        peer_ids = [ops[0].peer_id(b), ops[0].peer_id(c)]
        for peer_id in peer_ids:
            a.tribune("peers", "ping", peer_id, "--count", str(args.pings))
        wait_for(lambda: not queued(a), timeout=900, what="the pings delivered")
        pings = a.shell(
            "import json\n"
            "from django.db.models import Max, Min\n"
            "from tribune.federation.models import Delivery\n"
            "d = Delivery.objects.filter(activity__object_type='tribune:Ping',"
            " status='delivered')\n"
            "span = d.aggregate(first=Min('created_at'), last=Max('delivered_at'))\n"
            "print(json.dumps([d.count(), (span['last'] - span['first']).total_seconds()]))"
        )
        print(
            json.dumps(
                {
                    "pings_delivered": pings[0],
                    "pings_per_second": round(pings[0] / pings[1], 1),
                    "pledges": 3 * m,
                    "total_counted_on_home": total,
                    "messages_delivered": messages,
                    "messages_per_second": round(messages / (drained - first_pledge), 1),
                    "messages_not_sent_as_superseded": superseded,
                    "pledging_seconds": round(crossing - first_pledge, 1),
                    "threshold_to_trigger_everywhere_seconds": round(visible - crossing, 2),
                    "triggered_pledges_on_home": triggers,
                    "notices": len(notices),
                    "pledgers_told_more_than_once": sum(1 for _m, n in notices if n != 1),
                }
            )
        )


if __name__ == "__main__":
    main()

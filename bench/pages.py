"""Benchmark: the pages and API lists of an organisation grown to 100,000 members (issue 12).

Usage: python bench/pages.py [--members 100000] [--requests 20]
                             [--database-url postgres://user@host:5432/postgres] [--skip-sqlite]
                             [--database-name tribune_bench_pages] [--keep DIR]
       python -m bench.pages profile --seed DIR/sqlite/seed.json [--page NAME]

For SQLite (a throw-away data directory) and, with ``--database-url`` (an admin
URL), PostgreSQL (the database ``tribune_bench_pages``, created and dropped),
this script

1. grows a fresh organisation (``python bench/pages.py seed`` in a subprocess,
   against the server's database): ``--members`` members in 500 branches
   (20 regions of 24 local branches), 2,000 debate threads with 20,000 posts
   (one thread of 1,500, a few hidden with their moderation record), 1,456 unread
   notifications for the viewer, 50 elections: one certified 5-seat STV election
   with 20,000 ballots, one open for nominations, 48 referendums of a local
   branch, certified; three core courses with a circle each and a third of the
   members' completions (the education spread dashboard); on PostgreSQL, VACUUM ANALYZE;
2. measures the query count of every page below once, inside that process
   (Django's test client with ``CaptureQueriesContext``: the same views);
3. serves it with ``tribune serve`` (uvicorn, one worker) and requests every
   page ``--requests`` times over loopback, one at a time, after two warm-up
   requests, printing p50/p95 latency, the server's CPU per request and the
   response size. With ``--keep DIR`` the seeded data stays in DIR (PostgreSQL:
   the database ``--database-name``) and a later run measures it again, after
   migrating, without seeding.

What goes through the project's services: founding, the 500 branches
(``create_branch``), bodies and offices, every election (``call_election``,
``nominate``, ``advance``: the roll frozen, the count and the certification),
follows, and the audit log they write. What is written in bulk because the
services would take hours at this size (each says why in ``seed``): the
members (as ``tribune.elections.loadtest.seed_organisation`` does), threads and
posts (the posting limits allow a member a few posts a minute), notifications,
and the 20,000 ballots (as cast, with trackers; the count and certification
then run through the services).

The viewer is the founder, who holds the power to moderate debate (so the long
thread shows a hide form per post) and follows the long thread.
"""

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # common.py, also under ``-m``

from common import machine, percentile, server_cpu_seconds  # noqa: E402  (bench/ is the script's folder)

from tribune.elections import loadtest as server_tools  # noqa: E402

SLUG = "pages-union"
TARGET_MS, TARGET_QUERIES = 150, 30
WORDS = (
    "rent strike union branch meeting wages tenants solidarity motion congress housing "
    "organise picket ballot committee secretary council budget transport nurses teachers"
).split()


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


# --- inside Django, against the server's database ----------------------------------------------


def seed(members: int) -> dict:
    server_tools._setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from tribune.debate import services as debate
    from tribune.debate.models import ModerationAction, Notification, Post, Thread
    from tribune.elections import services as elections
    from tribune.elections.models import Ballot, Election, Kind, Method, Status, VoterRoll
    from tribune.lib import markdown
    from tribune.members.models import Member, Standing
    from tribune.offices.models import BodyKind
    from tribune.offices.services import create_body, create_office
    from tribune.organisations.demo import FIRST, LAST
    from tribune.organisations.services import create_branch

    rng = random.Random(20261130)
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    timings = {}
    with transaction.atomic():
        org, ana, ana_token, _tokens = server_tools.seed_organisation(
            name="Pages Union",
            slug=SLUG,
            founder="Ana",
            powers=[
                "call_elections",
                "manage_branches",
                "moderate_debate",
                "admit_members",
                "plan_courses",
            ],
            members=5,
            prefix="viewer",
        )
        regions, locals_ = [], []
        for r in range(20):
            region = create_branch(ana, org.root_branch, name=f"Region {r + 1}", level="regional")
            regions.append(region)
            for b in range(24):
                locals_.append(
                    create_branch(ana, region, name=f"Local {r + 1}-{b + 1}", level="local")
                )
        timings["branches"] = time.perf_counter() - started
        # Members in bulk, as seed_organisation does (admission one by one: hours).
        now = timezone.now()
        existing = Member.objects.filter(organisation=org).count()
        Member.objects.bulk_create(
            (
                Member(
                    organisation=org,
                    home_branch=locals_[i % len(locals_)],
                    name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}",
                    standing=Standing.GOOD,
                    admitted_at=now,
                )
                for i in range(max(0, members - existing))
            ),
            batch_size=5000,
        )
        timings["members"] = time.perf_counter() - started
    member_ids = list(Member.objects.filter(organisation=org).values_list("pk", flat=True))
    seed_education(org, ana, member_ids, rng)
    timings["education"] = time.perf_counter() - started

    with transaction.atomic():
        # Threads and posts in bulk: the posting limits allow a member a few posts a minute.
        places = [None, *regions, *locals_[:100]]
        threads = Thread.objects.bulk_create(
            Thread(
                organisation=org,
                branch=rng.choice(places),
                title=_text(rng, 5),
                author_id=rng.choice(member_ids),
            )
            for _ in range(2000)
        )
        big = threads[0]
        counts = [1500] + [9] * 1999 + [0]
        counts[1] += 20000 - sum(counts)
        posts = []
        for thread, n in zip(threads, counts, strict=False):
            for _ in range(n):
                text = _text(rng, rng.randint(8, 60))
                author = ana.pk if thread is big and rng.random() < 0.01 else rng.choice(member_ids)
                posts.append(
                    Post(thread=thread, author_id=author, text=text, html=markdown.render(text))
                )
        Post.objects.bulk_create(posts, batch_size=2000)
        big_posts = list(big.posts.order_by("pk"))
        rule = org.debate_rules.first()
        hidden = big_posts[10::150]
        Post.objects.filter(pk__in=[p.pk for p in hidden]).update(hidden=True)
        ModerationAction.objects.bulk_create(
            ModerationAction(post=p, action="hide", rule=rule, reason="Off topic.", actor=ana)
            for p in hidden
        )
        debate.follow(ana, big)
        Notification.objects.bulk_create(
            (Notification(member=ana, post=p) for p in big_posts[-1456:]), batch_size=2000
        )
        timings["debate"] = time.perf_counter() - started

    # Elections through the services; the 20,000 ballots in bulk (as cast: trackers, roll marks).
    body = create_body(org, name="Executive committee", kind=BodyKind.COMMITTEE)
    office = create_office(body, title="Executive member", mandate="Run the union.", seats=5)
    stv = elections.call_election(ana, office=office)
    standing = list(Member.objects.filter(organisation=org).exclude(pk=ana.pk)[:12])
    labels = ["Left Unity", "Broad Left", "", "Rank and File"]
    for i, m in enumerate(standing):
        candidacy = elections.nominate(m, stv, m)
        candidacy.faction_label = labels[i % 4]
        candidacy.save(update_fields=["faction_label"])
    stv = elections.advance(stv, stv.voting_open_at)
    assert stv.status == Status.VOTING, stv.status
    candidates = list(stv.candidacies.values_list("pk", flat=True))
    voters = rng.sample(member_ids, min(20000, len(member_ids)))
    with transaction.atomic():
        Ballot.objects.bulk_create(
            (
                Ballot(
                    election=stv,
                    choice=rng.sample(candidates, rng.randint(1, len(candidates))),
                    tracker=secrets.token_hex(32),
                )
                for _ in voters
            ),
            batch_size=2000,
        )
        for start in range(0, len(voters), 5000):
            VoterRoll.objects.filter(
                election=stv, member_id__in=voters[start : start + 5000]
            ).update(voted=True)
    stv = elections.advance(stv, stv.voting_close_at)
    assert stv.status == Status.CERTIFIED, stv.status
    timings["stv"] = time.perf_counter() - started

    second = create_office(body, title="Treasurer", mandate="Keep the accounts.")
    nominating = elections.call_election(ana, office=second)
    nominating = elections.advance(nominating, timezone.now())
    assert nominating.status == Status.NOMINATIONS, nominating.status
    for i in range(48):
        vote = elections.call_election(
            ana,
            kind=Kind.REFERENDUM,
            method=Method.YES_NO,
            title=f"Referendum {i + 1}: {_text(rng, 4)}",
            question=_text(rng, 12),
            electorate_branch=locals_[i],
        )
        vote = elections.advance(vote, vote.voting_open_at)
        vote = elections.advance(vote, vote.voting_close_at)
    timings["elections"] = time.perf_counter() - started
    assert Election.objects.filter(organisation=org).count() == 50

    base, api = f"/o/{SLUG}", f"/api/v1/organisations/{SLUG}"
    pages = [
        ("organisation home", f"{base}/"),
        ("home (what needs me)", "/"),
        ("education spread dashboard", f"{base}/education/spread/"),
        ("election open for nominations", f"{base}/elections/{nominating.pk}/"),
        (
            "member search (nominate)",
            f"{base}/members/search/?pool=nominee&field=member"
            f"&election={nominating.pk}&member_q=ana",
        ),
        ("1,500-post thread, moderator", f"{base}/debate/{big.pk}/"),
        ("1,500-post thread, last page", f"{base}/debate/{big.pk}/?page=last"),
        ("notifications (1,456 unread)", f"{base}/debate/notifications/"),
        ("members directory", f"{base}/members/"),
        ("members directory, search", f"{base}/members/?q=ana"),
        ("debate index", f"{base}/debate/"),
        ("debate search", f"{base}/debate/search/?q=rent"),
        ("debate search, no hits", f"{base}/debate/search/?q=zyzzyva"),
        ("elections list", f"{base}/elections/"),
        ("region branch", f"{base}/b/{regions[0].slug}/"),
        ("certified STV election", f"{base}/elections/{stv.pk}/"),
        ("box.json (20,000 ballots)", f"{base}/elections/{stv.pk}/box.json"),
        ("box.blt", f"{base}/elections/{stv.pk}/box.blt"),
        ("audit log", f"{base}/audit/"),
        ("API thread detail", f"{api}/debate/threads/{big.pk}"),
        ("API box", f"{api}/elections/{stv.pk}/box"),
        ("API members", f"{api}/members"),
        ("API threads", f"{api}/debate/threads"),
        ("API notifications", f"{api}/debate/notifications"),
        ("API elections", f"{api}/elections"),
        ("API audit", f"{api}/audit"),
        ("API audit verify", f"{api}/audit/verify"),
    ]
    return {
        "pages": [[name, path] for name, path in pages],
        "viewer_user": ana.user_id,
        "token": ana_token,
        "seed_s": time.perf_counter() - started,
        "timings": timings,
        "members": Member.objects.filter(organisation=org).count(),
        "posts": Post.objects.filter(thread__organisation=org).count(),
        "ballots": Ballot.objects.filter(election=stv).count(),
    }


def seed_education(org, founder, member_ids: list[int], rng: random.Random) -> None:
    """Three core courses and a circle of each through the services; completions in bulk.

    A third of the members completed one core course over the last two years (the
    spread dashboard's per-branch shares and its month-by-month lines); every
    tenth local branch has none, so the dashboard shows gaps.
    """
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from tribune.education import services as education
    from tribune.education.models import Completion
    from tribune.lib import figures
    from tribune.members.models import Member

    courses = [
        education.create_course(
            founder,
            org,
            title=f"Core course {n}",
            core=True,
            sessions=[{"title": f"Session {i}"} for i in range(1, 7)],
        )
        for n in range(1, 4)
    ]
    start = timezone.now() + timedelta(days=1)
    circles = [
        education.open_circle(
            founder,
            c,
            name=f"Circle of {c.title}",
            place="Hall",
            dates=[
                [start + timedelta(days=7 * i), start + timedelta(days=7 * i, hours=2)]
                for i in range(6)
            ],
        )
        for c in courses
    ]
    branch_of = dict(Member.objects.filter(pk__in=member_ids).values_list("pk", "home_branch_id"))
    gaps = set(sorted(set(branch_of.values()))[::10])
    now = timezone.now()
    with transaction.atomic():
        Completion.objects.bulk_create(
            (
                Completion(
                    course=courses[(pk // 3) % 3],
                    member_id=pk,
                    circle=circles[(pk // 3) % 3],
                    completed_at=now - timedelta(days=rng.randint(0, 700)),
                )
                for pk in member_ids
                if pk % 3 == 0 and branch_of[pk] not in gaps and pk != founder.pk
            ),
            batch_size=5000,
        )
    figures.changed(org.pk)  # members and completions went in by bulk_create: no save hook


def count_queries(pages, user_id: int) -> tuple[dict, str]:
    """Queries per page, through the same views (the second request: the first warms caches).

    Runs in a process of its own after seeding (``count``), so that a kept
    database (``--keep``) is counted again with the code as it is now.
    """
    server_tools._setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    call_command("migrate", verbosity=0, interactive=False)
    if connection.vendor == "postgresql":
        # What autovacuum does on a deployed server within a minute of a bulk load (this
        # machine's PostgreSQL runs with autovacuum off): statistics (without them the
        # planner took 100,000 members for one row, the spread dashboard: 4 s) and the
        # visibility map (without it no index-only scan: counting 100,000 members read
        # the table, 40 ms instead of 6).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    setup_test_environment()
    client = Client()
    client.force_login(get_user_model().objects.get(pk=user_id))
    counts = {}
    for name, path in pages:
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{name}: {path} answered {response.status_code}")
        if name.endswith("moderator") and b"Hide this post" not in response.content:
            raise RuntimeError("the viewer does not see the moderation forms")
        counts[name] = len(captured)
    return counts, client.cookies["sessionid"].value


def profile(pages, user_id: int, wanted: list[str], runs: int, top: int) -> None:
    """In-process timings, the slowest queries and a cProfile of ``wanted`` pages (``profile``).

    For finding where a slow page's time goes, against a kept database (``--keep``):
    ``python -m bench.pages profile --seed <keep>/sqlite/seed.json --page "debate index"``
    with that folder as ``TRIBUNE_DATA_DIR`` (and ``DATABASE_URL`` for PostgreSQL).
    """
    import cProfile
    import pstats

    server_tools._setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    client = Client()
    client.force_login(get_user_model().objects.get(pk=user_id))
    for name, path in pages:
        if wanted and not any(w in name for w in wanted):
            continue
        client.get(path)
        client.get(path)
        times, cpu = [], []
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        times.sort()
        cpu.sort()
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        print(
            f"\n== {name} {path}: p50 {percentile(times, 50):.1f} ms, min {times[0]:.1f} ms, "
            f"CPU p50 {percentile(cpu, 50):.1f} ms, {len(captured)} queries taking {sql_ms:.1f} ms"
        )
        for q in sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:5]:
            print(f"  {float(q['time']) * 1000:7.1f} ms  {q['sql'][:400]}")
        profiler = cProfile.Profile()
        profiler.enable()
        client.get(path)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(r"tribune/(?!.*middleware)", top)
        stats.sort_stats("tottime").print_stats(top)


# --- outside: serve and measure ---------------------------------------------------------------


def measure(port: int, data: dict, requests: int, pgid: int) -> list[dict]:
    """Latency per page, and the server's CPU per request (what load on the machine inflates
    least: a loaded machine makes a request wait for a core, not spend more CPU)."""
    rows = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for name, path in data["pages"]:
        headers = {"Cookie": f"sessionid={data['session']}"}
        times, size, cpu = [], 0, 0.0
        for i in range(requests + 2):
            if i == 2:
                cpu = server_cpu_seconds(pgid)
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                raise RuntimeError(f"{name}: {path} answered {response.status}")
            if i >= 2:
                times.append(elapsed)
            size = len(body)
        cpu = server_cpu_seconds(pgid) - cpu
        times.sort()
        rows.append(
            {
                "page": name,
                "p50": percentile(times, 50),
                "p95": percentile(times, 95),
                "bytes": size,
                "cpu": cpu * 1000 / requests,
                "queries": data["queries"][name],
            }
        )
    conn.close()
    return rows


def kept_postgres(admin_url: str, name: str) -> str:
    """Database ``name`` created afresh on ``admin_url``'s server and kept (``--keep``)."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))


def run(database: str, admin_url: str, args) -> list[dict]:
    """Seed (or, with ``--keep``, reuse a seeded) organisation, count queries, serve, measure."""
    with ExitStack() as stack:
        if args.keep:
            data_dir = Path(args.keep) / database
            data_dir.mkdir(parents=True, exist_ok=True)
        else:
            data_dir = Path(tempfile.mkdtemp(prefix="tribune-bench-pages-"))
            stack.callback(shutil.rmtree, data_dir, ignore_errors=True)
        seed_file = data_dir / "seed.json"
        reuse = args.keep and seed_file.exists()
        database_url = None
        if admin_url and reuse:
            database_url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{args.database_name}"))
        elif admin_url and args.keep:
            database_url = kept_postgres(admin_url, args.database_name)
        elif admin_url:
            database_url = stack.enter_context(
                server_tools.throwaway_postgres(admin_url, args.database_name)
            )
        env = server_tools.server_env(data_dir, database_url)
        env["WEB_WORKERS"] = "1"
        if not reuse:
            server_tools.run_tool(
                env,
                "seed",
                "--members",
                str(args.members),
                "--out",
                str(seed_file),
                module="bench.pages",
            )
        data = json.loads(seed_file.read_text())
        print(
            f"{database}: {'reused' if reuse else 'seeded'} {data['members']:,} members, "
            f"{data['posts']:,} posts, {data['ballots']:,} ballots in {data['seed_s']:.0f} s "
            f"({', '.join(f'{k} by {v:.0f} s' for k, v in data['timings'].items())})",
            flush=True,
        )
        counted = server_tools.run_tool(
            env, "count", "--seed", str(seed_file), module="bench.pages"
        )
        data.update(counted)
        server = server_tools.Server(env, server_tools.free_port(), data_dir / "server.log")
        server.start()
        stack.callback(server.kill)
        load = os.getloadavg()[0]
        rows = measure(server.port, data, args.requests, server.process.pid)
        load = max(load, os.getloadavg()[0])
        print(f"{database}: load average (1 min) around the measurement: {load:.1f}")
        server.stop()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command")
    seeding = sub.add_parser("seed")
    seeding.add_argument("--members", type=int, required=True)
    seeding.add_argument("--out", required=True)
    counting = sub.add_parser("count")
    counting.add_argument("--seed", required=True)
    profiling = sub.add_parser("profile")
    profiling.add_argument("--seed", required=True)
    profiling.add_argument("--page", action="append", default=[], help="part of a page's name")
    profiling.add_argument("--runs", type=int, default=10)
    profiling.add_argument("--top", type=int, default=30, help="functions in the profile")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--database-url", default="", help="PostgreSQL admin URL")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument(
        "--database-name",
        default="tribune_bench_pages",
        help="PostgreSQL database to create (dropped afterwards unless --keep)",
    )
    parser.add_argument(
        "--keep",
        default="",
        help="a folder to keep the seeded data in; a later run with it measures again "
        "without seeding (migrating first)",
    )
    args = parser.parse_args()
    if args.command == "seed":
        data = seed(args.members)
        Path(args.out).write_text(json.dumps(data))
        print(json.dumps({"members": data["members"]}))
        return 0
    if args.command == "profile":
        data = json.loads(Path(args.seed).read_text())
        profile(data["pages"], data["viewer_user"], args.page, args.runs, args.top)
        return 0
    if args.command == "count":
        data = json.loads(Path(args.seed).read_text())
        queries, session = count_queries(data["pages"], data["viewer_user"])
        print(json.dumps({"queries": queries, "session": session}))
        return 0

    print(f"machine: {machine()}")
    print(f"command: python bench/pages.py {' '.join(sys.argv[1:])}")
    runs = []
    if not args.skip_sqlite:
        runs.append(("sqlite", ""))
    if args.database_url:
        runs.append(("postgresql", args.database_url))
    ok = True
    for database, url in runs:
        rows = run(database, url, args)
        print(f"\n{database}, one uvicorn worker, {args.requests} requests per page")
        print(
            f"{'page':<34} {'p50 ms':>8} {'p95 ms':>8} {'cpu ms':>8} {'bytes':>10} {'queries':>8}"
        )
        for row in rows:
            slow = row["p95"] >= TARGET_MS or row["queries"] >= TARGET_QUERIES
            ok &= not slow
            print(
                f"{row['page']:<34} {row['p50']:>8.1f} {row['p95']:>8.1f} {row['cpu']:>8.1f} "
                f"{row['bytes']:>10,} "
                f"{row['queries']:>8}{'  <- over target' if slow else ''}"
            )
    print(
        f"\ntarget: every page p95 < {TARGET_MS} ms and < {TARGET_QUERIES} queries: "
        + ("met" if ok else "NOT met")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

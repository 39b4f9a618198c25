"""Benchmark: archive search over many documents of several pages each.

Usage: python bench/archive.py [--documents N] [--words W] [--queries Q] [--members M] [--reuse]

SQLite (default): a throw-away database in a temp dir. PostgreSQL: set
``DATABASE_URL`` to a database this benchmark may empty (it is flushed first).

Builds one organisation with N published public documents of about W words each
(2,500 words is some five printed pages), written in bulk (versions, the
published pointer and the search index exactly as publishing writes them), then
times ``archive.services.search`` as an anonymous reader — the query, the top 50
documents and their highlighted excerpts, what the archive page shows — for Q
queries of one and two words drawn from the vocabulary's common, middling and
rare words. Prints the p50/p95/max in milliseconds (wall clock, and the CPU the
client and its PostgreSQL backend spent, which the machine's load does not
inflate), the build time, the load and the machine.

Then the spread dashboard (``education.spread.dashboard``): M members in good
standing (100,000 by default) over 40 branches, three core courses written and
run through the services, a completion for about a third of the members
(written in bulk, as completing writes it); timed over 20 renderings counted
afresh (the first view after a change) and 20 from the kept counts.

``--reuse`` keeps the documents and members a previous run left in the
database (PostgreSQL, or SQLite with ``TRIBUNE_DATA_DIR`` naming the previous
run's folder) instead of building them again.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import machine, percentile  # noqa: E402  (bench/ is the script's folder)

REAL = (
    "strike rent tenant landlord union branch picket repair eviction committee wage "
    "workers housing meeting solidarity organise congress ballot leaflet campaign "
    "arrears heating fund court notice demand victory defeat lesson history"
).split()
SYLLABLES = "ka lo mi ne ru sa te vo pi da ge hu ja ko li ma no pe ri su ta".split()


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    words = set(REAL)
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    ordered = sorted(words)
    rng.shuffle(ordered)
    return ordered


def text_of(rng: random.Random, vocab: list[str], weights: list[float], words: int) -> str:
    chosen = rng.choices(vocab, weights=weights, k=words)
    paragraphs = [" ".join(chosen[i : i + 120]) + "." for i in range(0, words, 120)]
    return "\n\n".join(paragraphs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--words", type=int, default=2_500)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL") and not (
        args.reuse and os.environ.get("TRIBUNE_DATA_DIR")
    ):
        os.environ["TRIBUNE_DATA_DIR"] = tempfile.mkdtemp(prefix="tribune-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tribune.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from tribune.organisations.models import Organisation

    reuse = args.reuse and Organisation.objects.filter(slug="bench").exists()
    if connection.vendor == "postgresql" and not reuse:
        call_command("flush", interactive=False, verbosity=0)

    from tribune.archive import services
    from tribune.archive.models import Document, DocumentVersion
    from tribune.lib.search import excerpt
    from tribune.members.models import Member
    from tribune.organisations.services import found_organisation

    if reuse:
        from tribune.education.models import Course

        org = Organisation.objects.get(slug="bench")
        if not Course.objects.filter(organisation=org).exists():
            author = Member.objects.filter(organisation=org).order_by("pk").first()
            seed_members(org, author, args.members, random.Random(1917))
        return measure(args, org, services, excerpt, connection, 0.0)
    user = get_user_model().objects.create_user("archivist", "archivist@bench.org", "x" * 16)
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
                "name": "Archivist",
                "email": "archivist@bench.org",
                "user": user,
                "office": "Archivist",
                "powers": ["curate_archive", "plan_courses", "manage_branches"],
            }
        ],
    )
    author = Member.objects.get(organisation=org)
    rng = random.Random(1917)
    vocab = vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(vocab))]  # Zipf: a few words everywhere

    started = time.perf_counter()
    batch = 500
    now = timezone.now()
    for start in range(0, args.documents, batch):
        count = min(batch, args.documents - start)
        with transaction.atomic():
            documents = Document.objects.bulk_create(
                [Document(organisation=org, proposed_by=author) for _ in range(count)]
            )
            versions = DocumentVersion.objects.bulk_create(
                [
                    DocumentVersion(
                        document=d,
                        number=1,
                        title=" ".join(rng.choices(vocab, weights=weights, k=6)).capitalize(),
                        text=text_of(rng, vocab, weights, args.words),
                        author=author,
                    )
                    for d in documents
                ]
            )
            for d, v in zip(documents, versions, strict=True):
                d.published_id, d.published_at = v.pk, now
            Document.objects.bulk_update(documents, ["published", "published_at"])
            for v in versions:
                services.INDEX.put(v.document_id, title=v.title, body=v.text, language="en")
    seed_members(org, author, args.members, rng)
    built = time.perf_counter() - started
    measure(args, org, services, excerpt, connection, built)


def seed_members(org, author, count: int, rng: random.Random) -> None:
    """Branches, core courses and circles through the services; members and completions in bulk."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from tribune.education import services as education
    from tribune.education.models import Completion
    from tribune.members.models import Member, Standing
    from tribune.organisations.services import create_branch

    branches = [
        create_branch(author, org.root_branch, name=f"Branch {i}", level="local") for i in range(40)
    ]
    reading = author.organisation.documents.exclude(published=None).first().published
    courses = [
        education.create_course(
            author,
            org,
            title=f"Core course {n}",
            core=True,
            sessions=[
                {"title": f"Session {i}", "readings": [[reading.document_id, reading.number]]}
                for i in range(1, 7)
            ],
        )
        for n in range(1, 4)
    ]
    start = timezone.now() + timedelta(days=1)
    circles = [
        education.open_circle(
            author,
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
    now = timezone.now()
    for first in range(0, count, 5000):
        with transaction.atomic():
            members = Member.objects.bulk_create(
                [
                    Member(
                        organisation=org,
                        home_branch=branches[(i * 7) % 37 if i % 10 else 39],
                        name=f"Member {i}",
                        email=f"m{i}@bench.org",
                        standing=Standing.GOOD,
                        admitted_at=now,
                    )
                    for i in range(first, min(count, first + 5000))
                ]
            )
            Completion.objects.bulk_create(
                [
                    Completion(
                        course=courses[(m.pk // 3) % 3],
                        member=m,
                        circle=circles[(m.pk // 3) % 3],
                        completed_at=now - timedelta(days=rng.randint(0, 700)),
                    )
                    for m in members
                    if m.pk % 3 == 0 and m.home_branch_id != branches[39].pk
                ]
            )


def cpu_ns(backend: int | None) -> int:
    """CPU time used so far by this process and, on PostgreSQL, by its server backend.

    On a machine shared with other work, wall-clock times grow with the load; the
    CPU a search costs (client and server together) does not, so it is printed too.
    ``/proc/<pid>/schedstat`` gives the backend's in nanoseconds.
    """
    used = time.process_time_ns()
    if backend:
        used += int(Path(f"/proc/{backend}/schedstat").read_text().split()[0])
    return used


def measure(args, org, services, excerpt, connection, built: float) -> None:
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # As autovacuum would after the bulk load (off on this machine's PostgreSQL).
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
            if not Path(f"/proc/{backend}/schedstat").exists():
                backend = None  # a server on another machine: the client's CPU only
    rng = random.Random(1917)
    vocab = vocabulary(rng)
    common, middling, rare = vocab[5:60], vocab[200:1500], vocab[3000:6000]
    queries = []
    for i in range(args.queries):
        pool = (common, middling, rare)[i % 3]
        words = rng.sample(pool, 1 if i % 2 else 2)
        queries.append(" ".join(words))
    queries.append("strikes")  # stemming: finds strike

    def run(query: str) -> int:
        found = services.search(None, org, query)
        for document in found:
            excerpt(document.published.text, query)
        return len(found)

    for query in queries[:10]:  # warm the caches, as a running server's are
        run(query)
    timings, hits, cpu = [], [], []
    for query in queries:
        c, t = cpu_ns(backend), time.perf_counter()
        hits.append(run(query))
        timings.append((time.perf_counter() - t) * 1000)
        cpu.append((cpu_ns(backend) - c) / 1e6)
    timings.sort()
    cpu.sort()
    print(
        f"archive search — {connection.vendor}, {args.documents:,} documents "
        f"of ~{args.words:,} words"
    )
    print(f"  build (bulk insert + index): {built:.0f} s")
    print(
        f"  {len(queries)} queries: p50 {percentile(timings, 50):.1f} ms, "
        f"p95 {percentile(timings, 95):.1f} ms, max {timings[-1]:.1f} ms "
        f"(top 50 with excerpts; mean hits {sum(hits) / len(hits):.0f})"
    )
    print(
        f"  CPU per query (client + server): p50 {percentile(cpu, 50):.1f} ms, "
        f"p95 {percentile(cpu, 95):.1f} ms, max {cpu[-1]:.1f} ms"
    )
    from tribune.education import spread
    from tribune.lib import figures
    from tribune.members.models import Member

    members = Member.objects.filter(organisation=org).count()
    spread.dashboard(org)
    # Counted: the first view after a member or a completion changed (the cache dropped).
    # Kept: every other view, which reads the courses, the branches and the cache.
    for label, forget in (("counted", True), ("kept", False)):
        times, cpu = [], []
        for _ in range(20):
            if forget:
                figures.changed(org.pk)
            c, t = cpu_ns(backend), time.perf_counter()
            board = spread.dashboard(org)
            spread.map_layout(board["branches"])
            spread.chart(board["over_time"])
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((cpu_ns(backend) - c) / 1e6)
        times.sort()
        cpu.sort()
        print(
            f"  spread dashboard ({label}), {members:,} members, "
            f"{len(board['branches'])} branches: p50 {percentile(times, 50):.1f} ms, "
            f"p95 {percentile(times, 95):.1f} ms, CPU (client + server) p50 "
            f"{percentile(cpu, 50):.1f} ms, p95 {percentile(cpu, 95):.1f} ms "
            f"({len(board['gaps'])} branches with members but no facilitator)"
        )
    print(f"  load: {os.getloadavg()[0]:.1f} (1 min), {os.cpu_count()} cores")
    print(f"  machine: {machine()}")


if __name__ == "__main__":
    main()

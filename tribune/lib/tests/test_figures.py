"""Counted figures are kept until what they count changes, and never served from before a change."""

from tribune.education.spread import dashboard
from tribune.lib import figures
from tribune.members.history import by_month
from tribune.members.services import admit_member, apply_for_membership
from tribune.organisations.services import create_branch


class Counter:
    def __init__(self, value=0):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


def test_a_figure_is_counted_once_until_the_organisation_changes(world):
    count = Counter(7)
    assert figures.cached(world.org.pk, "n", count) == 7
    count.value = 8
    assert figures.cached(world.org.pk, "n", count) == 7 and count.calls == 1
    figures.changed(world.org.pk)
    assert figures.cached(world.org.pk, "n", count) == 8 and count.calls == 2


def test_a_member_joining_changes_only_their_organisations_figures(world):
    mine, other = Counter(1), Counter(1)
    elsewhere = world.org.pk + 1000
    figures.cached(world.org.pk, "n", mine)
    figures.cached(elsewhere, "n", other)
    applicant = apply_for_membership(
        world.org, user=None, name="New", email="new@x.org", branch=world.north
    )
    admit_member(world.ana, applicant)
    figures.cached(world.org.pk, "n", mine)
    figures.cached(elsewhere, "n", other)
    assert (mine.calls, other.calls) == (2, 1)


def test_a_figure_counted_across_a_change_is_not_kept_for_after_it(world):
    """A change committing while a reader counts: the reader's figure is from before it."""
    stale = Counter("before")

    def count_while_it_changes():
        value = stale()
        figures.changed(world.org.pk)  # committed after the reader read the version
        return value

    assert figures.cached(world.org.pk, "n", count_while_it_changes) == "before"
    assert figures.cached(world.org.pk, "n", Counter("after")) == "after"


def test_the_membership_chart_and_the_spread_see_a_new_member_and_branch(world):
    by_month(world.org, world.north)
    board = dashboard(world.org)
    before = {r["branch"].pk for r in board["branches"]}
    branch = create_branch(world.ana, world.org.root_branch, name="Eastfield", level="local")
    for i in range(5):
        applicant = apply_for_membership(
            world.org, user=None, name=f"E{i}", email=f"e{i}@x.org", branch=branch
        )
        admit_member(world.ana, applicant)
    rows = {r["branch"].pk: r for r in dashboard(world.org)["branches"]}
    assert branch.pk not in before and rows[branch.pk]["members"] == 5
    assert rows[branch.pk]["no_facilitator"]
    assert by_month(world.org, branch)[-1]["members"] == 5


def test_a_figure_takes_one_entry_however_often_the_organisation_changes(world):
    """The database cache drops expired entries only when full: old versions must not pile up."""
    from django.db import connection

    for n in range(5):
        figures.changed(world.org.pk)
        assert figures.cached(world.org.pk, "n", Counter(n)) == n
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM tribune_cache WHERE cache_key LIKE %s",
            [f"%figures:{world.org.pk}:n"],
        )
        assert cursor.fetchone()[0] == 1


def renewals(monkeypatch) -> list[int]:
    """The organisations whose version is replaced, one entry per cache write."""
    written: list[int] = []
    renew = figures._renew
    monkeypatch.setattr(figures, "_renew", lambda pk: (written.append(pk), renew(pk)))
    return written


def test_an_import_chunk_renews_the_figures_once_not_per_member(world, monkeypatch):
    from tribune.members import importing

    rows = "\n".join(f"Person {i},p{i}@x.org,millbrook" for i in range(20))
    for name in ("Person", "Renamed"):  # created, then every one of them updated
        csv_text = "name,email,branch\n" + rows.replace("Person", name)
        job = importing.confirm_import(
            world.dana, importing.check_import(world.dana, world.org, csv_text, "l.csv")
        )
        count = Counter(name)
        figures.cached(world.org.pk, name, count)
        written = renewals(monkeypatch)
        job = importing.run_chunk(job, rows=50)
        monkeypatch.undo()
        assert job.created + job.updated == 20
        assert written == [world.org.pk]  # one write now (and one after the commit)
        assert figures.cached(world.org.pk, name, count) == name and count.calls == 2


def test_a_failing_batch_holds_nothing_back_afterwards(world, monkeypatch):
    count = Counter(1)
    figures.cached(world.org.pk, "n", count)
    written = renewals(monkeypatch)
    try:
        with figures.changing(world.org.pk):
            figures.changed(world.org.pk)
            raise RuntimeError("the chunk fails")
    except RuntimeError:
        pass
    assert written == []  # its transaction rolls back: nothing to forget
    figures.changed(world.org.pk)  # the next change, outside any batch, is seen
    assert written == [world.org.pk]
    count.value = 2
    assert figures.cached(world.org.pk, "n", count) == 2

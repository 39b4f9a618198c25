"""Every list page and API list costs the same number of queries for 5 rows as for 50.

Issue 12: at 100,000 members a query per row (a link reading its organisation, a
moderation record per post, a rule list per hide form) made pages take seconds.
Each test measures a list with 5 rows, grows it to 50 and measures again: an N+1
anywhere on the page makes the second count larger. Rows are written in bulk (what
is measured is the reading, not how the rows came to be).
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tribune.audit.log import record
from tribune.debate import services as debate
from tribune.debate.models import ModerationAction, Notification, Post, Thread
from tribune.elections.models import Election, Kind, Method, Status
from tribune.members.models import Member, Standing
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office
from tribune.organisations.models import Branch

ORG = "/o/test-union"


@pytest.fixture
def client_for(world):
    def login(short):
        client = Client()
        client.force_login(world.users[short])
        return client

    return login


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def same_for_5_and_50(client, url: str, grow) -> None:
    grow(5)
    queries(client, url)  # warm: sessions, caches, the first request's one-offs
    five = queries(client, url)
    grow(50)
    fifty = queries(client, url)
    assert fifty == five, f"{url}: {five} queries for 5 rows, {fifty} for 50"


def _counter():
    made = {"n": 0}

    def to(n, make):
        if n > made["n"]:
            make(made["n"], n)
            made["n"] = n

    return to


@pytest.fixture
def members(world):
    to = _counter()
    branches = [world.north, world.south, world.millbrook]

    def grow(n):
        to(
            n,
            lambda a, b: Member.objects.bulk_create(
                Member(
                    organisation=world.org,
                    home_branch=branches[i % 3],
                    name=f"Member {i:03}",
                    standing=Standing.GOOD,
                )
                for i in range(a, b)
            ),
        )

    return grow


@pytest.fixture
def thread(world):
    return debate.open_thread(world.ben, world.org, title="Rents", text="Opening post.")


@pytest.fixture
def moderator(world):
    body = create_body(world.org, name="Debate stewards", kind=BodyKind.COMMITTEE)
    office = create_office(body, title="Steward", mandate="Rules.", powers=["moderate_debate"])
    begin_term(office, world.cam, source=TermSource.ELECTION)
    return world.cam


@pytest.fixture
def posts(world, thread):
    """Posts in one thread, every third hidden with its moderation record."""
    to = _counter()
    rule = world.org.debate_rules.first()

    def make(a, b):
        made = Post.objects.bulk_create(
            Post(
                thread=thread,
                author=world.ben if i % 2 else world.cam,
                text=f"Reply **{i}**",
                html=f"<p>Reply <strong>{i}</strong></p>",
                hidden=i % 3 == 0,
            )
            for i in range(a, b)
        )
        ModerationAction.objects.bulk_create(
            ModerationAction(post=p, action="hide", rule=rule, reason="Off topic.", actor=world.ana)
            for p in made
            if p.hidden
        )

    return lambda n: to(n, make)


@pytest.fixture
def threads(world):
    to = _counter()
    places = [None, world.north, world.millbrook]

    def make(a, b):
        made = Thread.objects.bulk_create(
            Thread(
                organisation=world.org,
                branch=places[i % 3],
                title=f"Thread {i} rent",
                author=world.ben,
            )
            for i in range(a, b)
        )
        Post.objects.bulk_create(
            Post(thread=t, author=world.cam, text=f"About rent {t.pk}") for t in made
        )

    return lambda n: to(n, make)


@pytest.fixture
def notifications(world, thread):
    to = _counter()

    def make(a, b):
        made = Post.objects.bulk_create(
            Post(thread=thread, author=world.cam, text=f"Reply {i}") for i in range(a, b)
        )
        Notification.objects.bulk_create(Notification(member=world.ben, post=p) for p in made)

    return lambda n: to(n, make)


@pytest.fixture
def elections(world):
    to = _counter()
    now = timezone.now()
    statuses = [Status.CERTIFIED, Status.CANCELLED, Status.VOTING, Status.CALLED]

    def make(a, b):
        Election.objects.bulk_create(
            Election(
                organisation=world.org,
                kind=Kind.REFERENDUM,
                title=f"Referendum {i}",
                method=Method.YES_NO,
                electorate=world.root,
                status=statuses[i % 4],
                voting_open_at=now - timedelta(days=i + 10),
                voting_close_at=now - timedelta(days=i) + timedelta(days=20 * (i % 4 > 1)),
            )
            for i in range(a, b)
        )

    return lambda n: to(n, make)


@pytest.fixture
def branches(world):
    to = _counter()

    def make(a, b):
        Branch.objects.bulk_create(
            Branch(
                organisation=world.org,
                parent=world.north,
                name=f"Local {i}",
                slug=f"local-{i}",
                level="local",
            )
            for i in range(a, b)
        )

    return lambda n: to(n, make)


@pytest.fixture
def audit(world):
    to = _counter()

    def make(a, b):
        for i in range(a, b):
            record(world.org, "member.admitted", actor=world.ana, target=f"member:{i}")

    return lambda n: to(n, make)


def test_members_directory(world, client_for, members):
    same_for_5_and_50(client_for("ana"), f"{ORG}/members/", members)


def test_members_directory_search(world, client_for, members):
    same_for_5_and_50(client_for("ana"), f"{ORG}/members/?q=member", members)


def test_api_members(world, client_for, members):
    same_for_5_and_50(client_for("ana"), "/api/v1/organisations/test-union/members", members)


def test_member_search(world, client_for, members):
    url = f"{ORG}/members/search/?pool=good&field=member&member_q=member"
    same_for_5_and_50(client_for("ana"), url, members)


def test_a_thread_as_a_moderator(world, client_for, thread, posts, moderator):
    posts(5)
    page = client_for("cam").get(f"{ORG}/debate/{thread.pk}/").content.decode()
    assert "Hide this post" in page and "p_blank_" not in page
    for post in thread.posts.all():  # each post's form has ids of its own
        kind = "reason" if post.hidden else "rule"
        assert page.count(f'id="p{post.pk}_{kind}"') == 1, post
    same_for_5_and_50(client_for("cam"), f"{ORG}/debate/{thread.pk}/", posts)


def test_a_thread_as_a_member(world, client_for, thread, posts):
    same_for_5_and_50(client_for("ben"), f"{ORG}/debate/{thread.pk}/", posts)


def test_api_thread_detail(world, client_for, thread, posts):
    url = f"/api/v1/organisations/test-union/debate/threads/{thread.pk}"
    same_for_5_and_50(client_for("ben"), url, posts)


def test_debate_index(world, client_for, threads):
    same_for_5_and_50(client_for("ben"), f"{ORG}/debate/", threads)


def test_api_threads(world, client_for, threads):
    same_for_5_and_50(client_for("ben"), "/api/v1/organisations/test-union/debate/threads", threads)


def test_debate_search(world, client_for, threads):
    same_for_5_and_50(client_for("ben"), f"{ORG}/debate/search/?q=rent", threads)


def test_api_debate_search(world, client_for, threads):
    url = "/api/v1/organisations/test-union/debate/search?q=rent"
    same_for_5_and_50(client_for("ben"), url, threads)


def test_notifications(world, client_for, notifications):
    same_for_5_and_50(client_for("ben"), f"{ORG}/debate/notifications/", notifications)


def test_api_notifications(world, client_for, notifications):
    url = "/api/v1/organisations/test-union/debate/notifications"
    same_for_5_and_50(client_for("ben"), url, notifications)


def test_elections_list(world, client_for, elections):
    same_for_5_and_50(client_for("ben"), f"{ORG}/elections/", elections)


def test_api_elections(world, client_for, elections):
    same_for_5_and_50(client_for("ben"), "/api/v1/organisations/test-union/elections", elections)


def test_region_branch(world, client_for, branches):
    same_for_5_and_50(client_for("ben"), f"{ORG}/b/{world.north.slug}/", branches)


def test_audit_log(world, client_for, audit):
    same_for_5_and_50(client_for("ben"), f"{ORG}/audit/", audit)


def test_api_audit(world, client_for, audit):
    same_for_5_and_50(client_for("ben"), "/api/v1/organisations/test-union/audit", audit)


def test_organisation_home(world, client_for, threads, members):
    def grow(n):
        threads(n)
        members(n)

    same_for_5_and_50(client_for("ben"), f"{ORG}/", grow)


def test_an_election_page_with_its_candidates(world, client_for, members, office):
    from tribune.elections import services as elections

    election = elections.call_election(world.ana, office=office)
    nominated = {"n": 0}

    def grow(n):
        members(n)
        for member in Member.objects.filter(name__startswith="Member ").order_by("pk")[
            nominated["n"] : n
        ]:
            elections.nominate(member, election, member)
        nominated["n"] = n

    same_for_5_and_50(client_for("ben"), f"{ORG}/elections/{election.pk}/", grow)


def test_home_what_needs_me(world, client_for):
    """The home lists every open vote the member has not cast: as many votes, as many queries."""
    from tribune.elections.models import VoterRoll

    to = _counter()
    now = timezone.now()

    def make(a, b):
        made = Election.objects.bulk_create(
            Election(
                organisation=world.org,
                kind=Kind.REFERENDUM,
                title=f"Open vote {i}",
                method=Method.YES_NO,
                electorate=world.root,
                status=Status.VOTING,
                voting_open_at=now - timedelta(days=1),
                voting_close_at=now + timedelta(days=i + 1),
            )
            for i in range(a, b)
        )
        VoterRoll.objects.bulk_create(VoterRoll(election=e, member=world.ben) for e in made)

    client = client_for("ben")
    same_for_5_and_50(client, "/", lambda n: to(n, make))
    assert "Open vote 49" in client.get("/").content.decode()


def test_education_spread_dashboard(world, client_for):
    """One row per branch, and its members and completions counted in grouped queries."""
    from tribune.education.models import Circle, Completion, Course

    course = Course.objects.create(
        organisation=world.org, title="Core one", core=True, created_by=world.ana
    )
    circle = Circle.objects.create(
        course=course, organisation=world.org, name="Circle", opened_by=world.ana
    )
    to = _counter()

    def make(a, b):
        made = Branch.objects.bulk_create(
            Branch(
                organisation=world.org,
                parent=world.north,
                name=f"Local {i}",
                slug=f"local-{i}",
                level="local",
            )
            for i in range(a, b)
        )
        members = Member.objects.bulk_create(
            Member(organisation=world.org, home_branch=branch, name=f"M {branch.slug} {k}")
            for branch in made
            for k in range(2)
        )
        for m in members:
            m.standing = Standing.GOOD
        Member.objects.bulk_update(members, ["standing"])
        Completion.objects.bulk_create(
            Completion(course=course, member=m, circle=circle, completed_at=timezone.now())
            for m in members[::2]
        )

    same_for_5_and_50(client_for("ben"), f"{ORG}/education/spread/", lambda n: to(n, make))

"""The lean cast path answers token casts as the API does, and hands Django everything else."""

import asyncio
import json
import logging
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tribune import asgi
from tribune.accounts.models import ApiToken
from tribune.api import castpath
from tribune.assemblies import services as assemblies
from tribune.assemblies import sessions
from tribune.assemblies.models import Participant
from tribune.elections import services
from tribune.elections.models import Ballot, Election, Status, VoterRoll
from tribune.elections.services import casting

ORG = "/api/v1/organisations/test-union"


@pytest.fixture(autouse=True)
def in_the_tests_thread(monkeypatch):
    """Casts run where the test's transaction is visible (CAST_THREADS=0), and leave its
    connection open, as Django's test client does for its requests."""
    monkeypatch.setattr(castpath, "_executor", None)
    castpath._votes.clear()
    castpath._election_organisations.clear()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(world):
    def issue(who):
        user = world.users[who] if isinstance(who, str) else who
        return ApiToken.issue(user, "script")[1]

    return issue


def call(
    app, path: str, token: str = "", body=None, *, raw: bytes | None = None, host=b"testserver"
):
    """POST through an ASGI application in process: (status, JSON answer, headers)."""
    data = raw if raw is not None else json.dumps(body if body is not None else {}).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": ORG + path,
        "raw_path": (ORG + path).encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", host),
            (b"content-type", b"application/json"),
            *([(b"authorization", f"Bearer {token}".encode())] if token else []),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    answer = {"body": b""}
    messages = [{"type": "http.request", "body": data, "more_body": False}]

    async def receive():
        if messages:
            return messages.pop(0)
        await asyncio.sleep(60)  # the client waits for the answer (Django listens meanwhile)
        return {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = {k.decode(): v.decode() for k, v in message["headers"]}
        else:
            answer["body"] += message.get("body", b"")

    async_to_sync(app)(scope, receive, send)
    try:
        content = json.loads(answer["body"])
    except ValueError:
        content = answer["body"]  # Django's plain refusals (a bad host) are not JSON
    return answer["status"], content, answer["headers"]


def both(path, token="", body=None, **kwargs):
    """The same request through the lean path and through Django alone: both answers."""
    lean = call(asgi.application, path, token, body, **kwargs)
    django = call(asgi.django_application, path, token, body, **kwargs)
    return lean, django


def same_refusal(path, token, body, status, reason=None, **kwargs):
    lean, django = both(path, token, body, **kwargs)
    assert lean[:2] == django[:2], (lean[:2], django[:2])
    assert lean[0] == status, lean[:2]
    if reason is not None:
        assert lean[1] == {"detail": [reason]}
    return lean


@pytest.fixture
def race(world, office):
    election = services.call_election(world.ana, office=office, returning_officer=world.eli)
    ben = services.nominate(world.ben, election, world.ben, statement="I keep good minutes.")
    cam = services.nominate(world.ana, election, world.cam)
    services.accept_nomination(world.cam, cam, statement="Open books.")
    election = services.advance(election, election.voting_open_at)
    assert election.status == Status.VOTING
    Election.objects.filter(pk=election.pk).update(
        voting_open_at=timezone.now() - timedelta(minutes=1)
    )
    return Election.objects.get(pk=election.pk), ben, cam


def test_a_ballot_goes_in_once_by_the_lean_path(world, race, token):
    election, ben, cam = race
    ana = token("ana")
    path = f"/elections/{election.pk}/ballots"
    status, receipt, headers = call(asgi.application, path, ana, {"choice": [ben.pk, cam.pk]})
    assert status == 201
    assert len(receipt["tracker"]) == 64 and receipt["key"] and receipt["replaced"] is False
    # The security headers Django's middleware gives every answer.
    for name in ("x-content-type-options", "x-frame-options", "content-security-policy"):
        assert name in headers
    assert VoterRoll.objects.get(election=election, member=world.ana).voted
    assert Ballot.objects.filter(election=election).count() == 1
    refusal = {"field": "choice", "reason": "You have already voted in this election."}
    same_refusal(path, ana, {"choice": [cam.pk]}, 400, refusal)
    # The key from the receipt replaces the ballot, and only once.
    status, second, _ = call(
        asgi.application, path, ana, {"choice": [cam.pk], "key": receipt["key"]}
    )
    assert (status, second["replaced"]) == (201, True)
    assert Ballot.objects.filter(election=election).count() == 1
    invalid = {"field": "key", "reason": "That ballot key is not valid."}
    same_refusal(path, ana, {"choice": [cam.pk], "key": receipt["key"]}, 400, invalid)


@pytest.mark.parametrize(
    "choice, reason",
    [
        ([999999], "Only candidates on this ballot may be ranked."),
        ([], "Rank at least one candidate."),
        ("yes", "Rank at least one candidate."),
        (["x"], "A ranking lists candidates."),
    ],
)
def test_a_bad_ballot_is_refused_as_the_api_refuses_it(world, race, token, choice, reason):
    election, _ben, _cam = race
    path = f"/elections/{election.pk}/ballots"
    same_refusal(path, token("ana"), {"choice": choice}, 400, {"field": "choice", "reason": reason})
    assert not VoterRoll.objects.get(election=election, member=world.ana).voted


def test_a_withdrawn_or_unseconded_candidate_is_not_on_the_ballot(world, race, token):
    election, ben, cam = race
    services.withdraw_candidacy(world.ben, ben)
    path = f"/elections/{election.pk}/ballots"
    refusal = {"field": "choice", "reason": "Only candidates on this ballot may be ranked."}
    same_refusal(path, token("ana"), {"choice": [ben.pk]}, 400, refusal)
    status, _receipt, _ = call(asgi.application, path, token("ana"), {"choice": [cam.pk]})
    assert status == 201


def test_what_the_lean_path_does_not_take_django_answers(world, race, token):
    election, ben, _cam = race
    path = f"/elections/{election.pk}/ballots"
    body = {"choice": [ben.pk]}
    # No token, an unknown token, a stranger's token: 401, 401, 403 from Django.
    same_refusal(path, "", body, 401)
    same_refusal(path, "trb_nothing", body, 401)
    stranger = get_user_model().objects.create_user("zed", "zed@test.org", "x" * 16)
    same_refusal(
        path,
        token(stranger),
        body,
        403,
        {"field": "__all__", "reason": "You have no membership record here."},
    )
    # A body that is not the endpoint's: Django's 4xx, naming the field.
    same_refusal(path, token("ana"), {}, 422)
    extra = call(asgi.application, path, token("ana"), {"choice": [ben.pk], "extra": 1})
    assert extra[0] == 201  # Django's schema ignores a field it does not know
    assert Ballot.objects.filter(election=election).count() == 1
    same_refusal(path, token("cam"), None, 400, raw=b'{"choice": [NaN]}')
    same_refusal(f"/elections/{election.pk + 999}/ballots", token("cam"), body, 404)
    # A foreign host is Django's to refuse.
    lean, django = both(path, token("cam"), body, host=b"evil.example")
    assert lean[0] == django[0] == 400


def test_voting_closed_and_not_on_the_roll(world, race, token):
    election, ben, _cam = race
    path = f"/elections/{election.pk}/ballots"
    VoterRoll.objects.filter(election=election, member=world.dana).delete()
    not_on_roll = {"field": "__all__", "reason": "You are not on the voter roll of this election."}
    same_refusal(path, token("dana"), {"choice": [ben.pk]}, 403, not_on_roll)
    services.advance(election, election.voting_close_at)
    closed = {"field": "choice", "reason": "Voting is not open."}
    same_refusal(path, token("ana"), {"choice": [ben.pk]}, 400, closed)


def test_the_vote_rate_limit_holds_on_the_lean_path(world, race, token):
    election, _ben, _cam = race
    path = f"/elections/{election.pk}/ballots"
    ana = token("ana")
    limit = services.VOTE_RATE_LIMIT.attempts
    for _ in range(limit):
        status, _answer, _ = call(asgi.application, path, ana, {"choice": [999999]})
        assert status == 400
    status, answer, headers = call(asgi.application, path, ana, {"choice": [999999]})
    assert status == 429
    assert answer["detail"][0]["field"] == "choice"
    assert int(headers["retry-after"]) > 0


# --- live votes in the hall -------------------------------------------------------------------


@pytest.fixture
def hall(world, office):
    """A general assembly in session, everyone seated and present, a vote open on a motion."""
    from tribune.offices.models import TermSource
    from tribune.offices.services import begin_term, create_office

    convenor = create_office(
        office.body, title="Convenor", mandate="Convene.", powers=["convene_assemblies"]
    )
    begin_term(convenor, world.ana, source=TermSource.ELECTION)
    now = timezone.now()
    assembly = assemblies.convene(
        world.ana,
        world.org.root_branch,
        title="Congress",
        kind="general",
        starts_at=now + timedelta(hours=2),
        ends_at=now + timedelta(days=1),
        motions_deadline=now + timedelta(hours=1),
        chair=world.ana,
    )
    motion = assemblies.table_motion(world.ana, assembly, title="Rents", text="1. Freeze rents.")
    type(assembly).objects.filter(pk=assembly.pk).update(
        starts_at=now - timedelta(minutes=1), motions_deadline=now - timedelta(minutes=2)
    )
    assembly.refresh_from_db()
    assemblies.seat_participants(world.ana, assembly)
    sessions.check_in(world.ana, assembly, list(assembly.participants.all()), "present")
    sessions.open_session(world.ana, assembly)
    vote = assemblies.open_vote(world.ana, assembly, motion=motion)
    return assembly, vote


def test_a_live_vote_goes_in_once_by_the_lean_path(world, hall, token):
    assembly, vote = hall
    path = f"/assemblies/{assembly.pk}/votes/{vote.pk}/ballots"
    ben = token("ben")
    assert call(asgi.application, path, ben, {"choice": "yes"})[:2] == (201, {"ballots": 1})
    assert Ballot.objects.filter(election=vote.election).count() == 1
    assert VoterRoll.objects.get(election=vote.election, member=world.ben).voted
    already = {"field": "choice", "reason": "You have already voted in this election."}
    same_refusal(path, ben, {"choice": "no"}, 400, already)
    same_refusal(path, token("cam"), {"choice": "perhaps"}, 400)
    same_refusal(path, token("cam"), {"choice": 1}, 422)  # not a string: the schema's refusal
    same_refusal(f"/assemblies/{assembly.pk}/votes/{vote.pk + 99}/ballots", ben, {}, 422)
    same_refusal(
        f"/assemblies/{assembly.pk}/votes/{vote.pk + 99}/ballots", ben, {"choice": "yes"}, 404
    )
    same_refusal(
        f"/assemblies/{assembly.pk + 99}/votes/{vote.pk}/ballots", ben, {"choice": "yes"}, 404
    )
    assemblies.close_vote(world.ana, vote)
    closed = same_refusal(path, token("cam"), {"choice": "yes"}, 400)
    assert closed[1]["detail"][0]["field"] == "choice"
    assert Ballot.objects.filter(election=vote.election).count() == 1


def test_only_the_two_cast_paths_are_taken():
    def scope(path, method="POST"):
        return {"type": "http", "method": method, "path": path}

    assert castpath.match(scope(f"{ORG}/elections/7/ballots"))[0] == "election"
    assert castpath.match(scope(f"{ORG}/assemblies/3/votes/9/ballots"))[0] == "live"
    for path, method in (
        (f"{ORG}/elections/7/ballots/", "POST"),  # not the API's path: Django refuses it
        (f"{ORG}/elections/7/ballots", "GET"),
        (f"{ORG}/elections/0/ballots", "POST"),
        (f"{ORG}/elections/{2**63}/ballots", "POST"),  # beyond an id: the API answers
        (f"{ORG}/elections/7/box", "POST"),
        (f"{ORG}/assemblies/3/votes/9/ranking", "POST"),
    ):
        assert castpath.match(scope(path, method)) is None, path


# --- group commit -----------------------------------------------------------------------------


def prepared(world, who, path_params, kind, body, token):
    work = castpath._prepare(
        kind,
        {"slug": world.org.slug, **path_params},
        {"host": "testserver", "authorization": f"Bearer {token(who)}", "\x00scheme": "http"},
        json.dumps(body).encode(),
    )
    assert callable(work), work
    return work


def test_a_group_of_casts_commits_each_once(world, hall, token):
    """Casts committed together: each one's own answer; a voter twice in one group counts once;
    a refusal undoes only its own cast."""
    assembly, vote = hall
    params = {"assembly": str(assembly.pk), "vote": str(vote.pk)}
    group = [
        prepared(world, "ben", params, "live", {"choice": "yes"}, token),
        prepared(world, "ben", params, "live", {"choice": "no"}, token),
        prepared(world, "dana", params, "live", {"choice": "abstain"}, token),
    ]
    answers = castpath.commit_group(group)
    assert [a[0] for a in answers] == [201, 400, 201]
    assert answers[1][1]["detail"][0]["reason"] == "You have already voted in this election."
    assert Ballot.objects.filter(election=vote.election).count() == 2
    marked = VoterRoll.objects.filter(election=vote.election, voted=True)
    assert set(marked.values_list("member_id", flat=True)) == {world.ben.pk, world.dana.pk}
    assert sorted(
        Ballot.objects.filter(election=vote.election).values_list("choice", flat=True)
    ) == [
        "abstain",
        "yes",
    ]


def test_a_cast_is_checked_and_read_before_it_is_queued(world, hall, token):
    """A refusal found by the reads is answered without queueing; the committing thread only
    writes, and re-checks what could change meanwhile (the delegate leaving the hall)."""
    assembly, vote = hall
    params = {"assembly": str(assembly.pk), "vote": str(vote.pk)}
    refused = castpath._prepare(
        "live",
        {"slug": world.org.slug, **params},
        {"host": "testserver", "authorization": f"Bearer {token('cam')}", "\x00scheme": "http"},
        json.dumps({"choice": "perhaps"}).encode(),
    )
    assert refused[0] == 400 and refused[1]["detail"][0]["field"] == "choice"
    ben = prepared(world, "ben", params, "live", {"choice": "yes"}, token)
    Participant.objects.filter(assembly=assembly, member=world.ben).update(present=False)
    (answer,) = castpath.commit_group([ben])
    assert answer[0] == 400
    assert answer[1]["detail"][0]["reason"].startswith("Check in as present first")
    assert not Ballot.objects.filter(election=vote.election).exists()
    assert not VoterRoll.objects.filter(election=vote.election, voted=True).exists()


def test_a_group_locks_the_election_once(world, hall, token, monkeypatch):
    """The election's lock is held from the group's first cast to its commit: taken once,
    and the committing thread reads nothing else (the reads were done before queueing)."""
    assembly, vote = hall
    params = {"assembly": str(assembly.pk), "vote": str(vote.pk)}
    group = [
        prepared(world, who, params, "live", {"choice": "yes"}, token)
        for who in ("ben", "cam", "dana")
    ]
    locks = []
    locked_status = casting._LOCKED_STATUS
    monkeypatch.setattr(casting, "_LOCKED_STATUS", lambda pk: locks.append(pk) or locked_status(pk))
    with CaptureQueriesContext(connection) as queries:
        answers = castpath.commit_group(group)
    assert [a[0] for a in answers] == [201, 201, 201]
    assert locks == [vote.election_id]
    reads = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1, reads
    # Alone again (a group of one), the next cast takes the lock itself.
    monkeypatch.setattr(casting, "_LOCKED_STATUS", lambda pk: locks.append(pk) or locked_status(pk))
    castpath.commit_group([prepared(world, "ana", params, "live", {"choice": "no"}, token)])
    assert locks == [vote.election_id, vote.election_id]


def test_a_group_all_accepted_commits_without_a_savepoint_per_cast(world, hall, token):
    """Each savepoint is two more round trips to PostgreSQL in the one committing thread; a
    group whose casts are all accepted adds none around each cast, nor do the domain's
    writes (there remains the group's transaction, a savepoint inside the test's)."""
    assembly, vote = hall
    params = {"assembly": str(assembly.pk), "vote": str(vote.pk)}
    group = [
        prepared(world, who, params, "live", {"choice": "yes"}, token)
        for who in ("ben", "cam", "dana")
    ]
    with CaptureQueriesContext(connection) as queries:
        answers = castpath.commit_group(group)
    assert [a[0] for a in answers] == [201, 201, 201]
    savepoints = [q["sql"] for q in queries if q["sql"].startswith("SAVEPOINT")]
    assert len(savepoints) == 1, savepoints
    assert Ballot.objects.filter(election=vote.election).count() == 3


def test_a_group_cut_off_before_its_commit_leaves_nothing(world, hall, token):
    """The whole group is one transaction: stopped before its commit (as by a crash), none
    of its casts is written, neither ballot nor roll mark, and none was answered."""
    assembly, vote = hall
    params = {"assembly": str(assembly.pk), "vote": str(vote.pk)}

    class Crash(BaseException):
        pass

    def crash():
        raise Crash

    group = [
        prepared(world, "ben", params, "live", {"choice": "yes"}, token),
        prepared(world, "cam", params, "live", {"choice": "no"}, token),
        crash,
    ]
    with pytest.raises(Crash):
        castpath.commit_group(group)
    assert not Ballot.objects.filter(election=vote.election).exists()
    assert not VoterRoll.objects.filter(election=vote.election, voted=True).exists()
    # The same voters can cast afterwards: nothing of theirs was kept.
    path = f"/assemblies/{assembly.pk}/votes/{vote.pk}/ballots"
    assert call(asgi.application, path, token("ben"), {"choice": "yes"})[0] == 201


def test_a_cast_failing_in_a_group_is_retried_alone_by_django(world, hall, token):
    """An unexpected failure undoes that cast's savepoint only; it answers None (Django then
    takes the request from the start), the others in the group are committed."""
    assembly, vote = hall
    params = {"assembly": str(assembly.pk), "vote": str(vote.pk)}
    ben = prepared(world, "ben", params, "live", {"choice": "yes"}, token)

    def half_then_fail():
        VoterRoll.objects.filter(election=vote.election, member=world.cam).update(voted=True)
        raise OSError("disk trouble")

    cam = prepared(world, "cam", params, "live", {"choice": "no"}, token)
    answers = castpath.commit_group([ben, half_then_fail, cam])
    assert answers[0][0] == 201 and answers[1] is None and answers[2][0] == 201
    assert Ballot.objects.filter(election=vote.election).count() == 2
    assert VoterRoll.objects.filter(election=vote.election, voted=True).count() == 2


def test_the_committer_answers_each_cast_after_its_group_commits(monkeypatch):
    """The committing thread: every submitted cast gets its own answer, in groups."""
    import threading

    groups = []
    release = threading.Event()

    def fake_commit(works):
        groups.append(len(works))
        release.wait(5)
        return [work() for work in works]

    monkeypatch.setattr(castpath, "commit_group", fake_commit)
    monkeypatch.setattr(castpath, "_in_request", lambda function, *args: function(*args))
    committer = castpath.GroupCommitter(max_group=3)
    futures = [committer.submit(lambda i=i: i) for i in range(7)]
    release.set()
    assert [f.result(timeout=5) for f in futures] == list(range(7))
    assert sum(groups) == 7 and max(groups) <= 3 and len(groups) >= 3


# --- the request log --------------------------------------------------------------------------


def test_a_cast_by_the_lean_path_is_logged_and_timed_as_django_logs_it(world, race, token, caplog):
    from tribune.ops.metrics import REQUEST_LATENCY

    election, ben, cam = race
    path = f"/elections/{election.pk}/ballots"
    route = "api/v1/organisations/<slug>/elections/<election_id>/ballots"
    timed = REQUEST_LATENCY.labels("POST", route, "201")._sum.get()
    with caplog.at_level(logging.INFO, logger="tribune.requests"):
        lean = call(asgi.application, path, token("ana"), {"choice": [ben.pk]})
        django = call(asgi.django_application, path, token("ana"), {"choice": [cam.pk]})
    assert (lean[0], django[0]) == (201, 400)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "tribune.requests"]
    assert len(lines) == 2
    ours, theirs = lines
    assert set(ours) == set(theirs) == {"event", "method", "route", "status", "ms", "bytes"}
    assert ours["route"] == theirs["route"] and "<" in ours["route"]
    assert (ours["method"], ours["status"]) == ("POST", 201)
    text = json.dumps(ours["route"])
    for private in (f"/{election.pk}/", world.org.slug, lean[1]["tracker"], world.ana.name):
        assert private not in text, private
    assert ours["route"] == route
    assert REQUEST_LATENCY.labels("POST", route, "201")._sum.get() > timed

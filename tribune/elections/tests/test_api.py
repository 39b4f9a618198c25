"""The elections API: every step over HTTP, each refusal as 4xx JSON naming field and reason."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from tribune import voting
from tribune.elections import services
from tribune.elections.models import Ballot, Election, Kind, Method, Status, VoterRoll
from tribune.members.models import Standing
from tribune.members.services import admit_member, apply_for_membership
from tribune.offices.models import TermSource
from tribune.offices.services import begin_term

ORG = "/api/v1/organisations/test-union"


def reasons(response) -> dict:
    return {d["field"]: d["reason"] for d in response.json()["detail"]}


def post(path: str, headers: dict | None = None, body: dict | None = None):
    return Client().post(
        f"{ORG}{path}", body or {}, content_type="application/json", **(headers or {})
    )


def get(path: str, headers: dict | None = None):
    return Client().get(f"{ORG}{path}", **(headers or {}))


def open_voting(election: Election) -> Election:
    """Move past the nominations by the clock, then let voting run in real time."""
    election = services.advance(election, election.voting_open_at)
    assert election.status == Status.VOTING
    Election.objects.filter(pk=election.pk).update(
        voting_open_at=timezone.now() - timedelta(minutes=1)
    )
    return Election.objects.get(pk=election.pk)


def close_voting(election: Election) -> Election:
    return services.advance(election, election.voting_close_at)


@pytest.fixture
def race(world, office):
    """Ben and Cam stand for Secretary; Eli is the returning officer; voting is open."""
    election = services.call_election(world.ana, office=office, returning_officer=world.eli)
    ben = services.nominate(world.ben, election, world.ben, statement="I keep good minutes.")
    cam = services.nominate(world.ana, election, world.cam)
    services.accept_nomination(world.cam, cam, statement="Open books.", faction_label="Left Unity")
    return open_voting(election), ben, cam


# --- calling and reading elections ---------------------------------------------------------


def test_schema_lists_the_election_paths(world):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/organisations/{slug}/elections",
        "/api/v1/organisations/{slug}/elections/{election_id}/ballots",
        "/api/v1/organisations/{slug}/elections/{election_id}/box.blt",
        "/api/v1/organisations/{slug}/recalls/{petition_id}/sign",
        "/api/v1/organisations/{slug}/terms/{term_id}/reports",
    ):
        assert path in paths


def test_calling_needs_a_login_and_the_power(world, office, token_for):
    body = {"office_id": office.pk}
    anonymous = post("/elections", body=body)
    assert anonymous.status_code == 401
    assert "Authorization" in reasons(anonymous)
    refused = post("/elections", token_for("ben"), body)
    assert refused.status_code == 403
    assert "No current mandate of yours grants the power" in reasons(refused)["__all__"]
    called = post("/elections", token_for("ana"), body)
    assert called.status_code == 201
    data = called.json()
    assert (data["kind"], data["status"], data["method"]) == ("office", "nominations", "irv")
    assert data["result"] is None and data["candidates"] == []


def test_calling_refusals_name_the_field(world, office, token_for):
    ana = token_for("ana")
    no_question = post("/elections", ana, {"kind": "referendum"})
    assert no_question.status_code == 400
    assert reasons(no_question) == {"question": "Put the question to the members."}
    no_office = post("/elections", ana, {"kind": "office"})
    assert reasons(no_office) == {"office": "Choose the office to elect."}
    unknown = post("/elections", ana, {"office_id": 999999})
    assert reasons(unknown) == {"office_id": "No such office in this organisation."}
    bad_method = post("/elections", ana, {"office_id": office.pk, "method": "yes-no"})
    assert reasons(bad_method) == {"method": "Choose a counting method for this office."}
    missing = post("/elections", ana, {"kind": "amendment", "question": "Shorter terms?"})
    assert reasons(missing) == {"amendment": "The amendment changes nothing."}
    ok = post(
        "/elections",
        ana,
        {"kind": "amendment", "question": "Shorter terms?", "amendment": {"max_term_days": 365}},
    )
    assert ok.status_code == 201 and ok.json()["status"] == "voting"


def test_list_and_detail_are_public(world, race):
    election, ben, cam = race
    listed = get("/elections")
    assert listed.status_code == 200
    assert [e["id"] for e in listed.json()] == [election.pk]
    detail = get(f"/elections/{election.pk}").json()
    assert detail["status"] == "voting" and detail["you_voted"] is None
    by_name = {c["name"]: c for c in detail["candidates"]}
    assert by_name["Ben"]["statement"] == "I keep good minutes."
    assert by_name["Cam"]["faction_label"] == "Left Unity"
    assert by_name["Cam"]["on_ballot"] and by_name["Cam"]["id"] == cam.pk
    assert detail["result"] is None
    assert get("/elections/999999").status_code == 404
    assert get("/elections?status=certified").json() == []


# --- candidacies ------------------------------------------------------------------------------


def test_nominate_accept_second_withdraw(world, office, token_for):
    from tribune.constitution.models import ConstitutionVersion

    ConstitutionVersion.objects.filter(organisation=world.org).update(seconders_required=1)
    election = services.call_election(world.ana, office=office)
    base = f"/elections/{election.pk}/candidacies"
    nominated = post(base, token_for("ben"), {"member_id": world.cam.pk})
    assert nominated.status_code == 201
    cid = nominated.json()["id"]
    assert not nominated.json()["accepted"]
    again = post(base, token_for("ana"), {"member_id": world.cam.pk})
    assert reasons(again) == {"member": "Cam is already nominated."}

    not_nominee = post(f"{base}/{cid}/accept", token_for("ben"))
    assert not_nominee.status_code == 403
    assert reasons(not_nominee) == {"__all__": "Only the nominee can do this."}
    accepted = post(
        f"{base}/{cid}/accept",
        token_for("cam"),
        {"statement": "Open books.", "faction_label": "Left Unity"},
    )
    assert accepted.status_code == 200
    assert accepted.json()["accepted"] and not accepted.json()["on_ballot"]  # needs a seconder

    own = post(f"{base}/{cid}/second", token_for("cam"))
    assert reasons(own) == {"__all__": "You cannot second your own nomination."}
    seconded = post(f"{base}/{cid}/second", token_for("ana"))
    assert seconded.status_code == 201
    assert seconded.json()["seconders"] == 1 and seconded.json()["on_ballot"]
    twice = post(f"{base}/{cid}/second", token_for("ana"))
    assert reasons(twice) == {"__all__": "You have already seconded this nomination."}

    withdrawn = post(f"{base}/{cid}/withdraw", token_for("cam"))
    assert withdrawn.json()["withdrawn"] and not withdrawn.json()["on_ballot"]
    assert post(f"{base}/{cid}/withdraw").status_code == 401
    assert post(f"{base}/999999/withdraw", token_for("cam")).status_code == 404


def test_constitutional_refusals_of_candidacy(world, office, token_for):
    start = timezone.now() - timedelta(days=700)
    first = begin_term(office, world.ben, source=TermSource.ELECTION, starts_at=start)
    begin_term(office, world.ben, source=TermSource.ELECTION, starts_at=first.ends_at)
    world.cam.standing = Standing.LAPSED
    world.cam.save()
    election = services.call_election(world.ana, office=office)
    base = f"/elections/{election.pk}/candidacies"
    limit = post(base, token_for("ben"), {"member_id": world.ben.pk})
    assert limit.status_code == 400
    assert reasons(limit) == {
        "member": "Ben has served the constitution's limit of 2 consecutive terms in this office."
    }
    lapsed = post(base, token_for("ana"), {"member_id": world.cam.pk})
    assert reasons(lapsed) == {"member": "Only members in good standing may stand."}
    unknown = post(base, token_for("ana"), {"member_id": 999999})
    assert reasons(unknown) == {"member_id": "No such member in this organisation."}
    missing = post(base, token_for("ana"), {})
    assert missing.status_code == 422 and "member_id" in reasons(missing)


# --- the secret ballot ------------------------------------------------------------------------


def test_cast_returns_a_tracker_and_a_key(world, race, token_for):
    election, ben, _cam = race
    cast = post(f"/elections/{election.pk}/ballots", token_for("ana"), {"choice": [ben.pk]})
    assert cast.status_code == 201
    receipt = cast.json()
    assert len(receipt["tracker"]) == 64 and receipt["key"] and not receipt["replaced"]
    assert VoterRoll.objects.get(election=election, member=world.ana).voted
    detail = get(f"/elections/{election.pk}", token_for("ana")).json()
    assert detail["you_voted"] is True


def test_voting_twice_is_refused(world, race, token_for):
    election, ben, cam = race
    ana = token_for("ana")
    assert post(f"/elections/{election.pk}/ballots", ana, {"choice": [ben.pk]}).status_code == 201
    twice = post(f"/elections/{election.pk}/ballots", ana, {"choice": [cam.pk]})
    assert twice.status_code == 400
    assert reasons(twice) == {"choice": "You have already voted in this election."}
    assert Ballot.objects.filter(election=election).count() == 1


@pytest.mark.parametrize(
    "choice, reason",
    [
        ([999999], "Only candidates on this ballot may be ranked."),
        ([], "Rank at least one candidate."),
        ("yes", "Rank at least one candidate."),
        (["x"], "A ranking lists candidates."),
        ("twice", "Each candidate may be ranked only once."),
    ],
)
def test_a_bad_choice_names_choice(world, race, token_for, choice, reason):
    election, ben, _cam = race
    if choice == "twice":
        choice = [ben.pk, ben.pk]
    refused = post(f"/elections/{election.pk}/ballots", token_for("ana"), {"choice": choice})
    assert refused.status_code == 400
    assert reasons(refused) == {"choice": reason}
    assert not VoterRoll.objects.get(election=election, member=world.ana).voted


def test_casting_needs_a_login_and_a_place_on_the_roll(world, race, token_for):
    election, ben, _cam = race
    path = f"/elections/{election.pk}/ballots"
    assert post(path, body={"choice": [ben.pk]}).status_code == 401
    stranger = get_user_model().objects.create_user("zed", "zed@test.org", "x" * 16)
    refused = post(path, token_for(stranger), {"choice": [ben.pk]})
    assert refused.status_code == 403
    assert reasons(refused) == {"__all__": "You have no membership record here."}
    newcomer = apply_for_membership(
        world.org, user=stranger, name="Zed", email="zed@test.org", branch=world.millbrook
    )
    admit_member(world.ana, newcomer)  # joined after the roll was frozen
    late = post(path, token_for(stranger), {"choice": [ben.pk]})
    assert late.status_code == 403
    assert reasons(late) == {"__all__": "You are not on the voter roll of this election."}
    no_choice = post(path, token_for("ana"), {})
    assert no_choice.status_code == 422 and "choice" in reasons(no_choice)


def test_session_calls_need_the_csrf_token(world, race):
    election, ben, _cam = race
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["ana"])
    refused = client.post(
        f"{ORG}/elections/{election.pk}/ballots",
        {"choice": [ben.pk]},
        content_type="application/json",
    )
    assert refused.status_code == 401


def test_voting_outside_the_window_is_refused(world, office, token_for):
    election = services.call_election(world.ana, office=office)
    cand = services.nominate(world.ben, election, world.ben)
    early = post(f"/elections/{election.pk}/ballots", token_for("ana"), {"choice": [cand.pk]})
    assert reasons(early) == {"choice": "Voting is not open."}


def test_a_changed_vote_with_the_key_counts_once(world, race, token_for):
    election, ben, cam = race
    ana = token_for("ana")
    path = f"/elections/{election.pk}/ballots"
    first = post(path, ana, {"choice": [ben.pk]}).json()
    changed = post(path, ana, {"choice": [cam.pk], "key": first["key"]})
    assert changed.status_code == 201
    assert changed.json()["replaced"] and changed.json()["tracker"] != first["tracker"]
    stale = post(path, ana, {"choice": [ben.pk], "key": first["key"]})
    assert reasons(stale) == {"key": "That ballot key is not valid."}
    assert [b.choice for b in Ballot.objects.filter(election=election)] == [[cam.pk]]
    post(path, token_for("ben"), {"choice": [ben.pk]})
    post(path, token_for("dana"), {"choice": [cam.pk]})
    close_voting(election)
    box = get(f"/elections/{election.pk}/box").json()
    assert sorted(tuple(b["choice"]) for b in box["ballots"]) == [(ben.pk,), (cam.pk,), (cam.pk,)]
    trackers = {b["tracker"] for b in box["ballots"]}
    assert changed.json()["tracker"] in trackers and first["tracker"] not in trackers


def test_box_is_secret_until_counted_then_recounts_to_the_certified_result(
    world, office, token_for
):
    office.seats = 2
    office.save()
    election = services.call_election(
        world.ana, office=office, method=Method.SCOTTISH_STV, returning_officer=world.dana
    )
    people = [world.ben, world.cam, world.ana]
    cands = [services.nominate(p, election, p) for p in people]
    voters = []
    for i in range(12):
        user = get_user_model().objects.create_user(f"v{i}", f"v{i}@test.org", "x" * 16)
        member = apply_for_membership(
            world.org, user=user, name=f"Voter {i}", email=f"v{i}@test.org", branch=world.north
        )
        admit_member(world.ana, member)
        voters.append(token_for(user))
    election = open_voting(election)
    patterns = [[0, 1], [0, 2], [1], [2, 1, 0], [0], [1, 0]]
    trackers = []
    for i, headers in enumerate(voters):
        choice = [cands[j].pk for j in patterns[i % 6]]
        cast = post(f"/elections/{election.pk}/ballots", headers, {"choice": choice})
        assert cast.status_code == 201
        trackers.append(cast.json()["tracker"])

    secret = get(f"/elections/{election.pk}/box")
    assert secret.status_code == 400
    assert reasons(secret) == {"__all__": "The ballot box is published once the votes are counted."}
    assert get(f"/elections/{election.pk}/box.blt").status_code == 400

    election = close_voting(election)
    assert election.status == Status.COUNTED  # a returning officer certifies
    not_officer = post(f"/elections/{election.pk}/certify", token_for("ana"))
    assert not_officer.status_code == 403
    assert reasons(not_officer) == {
        "__all__": "Only this election's returning officer can do this."
    }
    assert post(f"/elections/{election.pk}/certify").status_code == 401
    certified = post(f"/elections/{election.pk}/certify", token_for("dana"))
    assert certified.status_code == 200
    result = certified.json()
    assert result["status"] == "certified" and result["turnout"] == 12
    again = post(f"/elections/{election.pk}/certify", token_for("dana"))
    assert reasons(again) == {"__all__": "Only a counted election can be certified."}

    box = get(f"/elections/{election.pk}/box").json()
    assert len(box["ballots"]) == 12
    assert {b["tracker"] for b in box["ballots"]} == set(trackers)
    ids = list(box["candidates"])
    profile = voting.RankedProfile.from_rankings(
        [box["candidates"][c] for c in ids],
        [tuple(ids.index(str(c)) for c in b["choice"]) for b in box["ballots"]],
    )
    recount = voting.scottish_stv(profile, box["seats"])
    assert recount.elected == result["result"]["elected"]
    assert len(recount.elected) == 2

    blt = get(f"/elections/{election.pk}/box.blt")
    assert blt.status_code == 200 and blt["Content-Type"].startswith("text/plain")
    assert (
        voting.scottish_stv(voting.read_blt(blt.content.decode()), 2).elected
        == (result["result"]["elected"])
    )
    elected = {c["name"]: c["elected_rank"] for c in result["candidates"] if c["elected_rank"]}
    assert set(elected) == set(recount.elected)

    found = get(f"/elections/{election.pk}/trackers/{trackers[0]}").json()
    assert found == {"tracker": trackers[0], "in_box": True, "published": True}
    assert get(f"/elections/{election.pk}/trackers/{'0' * 64}").json()["in_box"] is False


def test_referendum_yes_no_and_its_box(world, token_for):
    election = services.call_election(
        world.ana,
        kind=Kind.REFERENDUM,
        question="Affiliate to the federation?",
        electorate_branch=world.root,
    )
    assert election.title == "Affiliate to the federation?"
    assert election.status == Status.VOTING
    path = f"/elections/{election.pk}/ballots"
    maybe = post(path, token_for("ana"), {"choice": "maybe"})
    assert reasons(maybe) == {"choice": "Vote yes, no or abstain."}
    for who, choice in (("ana", "yes"), ("ben", "yes"), ("cam", "no"), ("eli", "abstain")):
        assert post(path, token_for(who), {"choice": choice}).status_code == 201
    close_voting(election)
    detail = get(f"/elections/{election.pk}").json()
    assert detail["status"] == "certified" and detail["passed"] is True
    box = get(f"/elections/{election.pk}/box").json()
    assert sorted(b["choice"] for b in box["ballots"]) == ["abstain", "no", "yes", "yes"]
    no_blt = get(f"/elections/{election.pk}/box.blt")
    assert reasons(no_blt) == {"__all__": "A yes/no vote has no BLT file; use the JSON box."}


def test_cancel_needs_a_reason_and_a_mandate(world, race, token_for):
    election, _ben, _cam = race
    path = f"/elections/{election.pk}/cancel"
    no_reason = post(path, token_for("ana"), {"reason": "  "})
    assert reasons(no_reason) == {"reason": "A written reason is required."}
    refused = post(path, token_for("ben"), {"reason": "I would lose."})
    assert refused.status_code == 403
    cancelled = post(path, token_for("eli"), {"reason": "The roll was wrong."})
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancelled_reason"] == "The roll was wrong."
    finished = post(path, token_for("ana"), {"reason": "Again."})
    assert reasons(finished) == {"__all__": "This election is finished and cannot be cancelled."}


# --- recall -----------------------------------------------------------------------------------


@pytest.fixture
def secretary(world, office):
    """Ben holds the Secretary office; ten more members make the threshold 3 of 15."""
    for i in range(10):
        m = apply_for_membership(
            world.org, user=None, name=f"M{i}", email=f"m{i}@test.org", branch=world.south
        )
        admit_member(world.ana, m)
    return begin_term(office, world.ben, source=TermSource.ELECTION)


def test_recall_petition_over_http(world, secretary, token_for):
    empty = post("/recalls", token_for("cam"), {"term_id": secretary.pk, "reason": " "})
    assert reasons(empty) == {"reason": "Give the reason for the recall."}
    assert post("/recalls", body={"term_id": secretary.pk, "reason": "x"}).status_code == 401
    opened = post(
        "/recalls", token_for("cam"), {"term_id": secretary.pk, "reason": "Minutes never sent."}
    )
    assert opened.status_code == 201
    petition = opened.json()
    assert (petition["signatures"], petition["threshold"], petition["status"]) == (1, 3, "open")
    assert petition["you_signed"] is True and petition["holder"] == "Ben"
    pid = petition["id"]
    twice = post("/recalls", token_for("ana"), {"term_id": secretary.pk, "reason": "Again."})
    assert reasons(twice) == {"__all__": "A recall petition against this term is already open."}

    again = post(f"/recalls/{pid}/sign", token_for("cam"))
    assert reasons(again) == {"__all__": "You have already signed this petition."}
    signed = post(f"/recalls/{pid}/sign", token_for("ana"))
    assert signed.status_code == 201 and signed.json()["signatures"] == 2
    withdrawn = post(f"/recalls/{pid}/withdraw", token_for("ana"))
    assert withdrawn.json()["signatures"] == 1 and withdrawn.json()["you_signed"] is False
    not_signed = post(f"/recalls/{pid}/withdraw", token_for("ana"))
    assert reasons(not_signed) == {"__all__": "You have not signed this petition."}

    not_holder = post(f"/recalls/{pid}/reply", token_for("cam"), {"text": "No."})
    assert not_holder.status_code == 403
    assert reasons(not_holder) == {"__all__": "Only the office-holder can reply to this petition."}
    replied = post(f"/recalls/{pid}/reply", token_for("ben"), {"text": "They were sent."})
    assert replied.json()["holder_reply"] == "They were sent."

    public = get(f"/recalls/{pid}")
    assert public.status_code == 200
    assert public.json()["you_signed"] is None
    # The count, never the names of those who signed.
    assert "Cam" not in public.content.decode() and "Ana" not in public.content.decode()
    assert [p["id"] for p in get("/recalls").json()] == [pid]

    post(f"/recalls/{pid}/sign", token_for("ana"))
    reached = post(f"/recalls/{pid}/sign", token_for("eli"))
    assert reached.json()["status"] == "vote" and reached.json()["election_id"]
    late = post(f"/recalls/{pid}/withdraw", token_for("eli"))
    assert reasons(late) == {
        "__all__": "The threshold is reached: signatures can no longer be withdrawn."
    }
    closed = post(f"/recalls/{pid}/sign", token_for("dana"))
    assert reasons(closed) == {"__all__": "This petition is no longer collecting signatures."}
    recall_vote = get(f"/elections/{reached.json()['election_id']}").json()
    assert recall_vote["kind"] == "recall" and recall_vote["status"] == "voting"


# --- mandate reports ----------------------------------------------------------------------------


def test_mandate_reports_and_comments(world, office, token_for):
    term = begin_term(office, world.ben, source=TermSource.ELECTION)
    path = f"/terms/{term.pk}/reports"
    body = {"title": "First quarter", "done": "Minutes circulated.", "not_done": "Archive."}
    assert post(path, body=body).status_code == 401
    not_holder = post(path, token_for("cam"), body)
    assert not_holder.status_code == 403
    assert reasons(not_holder) == {
        "__all__": "Only the office-holder reports against their mandate."
    }
    empty = post(path, token_for("ben"), {"title": "Q1", "done": " "})
    assert reasons(empty) == {"done": "Say what was done."}
    published = post(path, token_for("ben"), body)
    assert published.status_code == 201
    rid = published.json()["id"]

    blank = post(f"/reports/{rid}/comments", token_for("cam"), {"text": ""})
    assert reasons(blank) == {"text": "Write a comment."}
    commented = post(f"/reports/{rid}/comments", token_for("cam"), {"text": "Thank you."})
    assert commented.status_code == 201 and commented.json()["member_name"] == "Cam"
    assert post(f"/reports/{rid}/comments", body={"text": "Hi"}).status_code == 401

    public = get(f"/offices/{office.pk}/reports").json()
    assert [r["title"] for r in public] == ["First quarter"]
    assert public[0]["holder"] == "Ben" and public[0]["comments"] is None
    members = get(path, token_for("ana")).json()
    assert [c["text"] for c in members[0]["comments"]] == ["Thank you."]
    assert get("/offices/999999/reports").status_code == 404

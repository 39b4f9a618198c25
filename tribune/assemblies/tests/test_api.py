"""The assemblies API: a congress over HTTP, each refusal as 4xx JSON naming field and reason."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tribune.accounts.models import ApiToken
from tribune.assemblies import services
from tribune.assemblies.models import Assembly, Motion, Participant
from tribune.elections.models import Ballot
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office

ORG = "/api/v1/organisations/test-union"
HOUSING = "1. Rents are frozen.\n2. Repairs within 14 days.\n3. No evictions in winter."


@pytest.fixture
def auth(world):
    """Bearer headers for a personal token of one of the world's people."""
    cache: dict[str, dict] = {}

    def issue(who: str) -> dict:
        if who not in cache:
            _token, secret = ApiToken.issue(world.users[who], "script")
            cache[who] = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        return cache[who]

    return issue


def reasons(response) -> dict:
    return {d["field"]: d["reason"] for d in response.json()["detail"]}


def post(path: str, headers: dict | None = None, body: dict | None = None):
    return Client().post(
        f"{ORG}{path}", body or {}, content_type="application/json", **(headers or {})
    )


def get(path: str, headers: dict | None = None):
    return Client().get(f"{ORG}{path}", **(headers or {}))


@pytest.fixture
def convenor(world):
    body = create_body(world.org, name="Conference committee", kind=BodyKind.COMMITTEE)
    office = create_office(
        body, title="Convenor", mandate="Convene the congress.", powers=["convene_assemblies"]
    )
    begin_term(office, world.ana, source=TermSource.ELECTION)
    services.found_programme(
        world.org, [("housing", "Housing", HOUSING), ("work", "Work", "1. A living wage.")]
    )
    return world.ana


def _convene_body(world, **orders) -> dict:
    now = timezone.now()
    return {
        "title": "First congress",
        "kind": "general",
        "starts_at": (now + timedelta(hours=2)).isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat(),
        "motions_deadline": (now + timedelta(hours=1)).isoformat(),
        "chair_id": world.eli.pk,
        **orders,
    }


@pytest.fixture
def congress(world, convenor, auth) -> int:
    response = post("/assemblies", auth("ana"), _convene_body(world, proxies_allowed=True))
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _sit(pk: int, auth) -> dict:
    """The day has come (the assembly began a minute ago): the chair checks in everyone who
    has not given a proxy and opens the session."""
    now = timezone.now()
    Assembly.objects.filter(pk=pk).update(
        starts_at=now - timedelta(minutes=1), motions_deadline=now - timedelta(minutes=2)
    )
    here = [
        p["id"]
        for p in get(f"/assemblies/{pk}/participants", auth("eli")).json()
        if not p["proxy_holder"]
    ]
    body = {"participants": here, "presence": "present"}
    assert post(f"/assemblies/{pk}/attendance", auth("eli"), body).status_code == 200
    response = post(f"/assemblies/{pk}/session/open", auth("eli"))
    assert response.status_code == 200, response.content
    return response.json()


def _close_deadline(pk: int) -> None:
    Assembly.objects.filter(pk=pk).update(motions_deadline=timezone.now() - timedelta(minutes=1))


def test_schema_lists_the_assembly_paths(world):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/organisations/{slug}/assemblies",
        "/api/v1/organisations/{slug}/assemblies/{pk}/motions/{motion_id}/amendments",
        "/api/v1/organisations/{slug}/assemblies/{pk}/votes/{vote_id}/ballots",
        "/api/v1/organisations/{slug}/assemblies/{pk}/agenda/{item_id}/speakers/next",
        "/api/v1/organisations/{slug}/programme/versions/{number}/diff",
        "/api/v1/organisations/{slug}/assemblies/{pk}/session",
        "/api/v1/organisations/{slug}/assemblies/{pk}/session/open",
        "/api/v1/organisations/{slug}/assemblies/{pk}/session/suspend",
        "/api/v1/organisations/{slug}/assemblies/{pk}/session/resume",
        "/api/v1/organisations/{slug}/assemblies/{pk}/attendance",
    ):
        assert path in paths, path


def test_convening_needs_a_login_and_the_power(world, convenor, auth):
    body = _convene_body(world)
    response = post("/assemblies", body=body)
    assert response.status_code == 401
    assert reasons(response) == {"Authorization": "Log in or send a personal API token."}
    response = post("/assemblies", auth("ben"), body)
    assert response.status_code == 403
    assert list(reasons(response)) == ["__all__"]
    response = post("/assemblies", auth("ana"), {**body, "chair_id": 999999})
    assert response.status_code == 400
    assert reasons(response) == {"chair_id": "No such member in this organisation."}
    late = {**body, "motions_deadline": (timezone.now() + timedelta(days=3)).isoformat()}
    response = post("/assemblies", auth("ana"), late)
    assert response.status_code == 400 and "starts_at" in reasons(response)
    response = post("/assemblies", auth("ana"), {**body, "kind": "delegates", "delegate_seats": 3})
    assert response.status_code == 201
    created = response.json()
    assert created["chair"] == "Eli" and created["standing_orders"]["delegate_seats"] == 3
    assert sum(d["seats"] for d in created["delegations"]) == 3
    assert created["events_url"].endswith(f"/assemblies/{created['id']}/events/")
    listed = get("/assemblies").json()
    assert [a["id"] for a in listed] == [created["id"]]


def test_agenda_and_speakers(world, congress, auth):
    base = f"/assemblies/{congress}"
    response = post(f"{base}/agenda", auth("ben"), {"title": "Housing"})
    assert response.status_code == 403
    assert reasons(response) == {"__all__": "Only the chair of this assembly can do this."}
    item = post(f"{base}/agenda", auth("eli"), {"title": "Housing", "minutes": 45}).json()
    post(f"{base}/agenda", auth("eli"), {"title": "Work"})
    response = post(f"{base}/agenda/{item['id']}/speakers", auth("ben"))
    assert response.status_code == 403  # not seated yet
    assert reasons(response) == {"__all__": "Only participants of this assembly can do this."}
    assert post(f"{base}/participants", auth("eli")).json()["participants"] == 5
    assert post(f"{base}/agenda/{item['id']}/current", auth("eli")).json()["status"] == "current"
    detail = get(base).json()
    assert detail["current_item"]["title"] == "Housing" and len(detail["agenda"]) == 2
    assert post(f"{base}/agenda/{item['id']}/speakers", auth("ben")).status_code == 201
    assert post(f"{base}/agenda/{item['id']}/speakers", auth("cam")).status_code == 201
    response = post(f"{base}/agenda/{item['id']}/speakers", auth("ben"))
    assert reasons(response) == {"__all__": "You are already on the list."}
    post(f"{base}/agenda/{item['id']}/speakers", auth("ana"), {"point_of_order": True})
    waiting = get(f"{base}/agenda/{item['id']}/speakers", auth("ben")).json()["waiting"]
    assert [w["name"] for w in waiting] == ["Ana", "Ben", "Cam"]  # the point of order first
    assert post(f"{base}/agenda/{item['id']}/speakers/next", auth("ben")).status_code == 403
    listed = post(f"{base}/agenda/{item['id']}/speakers/next", auth("eli")).json()
    assert listed["speaking"]["name"] == "Ana" and listed["speaking_seconds"] == 180
    assert [w["name"] for w in listed["waiting"]] == ["Ben", "Cam"]


def test_motions_amendments_and_the_deadline(world, congress, auth):
    base = f"/assemblies/{congress}"
    body = {"title": "Housing demands", "text": HOUSING, "programme_section": "housing"}
    assert post(f"{base}/motions", body=body).status_code == 401
    response = post(f"{base}/motions", auth("ben"), {**body, "programme_section": "nope"})
    assert reasons(response) == {"programme_section": "No such section in the programme."}
    response = post(f"{base}/motions", auth("ben"), {**body, "text": "  "})
    assert reasons(response) == {"text": "A motion needs a title and a text."}
    motion = post(f"{base}/motions", auth("ben"), body).json()
    assert motion["versions"][0]["text"] == HOUSING + "\n"
    amend = f"{base}/motions/{motion['id']}/amendments"
    response = post(amend, auth("cam"), {"start": 3, "end": 4, "new_text": "x"})
    assert response.status_code == 400
    assert reasons(response) == {"start": "Lines 3–4 are not in this motion of 3 lines."}
    a1 = post(amend, auth("cam"), {"start": 2, "end": 2, "new_text": "2. Within 7 days."})
    assert a1.status_code == 201 and a1.json()["label"] == "A1"
    a2 = post(amend, auth("ana"), {"start": 2, "end": 3, "new_text": "2. Whenever."}).json()
    assert a2["conflict"] is True
    detail = get(f"{base}/motions/{motion['id']}").json()
    assert detail["conflicts"] == [["A1", "A2"]]
    assert [a["label"] for a in detail["amendments"]] == ["A1", "A2"]
    assert detail["consolidated_text"] == HOUSING + "\n"  # nothing adopted yet
    # Members quote a passage and type its replacement; the lines are worked out.
    a3 = post(amend, auth("cam"), {"passage": "No evictions", "replacement": "No evictions ever"})
    assert a3.status_code == 201
    assert {k: a3.json()[k] for k in ("start", "end", "replaces", "new_text")} == {
        "start": 3,
        "end": 3,
        "replaces": "3. No evictions in winter.",
        "new_text": "3. No evictions ever in winter.",
    }
    response = post(amend, auth("cam"), {"passage": "in summer", "replacement": "x"})
    assert response.status_code == 400
    assert reasons(response) == {
        "passage": "This passage is not in the motion as tabled: quote it exactly as it is written."
    }
    response = post(amend, auth("cam"), {"passage": "in", "replacement": "x"})
    assert reasons(response) == {
        "passage": "This passage occurs 3 times in the motion: select a longer passage, "
        "so that it occurs only once."
    }
    response = post(amend, auth("cam"), {"replacement": "x"})  # neither passage nor lines
    assert reasons(response) == {"passage": "Quote the passage of the motion to replace."}
    response = post(amend, auth("cam"), {"passage": "winter", "replacement": " winter "})
    assert reasons(response) == {"replacement": "The replacement is the same as the passage."}
    assert len(get(f"{base}/motions/{motion['id']}").json()["amendments"]) == 3
    _close_deadline(congress)
    response = post(f"{base}/motions", auth("ben"), {**body, "title": "Late"})
    assert response.status_code == 400
    assert reasons(response) == {"__all__": "The deadline for motions and amendments has passed."}
    response = post(amend, auth("cam"), {"start": 1, "end": 1, "new_text": "x"})
    assert reasons(response) == {"__all__": "The deadline for motions and amendments has passed."}
    assert [m["title"] for m in get(f"{base}/motions").json()] == ["Housing demands"]


def test_a_live_vote_from_opening_to_the_programme(world, congress, auth):
    base = f"/assemblies/{congress}"
    body = {"title": "Housing demands", "text": HOUSING, "programme_section": "housing"}
    motion = post(f"{base}/motions", auth("ben"), body).json()
    amend = f"{base}/motions/{motion['id']}/amendments"
    a1 = post(amend, auth("cam"), {"start": 2, "end": 2, "new_text": "2. Within 7 days."}).json()
    _close_deadline(congress)
    response = post(f"{base}/votes", auth("eli"), {"amendment_id": a1["id"]})
    assert reasons(response) == {"__all__": "No one is seated to vote."}
    post(f"{base}/participants", auth("eli"))
    response = post(f"{base}/votes", auth("eli"), {"amendment_id": a1["id"]})
    assert reasons(response) == {
        "__all__": "The assembly is not in session: the chair opens the session first."
    }
    _sit(congress, auth)

    response = post(f"{base}/votes", auth("ben"), {"amendment_id": a1["id"]})
    assert response.status_code == 403
    assert reasons(response) == {"__all__": "Only the chair of this assembly can do this."}
    response = post(f"{base}/votes", auth("eli"), {"amendment_id": 999999})
    assert reasons(response) == {"amendment_id": "No such amendment at this assembly."}
    response = post(f"{base}/votes", auth("eli"), {"amendment_id": a1["id"]})
    assert response.status_code == 201
    vote = response.json()
    assert vote["status"] == "voting" and vote["result"] is None and vote["electorate"] == 5
    assert get(base).json()["open_vote_id"] == vote["id"]
    response = post(f"{base}/votes", auth("eli"), {"motion_id": motion["id"]})
    assert reasons(response) == {"__all__": "Not while a vote is open."}

    ballots = f"{base}/votes/{vote['id']}/ballots"
    assert post(ballots, body={"choice": "yes"}).status_code == 401
    response = post(ballots, auth("ben"), {"choice": "maybe"})
    assert reasons(response) == {"choice": "Vote yes, no or abstain."}
    for who, choice in (("ben", "yes"), ("cam", "yes"), ("ana", "no")):
        response = post(ballots, auth(who), {"choice": choice})
        assert response.status_code == 201 and response.json() == {"ballots": 1}
    response = post(ballots, auth("ben"), {"choice": "no"})
    assert response.status_code == 400
    assert reasons(response) == {"choice": "You have already voted in this election."}
    assert get(f"{base}/votes/{vote['id']}").json()["cast"] == 3

    close = f"{base}/votes/{vote['id']}/close"
    assert post(close, auth("ben")).status_code == 403
    closed = post(close, auth("eli")).json()
    assert closed["result"] == {
        "yes": 2,
        "no": 1,
        "abstain": 0,
        "carried": True,
        "quorate": True,
        "outcome": "carried",
        "threshold": "1/2",
    }
    assert closed["majority"] == "simple majority (more yes than no)" and closed["quorum"] == 1
    assert {(n["name"], n["choice"]) for n in closed["named"]} == {
        ("Ben", "yes"),
        ("Cam", "yes"),
        ("Ana", "no"),
    }
    response = post(close, auth("eli"))
    assert reasons(response) == {"__all__": "This vote is not open."}
    response = post(ballots, auth("dana"), {"choice": "yes"})
    assert reasons(response) == {"choice": "Voting is not open."}
    detail = get(f"{base}/motions/{motion['id']}").json()
    assert "2. Within 7 days." in detail["consolidated_text"]
    assert [v["number"] for v in detail["versions"]] == [1, 2]
    assert "+2. Within 7 days." in detail["versions"][1]["diff"]

    vote = post(f"{base}/votes", auth("eli"), {"motion_id": motion["id"]}).json()
    for who in ("ben", "cam", "ana"):
        post(f"{base}/votes/{vote['id']}/ballots", auth(who), {"choice": "yes"})
    assert post(f"{base}/votes/{vote['id']}/close", auth("eli")).json()["result"]["carried"]
    assert [v["id"] for v in get(f"{base}/votes").json()][-1] == vote["id"]

    programme = get("/programme").json()
    assert programme["number"] == 2 and programme["motion_id"] == motion["id"]
    assert programme["vote_id"] == vote["election_id"] and programme["assembly_id"] == congress
    assert "Within 7 days" in programme["sections"][0]["text"]
    assert [v["number"] for v in get("/programme/versions").json()] == [2, 1]
    assert "Rents are frozen" in get("/programme/versions/1").json()["sections"][0]["text"]
    diff = get("/programme/versions/2/diff").json()
    assert diff["old"] == 1 and "+2. Within 7 days." in diff["diff"]
    response = get("/programme/versions/9")
    assert response.status_code == 404
    assert reasons(response) == {"number": "No such version of the programme."}
    response = get("/programme/versions/2/diff?against=7")
    assert reasons(response) == {"against": "No such version of the programme."}
    minutes = get(f"{base}/minutes")
    assert minutes["Content-Type"].startswith("text/markdown")
    assert "Housing demands" in minutes.content.decode()


def test_proxies_and_weights_are_counted_and_secret_votes_name_no_one(world, convenor, auth):
    body = _convene_body(world, proxies_allowed=True, secret_votes=True)
    pk = post("/assemblies", auth("ana"), body).json()["id"]
    base = f"/assemblies/{pk}"
    motion = post(f"{base}/motions", auth("ben"), {"title": "Rents", "text": "Freeze."}).json()
    post(f"{base}/participants", auth("eli"))
    seats = {p["name"]: p for p in get(f"{base}/participants", auth("ben")).json()}
    Participant.objects.filter(pk=seats["Ben"]["id"]).update(weight=10)
    response = post(f"{base}/proxy", auth("cam"), {"holder": seats["Cam"]["id"]})
    assert reasons(response) == {"holder": "Give your proxy to another participant."}
    response = post(f"{base}/proxy", auth("cam"), {"holder": seats["Ben"]["id"]})
    assert response.status_code == 201 and response.json()["holder"] == "Ben"
    assert Client().delete(f"{ORG}{base}/proxy", **auth("cam")).status_code == 204
    response = Client().delete(f"{ORG}{base}/proxy", **auth("cam"))
    assert reasons(response) == {"__all__": "You have not given a proxy."}
    post(f"{base}/proxy", auth("cam"), {"holder": seats["Ben"]["id"]})
    assert get(f"{base}/participants", auth("ben")).json()[-1]["proxy_holder"] is None
    listed = {p["name"]: p for p in get(f"{base}/participants", auth("ben")).json()}
    assert listed["Cam"]["proxy_holder"] == seats["Ben"]["id"]

    _sit(pk, auth)
    vote = post(f"{base}/votes", auth("eli"), {"motion_id": motion["id"]}).json()
    response = Client().delete(f"{ORG}{base}/proxy", **auth("cam"))
    assert reasons(response) == {"__all__": "Not while a vote is open."}
    ballots = f"{base}/votes/{vote['id']}/ballots"
    assert post(ballots, auth("ben"), {"choice": "yes"}).json() == {"ballots": 11}
    response = post(ballots, auth("cam"), {"choice": "no"})
    assert reasons(response) == {"choice": "You gave your vote by proxy."}
    post(ballots, auth("ana"), {"choice": "no"})
    closed = post(f"{base}/votes/{vote['id']}/close", auth("eli")).json()
    assert closed["result"]["yes"] == 11 and closed["result"]["no"] == 1
    assert closed["named"] is None and closed["secret"] is True
    assert Ballot.objects.filter(election_id=vote["election_id"]).count() == 12


def test_substitutes_take_the_vote_and_give_it_back(world, congress, auth):
    base = f"/assemblies/{congress}"
    post(f"{base}/participants", auth("eli"))
    seats = {p["name"]: p for p in get(f"{base}/participants", auth("ben")).json()}
    # Dana takes part already: seat a fresh member of Millbrook as Ben's substitute.
    Participant.objects.filter(pk=seats["Cam"]["id"]).delete()
    path = f"{base}/participants/{seats['Ben']['id']}/substitutes"
    assert post(path, auth("ben"), {"member": world.cam.pk}).status_code == 403
    response = post(path, auth("eli"), {"member": world.dana.pk})
    assert reasons(response) == {"member": "A substitute comes from the delegate's own branch."}
    response = post(path, auth("eli"), {"member": world.cam.pk})
    assert response.status_code == 201
    assert response.json()["substitute_for"] == seats["Ben"]["id"]
    assert response.json()["voting"] is False
    transfer = f"{base}/participants/{seats['Ben']['id']}/transfer"
    assert post(transfer, auth("ana"), {"to_substitute": True}).status_code == 403
    voting = post(transfer, auth("ben"), {"to_substitute": True}).json()
    assert voting["name"] == "Cam" and voting["voting"] is True
    assert post(transfer, auth("eli"), {"to_substitute": False}).json()["name"] == "Ben"
    response = post(f"{base}/participants/999999/transfer", auth("eli"))
    assert reasons(response) == {"participant_id": "No such participant at this assembly."}


def test_unknown_records_are_404(world, congress, auth):
    response = get("/assemblies/999999")
    assert response.status_code == 404 and reasons(response) == {"__all__": "Not found."}
    assert get(f"/assemblies/{congress}/motions/999999").status_code == 404
    assert get(f"/assemblies/{congress}/votes/999999").status_code == 404
    response = Client().get("/api/v1/organisations/nowhere/programme")
    assert response.status_code == 404


# --- ranking competing motions ----------------------------------------------------------


def _ranked_motions(congress: int, auth) -> tuple[int, list[dict]]:
    base = f"/assemblies/{congress}"
    item = post(f"{base}/agenda", auth("eli"), {"title": "Rent strike"}).json()
    motions = [
        post(
            f"{base}/motions",
            auth("ben"),
            {"title": title, "text": f"{title}.", "agenda_item_id": item["id"]},
        ).json()
        for title in ("Strike now", "Ballot first")
    ]
    return item["id"], motions


def test_a_ranking_vote_orders_the_competing_motions(world, congress, auth):
    base = f"/assemblies/{congress}"
    item, (a, b) = _ranked_motions(congress, auth)
    lone = post(f"{base}/agenda", auth("eli"), {"title": "Reports"}).json()
    _close_deadline(congress)
    open_ = f"{base}/agenda/{item}/ranking"
    response = post(open_, auth("eli"))
    assert reasons(response) == {"__all__": "No one is seated to vote."}
    post(f"{base}/participants", auth("eli"))
    _sit(congress, auth)
    assert post(open_).status_code == 401
    response = post(open_, auth("ben"))
    assert response.status_code == 403
    assert reasons(response) == {"__all__": "Only the chair of this assembly can do this."}
    response = post(f"{base}/agenda/{lone['id']}/ranking", auth("eli"))
    assert response.status_code == 400
    assert reasons(response) == {
        "item": "A ranking vote needs at least two tabled motions competing on this item."
    }
    assert post(f"{base}/agenda/999999/ranking", auth("eli")).status_code == 404

    response = post(open_, auth("eli"))
    assert response.status_code == 201, response.content
    vote = response.json()
    assert vote["kind"] == "ranking" and vote["agenda_item_id"] == item
    assert vote["options"] == [
        {"id": a["id"], "title": "Strike now"},
        {"id": b["id"], "title": "Ballot first"},
    ]
    assert vote["result"] is None and vote["ranking"] is None and vote["electorate"] == 5
    response = post(f"{base}/votes", auth("eli"), {"motion_id": a["id"]})
    assert reasons(response) == {"__all__": "Not while a vote is open."}

    rank = f"{base}/votes/{vote['id']}/ranking"
    response = post(rank, auth("ben"), {"ranking": [a["id"], a["id"]]})
    assert response.status_code == 400
    assert reasons(response) == {"ranking": "Each motion may be ranked only once."}
    response = post(rank, auth("ben"), {"ranking": [999999]})
    assert reasons(response) == {
        "ranking": "Only the motions competing on this item may be ranked."
    }
    response = post(rank, auth("ben"), {"ranking": []})
    assert reasons(response) == {"ranking": "Rank at least one of the competing motions."}
    response = post(rank, auth("ben"), {"ranking": "first"})
    assert response.status_code == 422 and "ranking" in reasons(response)
    response = post(f"{base}/votes/{vote['id']}/ballots", auth("ben"), {"choice": "yes"})
    assert reasons(response) == {
        "choice": "This vote ranks the competing motions: send a ranking, not yes or no."
    }
    for who, ranking in (("ben", [b["id"], a["id"]]), ("cam", [b["id"]]), ("ana", [a["id"]])):
        response = post(rank, auth(who), {"ranking": ranking})
        assert response.status_code == 201 and response.json() == {"ballots": 1}
    response = post(rank, auth("ben"), {"ranking": [a["id"]]})
    assert reasons(response) == {"ranking": "You have already voted in this election."}
    assert get(f"{base}/votes/{vote['id']}").json()["cast"] == 3

    close = f"{base}/votes/{vote['id']}/close"
    assert post(close, auth("ben")).status_code == 403
    closed = post(close, auth("eli")).json()
    ranking = closed["ranking"]
    assert ranking["order"] == [
        {"id": b["id"], "title": "Ballot first"},
        {"id": a["id"], "title": "Strike now"},
    ]
    assert ranking["ballots"] == 3 and ranking["method"] == "schulze"
    assert ranking["pairwise"] == {str(a["id"]): {str(b["id"]): 1}, str(b["id"]): {str(a["id"]): 2}}
    assert closed["result"] is None
    assert {(n["name"], tuple(n["ranking"])) for n in closed["named"]} == {
        ("Ben", (b["id"], a["id"])),
        ("Cam", (b["id"],)),
        ("Ana", (a["id"],)),
    }
    response = post(close, auth("eli"))
    assert reasons(response) == {"__all__": "This vote is not open."}
    response = post(open_, auth("eli"))
    assert reasons(response) == {
        "item": "The competing motions on this item are already ordered by a ranking vote."
    }

    response = post(f"{base}/votes", auth("eli"), {"motion_id": a["id"]})
    assert response.status_code == 400
    assert reasons(response) == {
        "motion_id": "The ranking vote put “Ballot first” first: it is voted on before this motion."
    }
    yes_no = post(f"{base}/votes", auth("eli"), {"motion_id": b["id"]}).json()
    for who in ("ben", "cam"):
        post(f"{base}/votes/{yes_no['id']}/ballots", auth(who), {"choice": "yes"})
    assert post(f"{base}/votes/{yes_no['id']}/close", auth("eli")).json()["result"]["carried"]
    statuses = {m["id"]: m["status"] for m in get(f"{base}/motions").json()}
    assert statuses == {a["id"]: Motion.Status.FALLEN, b["id"]: Motion.Status.ADOPTED}
    minutes = get(f"{base}/minutes").content.decode()
    assert "1. Ballot first, 2. Strike now" in minutes


def test_the_ranking_paths_are_in_the_schema(world):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/organisations/{slug}/assemblies/{pk}/agenda/{item_id}/ranking" in paths
    assert "/api/v1/organisations/{slug}/assemblies/{pk}/votes/{vote_id}/ranking" in paths

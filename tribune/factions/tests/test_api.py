"""The factions API: every endpoint, refusals as 4xx JSON, and private membership kept private."""

from datetime import timedelta
from unittest import mock

from django.test import Client

from tribune.elections import services as elections
from tribune.elections.models import Election, Method, Status
from tribune.factions.models import FactionStatus
from tribune.members.services import admit_member, apply_for_membership

ORG = "/api/v1/organisations/test-union"
F = f"{ORG}/factions/rent-control-now"


def reasons(response) -> dict:
    return {d["field"]: d["reason"] for d in response.json()["detail"]}


def call(method: str, path: str, headers: dict | None = None, body: dict | None = None):
    client = Client()
    kwargs = {"content_type": "application/json"} if body is not None else {}
    return getattr(client, method)(path, body, **kwargs, **(headers or {}))


def names(response) -> set[str]:
    return {m["name"] for m in response.json()["members"]}


def test_founding_by_signatures(world, token_for):
    body = {"name": "Renters First", "platform": "Repairs first."}
    assert call("post", f"{ORG}/factions", body=body).status_code == 401
    created = call("post", f"{ORG}/factions", token_for("ben"), body)
    assert created.status_code == 201
    out = created.json()
    assert out["status"] == "proposed" and out["signatures"] == 1 and out["threshold"] == 3
    assert out["platform"]["text"] == "Repairs first."
    again = call("post", f"{ORG}/factions", token_for("cam"), body)
    assert again.status_code == 400 and reasons(again) == {
        "name": "A faction with this name exists."
    }
    empty = call("post", f"{ORG}/factions", token_for("cam"), {"name": "X", "platform": " "})
    assert reasons(empty) == {"platform": "A faction is founded on a platform: write it."}
    sign = f"{ORG}/factions/renters-first/signatures"
    assert call("post", sign, token_for("cam")).status_code == 201
    twice = call("post", sign, token_for("cam"))
    assert twice.status_code == 400 and reasons(twice) == {"__all__": "You have already signed."}
    done = call("post", sign, token_for("eli"))
    assert done.json()["status"] == "registered"
    assert done.json()["officers"][0]["name"] == "Ben"
    listing = call("get", f"{ORG}/factions").json()
    assert [(f["slug"], f["status"]) for f in listing] == [("renters-first", "registered")]
    assert call("get", f"{ORG}/factions/nothing").status_code == 404


def test_members_are_listed_as_the_caller_may_see_them(world, faction, token_for):
    assert names(call("get", F, token_for("ana"))) == {"Ben", "Cam"}  # organisation officer
    assert names(call("get", F, token_for("cam"))) == {"Ben", "Cam"}  # fellow member
    assert names(call("get", F, token_for("dana"))) == {"Ben", "Cam", "Dana"}  # herself
    assert "Dana" in names(call("get", F, token_for("ben")))  # the faction's convenor
    anonymous = call("get", F)
    assert anonymous.status_code == 200 and anonymous.json()["members"] == []
    assert anonymous.json()["members_count"] == 4  # a count names no one


def test_member_detail_never_shows_a_private_faction(world, faction, token_for):
    dana = f"{ORG}/members/{world.dana.pk}"
    for who in ("ana", "ben", "dana"):
        assert call("get", dana, token_for(who)).json()["factions"] == [], who
    ben = call("get", f"{ORG}/members/{world.ben.pk}", token_for("ana")).json()
    assert ben["factions"] == ["rent-control-now"]
    listing = call("get", f"{ORG}/members", token_for("ana")).json()
    assert all(m["factions"] is None for m in listing)
    own = call("get", f"{ORG}/me/export", token_for("dana")).json()
    assert own["factions"][0]["visibility"] == "private"
    other = call("get", f"{ORG}/me/export", token_for("ben")).json()
    assert "Dana" not in str(other)


def test_join_change_visibility_and_leave(world, faction, token_for):
    ana = token_for("ana")
    bad = call("post", f"{F}/membership", ana, {"visibility": "secret"})
    assert bad.status_code == 400 and reasons(bad) == {"visibility": "Choose public or private."}
    joined = call("post", f"{F}/membership", ana, {"visibility": "private"})
    assert joined.status_code == 201 and joined.json()["visibility"] == "private"
    assert "Ana" not in names(call("get", F, token_for("cam")))
    twice = call("post", f"{F}/membership", ana, {"visibility": "public"})
    assert reasons(twice) == {"__all__": "You already belong to this faction."}
    changed = call("put", f"{F}/membership", ana, {"visibility": "public"})
    assert changed.json()["visibility"] == "public"
    assert "Ana" in names(call("get", F, token_for("cam")))
    assert call("delete", f"{F}/membership", ana).status_code == 204
    gone = call("delete", f"{F}/membership", ana)
    assert reasons(gone) == {"__all__": "You do not belong to this faction."}
    missing = call("post", f"{F}/membership", ana, {})
    assert missing.status_code == 422 and "visibility" in reasons(missing)


def test_platform_statements_need_the_factions_mandate(world, faction, token_for):
    refused = call("post", f"{F}/platform", token_for("ana"), {"text": "Officers' line."})
    assert refused.status_code == 403
    assert "No current mandate of yours" in reasons(refused)["__all__"]
    assert call("post", f"{F}/platform", token_for("cam"), {"text": "X"}).status_code == 403
    empty = call("post", f"{F}/platform", token_for("ben"), {"text": " "})
    assert reasons(empty) == {"text": "The platform is empty."}
    v2 = call("post", f"{F}/platform", token_for("ben"), {"text": "And repairs."})
    assert v2.status_code == 201 and v2.json()["number"] == 2
    versions = call("get", f"{F}/platform").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert "legal cap" in call("get", f"{F}/platform/1").json()["text"]
    assert call("get", f"{F}/platform/7").status_code == 404
    assert call("get", F).json()["platform_version"] == 2
    body = {"title": "On the strike", "text": "We back it."}
    assert call("post", f"{F}/statements", token_for("dana"), body).status_code == 403
    statement = call("post", f"{F}/statements", token_for("ben"), body)
    assert statement.status_code == 201 and statement.json()["office"] == "Convenor"
    assert call("get", F).json()["statements"][0]["title"] == "On the strike"
    blank = call("post", f"{F}/statements", token_for("ben"), {"title": "", "text": ""})
    assert reasons(blank) == {"text": "A statement needs a title and a text."}


def test_endorsements(world, faction, office, token_for):
    election = elections.call_election(world.ana, office=office)
    candidacy = elections.nominate(world.cam, election, world.cam)
    body = {"candidacy_id": candidacy.pk}
    assert call("post", f"{F}/endorsements", token_for("cam"), body).status_code == 403
    made = call("post", f"{F}/endorsements", token_for("ben"), body)
    assert made.status_code == 201 and made.json()["candidate"] == "Cam"
    again = call("post", f"{F}/endorsements", token_for("ben"), body)
    assert reasons(again) == {"__all__": "The faction already endorses this candidate."}
    nothing = call("post", f"{F}/endorsements", token_for("ben"), {"candidacy_id": 999999})
    assert reasons(nothing) == {"candidacy_id": "No such candidacy."}
    listed = call("get", f"{ORG}/elections/{election.pk}/endorsements").json()
    assert [(e["faction"], e["candidate"]) for e in listed] == [("Rent Control Now", "Cam")]


def test_only_members_propose_dissolution(world, faction, token_for):
    refused = call("post", f"{F}/dissolution", token_for("ana"), {"reason": "Gone."})
    assert refused.status_code == 403
    assert reasons(refused) == {
        "__all__": "Only the faction's own members can propose to dissolve it."
    }
    assert reasons(call("post", f"{F}/dissolution", token_for("cam"), {"reason": ""})) == {
        "reason": "Give the reason."
    }
    made = call("post", f"{F}/dissolution", token_for("cam"), {"reason": "Our work is done."})
    assert made.status_code == 201 and made.json()["title"] == "Dissolve Rent Control Now?"
    faction.refresh_from_db()
    assert faction.status == FactionStatus.REGISTERED  # until its members vote


def test_proportionality_only_after_a_multi_seat_count(world, office, token_for):
    office.seats = 2
    office.save()
    election = elections.call_election(world.ana, office=office, method=Method.SCOTTISH_STV)
    url = f"{ORG}/elections/{election.pk}/proportionality"
    cands = {}
    for label, member in {"Left": world.ben, "Right": world.cam, "": world.eli}.items():
        c = elections.nominate(member, election, member)
        elections.accept_nomination(member, c, faction_label=label)
        cands[label] = c.pk
    voters = []
    for i in range(5):
        m = apply_for_membership(
            world.org, user=None, name=f"P{i}", email=f"p{i}@test.org", branch=world.north
        )
        admit_member(world.ana, m)
        voters.append(m)
    election = elections.advance(election, election.voting_open_at)
    with mock.patch(
        "django.utils.timezone.now", return_value=election.voting_open_at + timedelta(minutes=1)
    ):
        for i, voter in enumerate(voters):
            elections.cast_ballot(voter, election, [cands["Left" if i < 3 else "Right"]])
        early = call("get", url)
        assert early.status_code == 400
        assert reasons(early) == {"__all__": "The report is published once the votes are counted."}
    elections.advance(election, election.voting_close_at)
    report = {r["faction"]: r for r in call("get", url).json()}
    assert report["Left"]["first_preferences"] == 3 and report["Left"]["vote_share"] == "60.0"
    assert report["Left"]["seats"] == 1 and report["Right"]["seats"] == 1
    assert report["No declared faction"]["seats"] == 0


def test_a_single_seat_election_has_no_proportionality_report(world, office):
    election = elections.call_election(world.ana, office=office)
    Election.objects.filter(pk=election.pk).update(status=Status.COUNTED)
    response = call("get", f"{ORG}/elections/{election.pk}/proportionality")
    assert reasons(response) == {"__all__": "The report is made for multi-seat elections."}

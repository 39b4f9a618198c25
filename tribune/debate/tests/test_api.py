"""The debate API: the same rules as the pages, each refusal as 4xx JSON with field and reason."""

import pytest
from django.test import Client

from tribune.debate import services
from tribune.debate.models import ModerationAppeal, Thread
from tribune.factions import services as factions
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office

ORG = "/api/v1/organisations/test-union/debate"


@pytest.fixture
def moderator(world):
    body = create_body(world.org, name="Debate stewards", kind=BodyKind.COMMITTEE)
    office = create_office(
        body,
        title="Steward",
        mandate="Apply the published rules of debate.",
        powers=["moderate_debate"],
    )
    begin_term(office, world.cam, source=TermSource.ELECTION)
    return world.cam


@pytest.fixture
def thread(world):
    return services.open_thread(world.ben, world.org, title="Rent freeze", text="Too weak.")


def reasons(response) -> dict:
    return {d["field"]: d["reason"] for d in response.json()["detail"]}


def post(path, headers, body=None):
    return Client().post(f"{ORG}{path}", body or {}, content_type="application/json", **headers)


def get(path, headers=None):
    return Client().get(f"{ORG}{path}", **(headers or {}))


def test_schema_lists_the_debate_paths(world):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in ("threads", "threads/{thread_id}", "posts/{post_id}/hide", "search"):
        assert f"/api/v1/organisations/{{slug}}/debate/{path}" in paths


def test_open_list_read_and_reply(world, token_for):
    ben, ana = token_for("ben"), token_for("ana")
    response = post(
        "/threads",
        ben,
        {"title": "Strike fund", "text": "Raise dues.", "branch": "millbrook", "subject": "M4"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["branch"] == "millbrook" and body["following"] is True
    assert [p["text"] for p in body["posts"]] == ["Raise dues."]
    thread_id = body["id"]
    assert [t["title"] for t in get("/threads", ana).json()] == ["Strike fund"]
    assert get("/threads?branch=north", ana).json() == []
    reply = post(f"/threads/{thread_id}/posts", ana, {"text": "Agreed."})
    assert reply.status_code == 201 and reply.json()["author"] == "Ana"
    assert len(get(f"/threads/{thread_id}", ben).json()["posts"]) == 2


def test_refusals_come_back_as_json_with_reasons(world, token_for, thread):
    ana = token_for("ana")
    empty = post(f"/threads/{thread.pk}/posts", ana, {"text": "  "})
    assert empty.status_code == 400 and reasons(empty) == {"text": "Write something."}
    untitled = post("/threads", ana, {"title": "", "text": "x"})
    assert untitled.status_code == 400 and "title" in reasons(untitled)
    assert (
        post("/threads", ana, {"title": "t", "text": "x", "branch": "nowhere"}).status_code == 400
    )
    assert get("/threads").status_code == 401
    world.cam.standing = "lapsed"
    world.cam.save()
    lapsed = post(f"/threads/{thread.pk}/posts", token_for("cam"), {"text": "Hello"})
    assert lapsed.status_code == 403 and "good standing" in reasons(lapsed)["__all__"]
    assert get(f"/threads/{thread.pk + 1000}", ana).status_code == 404


def test_faction_threads_are_for_members_only(world, token_for):
    faction = factions.propose_faction(world.ben, world.org, name="Left", platform="Left.")
    for m in (world.eli, world.dana):
        factions.sign_founding(m, faction)
    ana = token_for("ana")
    refused = post("/threads", ana, {"title": "x", "text": "y", "faction": faction.slug})
    assert refused.status_code == 403 and "faction's members" in reasons(refused)["__all__"]
    made = post(
        "/threads", token_for("ben"), {"title": "Ours", "text": "y", "faction": faction.slug}
    )
    assert made.status_code == 201 and made.json()["faction"] == faction.slug
    thread_id = made.json()["id"]
    assert get("/threads", ana).json() == []
    assert get(f"/threads/{thread_id}", ana).status_code == 403
    assert post(f"/threads/{thread_id}/posts", ana, {"text": "in"}).status_code == 403
    assert post(f"/threads/{thread_id}/follow", ana).status_code == 403


def test_follow_unfollow_and_notifications(world, token_for, thread):
    ana, ben = token_for("ana"), token_for("ben")
    assert post(f"/threads/{thread.pk}/follow", ana).json() == {"following": True}
    services.reply(world.ben, thread, "Still too weak.")
    notes = get("/notifications", ana).json()
    assert [n["thread_title"] for n in notes] == ["Rent freeze"]
    assert post("/notifications/read", ana).json() == {"marked": 1}
    assert get("/notifications", ana).json() == []
    response = Client().delete(f"{ORG}/threads/{thread.pk}/follow", **ana)
    assert response.json() == {"following": False}
    assert get(f"/threads/{thread.pk}", ben).json()["following"] is True


def test_moderation_needs_power_and_reason_and_its_trace_is_in_the_thread(
    world, token_for, thread, moderator
):
    target = services.reply(world.ana, thread, "Ben is an idiot.")
    refused = post(f"/posts/{target.pk}/hide", token_for("ben"), {"rule": 1, "reason": "No."})
    assert refused.status_code == 403 and "No current mandate" in reasons(refused)["__all__"]
    cam = token_for("cam")
    no_reason = post(f"/posts/{target.pk}/hide", cam, {"rule": 1, "reason": " "})
    assert no_reason.status_code == 400 and "reason" in reasons(no_reason)
    bad_rule = post(f"/posts/{target.pk}/hide", cam, {"rule": 99, "reason": "x"})
    assert bad_rule.status_code == 400 and "rule" in reasons(bad_rule)
    hidden = post(f"/posts/{target.pk}/hide", cam, {"rule": 1, "reason": "Personal abuse."})
    assert hidden.status_code == 200
    assert hidden.json()["rule"] == 1 and hidden.json()["moderator"] == "Cam"
    posts = get(f"/threads/{thread.pk}", token_for("eli")).json()["posts"]
    shown = next(p for p in posts if p["id"] == target.pk)
    assert shown["hidden"] is True and shown["text"] == "Ben is an idiot."  # nothing deleted
    assert shown["notice"] == "Hidden by Cam under rule 1: Personal abuse."
    assert [a["action"] for a in shown["moderation"]] == ["hide"]
    again = post(f"/posts/{target.pk}/restore", cam, {"reason": ""})
    assert again.status_code == 400
    restored = post(f"/posts/{target.pk}/restore", cam, {"reason": "On reflection."})
    assert restored.json()["action"] == "restore"
    shown = get(f"/threads/{thread.pk}", token_for("eli")).json()["posts"][1]
    assert shown["hidden"] is False and shown["notice"] is None
    assert [a["reason"] for a in shown["moderation"]] == ["Personal abuse.", "On reflection."]


def test_the_author_appeals_and_the_appeal_body_decides(world, token_for, thread, moderator):
    target = services.reply(world.ana, thread, "Heated but fair.")
    action = services.hide_post(
        moderator, target, rule=world.org.debate_rules.get(number=1), reason="Too heated."
    )
    not_author = post(f"/moderation/{action.pk}/appeal", token_for("ben"), {"statement": "x"})
    assert not_author.status_code == 403
    lodged = post(f"/moderation/{action.pk}/appeal", token_for("ana"), {"statement": "Fair."})
    assert lodged.status_code == 201 and lodged.json()["status"] == "pending"
    appeal_id = lodged.json()["id"]
    assert [a["id"] for a in get("/appeals?status=pending", token_for("ben")).json()] == [appeal_id]
    body = {"upheld": True, "reason": "It argued with a position."}
    assert post(f"/appeals/{appeal_id}/decide", token_for("ben"), body).status_code == 403
    decided = post(f"/appeals/{appeal_id}/decide", token_for("eli"), body)
    assert decided.status_code == 200 and decided.json()["status"] == "upheld"
    assert ModerationAppeal.objects.get().decided_by == world.eli
    shown = get(f"/threads/{thread.pk}", token_for("ben")).json()["posts"][1]
    assert shown["hidden"] is False
    assert shown["moderation"][0]["appeal"]["decided_by"] == "Eli"


def test_search_finds_threads(world, token_for, thread):
    services.reply(world.ana, thread, "The landlords are weakest on heating.")
    hits = get("/search?q=landlords", token_for("eli")).json()
    assert [(h["thread_id"], h["thread_title"]) for h in hits] == [(thread.pk, "Rent freeze")]
    assert get("/search?q=nothingmatches", token_for("eli")).json() == []


def test_rules_are_public(world):
    rules = get("/rules").json()
    assert rules[0]["number"] == 1 and "positions" in rules[0]["text"]
    assert Thread.objects.count() == 0

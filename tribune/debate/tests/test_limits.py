"""Debate's own limits: how long a post may be and how often a member may post.

The rules live in the service, so the page and the API refuse the same
things with the same words; a refused post is never half-written.
"""

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from tribune.accounts.models import ApiToken
from tribune.debate import services
from tribune.debate.models import Post, Thread
from tribune.lib.errors import RuleViolation

API = "/api/v1/organisations/test-union/debate"
WEB = "/o/test-union/debate"


@pytest.fixture
def thread(world):
    return services.open_thread(world.ben, world.org, title="Rent freeze", text="Too weak.")


def _api(world, short):
    _token, secret = ApiToken.issue(world.users[short], "script")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _reasons(response) -> dict:
    return {d["field"]: d["reason"] for d in response.json()["detail"]}


class _Clock:
    """The server's clock, moved by hand (posts take their time from it)."""

    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    now = _Clock()
    with mock.patch("django.utils.timezone.now", side_effect=now):
        yield now


# --- size ---------------------------------------------------------------------------------


def test_a_post_may_be_a_pamphlet_but_not_more(world, thread):
    longest = "x" * services.POST_MAX_CHARS
    assert services.reply(world.ana, thread, longest).text == longest
    with pytest.raises(RuleViolation, match=r"At most 30,000 characters.*this has 30,001") as exc:
        services.reply(world.ana, thread, longest + "y")
    assert exc.value.field == "text"
    with pytest.raises(RuleViolation, match="At most 30,000") as exc:
        services.open_thread(world.ana, world.org, title="Long", text="x" * 2_000_000)
    assert exc.value.field == "text"
    assert not Thread.objects.filter(title="Long").exists()


def test_titles_subjects_and_moderation_texts_have_their_limits(world, thread, moderator):
    with pytest.raises(RuleViolation, match="At most 300 characters") as exc:
        services.open_thread(world.ana, world.org, title="t" * 301, text="Body")
    assert exc.value.field == "title"
    with pytest.raises(RuleViolation, match="At most 200 characters") as exc:
        services.open_thread(world.ana, world.org, title="T", text="Body", subject="s" * 201)
    assert exc.value.field == "subject"
    action_post = services.reply(world.ana, thread, "A reply.")
    with pytest.raises(RuleViolation, match="At most 5,000 characters") as exc:
        services.hide_post(
            moderator, action_post, rule=world.org.debate_rules.first(), reason="r" * 5_001
        )
    assert exc.value.field == "reason"
    assert not Post.objects.filter(text__startswith="x").exists()


@pytest.fixture
def moderator(world):
    """Cam, a steward whose mandate is to apply the rules of debate."""
    from tribune.offices.models import BodyKind, TermSource
    from tribune.offices.services import begin_term, create_body, create_office

    body = create_body(world.org, name="Debate stewards", kind=BodyKind.COMMITTEE)
    office = create_office(
        body, title="Steward", mandate="Apply the rules of debate.", powers=["moderate_debate"]
    )
    begin_term(office, world.cam, source=TermSource.ELECTION)
    return world.cam


def test_the_api_refuses_a_two_million_character_reply_with_field_and_reason(world, thread):
    response = Client().post(
        f"{API}/threads/{thread.pk}/posts",
        {"text": "x" * 2_000_000},
        content_type="application/json",
        **_api(world, "ana"),
    )
    assert response.status_code == 400
    assert _reasons(response) == {"text": "At most 30,000 characters, please; this has 2,000,000."}
    assert thread.posts.count() == 1
    response = Client().post(
        f"{API}/threads",
        {"title": "t" * 100_000, "text": "Body"},
        content_type="application/json",
        **_api(world, "ana"),
    )
    assert response.status_code == 400 and "title" in _reasons(response)


def test_the_reply_form_refuses_an_oversized_reply_with_the_reason(world, thread):
    client = Client()
    client.force_login(world.users["ana"])
    response = client.post(f"{WEB}/{thread.pk}/reply/", {"text": "x" * 30_001})
    assert response.status_code == 400
    assert "At most 30,000 characters, please; this has 30,001." in response.content.decode()
    assert thread.posts.count() == 1


# --- pace ---------------------------------------------------------------------------------


def test_five_posts_a_minute_then_an_honest_wait(world, thread, clock):
    for n in range(5):
        services.reply(world.ana, thread, f"Point {n}.")
        clock.now += timedelta(seconds=5)
    # The first of the five was 25 seconds ago: it leaves the minute in 35 seconds.
    with pytest.raises(services.PostingTooFast) as exc:
        services.reply(world.ana, thread, "And another thing.")
    assert exc.value.message == (
        "You have posted 5 times within 60 seconds, the most the debate allows; "
        "you can post again in 35 seconds."
    )
    assert exc.value.field == "text" and exc.value.retry_after == 35
    assert exc.value.status == 429
    # Opening a thread is posting too; others are not held back by ana's pace.
    with pytest.raises(services.PostingTooFast):
        services.open_thread(world.ana, world.org, title="New", text="Opening.")
    services.reply(world.ben, thread, "I may still answer.")
    clock.now += timedelta(seconds=34)
    with pytest.raises(services.PostingTooFast, match="again in 1 second[.]"):
        services.reply(world.ana, thread, "And another thing.")
    clock.now += timedelta(seconds=1)
    services.reply(world.ana, thread, "And another thing.")  # the wait was the truth
    assert thread.posts.filter(author=world.ana).count() == 6


def test_forty_posts_an_hour(world, thread, clock):
    for n in range(40):
        services.reply(world.ana, thread, f"Point {n}.")
        clock.now += timedelta(seconds=60)
    with pytest.raises(services.PostingTooFast, match="within 60 minutes.*again in 20 minutes"):
        services.reply(world.ana, thread, "Point 40.")
    clock.now += timedelta(minutes=20)
    services.reply(world.ana, thread, "Point 40.")


def test_the_limits_can_be_set_for_the_server(world, thread, settings):
    settings.DEBATE_POSTING_LIMITS = [(60, 2)]
    services.reply(world.ana, thread, "One.")
    services.reply(world.ana, thread, "Two.")
    with pytest.raises(services.PostingTooFast, match="2 times"):
        services.reply(world.ana, thread, "Three.")


def test_the_api_answers_429_with_retry_after_and_the_page_shows_the_wait(world, thread, clock):
    for n in range(5):
        services.reply(world.ana, thread, f"Point {n}.")
    response = Client().post(
        f"{API}/threads/{thread.pk}/posts",
        {"text": "More."},
        content_type="application/json",
        **_api(world, "ana"),
    )
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert _reasons(response)["text"].endswith("you can post again in 60 seconds.")
    client = Client()
    client.force_login(world.users["ana"])
    response = client.post(f"{WEB}/{thread.pk}/reply/", {"text": "More unsaid."})
    assert response.status_code == 429
    page = response.content.decode()
    assert "you can post again in 60 seconds." in page
    assert "More unsaid." in page  # what was typed comes back with the wait
    assert thread.posts.filter(author=world.ana).count() == 5


def test_parallel_posts_by_one_member_cannot_pass_the_limit(live_world):
    """Twelve replies at once, five allowed: exactly five are written."""
    world = live_world
    thread = services.open_thread(world.ben, world.org, title="Rent freeze", text="Too weak.")
    start = threading.Barrier(12)
    outcomes = []

    def post(n):
        try:
            start.wait()
            services.reply(world.ana, thread, f"Point {n}.")
            outcomes.append("posted")
        except services.PostingTooFast:
            outcomes.append("refused")
        finally:
            connections.close_all()

    workers = [threading.Thread(target=post, args=(n,)) for n in range(12)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(outcomes) == ["posted"] * 5 + ["refused"] * 7
    assert Post.objects.filter(author=world.ana).count() == 5

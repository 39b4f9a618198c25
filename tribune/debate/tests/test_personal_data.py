"""Posts hidden for personal data (doxxing) leave members' view on every path.

In the test world ana publishes someone's home address in a reply; cam, a
debate steward who does not sit on the appeal body, hides it under rule 2,
which removes personal data. Only ana (its author) and eli (on the appeal
body) may read it from then on; ben, dana, cam himself and anyone logged out
see a placeholder, while the moderation record (cam, rule 2, the reason)
stays public. Every path that shows post text is tried.
"""

import html

import pytest
from django.db import connection
from django.test import Client

from tribune.accounts.models import ApiToken
from tribune.debate import services
from tribune.debate.models import DebateRule, ModerationAppeal
from tribune.lib.errors import RuleViolation
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office

API = "/api/v1/organisations/test-union/debate"
WEB = "/o/test-union/debate"
SECRET = "Dana lives at 14 Orchard Row, flat 3: go round tonight."
ADDRESS = "Orchard Row"
REASON = "Publishes a member's home address."
PLACEHOLDER = str(services.WITHHELD_TEXT)
MAY_READ = ("ana", "eli")  # the author; the appeal body
MAY_NOT = ("ben", "cam", "dana")  # a member; the moderator who hid it; an officer


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


@pytest.fixture
def doxx(world, thread, moderator):
    """Ana's reply with an address, hidden by cam under rule 2 (ben follows the thread)."""
    post = services.reply(world.ana, thread, SECRET)
    services.hide_post(moderator, post, rule=world.org.debate_rules.get(number=2), reason=REASON)
    post.refresh_from_db()
    return post


def web(world, short=None) -> Client:
    client = Client()
    if short:
        client.force_login(world.users[short])
    return client


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def api(world, short=None) -> dict:
    if short is None:
        return {}
    _token, secret = ApiToken.issue(world.users[short], "script")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def api_get(world, short, path):
    return Client().get(f"{API}{path}", **api(world, short))


# --- the rule and the service ------------------------------------------------------------


def test_the_default_rule_2_removes_personal_data_and_says_so(world):
    flags = dict(world.org.debate_rules.values_list("number", "removes_personal_data"))
    assert flags == {1: False, 2: True, 3: False}
    rules = Client().get(f"{API}/rules").json()
    assert [r["removes_personal_data"] for r in rules] == [False, True, False]
    page = text_of(Client().get(f"{WEB}/rules/"))
    assert "Protects personal data: a post hidden under this rule is withheld." in page


def test_only_the_author_and_the_appeal_body_are_shown_the_text(world, doxx):
    assert doxx.hidden and doxx.withheld and doxx.text == SECRET  # withheld, never deleted
    for short in MAY_READ:
        [seen] = services.screen_posts(getattr(world, short), world.org, [doxx])
        assert seen.shown_text == SECRET and not seen.text_withheld, short
    for viewer in [getattr(world, short) for short in MAY_NOT] + [None]:
        [seen] = services.screen_posts(viewer, world.org, [doxx])
        assert seen.shown_text == PLACEHOLDER and seen.text_withheld, viewer


def test_a_post_hidden_under_another_rule_stays_readable_by_members(world, thread, moderator):
    post = services.reply(world.ana, thread, "Ben is an idiot.")
    services.hide_post(
        moderator, post, rule=world.org.debate_rules.get(number=1), reason="Personal abuse."
    )
    post.refresh_from_db()
    assert post.hidden and not post.withheld
    [seen] = services.screen_posts(world.ben, world.org, [post])
    assert seen.shown_text == "Ben is an idiot."


def test_only_the_appeal_body_restores_a_withheld_post_on_appeal(world, doxx, moderator):
    with pytest.raises(RuleViolation, match="restored only by the appeal body"):
        services.restore_post(moderator, doxx, "I was wrong.")
    action = doxx.moderation.get()
    appeal = services.appeal_moderation(world.ana, action, "It is a public office address.")
    services.decide_moderation_appeal(world.eli, appeal, upheld=True, reason="It is.")
    doxx.refresh_from_db()
    assert not doxx.hidden and not doxx.withheld
    assert appeal.__class__.objects.get().status == ModerationAppeal.Status.UPHELD
    [seen] = services.screen_posts(world.ben, world.org, [doxx])
    assert seen.shown_text == SECRET


def test_a_rule_of_the_organisation_may_be_marked_to_remove_personal_data(world, thread, moderator):
    rule = DebateRule.objects.create(
        organisation=world.org,
        number=4,
        text="No naming of members' employers.",
        removes_personal_data=True,
    )
    post = services.reply(world.ana, thread, "Ben works at the Millbrook depot.")
    services.hide_post(moderator, post, rule=rule, reason="Names a member's employer.")
    post.refresh_from_db()
    assert post.withheld


# --- the web pages -------------------------------------------------------------------------


def test_the_thread_page_shows_the_record_but_not_the_text(world, doxx, thread):
    for short in MAY_NOT:
        page = text_of(web(world, short).get(f"{WEB}/{thread.pk}/"))
        assert ADDRESS not in page, short
        assert PLACEHOLDER in page
        assert f"Hidden by Cam under rule 2: {REASON}" in page  # the record stays public
    for short in MAY_READ:
        page = text_of(web(world, short).get(f"{WEB}/{thread.pk}/"))
        assert SECRET in page and "Show the withheld text" in page, short
    assert web(world).get(f"{WEB}/{thread.pk}/").status_code == 302  # to the login page


def test_the_moderator_is_not_offered_a_restore_they_cannot_make(world, doxx, thread):
    page = text_of(web(world, "cam").get(f"{WEB}/{thread.pk}/"))
    assert "only the appeal body, on the author's appeal, can restore it" in page
    assert f"/debate/posts/{doxx.pk}/restore/" not in page
    refused = web(world, "cam").post(
        f"{WEB}/posts/{doxx.pk}/restore/", {"reason": "Let them see it."}
    )
    assert refused.status_code == 400 and ADDRESS not in text_of(refused)
    doxx.refresh_from_db()
    assert doxx.withheld


def test_an_htmx_reply_brings_back_the_posts_without_the_text(world, doxx, thread):
    response = web(world, "ben").post(
        f"{WEB}/{thread.pk}/reply/", {"text": "Who wrote that?"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert ADDRESS not in text_of(response) and PLACEHOLDER in text_of(response)


def test_the_appeals_page_shows_the_text_to_the_appeal_body_only(world, doxx):
    services.appeal_moderation(world.ana, doxx.moderation.get(), "It is a public office.")
    for short in MAY_NOT:
        page = text_of(web(world, short).get(f"{WEB}/appeals/"))
        assert ADDRESS not in page and PLACEHOLDER in page, short
        assert REASON in page and "It is a public office." in page
    for short in MAY_READ:
        assert SECRET in text_of(web(world, short).get(f"{WEB}/appeals/")), short


def test_search_and_notifications_pages_never_show_the_text(world, doxx):
    for short in MAY_NOT + MAY_READ:
        client = web(world, short)
        assert ADDRESS not in text_of(client.get(f"{WEB}/search/?q=orchard+row")), short
        assert ADDRESS not in text_of(client.get(f"{WEB}/notifications/")), short
    # Ben follows the thread he opened: he was notified of the reply, and is told no more.
    notes = text_of(web(world, "ben").get(f"{WEB}/notifications/"))
    assert "Ana replied in" in notes


# --- the API -------------------------------------------------------------------------------


def test_the_api_thread_gives_a_placeholder_to_all_but_author_and_appeal_body(world, doxx, thread):
    for short in MAY_NOT:
        response = api_get(world, short, f"/threads/{thread.pk}")
        assert response.status_code == 200 and ADDRESS not in response.content.decode()
        [post] = [p for p in response.json()["posts"] if p["id"] == doxx.pk]
        assert post["text"] == PLACEHOLDER and post["hidden"] and post["withheld"]
        assert post["notice"] == f"Hidden by Cam under rule 2: {REASON}"
        assert post["moderation"][0]["rule"] == 2 and post["moderation"][0]["reason"] == REASON
    for short in MAY_READ:
        [post] = [
            p
            for p in api_get(world, short, f"/threads/{thread.pk}").json()["posts"]
            if p["id"] == doxx.pk
        ]
        assert post["text"] == SECRET and post["withheld"], short
    assert api_get(world, None, f"/threads/{thread.pk}").status_code == 401


def test_api_replies_search_notifications_and_appeals_never_carry_the_text(world, doxx, thread):
    services.appeal_moderation(world.ana, doxx.moderation.get(), "It is a public office.")
    reply = Client().post(
        f"{API}/threads/{thread.pk}/posts",
        {"text": "Who wrote that?"},
        content_type="application/json",
        **api(world, "ben"),
    )
    assert reply.status_code == 201 and ADDRESS not in reply.content.decode()
    for short in MAY_NOT + MAY_READ:
        for path in ("/search?q=orchard", "/notifications", "/appeals", "/threads"):
            response = api_get(world, short, path)
            assert response.status_code == 200, (short, path)
            assert ADDRESS not in response.content.decode(), (short, path)
    assert [n["post_id"] for n in api_get(world, "ben", "/notifications").json()] == [doxx.pk]


def test_the_search_index_holds_no_hidden_text(world, doxx):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM debate_post_fts WHERE debate_post_fts MATCH %s",
                ['"orchard"'],
            )
            assert cursor.fetchone()[0] == 0
        else:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'debate_post_search'")
            assert cursor.fetchone()[0].endswith("WHERE (NOT hidden)")
    services.appeal_moderation(world.ana, doxx.moderation.get(), "It is a public office.")
    appeal = ModerationAppeal.objects.get()
    services.decide_moderation_appeal(world.eli, appeal, upheld=True, reason="It is.")
    assert [p.pk for p in services.search(world.ben, world.org, "orchard")] == [doxx.pk]

"""The debate pages: who reads and posts, visible moderation and appeal, sanitised Markdown."""

import html

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tribune.debate import services
from tribune.debate.models import ModerationAppeal, Notification, Post, Thread
from tribune.factions import services as factions
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office

ORG = "/o/test-union"


@pytest.fixture
def moderator(world):
    """Cam holds a steward's office with the power to moderate debate."""
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
    return services.open_thread(
        world.ben, world.org, title="Against the rent freeze compromise", text="Too weak."
    )


def page(response) -> str:
    return html.unescape(response.content.decode())


def test_members_see_the_index_and_anonymous_visitors_are_sent_to_log_in(world, as_, thread):
    response = as_("ana").get(f"{ORG}/debate/")
    assert response.status_code == 200
    assert "Against the rent freeze compromise" in page(response)
    assert 'href="/o/test-union/debate/"' in page(as_("ana").get(f"{ORG}/"))  # nav link
    assert as_().get(f"{ORG}/debate/").status_code == 302


def test_the_index_filters_by_branch(world, as_, thread):
    services.open_thread(world.ana, world.org, title="North strategy", text="x", branch=world.north)
    response = as_("ana").get(f"{ORG}/debate/?branch=north")
    text = page(response)
    assert "North strategy" in text and "rent freeze" not in text
    html = response.content.decode()
    select = html[
        html.index('id="branch-filter"') : html.index("</select>", html.index('id="branch-filter"'))
    ]
    assert '<option value="north" selected>' in select  # the filter says what it shows
    assert select.count(" selected>") == 1


def test_a_member_opens_a_thread_linked_to_a_branch_and_subject(world, as_):
    response = as_("ben").post(
        f"{ORG}/debate/new/",
        {
            "title": "Rent strike now",
            "text": "We are *ready*.",
            "branch": world.millbrook.pk,
            "subject": "Motion 4",
        },
    )
    thread = Thread.objects.get(title="Rent strike now")
    assert response.status_code == 302 and response["Location"] == thread.get_absolute_url()
    assert thread.branch == world.millbrook and thread.subject == "Motion 4"
    text = page(as_("ben").get(response["Location"]))
    assert "<em>ready</em>" in text and "Motion 4" in text
    assert "/o/test-union/debate/rules/" in text  # the rules are linked from every thread


def test_opening_a_thread_without_a_title_is_refused_on_the_form(world, as_):
    response = as_("ben").post(f"{ORG}/debate/new/", {"title": " ", "text": "Body"})
    assert response.status_code == 400
    assert not Thread.objects.filter(author=world.ben).exists()


def test_reply_posts_and_notifies_followers_and_shows_the_count_in_the_nav(world, as_, thread):
    response = as_("ana").post(
        f"{ORG}/debate/{thread.pk}/reply/", {"text": "It is all we can win."}
    )
    post = Post.objects.get(text="It is all we can win.")
    assert response.status_code == 302 and response["Location"].endswith(f"#post-{post.pk}")
    assert Notification.objects.filter(member=world.ben, post=post).exists()
    ben = as_("ben")
    assert (
        '<span class="badge" id="unread-count">1</span>'
        in ben.get(f"{ORG}/debate/").content.decode()
    )
    notes = page(ben.get(f"{ORG}/debate/notifications/"))
    assert "Ana replied in" in notes and f"#post-{post.pk}" in notes
    assert ben.post(f"{ORG}/debate/notifications/").status_code == 302
    assert not services.unread_notifications(world.ben).exists()


def test_an_empty_reply_is_refused_with_the_reason(world, as_, thread):
    response = as_("ana").post(f"{ORG}/debate/{thread.pk}/reply/", {"text": "   "})
    assert response.status_code == 400
    assert thread.posts.count() == 1


def test_htmx_reply_returns_the_posts_without_a_reload(world, as_, thread):
    client = as_("ana")
    response = client.post(
        f"{ORG}/debate/{thread.pk}/reply/", {"text": "Via *htmx*."}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="thread-body"' in text and "<em>htmx</em>" in text and "<html" not in text
    refused = client.post(f"{ORG}/debate/{thread.pk}/reply/", {"text": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200 and 'class="error"' in refused.content.decode()


def test_non_members_and_lapsed_members_are_refused(world, as_, thread):
    outsider = get_user_model().objects.create_user(username="out", password="x")
    client = Client()
    client.force_login(outsider)
    response = client.get(f"{ORG}/debate/{thread.pk}/")
    assert response.status_code == 403 and "good standing" in page(response)
    world.cam.standing = "lapsed"
    world.cam.save()
    for path in (f"{ORG}/debate/", f"{ORG}/debate/{thread.pk}/"):
        response = as_("cam").get(path)
        assert response.status_code == 403
        assert "good standing" in page(response)
    response = as_("cam").post(f"{ORG}/debate/{thread.pk}/reply/", {"text": "Hello"})
    assert response.status_code == 403 and thread.posts.count() == 1


def test_follow_and_unfollow(world, as_, thread):
    client = as_("ana")
    client.post(f"{ORG}/debate/{thread.pk}/follow/", {"follow": "1"})
    assert thread.follows.filter(member=world.ana).exists()
    assert "Unfollow" in page(client.get(f"{ORG}/debate/{thread.pk}/"))
    client.post(f"{ORG}/debate/{thread.pk}/follow/", {"follow": "0"})
    assert not thread.follows.filter(member=world.ana).exists()


def test_faction_threads_are_for_the_factions_members_only(world, as_):
    faction = factions.propose_faction(world.ben, world.org, name="Left", platform="Left.")
    for m in (world.eli, world.dana):
        factions.sign_founding(m, faction)
    internal = services.open_thread(
        world.ben, world.org, title="Our secret slate", text="Who?", faction=faction
    )
    assert "Our secret slate" in page(as_("eli").get(f"{ORG}/debate/"))
    assert "Our secret slate" not in page(as_("ana").get(f"{ORG}/debate/"))
    response = as_("ana").get(f"{ORG}/debate/{internal.pk}/")
    assert response.status_code == 403 and "faction's members" in page(response)
    response = as_("ana").post(f"{ORG}/debate/{internal.pk}/reply/", {"text": "Let me in"})
    assert response.status_code == 403 and internal.posts.count() == 1
    # The faction is offered only to its members when opening a thread.
    assert "Faction-internal discussion" in page(as_("ben").get(f"{ORG}/debate/new/"))
    assert "Faction-internal discussion" not in page(as_("ana").get(f"{ORG}/debate/new/"))


def test_moderation_needs_the_power_and_a_reason_and_leaves_a_visible_trace(
    world, as_, thread, moderator
):
    post = services.reply(world.ana, thread, "Ben is an **idiot**.")
    rule = world.org.debate_rules.get(number=1)
    assert "Hide this post" not in page(as_("ben").get(f"{ORG}/debate/{thread.pk}/"))
    refused = as_("ben").post(
        f"{ORG}/debate/posts/{post.pk}/hide/", {"rule": rule.pk, "reason": "I disagree."}
    )
    assert refused.status_code == 403 and "No current mandate" in page(refused)
    steward = as_("cam")
    assert "Hide this post" in page(steward.get(f"{ORG}/debate/{thread.pk}/"))
    no_reason = steward.post(f"{ORG}/debate/posts/{post.pk}/hide/", {"rule": rule.pk, "reason": ""})
    assert no_reason.status_code == 400
    post.refresh_from_db()
    assert not post.hidden
    done = steward.post(
        f"{ORG}/debate/posts/{post.pk}/hide/", {"rule": rule.pk, "reason": "Personal abuse."}
    )
    assert done.status_code == 302
    text = page(as_("eli").get(f"{ORG}/debate/{thread.pk}/"))
    assert "Hidden by Cam under rule 1: Personal abuse." in text
    assert "<details><summary>Show the hidden text" in text
    assert "Ben is an <strong>idiot</strong>." in text  # kept behind <details>, not deleted
    assert "Moderation record" in text
    restored = steward.post(f"{ORG}/debate/posts/{post.pk}/restore/", {"reason": "On reflection."})
    assert restored.status_code == 302
    text = page(as_("eli").get(f"{ORG}/debate/{thread.pk}/"))
    assert "Restored by Cam" in text and "On reflection." in text
    assert "Hidden by Cam under rule 1" in text  # the whole trail stays


def test_faction_threads_offer_no_moderation_controls(world, as_, moderator):
    faction = factions.propose_faction(world.cam, world.org, name="Left", platform="Left.")
    for m in (world.eli, world.dana):
        factions.sign_founding(m, faction)
    internal = services.open_thread(world.cam, world.org, title="Ours", text="x", faction=faction)
    assert "Hide this post" not in page(as_("cam").get(f"{ORG}/debate/{internal.pk}/"))


def test_the_author_appeals_and_the_appeal_body_decides(world, as_, thread, moderator):
    post = services.reply(world.ana, thread, "Heated but fair.")
    action = services.hide_post(
        moderator, post, rule=world.org.debate_rules.get(number=1), reason="Too heated."
    )
    assert "Appeal this decision" not in page(as_("ben").get(f"{ORG}/debate/{thread.pk}/"))
    ana = as_("ana")
    assert "Appeal this decision" in page(ana.get(f"{ORG}/debate/{thread.pk}/"))
    response = ana.post(f"{ORG}/debate/moderation/{action.pk}/appeal/", {"statement": ""})
    assert response.status_code == 302 and not ModerationAppeal.objects.exists()
    ana.post(f"{ORG}/debate/moderation/{action.pk}/appeal/", {"statement": "It was fair."})
    appeal = ModerationAppeal.objects.get()
    listing = page(as_("ben").get(f"{ORG}/debate/appeals/"))
    assert "It was fair." in listing and "Record the decision" not in listing
    eli = as_("eli")
    assert "Record the decision" in page(eli.get(f"{ORG}/debate/appeals/"))
    refused = as_("ben").post(
        f"{ORG}/debate/appeals/", {"appeal": appeal.pk, "upheld": "1", "reason": "Agree."}
    )
    assert refused.status_code == 403
    missing = eli.post(f"{ORG}/debate/appeals/", {"appeal": appeal.pk, "upheld": "1"})
    assert missing.status_code == 400
    eli.post(f"{ORG}/debate/appeals/", {"appeal": appeal.pk, "upheld": "1", "reason": "Fair."})
    post.refresh_from_db()
    assert not post.hidden
    text = page(as_("ben").get(f"{ORG}/debate/{thread.pk}/"))
    assert "Upheld: the post is restored" in text and "Decided by Eli: “Fair.”" in text


def test_markdown_in_posts_is_sanitised(world, as_, thread):
    services.reply(
        world.ana, thread, "<script>alert(1)</script>\n\n[click](javascript:alert(2)) <b>x</b>"
    )
    raw = as_("ben").get(f"{ORG}/debate/{thread.pk}/").content.decode()
    assert "<script>alert(1)" not in raw
    assert 'href="javascript:' not in raw.lower()
    assert "<b>x</b>" not in raw


def test_search_links_to_the_thread(world, as_, thread):
    services.reply(world.ana, thread, "The landlords' association is weakest on heating.")
    text = page(as_("eli").get(f"{ORG}/debate/search/?q=landlords"))
    assert "1 result" in text and thread.get_absolute_url() in text
    assert "Against the rent freeze compromise" in text
    assert "0 results" in page(as_("eli").get(f"{ORG}/debate/search/?q=nothingmatches"))


def test_the_rules_page_is_public(world):
    text = page(Client().get(f"{ORG}/debate/rules/"))
    assert "Argue with positions, not persons" in text

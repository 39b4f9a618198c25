"""Continuous debate: open to members, moderated only visibly, searchable on both engines."""

import pytest

from tribune.debate import services
from tribune.debate.models import ModerationAppeal, Notification
from tribune.factions import services as factions
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office


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


def _thread(world, title="Against the rent freeze compromise", text="The deal is too weak."):
    return services.open_thread(world.ben, world.org, title=title, text=text)


def test_members_open_threads_and_reply_and_followers_are_notified(world):
    thread = _thread(world)
    services.reply(world.ana, thread, "It is the most we can win this year.")
    services.reply(world.ben, thread, "Then we should say so openly.")
    assert thread.posts.count() == 3
    assert Notification.objects.filter(member=world.ben).count() == 1  # ana's reply
    assert Notification.objects.filter(member=world.ana).count() == 1  # ben's second post
    with pytest.raises(RuleViolation, match="Write something"):
        services.reply(world.ana, thread, "  ")


def test_non_members_and_lapsed_members_cannot_read_or_post(world):
    thread = _thread(world)
    world.cam.standing = "lapsed"
    world.cam.save()
    with pytest.raises(NotPermitted, match="good standing"):
        services.reply(world.cam, thread, "Hello")
    assert not services.can_read(world.cam, thread)


def test_moderation_is_visible_cites_a_rule_and_never_deletes(world, moderator):
    thread = _thread(world)
    post = services.reply(world.ana, thread, "Ben is an idiot.")
    rule = world.org.debate_rules.get(number=1)
    with pytest.raises(NotPermitted):
        services.hide_post(world.ben, post, rule=rule, reason="I disagree.")
    with pytest.raises(RuleViolation, match="written reason"):
        services.hide_post(moderator, post, rule=rule, reason="")
    action = services.hide_post(moderator, post, rule=rule, reason="Personal abuse.")
    post.refresh_from_db()
    assert post.hidden and post.text == "Ben is an idiot."  # kept, not deleted
    assert thread.posts.count() == 2
    assert action.rule.number == 1 and action.term is not None
    assert world.org.audit_entries.filter(action="debate.hidden").exists()


def test_the_author_appeals_and_the_appeal_body_restores(world, moderator):
    thread = _thread(world)
    post = services.reply(world.ana, thread, "Heated but fair.")
    action = services.hide_post(
        moderator, post, rule=world.org.debate_rules.get(number=1), reason="Too heated."
    )
    with pytest.raises(NotPermitted):
        services.appeal_moderation(world.ben, action, "On Ana's behalf.")
    appeal = services.appeal_moderation(world.ana, action, "It criticised a position.")
    with pytest.raises(NotPermitted):
        services.decide_moderation_appeal(world.ben, appeal, upheld=True, reason="Agree.")
    services.decide_moderation_appeal(world.eli, appeal, upheld=True, reason="It was fair.")
    post.refresh_from_db()
    appeal.refresh_from_db()
    assert not post.hidden and appeal.status == ModerationAppeal.Status.UPHELD
    assert [a.action for a in post.moderation.all()] == ["hide", "restore"]


def test_faction_discussions_are_for_members_only_and_unmoderated_by_officers(world, moderator):
    faction = factions.propose_faction(world.ben, world.org, name="Left", platform="Left.")
    for m in (world.eli, world.dana):
        factions.sign_founding(m, faction)
    thread = services.open_thread(
        world.ben, world.org, title="Our slate", text="Who stands?", faction=faction
    )
    assert not services.can_read(world.ana, thread)
    with pytest.raises(NotPermitted):
        services.reply(world.ana, thread, "Let me in.")
    services.reply(world.eli, thread, "I will.")
    rule = world.org.debate_rules.get(number=1)
    with pytest.raises(NotPermitted, match="not moderated"):
        services.hide_post(moderator, thread.posts.first(), rule=rule, reason="Factionalism.")
    with pytest.raises(NotPermitted, match="faction's members"):
        services.open_thread(world.ana, world.org, title="x", text="y", faction=faction)


def test_search_finds_threads_and_posts_and_respects_visibility(world, moderator):
    thread = _thread(world, title="Tenant organising in Millbrook", text="Start with repairs.")
    services.reply(world.ana, thread, "The landlords' association is weakest on heating.")
    hidden = services.reply(world.cam, thread, "Heating boycott now!")
    services.hide_post(
        moderator, hidden, rule=world.org.debate_rules.get(number=3), reason="Off topic."
    )
    assert [p.text for p in services.search(world.eli, world.org, "landlords heating")] == [
        "The landlords' association is weakest on heating."
    ]
    found = services.search(world.eli, world.org, "millbrook")
    assert {p.thread for p in found} == {thread}  # matched by the thread's title
    assert list(services.search(world.eli, world.org, "heat")) != []  # word prefixes match
    assert list(services.search(world.eli, world.org, 'x" OR "')) == []  # no query syntax
    faction = factions.propose_faction(world.ben, world.org, name="Left", platform="Left.")
    for m in (world.eli, world.dana):
        factions.sign_founding(m, faction)
    services.open_thread(
        world.ben, world.org, title="Secret slate", text="Heating plan", faction=faction
    )
    assert len(services.search(world.eli, world.org, "heating")) == 2
    assert len(services.search(world.ana, world.org, "heating")) == 1


def test_leaving_a_faction_hides_notifications_from_its_internal_threads(world):
    faction = factions.propose_faction(world.ben, world.org, name="Left", platform="Left.")
    for m in (world.eli, world.dana):
        factions.sign_founding(m, faction)
    thread = services.open_thread(
        world.eli, world.org, title="Internal plan", text="Draft.", faction=faction
    )
    services.follow(world.dana, thread)
    services.reply(world.eli, thread, "Revised.")
    assert services.unread_notifications(world.dana).count() == 1
    factions.leave_faction(world.dana, faction)
    assert services.unread_notifications(world.dana).count() == 0


def test_a_lapsed_member_has_no_notifications_and_pages_still_render(world, client):
    thread = _thread(world)
    services.reply(world.ana, thread, "Reply.")
    world.ben.standing = "lapsed"
    world.ben.save()
    assert services.unread_notifications(world.ben).count() == 0
    client.force_login(world.users["ben"])
    assert client.get(f"/o/{world.org.slug}/").status_code == 200

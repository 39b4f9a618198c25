"""API: the debate space — threads, replies, follows, moderation, appeals, search, notifications.

Hidden posts are returned *with* their text, ``hidden: true`` and the notice
naming the moderator, the rule and the reason — exactly what the thread page
shows behind its ``<details>`` element. Nothing is silently deleted, so the API
hides nothing the page shows. The one exception is the page's too: a post
hidden under a rule that removes personal data is ``withheld: true``, and its
``text`` is a placeholder for everyone but its author and the appeal body
(``services.screen_posts``). Search, like the page, never returns hidden posts.
"""

from datetime import datetime

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _t
from ninja import Router, Schema, Status

from tribune.api.common import organisation_and_member, require_good_standing, require_login
from tribune.api.schemas import ReasonIn, TextIn
from tribune.api.types import Count, Id, Offset, PathText
from tribune.debate import services
from tribune.debate.models import ModerationAction, ModerationAppeal, Post, Thread
from tribune.lib.errors import RuleViolation

router = Router(tags=["debate"])


class RuleOut(Schema):
    number: int
    text: str
    removes_personal_data: bool


class AppealOut(Schema):
    id: int
    action_id: int
    status: str
    statement: str
    decision_reason: str
    decided_by: str | None


class ActionOut(Schema):
    id: int
    post_id: int
    action: str
    rule: int | None
    reason: str
    moderator: str
    at: datetime
    appeal: AppealOut | None


class PostOut(Schema):
    id: int
    thread_id: int
    author: str
    text: str  # a placeholder while withheld, unless the caller is its author or on the appeal body
    hidden: bool
    withheld: bool  # hidden under a rule that removes personal data
    notice: str | None  # "Hidden by … under rule N: reason" while hidden
    created_at: datetime
    moderation: list[ActionOut]


class ThreadOut(Schema):
    id: int
    title: str
    author: str
    branch: str | None
    faction: str | None
    election_id: int | None
    subject: str
    created_at: datetime
    last_post_at: datetime


class ThreadDetailOut(ThreadOut):
    following: bool
    post_count: int  # every post of the thread; ``posts`` holds ``limit`` from ``offset``
    posts: list[PostOut]


class ThreadIn(Schema):
    title: str
    text: str
    branch: str | None = None
    faction: str | None = None
    election_id: int | None = None
    subject: str = ""


class HideIn(Schema):
    rule: int
    reason: str


class AppealIn(Schema):
    statement: str


class DecisionIn(Schema):
    upheld: bool
    reason: str


class FollowOut(Schema):
    following: bool


class SearchHitOut(Schema):
    post_id: int
    thread_id: int
    thread_title: str
    author: str
    text: str
    created_at: datetime


class NotificationOut(Schema):
    id: int
    post_id: int
    thread_id: int
    thread_title: str
    author: str
    created_at: datetime


class MarkedOut(Schema):
    marked: int


def _appeal_out(appeal: ModerationAppeal) -> dict:
    return {
        "id": appeal.id,
        "action_id": appeal.action_id,
        "status": appeal.status,
        "statement": appeal.statement,
        "decision_reason": appeal.decision_reason,
        "decided_by": appeal.decided_by.name if appeal.decided_by else None,
    }


def _action_out(action: ModerationAction) -> dict:
    appeal = getattr(action, "appeal", None)  # the reverse one-to-one raises AttributeError
    return {
        "id": action.id,
        "post_id": action.post_id,
        "action": action.action,
        "rule": action.rule.number if action.rule else None,
        "reason": action.reason,
        "moderator": action.actor.name,
        "at": action.at,
        "appeal": _appeal_out(appeal) if appeal else None,
    }


def _post_out(post: Post, viewer) -> dict:
    """``post`` as ``viewer`` may see it (its text screened by ``services.screen_posts``)."""
    if not hasattr(post, "shown_text"):
        services.screen_posts(viewer, post.thread.organisation, [post])
    actions = list(post.moderation.all())  # prefetched for a page of posts (MODERATION)
    notice = None
    hides = [a for a in actions if a.action == ModerationAction.Action.HIDE]
    if post.hidden and hides:
        notice = _t("Hidden by %(moderator)s under rule %(number)s: %(reason)s") % {
            "moderator": hides[-1].actor.name,
            "number": hides[-1].rule.number,
            "reason": hides[-1].reason,
        }
    return {
        "id": post.id,
        "thread_id": post.thread_id,
        "author": post.author.name,
        "text": post.shown_text,
        "hidden": post.hidden,
        "withheld": post.withheld,
        "notice": notice,
        "created_at": post.created_at,
        "moderation": [_action_out(a) for a in actions],
    }


def _thread_out(thread: Thread) -> dict:
    return {
        "id": thread.id,
        "title": thread.title,
        "author": thread.author.name,
        "branch": thread.branch.slug if thread.branch else None,
        "faction": thread.faction.slug if thread.faction else None,
        "election_id": thread.election_id,
        "subject": thread.subject,
        "created_at": thread.created_at,
        "last_post_at": thread.last_post_at,
    }


MODERATION = Prefetch(
    "moderation",
    queryset=ModerationAction.objects.select_related("actor", "rule", "appeal__decided_by"),
)


def _detail_out(thread: Thread, viewer, limit: int = 200, offset: int = 0) -> dict:
    posts = services.posts_of(thread, offset, limit).prefetch_related(MODERATION)
    return {
        **_thread_out(thread),
        "following": thread.follows.filter(member=viewer).exists(),
        "post_count": thread.posts.count(),
        "posts": [
            _post_out(p, viewer) for p in services.screen_posts(viewer, thread.organisation, posts)
        ],
    }


def _reader(request, slug: str):
    organisation, viewer = organisation_and_member(request, slug)
    require_good_standing(request, viewer)
    return organisation, viewer


def _thread(request, slug: str, thread_id: int):
    organisation, viewer = _reader(request, slug)
    return services.readable_thread(viewer, organisation, thread_id), viewer


def _post(request, slug: str, post_id: int):
    organisation, viewer = _reader(request, slug)
    post = get_object_or_404(Post, thread__organisation=organisation, pk=post_id)
    post.thread = services.readable_thread(viewer, organisation, post.thread_id)
    return post, viewer


@router.get("/{slug}/debate/rules", response=list[RuleOut], auth=None)
def rules(request, slug: PathText):
    """The published rules of debate: public, as every moderation action cites one."""
    organisation, _viewer = organisation_and_member(request, slug)
    return list(organisation.debate_rules.all())


@router.get("/{slug}/debate/threads", response=list[ThreadOut])
def list_threads(
    request,
    slug: PathText,
    branch: str | None = None,
    limit: Count = 100,
    offset: Offset = 0,
):
    organisation, viewer = _reader(request, slug)
    threads = services.visible_threads(viewer, organisation).select_related(
        "author", "branch", "faction"
    )
    if branch:
        threads = threads.filter(branch__slug=branch)
    limit = max(1, min(limit, 500))
    return [_thread_out(t) for t in threads[offset : offset + limit]]


@router.post("/{slug}/debate/threads", response={201: ThreadDetailOut})
def open_thread(request, slug: PathText, payload: ThreadIn):
    organisation, viewer = _reader(request, slug)
    branch = faction = election = None
    if payload.branch:
        branch = organisation.branches.filter(slug=payload.branch).first()
        if branch is None:
            raise RuleViolation(_t("Unknown branch."), "branch")
    if payload.faction:
        faction = organisation.factions.filter(slug=payload.faction).first()
        if faction is None:
            raise RuleViolation(_t("Unknown faction."), "faction")
    if payload.election_id is not None:
        election = organisation.elections.filter(pk=payload.election_id).first()
        if election is None:
            raise RuleViolation(_t("Unknown election."), "election_id")
    thread = services.open_thread(
        viewer,
        organisation,
        title=payload.title,
        text=payload.text,
        branch=branch,
        faction=faction,
        election=election,
        subject=payload.subject,
    )
    return Status(201, _detail_out(thread, viewer))


@router.get("/{slug}/debate/threads/{thread_id}", response=ThreadDetailOut)
def get_thread(request, slug: PathText, thread_id: Id, limit: Count = 200, offset: Offset = 0):
    """The thread and its posts (``limit``, at most 500, from ``offset``, oldest first),
    hidden ones with their notice and text (see module doc)."""
    thread, viewer = _thread(request, slug, thread_id)
    return _detail_out(thread, viewer, max(1, min(limit, 500)), offset)


@router.post("/{slug}/debate/threads/{thread_id}/posts", response={201: PostOut})
def reply(request, slug: PathText, thread_id: Id, payload: TextIn):
    thread, viewer = _thread(request, slug, thread_id)
    return Status(201, _post_out(services.reply(viewer, thread, payload.text), viewer))


@router.post("/{slug}/debate/threads/{thread_id}/follow", response=FollowOut)
def follow(request, slug: PathText, thread_id: Id):
    thread, viewer = _thread(request, slug, thread_id)
    services.follow(viewer, thread)
    return {"following": True}


@router.delete("/{slug}/debate/threads/{thread_id}/follow", response=FollowOut)
def unfollow(request, slug: PathText, thread_id: Id):
    thread, viewer = _thread(request, slug, thread_id)
    services.unfollow(viewer, thread)
    return {"following": False}


@router.post("/{slug}/debate/posts/{post_id}/hide", response=ActionOut)
def hide(request, slug: PathText, post_id: Id, payload: HideIn):
    post, viewer = _post(request, slug, post_id)
    # An unknown number is refused by the service, after it has asked who is hiding.
    rule = post.thread.organisation.debate_rules.filter(number=payload.rule).first()
    return _action_out(services.hide_post(viewer, post, rule=rule, reason=payload.reason))


@router.post("/{slug}/debate/posts/{post_id}/restore", response=ActionOut)
def restore(request, slug: PathText, post_id: Id, payload: ReasonIn):
    post, viewer = _post(request, slug, post_id)
    return _action_out(services.restore_post(viewer, post, payload.reason))


@router.post("/{slug}/debate/moderation/{action_id}/appeal", response={201: AppealOut})
def appeal(request, slug: PathText, action_id: Id, payload: AppealIn):
    """The post's author appeals a moderation decision to the appeal body."""
    organisation, viewer = organisation_and_member(request, slug)
    require_login(request)
    action = get_object_or_404(
        ModerationAction, post__thread__organisation=organisation, pk=action_id
    )
    return Status(201, _appeal_out(services.appeal_moderation(viewer, action, payload.statement)))


@router.get("/{slug}/debate/appeals", response=list[AppealOut])
def list_appeals(request, slug: PathText, status: str | None = None):
    organisation, _viewer = _reader(request, slug)
    appeals = ModerationAppeal.objects.filter(
        action__post__thread__organisation=organisation
    ).select_related("decided_by")
    if status:
        appeals = appeals.filter(status=status)
    return [_appeal_out(a) for a in appeals.order_by("-created_at")[:200]]


@router.post("/{slug}/debate/appeals/{appeal_id}/decide", response=AppealOut)
def decide_appeal(request, slug: PathText, appeal_id: Id, payload: DecisionIn):
    organisation, viewer = _reader(request, slug)
    appeal = get_object_or_404(
        ModerationAppeal, action__post__thread__organisation=organisation, pk=appeal_id
    )
    appeal = services.decide_moderation_appeal(
        viewer, appeal, upheld=payload.upheld, reason=payload.reason
    )
    return _appeal_out(appeal)


@router.get("/{slug}/debate/search", response=list[SearchHitOut])
def search(request, slug: PathText, q: str):
    """Posts matching every word of ``q`` (word prefixes; titles too), newest first."""
    organisation, viewer = _reader(request, slug)
    return [
        {
            "post_id": p.id,
            "thread_id": p.thread_id,
            "thread_title": p.thread.title,
            "author": p.author.name,
            "text": p.shown_text,
            "created_at": p.created_at,
        }
        for p in services.screen_posts(
            viewer, organisation, services.search(viewer, organisation, q)
        )
    ]


@router.get("/{slug}/debate/notifications", response=list[NotificationOut])
def notifications(request, slug: PathText, limit: Count = 100, offset: Offset = 0):
    """Unread replies in the threads the caller follows, newest first (``limit`` ≤ 500)."""
    _organisation, viewer = _reader(request, slug)
    limit = max(1, min(limit, 500))
    return [
        {
            "id": n.id,
            "post_id": n.post_id,
            "thread_id": n.post.thread_id,
            "thread_title": n.post.thread.title,
            "author": n.post.author.name,
            "created_at": n.created_at,
        }
        for n in services.unread_notifications(viewer).select_related("post__author")[
            offset : offset + limit
        ]
    ]


@router.post("/{slug}/debate/notifications/read", response=MarkedOut)
def mark_read(request, slug: PathText):
    _organisation, viewer = _reader(request, slug)
    return {"marked": services.mark_read(viewer)}

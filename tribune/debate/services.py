"""Debate actions: open a thread, reply, follow, moderate (visibly), appeal, search.

Who may read: members in good standing; a faction's internal threads only its
members. Moderation needs a mandate with ``moderate_debate`` that reaches the
thread's branch, must cite a published rule and give a reason, never deletes,
and never touches a faction's internal discussion.

Personal data: a rule may *remove personal data* (the default rule 2). A post
hidden under it is withheld: its text reaches only its author (whose words
they are, and who may appeal) and the sitting members of the constitution's
appeal body (who decide that appeal). Everyone else, the moderator who hid it
included, sees a placeholder, while the moderation record stays public. The
moderator loses sight of it on purpose: they have done their part, the fewer
people hold someone's address the better, and the body that reviews the
decision is the one that needs the text. For the same reason a withheld post
is restored only by the appeal body upholding an appeal, never by a
moderator who cannot see what they would republish. ``screen_posts`` is the
one place that decides which text a viewer is shown; every page and endpoint
that shows post text goes through it.

Limits: a post, a title and a moderation text have a maximum length, and a
member may post only so often (``POSTING_LIMITS``); both are checked here, so
the pages and the API refuse the same things with the same words.
"""

import math
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tribune.audit.log import record
from tribune.debate.models import (
    DebateRule,
    Follow,
    ModerationAction,
    ModerationAppeal,
    Notification,
    Post,
    Thread,
)
from tribune.lib.errors import NotFound, NotPermitted, RuleViolation, TooManyAttempts
from tribune.lib.inputs import clean_text
from tribune.lib.search import SearchIndex, any_language
from tribune.lib.search import words as search_words
from tribune.members.models import Member
from tribune.offices.rules import mandate_for, seat_in

# A polemic may be long (30,000 characters is some 5,000 words, a pamphlet),
# but not a denial of service: a 2,000,000-character reply was once accepted.
POST_MAX_CHARS = 30_000
TITLE_MAX_CHARS = Thread._meta.get_field("title").max_length
SUBJECT_MAX_CHARS = Thread._meta.get_field("subject").max_length
# A moderator's reason, an appeal's grounds, a decision's reasons.
STATEMENT_MAX_CHARS = 5_000
# (window, most posts in it) per member; threads count, as they open with a post.
# Enough for a heated exchange, too few for a flood. ``DEBATE_POSTING_LIMITS``
# in the settings replaces them (pairs of seconds and counts).
POSTING_LIMITS = ((timedelta(minutes=1), 5), (timedelta(hours=1), 40))


class PostingTooFast(TooManyAttempts):
    """A member has posted as often as the limits allow; ``retry_after`` says for how long."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, retry_after, "text")


# (text, removes personal data)
DEFAULT_RULES = [
    (_("Argue with positions, not persons: no personal abuse or harassment."), False),
    (_("No threats, and no publication of anyone's personal data."), True),
    (_("No spam or commercial advertising."), False),
]

WITHHELD_TEXT = _(
    "This post is withheld: it was hidden under a rule that protects personal data. "
    "Only its author and the appeal body can read it."
)


def publish_default_rules(organisation) -> None:
    for number, (text, personal) in enumerate(DEFAULT_RULES, start=1):
        DebateRule.objects.get_or_create(
            organisation=organisation,
            number=number,
            defaults={"text": str(text), "removes_personal_data": personal},
        )


def _reader(member, organisation) -> None:
    if member is None or member.organisation_id != organisation.pk or not member.in_good_standing:
        raise NotPermitted(_t("The debate space is open to members in good standing."))


def visible_threads(member, organisation):
    """Threads ``member`` may read."""
    _reader(member, organisation)
    return Thread.objects.filter(organisation=organisation).filter(
        Q(faction__isnull=True) | Q(faction__memberships__member=member)
    )


def can_read(member, thread: Thread) -> bool:
    try:
        return visible_threads(member, thread.organisation).filter(pk=thread.pk).exists()
    except NotPermitted:
        return False


def _require_read(member, thread: Thread) -> None:
    _reader(member, thread.organisation)
    if not can_read(member, thread):
        raise NotPermitted(_t("This discussion is open only to the faction's members."))


def readable_thread(member, organisation, pk: int) -> Thread:
    """Thread ``pk`` for a page or endpoint, refused with the reason if ``member`` may not read."""
    thread = Thread.objects.filter(organisation=organisation, pk=pk).first()
    if thread is None:
        raise NotFound(_t("There is no such thread."))
    _require_read(member, thread)
    return thread


def _clean(text: str, field: str, message: str, max_chars: int = STATEMENT_MAX_CHARS) -> str:
    """``text`` stripped; refused when empty (``message``) or longer than ``max_chars``."""
    text = (text or "").strip()
    if not text:
        raise RuleViolation(message, field)
    return _within(text, field, max_chars)


def _within(text: str, field: str, max_chars: int) -> str:
    """``text``, refused with both lengths when over ``max_chars`` (the writer can cut it),
    or holding what no text may (``tribune.lib.inputs``: one validation for every door)."""
    return clean_text(text, field=field, max_length=max_chars)


def posting_limits() -> list[tuple[timedelta, int]]:
    """The (window, most posts) pairs in force: the settings' if given, else ours."""
    configured = getattr(settings, "DEBATE_POSTING_LIMITS", None)
    if configured is None:
        return list(POSTING_LIMITS)
    return [(timedelta(seconds=seconds), count) for seconds, count in configured]


def _wait_words(seconds: int) -> str:
    """A duration as a person says it: seconds up to a minute and a half, then whole minutes."""
    if seconds < 90:
        return ngettext("%(n)s second", "%(n)s seconds", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}


def _check_pace(member) -> None:
    """Refuse a post beyond the posting limits, saying how long until the next one is allowed.

    The count is of the member's own posts, which already carry their author
    and time: no counter is kept beside them that could drift, be culled from
    a cache, or be raced (a cache's get-then-set ``incr`` lets parallel posts
    through). Parallel posts by one member take turns on their member row
    (PostgreSQL) or on SQLite's one writer (IMMEDIATE transactions), so the
    count each sees includes the one before. Call inside the posting transaction.
    """
    Member.objects.select_for_update().filter(pk=member.pk).values_list("pk").first()
    now = timezone.now()
    waits = []
    for window, most in posting_limits():
        recent = list(
            Post.objects.filter(author=member, created_at__gt=now - window)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[:most]
        )
        if len(recent) >= most:
            # Allowed again once the oldest of the last ``most`` posts leaves the window.
            waits.append((recent[-1] + window - now, window, most))
    if waits:
        wait, window, most = max(waits)
        seconds = max(1, math.ceil(wait.total_seconds()))
        raise PostingTooFast(
            _t(
                "You have posted %(most)s times within %(window)s, the most the debate "
                "allows; you can post again in %(wait)s."
            )
            % {
                "most": most,
                "window": _wait_words(int(window.total_seconds())),
                "wait": _wait_words(seconds),
            },
            seconds,
        )


@transaction.atomic
def open_thread(
    member,
    organisation,
    *,
    title: str,
    text: str,
    branch=None,
    faction=None,
    election=None,
    subject: str = "",
) -> Thread:
    """Anyone in good standing opens a polemic; a faction's members open internal ones."""
    _reader(member, organisation)
    title = _clean(title, "title", _t("Give the thread a title."), TITLE_MAX_CHARS)
    text = _clean(text, "text", _t("Write something."), POST_MAX_CHARS)
    subject = _within((subject or "").strip(), "subject", SUBJECT_MAX_CHARS)
    if branch is not None and branch.organisation_id != organisation.pk:
        raise RuleViolation(_t("Choose a branch of this organisation."), "branch")
    if faction is not None and not faction.memberships.filter(member=member).exists():
        raise NotPermitted(_t("Only the faction's members can open its internal discussions."))
    _check_pace(member)
    thread = Thread.objects.create(
        organisation=organisation,
        branch=branch,
        faction=faction,
        election=election,
        subject=subject,
        title=title,
        author=member,
    )
    Post.objects.create(thread=thread, author=member, text=text)
    Follow.objects.get_or_create(thread=thread, member=member)
    if faction is None:
        record(organisation, "debate.thread", actor=member, target=thread)
    return thread


@transaction.atomic
def reply(member, thread: Thread, text: str) -> Post:
    _require_read(member, thread)
    text = _clean(text, "text", _t("Write something."), POST_MAX_CHARS)
    _check_pace(member)
    post = Post.objects.create(thread=thread, author=member, text=text)
    Thread.objects.filter(pk=thread.pk).update(last_post_at=timezone.now())
    Follow.objects.get_or_create(thread=thread, member=member)
    followers = thread.follows.exclude(member=member).values_list("member_id", flat=True)
    Notification.objects.bulk_create([Notification(member_id=m, post=post) for m in followers])
    return post


def follow(member, thread: Thread) -> None:
    _require_read(member, thread)
    Follow.objects.get_or_create(thread=thread, member=member)


def unfollow(member, thread: Thread) -> None:
    Follow.objects.filter(thread=thread, member=member).delete()


def _moderator_term(actor, thread: Thread):
    if thread.faction_id is not None:
        raise NotPermitted(
            _t("A faction's internal discussion is not moderated by the organisation's officers.")
        )
    return mandate_for(actor, "moderate_debate", thread.branch)


def can_moderate(member, thread: Thread) -> bool:
    """Whether to offer ``member`` the moderation controls on ``thread`` (the actions re-check)."""
    try:
        _moderator_term(member, thread)
    except NotPermitted:
        return False
    return True


@transaction.atomic
def hide_post(actor, post: Post, *, rule: DebateRule, reason: str) -> ModerationAction:
    """Hide a post under a published rule, with a reason everyone reading the thread sees."""
    term = _moderator_term(actor, post.thread)  # who may hide first: then the merits
    reason = _clean(reason, "reason", _t("A written reason is required."))
    if rule is None or rule.organisation_id != post.thread.organisation_id:
        raise RuleViolation(_t("Cite one of the published rules of debate."), "rule")
    if post.hidden:
        raise RuleViolation(_t("This post is already hidden."))
    post.hidden = True
    post.withheld = rule.removes_personal_data
    post.save(update_fields=["hidden", "withheld"])
    action = ModerationAction.objects.create(
        post=post,
        action=ModerationAction.Action.HIDE,
        rule=rule,
        reason=reason,
        actor=actor,
        term=term,
    )
    record(
        post.thread.organisation,
        "debate.hidden",
        actor=actor,
        term=term,
        target=post,
        data={"rule": rule.number},
    )
    return action


def _restore(actor, post: Post, reason: str, term) -> ModerationAction:
    post.hidden = post.withheld = False
    post.save(update_fields=["hidden", "withheld"])
    action = ModerationAction.objects.create(
        post=post, action=ModerationAction.Action.RESTORE, reason=reason, actor=actor, term=term
    )
    record(post.thread.organisation, "debate.restored", actor=actor, term=term, target=post)
    return action


@transaction.atomic
def restore_post(actor, post: Post, reason: str) -> ModerationAction:
    reason = _clean(reason, "reason", _t("A written reason is required."))
    term = _moderator_term(actor, post.thread)
    if not post.hidden:
        raise RuleViolation(_t("This post is not hidden."))
    if post.withheld:
        # The moderator cannot read it (see the module docstring), so cannot judge
        # that republishing it to every member is safe.
        raise RuleViolation(
            _t(
                "A post withheld for personal data is restored only by the appeal body, "
                "on its author's appeal."
            )
        )
    return _restore(actor, post, reason, term)


@transaction.atomic
def appeal_moderation(member, action: ModerationAction, statement: str) -> ModerationAppeal:
    statement = _clean(statement, "statement", _t("Please give the grounds of your appeal."))
    if action.post.author_id != getattr(member, "pk", None):
        raise NotPermitted(_t("Only the post's author can appeal its moderation."))
    if action.action != ModerationAction.Action.HIDE or not action.post.hidden:
        raise RuleViolation(_t("This post is not hidden."))
    if ModerationAppeal.objects.filter(action=action).exists():
        raise RuleViolation(_t("You have already appealed this decision."))
    appeal = ModerationAppeal.objects.create(action=action, statement=statement)
    record(action.post.thread.organisation, "debate.appealed", actor=member, target=action.post)
    return appeal


def can_decide_appeals(member, organisation) -> bool:
    """Whether ``member`` sits on the constitution's appeal body (to offer the decision form)."""
    body = organisation.current_constitution().appeal_body
    if body is None:
        return False
    try:
        seat_in(member, body)
    except NotPermitted:
        return False
    return True


@transaction.atomic
def decide_moderation_appeal(actor, appeal: ModerationAppeal, *, upheld: bool, reason: str):
    """A sitting member of the constitution's appeal body decides; upheld restores the post."""
    reason = _clean(reason, "reason", _t("A written reason is required."))
    appeal = ModerationAppeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.status != ModerationAppeal.Status.PENDING:
        raise RuleViolation(_t("This appeal has already been decided."))
    post = appeal.action.post
    body = post.thread.organisation.current_constitution().appeal_body
    if body is None:
        raise RuleViolation(_t("The constitution names no body to hear appeals."))
    term = seat_in(actor, body)
    if actor.pk in (appeal.action.actor_id, post.author_id):
        raise NotPermitted(_t("No one may decide an appeal about their own case or decision."))
    appeal.status = ModerationAppeal.Status.UPHELD if upheld else ModerationAppeal.Status.DISMISSED
    appeal.decision_reason, appeal.decided_by = reason, actor
    appeal.save()
    if upheld:
        _restore(actor, post, reason, term)
    record(
        post.thread.organisation,
        "debate.appeal_decided",
        actor=actor,
        term=term,
        target=post,
        data={"upheld": upheld},
    )
    return appeal


def posts_of(thread: Thread, offset: int, limit: int) -> QuerySet:
    """The thread's posts from ``offset`` (at most ``limit``), oldest first, with their authors.

    Chosen on their ids alone, then read whole: sorting a 1,500-post thread's whole
    rows joined to their authors to keep the last 50 took 27 ms on PostgreSQL.
    """
    ids = list(
        thread.posts.order_by("created_at", "pk").values_list("pk", flat=True)[
            offset : offset + limit
        ]
    )
    return Post.objects.filter(pk__in=ids).select_related("author").order_by("created_at", "pk")


def screen_posts(viewer, organisation, posts: Iterable[Post]) -> list[Post]:
    """``posts`` with what ``viewer`` may read of each: ``shown_text`` and ``text_withheld``.

    Pages and endpoints show ``shown_text``, never ``text``: a withheld post's
    text is replaced by ``WITHHELD_TEXT`` for everyone but its author and the
    appeal body's sitting members. Hidden posts that are not withheld keep
    their text for every reader, as moderation never deletes.
    """
    posts = list(posts)
    on_appeal_body = None  # asked only if a withheld post is among them
    viewer_pk = getattr(viewer, "pk", None)
    for post in posts:
        withheld = post.withheld and post.author_id != viewer_pk
        if withheld:
            if on_appeal_body is None:
                on_appeal_body = viewer is not None and can_decide_appeals(viewer, organisation)
            withheld = not on_appeal_body
        post.text_withheld = withheld
        post.shown_text = str(WITHHELD_TEXT) if withheld else post.text
        # The stored, sanitised rendering (tribune.lib.markdown): safe to put in a page.
        post.shown_html = "" if withheld else mark_safe(post.rendered())  # noqa: S308
    return posts


# The posts' index, kept by triggers (migrations 0002, 0004, 0006): FTS5 with the
# archive's stemming tokenizer on SQLite; on PostgreSQL a partial GIN index over the
# text stemmed in each language offered (a post's language is not known), the query
# read in each: ``strikes`` finds ``strike``, ``huelgas`` finds ``huelga``.
POST_CONFIGS = ("english", "spanish")  # as migration 0006 built the index
INDEX = SearchIndex(
    "debate_post",
    pg_vector=any_language("text", POST_CONFIGS),
    pg_configs=POST_CONFIGS,
    pg_where="NOT hidden",
)


# Above this many matching posts, SQLite walks the posts newest first (``post_recent``)
# and stops at the page's last; below it, it reads the few matches and sorts them.
SQLITE_WALK_FROM = 1000


def search(member, organisation, query: str, limit: int = 50):
    """Posts matching ``query`` that ``member`` may read, newest first; never hidden ones.

    Through the shared search layer (``tribune.lib.search``), as the archive. The
    index holds no hidden post's words either (migration 0004), so a hidden or
    withheld post can be neither found nor guessed at through search.
    """
    threads = visible_threads(member, organisation)
    if not search_words(query):
        return Post.objects.none()
    sql, params = INDEX.matching(query)
    if connection.vendor == "postgresql":
        # One shape the planner can answer from the indexes: the ids of posts whose
        # text matches (the partial GIN index) united with those of the organisation's
        # threads whose title matches. An OR of the two in the outer WHERE (before
        # issue 12) scanned and sorted every post. (On SQLite the FTS5 table holds
        # each post's thread title too.)
        sql += (
            " UNION SELECT p.id FROM debate_post p"
            " JOIN debate_thread t ON t.id = p.thread_id"
            " WHERE t.organisation_id = %s"
            " AND ("
            + " OR ".join(
                f"{any_language('t.title', POST_CONFIGS)} @@ to_tsquery('{c}', %s)"
                for c in POST_CONFIGS
            )
            + ")"
        )
        params = [*params, organisation.pk, *[INDEX.tsquery(query)] * len(POST_CONFIGS)]
        newest = (
            Post.objects.filter(thread__in=threads, hidden=False, pk__in=RawSQL(sql, params))
            .order_by("-created_at", "-pk")
            .values("pk")[:limit]
        )
    else:
        newest = _newest_on_sqlite(threads, sql, params, limit)
    # The page's posts are chosen on the posts' narrow columns and only then joined
    # to their threads and authors: joining all 16,000 matches of a common word to
    # their authors before keeping 50 took most of 0.5 s on PostgreSQL.
    return (
        Post.objects.filter(pk__in=newest)  # readable, not hidden: checked in ``newest``
        .select_related("thread", "author")
        .order_by("-created_at", "-pk")
    )


def _newest_on_sqlite(threads, sql: str, params: list, limit: int):
    """The ids of the newest ``limit`` readable posts among those ``sql`` matches.

    A word in most posts (16,000 of 20,000) made SQLite read every match, join
    and sort them: 0.3 s. When the matches are many, the posts are walked newest
    first on the narrow ``post_recent`` index instead, each checked against the
    matches, stopping at the ``limit``-th (the unary ``+`` keeps SQLite from
    reading the matches first); when few, the matches are read and sorted.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql})", params)  # noqa: S608 (the index's SQL)
        many = cursor.fetchone()[0] > SQLITE_WALK_FROM
    newest = Post.objects.filter(hidden=False).order_by("-created_at", "-pk").values("pk")
    if not many:
        return newest.filter(thread__in=threads, pk__in=RawSQL(sql, params))[:limit]
    readable, readable_params = threads.order_by().values("pk").query.sql_with_params()
    # Columns unqualified: Django renames the table when this is a subquery.
    walk = RawSQL(
        f"+thread_id IN ({readable}) AND +id IN ({sql})",
        (*readable_params, *params),
        output_field=BooleanField(),
    )
    return newest.filter(walk)[:limit]


def unread_notifications(member):
    """Unread replies in threads the member may still read (not a faction they have left)."""
    from tribune.debate.models import Notification

    try:
        readable = visible_threads(member, member.organisation)
    except NotPermitted:
        return Notification.objects.none()
    return member.notifications.filter(
        read_at__isnull=True, post__thread__in=readable
    ).select_related("post__thread")


def mark_read(member) -> int:
    return unread_notifications(member).update(read_at=timezone.now())

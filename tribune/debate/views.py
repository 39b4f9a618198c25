"""Debate pages: threads, replies, follows, visible moderation and its appeals, search.

Views parse the request and call ``tribune.debate.services``; who may read,
post or moderate is decided there. A refusal the member can correct goes on
the form; a missing right goes on to the 403 page with its reason.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from tribune.debate import services
from tribune.debate.forms import (
    AppealDecisionForm,
    AppealForm,
    HideForm,
    ReasonForm,
    ReplyForm,
    ThreadForm,
)
from tribune.debate.models import ModerationAction, ModerationAppeal, Post, Thread
from tribune.lib.inputs import object_id
from tribune.web.helpers import (
    attempt,
    attempt_writing,
    organisation_and_viewer,
    refused_status,
    require_good_standing,
)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _reader(request: HttpRequest, slug: str):
    organisation, viewer = organisation_and_viewer(request, slug)
    return organisation, require_good_standing(viewer)


@login_required
def index(request: HttpRequest, slug: str) -> HttpResponse:
    """Threads the viewer may read, newest activity first, optionally for one branch."""
    organisation, viewer = _reader(request, slug)
    threads = (
        services.visible_threads(viewer, organisation)
        .select_related("author", "branch", "faction", "election", "organisation")
        .order_by("-last_post_at", "-pk")
    )
    branch = None
    if request.GET.get("branch"):
        branch = get_object_or_404(organisation.branches, slug=request.GET["branch"])
        threads = threads.filter(branch=branch)
    page = Paginator(threads, 50).get_page(request.GET.get("page"))
    # Posts counted for this page's threads only (counting every thread's, then
    # sorting, made the index slow at 20,000 posts).
    counts = dict(
        Post.objects.filter(thread__in=[t.pk for t in page])
        .values("thread")
        .annotate(n=Count("pk"))
        .values_list("thread", "n")
    )
    for thread in page:
        thread.replies = counts.get(thread.pk, 0)
    return render(
        request,
        "debate/index.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "threads": page,
            "page": page,
            "pager_query": f"branch={branch.slug}&" if branch else "",
            "branch": branch,
            # Names only: 500 branches as model objects cost more than the page's threads.
            "branches": organisation.branches.values_list("slug", "name"),
            "can_decide_appeals": services.can_decide_appeals(viewer, organisation),
        },
    )


def rules(request: HttpRequest, slug: str) -> HttpResponse:
    """The published rules of debate: public, like the constitution they serve."""
    organisation, viewer = organisation_and_viewer(request, slug)
    return render(
        request,
        "debate/rules.html",
        {"organisation": organisation, "viewer": viewer, "rules": organisation.debate_rules.all()},
    )


@login_required
def open_thread(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, viewer = _reader(request, slug)
    initial = {}
    if request.GET.get("election"):
        initial["election"] = request.GET["election"]
    if request.GET.get("branch"):
        initial["branch"] = organisation.branches.filter(slug=request.GET["branch"]).first()
    form = ThreadForm(
        request.POST or None, organisation=organisation, member=viewer, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        thread = attempt_writing(
            form,
            services.open_thread,
            viewer,
            organisation,
            title=data["title"],
            text=data["text"],
            branch=data["branch"],
            faction=data.get("faction"),
            election=data["election"],
            subject=data["subject"],
        )
        if thread is not None:
            messages.success(request, _t("Your thread is open."))
            return redirect(thread)
    return render(
        request,
        "debate/open.html",
        {"organisation": organisation, "viewer": viewer, "form": form},
        status=refused_status(form) if form.errors else 200,
    )


POSTS_PER_PAGE = 50  # a thread of 1,500 posts is read a page at a time
BLANK_PREFIX = "p_blank_"
BLANK_ID = BLANK_PREFIX + "%s"


def post_page(post: Post) -> int:
    """The page of its thread that shows ``post``."""
    before = post.thread.posts.filter(
        Q(created_at__lt=post.created_at) | Q(created_at=post.created_at, pk__lt=post.pk)
    ).count()
    return before // POSTS_PER_PAGE + 1


def post_url(post: Post) -> str:
    """The address of ``post`` on the page of its thread that shows it."""
    page = post_page(post)
    query = f"?page={page}" if page > 1 else ""
    return f"{post.thread.get_absolute_url()}{query}#post-{post.pk}"


def _thread_page(thread: Thread, viewer, reply_form=None, bound=None, page=None) -> dict:
    """A page of the thread with each post's moderation trail and the forms this viewer may use.

    ``bound`` is a refused form to show again: ``(post, kind, form)``, on the post's page.
    """
    organisation = thread.organisation
    moderation = Prefetch(
        "moderation",
        queryset=ModerationAction.objects.select_related("actor", "rule", "appeal__decided_by"),
    )
    if bound is not None:
        page = post_page(bound[0])
    paginator = Paginator(thread.posts.all(), POSTS_PER_PAGE)  # counts; the page is read below
    page_obj = paginator.get_page(paginator.num_pages if page == "last" else page)
    chosen = services.posts_of(thread, (page_obj.number - 1) * POSTS_PER_PAGE, POSTS_PER_PAGE)
    posts = services.screen_posts(viewer, organisation, chosen.prefetch_related(moderation))
    can_moderate = services.can_moderate(viewer, thread)
    blank = {}
    if can_moderate:
        # A moderator gets a hide (or restore) form under every post: each is the same
        # empty form but for its ids, so it is rendered once per page and each post's
        # copy gets its own ids (rendering 50 forms was most of the page's time).
        rules = list(HideForm(organisation=organisation).fields["rule"].choices)
        for kind, form in (
            ("hide", HideForm(organisation=organisation, rule_choices=rules, auto_id=BLANK_ID)),
            ("restore", ReasonForm(auto_id=BLANK_ID)),
        ):
            blank[kind] = render_to_string("_form.html", {"form": form})
    for post in posts:
        hides = [a for a in post.moderation.all() if a.action == ModerationAction.Action.HIDE]
        post.last_hide = hides[-1] if post.hidden and hides else None
        # Only the author of a hidden post may appeal: no form for the other 49.
        appealable = post.last_hide is not None and post.author_id == viewer.pk
        post.forms = {"appeal": AppealForm(auto_id=f"p{post.pk}_%s")} if appealable else {}
        post.form_html = {
            kind: mark_safe(html.replace(BLANK_PREFIX, f"p{post.pk}_"))  # noqa: S308 (ids: digits)
            for kind, html in blank.items()
        }
        if bound is not None and bound[0].pk == post.pk:
            post.forms[bound[1]] = bound[2]
            post.form_html[bound[1]] = render_to_string("_form.html", {"form": bound[2]})
            post.refused = bound[1]
    return {
        "organisation": organisation,
        "viewer": viewer,
        "thread": thread,
        "posts": posts,
        "page": page_obj,
        "following": thread.follows.filter(member=viewer).exists(),
        "can_moderate": can_moderate,
        "reply_form": reply_form or ReplyForm(),
    }


@login_required
def thread(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation, viewer = _reader(request, slug)
    thread = services.readable_thread(viewer, organisation, pk)
    page = request.GET.get("page")
    if request.GET.get("post"):  # a link to one post: the page showing it
        wanted = object_id(request.GET["post"])
        post = thread.posts.filter(pk=wanted).first()
        if post is not None:
            post.thread = thread
            page = post_page(post)
    context = _thread_page(thread, viewer, page=page)
    return render(request, "debate/thread.html", context)


@login_required
@require_POST
def reply(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Post a reply; with htmx the posts and a fresh form come back without a reload."""
    organisation, viewer = _reader(request, slug)
    thread = services.readable_thread(viewer, organisation, pk)
    form = ReplyForm(request.POST)
    post = None
    if form.is_valid():
        post = attempt_writing(form, services.reply, viewer, thread, form.cleaned_data["text"])
    if _is_htmx(request):
        # htmx swaps only 2xx answers, so a refused reply comes back 200 with its errors.
        # The last page, where the new reply is.
        context = _thread_page(thread, viewer, reply_form=None if post else form, page="last")
        return render(request, "debate/_posts.html", context)
    if post is not None:
        messages.success(request, _t("Your reply is posted."))
        return redirect(post_url(post))
    context = _thread_page(thread, viewer, reply_form=form, page="last")
    return render(request, "debate/thread.html", context, status=refused_status(form))


@login_required
@require_POST
def follow(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation, viewer = _reader(request, slug)
    thread = services.readable_thread(viewer, organisation, pk)
    if request.POST.get("follow") == "0":
        services.unfollow(viewer, thread)
        messages.success(request, _t("You no longer follow this thread."))
    else:
        services.follow(viewer, thread)
        messages.success(
            request, _t("You follow this thread: replies appear in your notifications.")
        )
    return redirect(thread)


def _post(viewer, organisation, post_id: int) -> Post:
    """A post of a thread ``viewer`` may read (so a refused form never shows a hidden thread)."""
    post = get_object_or_404(Post, thread__organisation=organisation, pk=post_id)
    post.thread = services.readable_thread(viewer, organisation, post.thread_id)
    return post


@login_required
@require_POST
def hide(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    organisation, viewer = _reader(request, slug)
    post = _post(viewer, organisation, post_id)
    form = HideForm(request.POST, organisation=organisation)
    if form.is_valid() and attempt(
        form,
        services.hide_post,
        viewer,
        post,
        rule=form.cleaned_data["rule"],
        reason=form.cleaned_data["reason"],
    ):
        messages.success(
            request, _t("The post is hidden; the notice and reason are in the thread.")
        )
        return redirect(post_url(post))
    context = _thread_page(post.thread, viewer, bound=(post, "hide", form))
    return render(request, "debate/thread.html", context, status=400)


@login_required
@require_POST
def restore(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    organisation, viewer = _reader(request, slug)
    post = _post(viewer, organisation, post_id)
    form = ReasonForm(request.POST)
    if form.is_valid() and attempt(
        form, services.restore_post, viewer, post, form.cleaned_data["reason"]
    ):
        messages.success(request, _t("The post is restored; the reason is in the thread."))
        return redirect(post_url(post))
    context = _thread_page(post.thread, viewer, bound=(post, "restore", form))
    return render(request, "debate/thread.html", context, status=400)


@login_required
@require_POST
def appeal(request: HttpRequest, slug: str, action_id: int) -> HttpResponse:
    """The author appeals a moderation decision to the constitution's appeal body."""
    organisation, viewer = organisation_and_viewer(request, slug)
    action = get_object_or_404(
        ModerationAction.objects.select_related("post__thread"),
        post__thread__organisation=organisation,
        pk=action_id,
    )
    form = AppealForm(request.POST)
    if form.is_valid() and attempt(
        form, services.appeal_moderation, viewer, action, form.cleaned_data["statement"]
    ):
        messages.success(request, _t("Your appeal is lodged with the appeal body."))
    else:
        messages.error(request, " ".join(m for errs in form.errors.values() for m in errs))
    return redirect(post_url(action.post))


@login_required
def appeals(request: HttpRequest, slug: str) -> HttpResponse:
    """Appeals against moderation: public to members; decided by the appeal body."""
    organisation, viewer = _reader(request, slug)
    appeals = ModerationAppeal.objects.filter(
        action__post__thread__organisation=organisation
    ).select_related(
        "action__post__thread", "action__post__author", "action__actor", "action__rule"
    )
    pending = list(appeals.filter(status=ModerationAppeal.Status.PENDING))
    services.screen_posts(viewer, organisation, [a.action.post for a in pending])
    form = AppealDecisionForm(request.POST or None)
    if request.method == "POST":
        appeal = get_object_or_404(appeals, pk=object_id(request.POST.get("appeal")))
        if form.is_valid() and attempt(
            form,
            services.decide_moderation_appeal,
            viewer,
            appeal,
            upheld=form.cleaned_data["upheld"],
            reason=form.cleaned_data["reason"],
        ):
            messages.success(request, _t("The decision is recorded and shown in the thread."))
            return redirect("web:debate_appeals", slug)
    return render(
        request,
        "debate/appeals.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "body": organisation.current_constitution().appeal_body,
            "pending": pending,
            "decided": appeals.exclude(status=ModerationAppeal.Status.PENDING).order_by(
                "-created_at"
            )[:50],
            "can_decide": services.can_decide_appeals(viewer, organisation),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
def notifications(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, viewer = _reader(request, slug)
    if request.method == "POST":
        services.mark_read(viewer)
        messages.success(request, _t("All notifications are marked read."))
        return redirect("web:notifications", slug)
    unread = services.unread_notifications(viewer).select_related("post__author")
    page = Paginator(unread, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "debate/notifications.html",
        {"organisation": organisation, "viewer": viewer, "unread": page, "page": page},
    )


@login_required
def search(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, viewer = _reader(request, slug)
    query = request.GET.get("q", "").strip()
    results = services.search(viewer, organisation, query) if query else []
    results = services.screen_posts(viewer, organisation, results)
    return render(
        request,
        "debate/search.html",
        {"organisation": organisation, "viewer": viewer, "query": query, "results": results},
    )

"""Membership pages: join, directory, applications, standing, self-service, import.

Views parse requests and call ``tribune.members.services``; what may be done
and by whom is decided there, never here.
"""

import json
from urllib.parse import urlencode

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from tribune.factions.rules import public_factions_of
from tribune.lib.errors import NotPermitted
from tribune.lib.inputs import object_id
from tribune.members import importing, services
from tribune.members.forms import (
    AppealDecisionForm,
    AppealForm,
    ConfirmForm,
    ImportForm,
    JoinForm,
    ProfileForm,
    ReasonForm,
)
from tribune.members.models import Appeal, AppealStatus, ImportJob, Member, Standing
from tribune.members.rules import appeal_body_seat
from tribune.offices.rules import has_power, mandate_for, reach
from tribune.web.helpers import attempt, organisation_and_viewer, require_good_standing


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def join(request, slug):
    """The public join page: anyone may apply, with or without an account yet."""
    organisation, viewer = organisation_and_viewer(request, slug)
    form = JoinForm(request.POST or None, organisation=organisation, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            user = request.user if request.user.is_authenticated else _new_account(data)
            member = attempt(
                form,
                services.apply_for_membership,
                organisation,
                user=user,
                name=data["name"],
                email=user.email,
                branch=data["branch"],
                statement=data["statement"],
            )
            if member is None:
                transaction.set_rollback(True)
        if member is not None:
            if not request.user.is_authenticated:
                EmailAddress.objects.get(user=user).send_confirmation(request, signup=True)
            return render(
                request, "members/applied.html", {"organisation": organisation, "member": member}
            )
    return render(
        request,
        "members/join.html",
        {"organisation": organisation, "viewer": viewer, "form": form},
    )


def _new_account(data):
    user = get_user_model().objects.create_user(
        username=get_adapter().generate_unique_username([data["email"], data["name"]]),
        email=data["email"],
        password=data["password1"],
    )
    EmailAddress.objects.create(user=user, email=data["email"], primary=True, verified=False)
    return user


@login_required
def directory(request, slug):
    organisation, viewer = organisation_and_viewer(request, slug)
    require_good_standing(viewer)
    show_contacts = has_power(viewer, "view_member_contacts")
    members = (
        Member.objects.filter(organisation=organisation, standing=Standing.GOOD)
        .select_related("home_branch", "organisation")
        .order_by("name", "pk")
    )
    query = request.GET.get("q", "").strip()
    if query:
        members = members.filter(name__icontains=query)
    page = Paginator(members, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "members/directory.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "members": page,
            "page": page,
            "pager_query": urlencode({"q": query}) + "&" if query else "",
            "total": page.paginator.count,
            "query": query,
            "show_contacts": show_contacts,
        },
    )


def _member_page(viewer, member, form) -> dict:
    branch = member.home_branch
    return {
        "organisation": member.organisation,
        "viewer": viewer,
        "member": member,
        "show_contacts": has_power(viewer, "view_member_contacts", branch),
        "can_suspend": has_power(viewer, "suspend_members", branch),
        "can_manage_standing": has_power(viewer, "manage_standing", branch),
        "changes": member.standing_changes.select_related("actor", "term__office"),
        "terms": member.terms.select_related("office__body"),
        # Public memberships only, even for the member themself: this is the public profile.
        "factions": public_factions_of(member),
        "form": form,
    }


@login_required
def member_detail(request, slug, member_id):
    organisation, viewer = organisation_and_viewer(request, slug)
    require_good_standing(viewer)
    member = get_object_or_404(Member, organisation=organisation, pk=member_id)
    if not services.visible_to(viewer, member):
        raise Http404
    return render(request, "members/member.html", _member_page(viewer, member, ReasonForm()))


STANDING_ACTIONS = {
    "suspend": services.suspend_member,
    "reinstate": services.reinstate_member,
    "lapse": services.record_lapse,
}


@login_required
@require_POST
def change_standing(request, slug, member_id, action):
    organisation, viewer = organisation_and_viewer(request, slug)
    require_good_standing(viewer)
    member = get_object_or_404(Member, organisation=organisation, pk=member_id)
    if action == "renew":
        services.record_renewal(viewer, member)
        messages.success(request, _t("Membership renewed."))
        return redirect(member)
    form = ReasonForm(request.POST)
    if form.is_valid() and attempt(
        form, STANDING_ACTIONS[action], viewer, member, form.cleaned_data["reason"]
    ):
        messages.success(
            request,
            _t("Done: %(name)s is now %(standing)s.")
            % {"name": member.name, "standing": member.get_standing_display()},
        )
        return redirect(member)
    return render(request, "members/member.html", _member_page(viewer, member, form), status=400)


@login_required
def applications(request, slug):
    organisation, viewer = organisation_and_viewer(request, slug)
    within = reach(viewer, "admit_members")
    mandate = next(iter(within.values()))
    pending = Member.objects.filter(
        organisation=organisation, standing=Standing.APPLICANT, home_branch_id__in=within
    ).select_related("home_branch")
    return render(
        request,
        "members/applications.html",
        {"organisation": organisation, "viewer": viewer, "pending": pending, "mandate": mandate},
    )


@login_required
def decide_application(request, slug, member_id, decision):
    organisation, viewer = organisation_and_viewer(request, slug)
    applicant = get_object_or_404(Member, organisation=organisation, pk=member_id)
    if decision == "admit":
        if request.method != "POST":
            return redirect("web:applications", slug)
        services.admit_member(viewer, applicant)
        messages.success(request, _t("%(name)s is admitted.") % {"name": applicant.name})
        return redirect("web:applications", slug)
    mandate_for(viewer, "admit_members", applicant.home_branch)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if attempt(
            form, services.refuse_application, viewer, applicant, form.cleaned_data["reason"]
        ):
            messages.success(request, _t("The application is refused; the reason is on record."))
            return redirect("web:applications", slug)
    return render(
        request,
        "members/refuse.html",
        {"organisation": organisation, "viewer": viewer, "applicant": applicant, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def my_membership(request, slug):
    organisation, member = organisation_and_viewer(request, slug)
    if member is None:
        return redirect("web:join", slug)
    form = ProfileForm(
        request.POST or None,
        organisation=organisation,
        initial={
            "name": member.name,
            "phone": member.phone,
            "address": member.address,
            "branch": member.home_branch,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if attempt(
            form,
            services.update_profile,
            member,
            name=data["name"],
            phone=data["phone"],
            address=data["address"],
            branch=data["branch"],
        ):
            messages.success(request, _t("Your details are saved."))
            return redirect("web:me", slug)
    changes = member.standing_changes.select_related("appeal")
    return render(
        request,
        "members/me.html",
        {
            "organisation": organisation,
            "viewer": member,
            "member": member,
            "form": form,
            "changes": changes,
            "appeal_form": AppealForm(),
            "terms": member.terms.select_related("office__body"),
            "faction_memberships": member.faction_memberships.select_related("faction"),
        },
    )


@login_required
def export(request, slug):
    organisation, member = organisation_and_viewer(request, slug)
    if member is None:
        raise NotPermitted(_t("You have no membership record here."))
    response = HttpResponse(
        json.dumps(services.export_data(member), indent=2, ensure_ascii=False),
        content_type="application/json",
    )
    response["Content-Disposition"] = f'attachment; filename="tribune-{organisation.slug}.json"'
    return response


@login_required
def resign(request, slug):
    organisation, member = organisation_and_viewer(request, slug)
    if member is None:
        raise NotPermitted(_t("You have no membership record here."))
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and attempt(form, services.resign, member):
        messages.success(request, _t("You have resigned. Thank you for your work."))
        return redirect("web:me", slug)
    return render(
        request,
        "members/confirm.html",
        {"organisation": organisation, "viewer": member, "form": form, "action": "resign"},
    )


@login_required
def erase(request, slug):
    organisation, member = organisation_and_viewer(request, slug)
    if member is None:
        raise NotPermitted(_t("You have no membership record here."))
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and attempt(form, services.erase, member):
        logout(request)
        messages.success(request, _t("Your personal data has been erased."))
        return redirect("web:organisation", slug)
    return render(
        request,
        "members/confirm.html",
        {"organisation": organisation, "viewer": member, "form": form, "action": "erase"},
    )


@login_required
@require_POST
def appeal(request, slug, change_id):
    organisation, member = organisation_and_viewer(request, slug)
    if member is None:
        raise NotPermitted(_t("You have no membership record here."))
    change = get_object_or_404(member.standing_changes, pk=change_id)
    form = AppealForm(request.POST)
    if form.is_valid() and attempt(
        form, services.lodge_appeal, member, change, form.cleaned_data["statement"]
    ):
        messages.success(request, _t("Your appeal is lodged."))
        return redirect("web:me", slug)
    messages.error(request, " ".join(m for errs in form.errors.values() for m in errs))
    return redirect("web:me", slug)


@login_required
def appeals(request, slug):
    organisation, viewer = organisation_and_viewer(request, slug)
    body = appeal_body_seat(viewer, organisation)
    form = AppealDecisionForm(request.POST or None)
    if request.method == "POST":
        appeal = get_object_or_404(Appeal, body=body, pk=object_id(request.POST.get("appeal")))
        if form.is_valid() and attempt(
            form,
            services.decide_appeal,
            viewer,
            appeal,
            upheld=form.cleaned_data["upheld"],
            reason=form.cleaned_data["reason"],
        ):
            messages.success(request, _t("The decision is recorded."))
            return redirect("web:appeals", slug)
    return render(
        request,
        "members/appeals.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "body": body,
            "pending": Appeal.objects.filter(body=body, status=AppealStatus.PENDING).select_related(
                "standing_change__member", "standing_change__actor"
            ),
            "decided": Appeal.objects.filter(body=body).exclude(status=AppealStatus.PENDING)[:50],
            "form": form,
        },
    )


@login_required
def import_members(request, slug):
    organisation, viewer = organisation_and_viewer(request, slug)
    mandate_for(viewer, "import_members")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        filename, text = form.cleaned_data["file"]
        job = attempt(form, importing.check_import, viewer, organisation, text, filename)
        if job is not None:
            return redirect("web:import_job", slug, job.pk)
    return render(
        request,
        "members/import.html",
        {"organisation": organisation, "viewer": viewer, "form": form},
    )


REJECTED_PER_PAGE = 100


@login_required
def import_job(request, slug, job_id):
    organisation, viewer = organisation_and_viewer(request, slug)
    mandate_for(viewer, "import_members")
    # The file itself (up to 20 MB) is not shown: not read either.
    jobs = ImportJob.objects.defer("csv_text")
    job = get_object_or_404(jobs, organisation=organisation, pk=job_id)
    if request.method == "POST":
        if request.POST.get("step") == "confirm":
            job = importing.confirm_import(viewer, job)
        job = importing.run_chunk(job)
        if not _is_htmx(request):
            return redirect("web:import_job", slug, job.pk)
    context = {"organisation": organisation, "viewer": viewer, "job": job}
    if job.status == "checked":
        # Counted when the file was checked; the rejected rows a page at a time.
        context["report"] = importing.dry_run_counts(job)
        context["rejected"] = Paginator(job.rejected, REJECTED_PER_PAGE).get_page(
            request.GET.get("page")
        )
    template = "members/_import_progress.html" if _is_htmx(request) else "members/import_job.html"
    return render(request, template, context)

"""Faction pages: the list, founding, the faction's page and what members do there.

Views parse the request and call ``tribune.factions.services``; who may do
what is decided there. Who may see which members is ``rules.visible_memberships``:
a private member is shown only to themselves and the faction's own officers.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from tribune.elections.models import Candidacy, Status
from tribune.factions import rules, services
from tribune.factions.forms import (
    DissolutionForm,
    EndorseForm,
    PlatformForm,
    ProposeForm,
    StatementForm,
    VisibilityForm,
)
from tribune.factions.models import Faction, FactionStatus, Visibility
from tribune.lib import worddiff
from tribune.lib.errors import NotPermitted
from tribune.members.models import Member, Standing
from tribune.offices.models import Office, Term
from tribune.web.helpers import attempt, organisation_and_viewer

ENDORSABLE = [Status.NOMINATIONS, Status.NOMINATIONS_CLOSED, Status.VOTING]


def _member(viewer: Member | None) -> Member:
    if viewer is None:
        raise NotPermitted(_t("Only members of this organisation can do this."))
    return viewer


def _faction(organisation, faction_slug: str) -> Faction:
    return get_object_or_404(Faction, organisation=organisation, slug=faction_slug)


def _holds(viewer: Member | None, faction: Faction, power: str) -> bool:
    """Whether to offer a form: the service checks the mandate again when it is used."""
    try:
        rules.faction_term(viewer, faction, power)
    except NotPermitted:
        return False
    return True


def factions(request: HttpRequest, slug: str) -> HttpResponse:
    """Registered factions, and proposed ones still collecting founding signatures."""
    organisation, viewer = organisation_and_viewer(request, slug)
    good = Q(founding_signatures__member__standing=Standing.GOOD)
    all_ = Faction.objects.filter(organisation=organisation)
    return render(
        request,
        "factions/list.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "registered": all_.filter(status=FactionStatus.REGISTERED).annotate(
                size=Count("memberships")
            ),
            "proposed": all_.filter(status=FactionStatus.PROPOSED).annotate(
                signatures=Count("founding_signatures", filter=good)
            ),
            "dissolved": all_.filter(status=FactionStatus.DISSOLVED),
            "threshold": organisation.current_constitution().faction_threshold,
        },
    )


@login_required
def propose(request: HttpRequest, slug: str) -> HttpResponse:
    """Put a faction and its platform up for founding signatures."""
    organisation, viewer = organisation_and_viewer(request, slug)
    viewer = _member(viewer)
    form = ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        faction = attempt(
            form,
            services.propose_faction,
            viewer,
            organisation,
            name=form.cleaned_data["name"],
            platform=form.cleaned_data["platform"],
        )
        if faction is not None:
            messages.success(request, _t("The faction is proposed, with your signature first."))
            return redirect(faction)
    return render(
        request,
        "factions/propose.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "form": form,
            "threshold": organisation.current_constitution().faction_threshold,
        },
        status=400 if form.errors else 200,
    )


def _officers(faction: Faction):
    current = Term.objects.current().select_related("member")
    offices = Office.objects.prefetch_related(
        Prefetch("terms", queryset=current, to_attr="current_terms")
    )
    return faction.bodies.prefetch_related(Prefetch("offices", queryset=offices))


def _endorsable(organisation):
    return (
        Candidacy.objects.filter(
            election__organisation=organisation,
            election__status__in=ENDORSABLE,
            withdrawn_at__isnull=True,
        )
        .select_related("member", "election")
        .order_by("election__title", "member__name")
    )


def _faction_page(faction: Faction, viewer: Member | None, **forms) -> dict:
    organisation = faction.organisation
    constitution = organisation.current_constitution()
    member = viewer if viewer is not None and viewer.in_good_standing else None
    mine = faction.memberships.filter(member=viewer).first() if viewer else None
    private_allowed = constitution.private_faction_membership
    lapses_at = (
        faction.below_threshold_since + timedelta(days=constitution.faction_grace_days)
        if faction.below_threshold_since
        else None
    )
    registered = faction.status == FactionStatus.REGISTERED
    can_endorse = registered and _holds(member, faction, "endorse_candidates")
    signatures = faction.founding_signatures.filter(member__standing=Standing.GOOD)
    return {
        "organisation": organisation,
        "viewer": viewer,
        "faction": faction,
        "registered": registered,
        "platform": faction.current_platform(),
        "versions": faction.platform_versions.select_related("published_by"),
        "statements": faction.statements.select_related("published_by", "term__office"),
        "endorsements": faction.endorsements.select_related(
            "candidacy__member", "candidacy__election"
        ).order_by("-endorsed_at"),
        # Members are shown to members of the organisation; private ones only as the rule says.
        "memberships": rules.visible_memberships(viewer, faction).order_by("member__name")
        if member
        else None,
        "size": faction.memberships.count(),
        "sees_private": rules.can_see_private_members(viewer, faction),
        "mine": mine,
        "threshold": constitution.faction_threshold,
        "signatures": signatures.count(),
        "signed": bool(viewer and faction.founding_signatures.filter(member=viewer).exists()),
        "lapses_at": lapses_at,
        "officer_bodies": _officers(faction),
        "private_allowed": private_allowed,
        "join_form": forms.get("join_form")
        or (VisibilityForm(private_allowed=private_allowed) if member and not mine else None),
        "visibility_form": forms.get("visibility_form")
        or (
            VisibilityForm(private_allowed=private_allowed, initial={"visibility": mine.visibility})
            if mine
            else None
        ),
        "platform_form": forms.get("platform_form")
        or (
            PlatformForm(initial={"text": faction.current_platform().text})
            if registered and _holds(member, faction, "publish_platform")
            else None
        ),
        "statement_form": forms.get("statement_form")
        or (
            StatementForm()
            if registered and _holds(member, faction, "publish_statements")
            else None
        ),
        "endorse_form": forms.get("endorse_form")
        or (EndorseForm(candidacies=_endorsable(organisation)) if can_endorse else None),
        "dissolution_form": forms.get("dissolution_form")
        or (DissolutionForm() if registered and mine else None),
    }


def faction(request: HttpRequest, slug: str, faction_slug: str) -> HttpResponse:
    """Platform, its history, statements, endorsements, officers and (as allowed) members."""
    organisation, viewer = organisation_and_viewer(request, slug)
    faction = _faction(organisation, faction_slug)
    return render(request, "factions/faction.html", _faction_page(faction, viewer))


def platform_version(
    request: HttpRequest, slug: str, faction_slug: str, number: int
) -> HttpResponse:
    """One version of the platform, as published: the history is never rewritten."""
    organisation, viewer = organisation_and_viewer(request, slug)
    faction = _faction(organisation, faction_slug)
    version = get_object_or_404(faction.platform_versions, number=number)
    previous = faction.platform_versions.filter(number__lt=number).order_by("-number").first()
    changes = mark_safe(worddiff.render_changes(previous.text, version.text)) if previous else ""
    return render(
        request,
        "factions/platform.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "faction": faction,
            "version": version,
            "previous": previous,
            "changes": changes,
            "versions": faction.platform_versions.all(),
        },
    )


def _again(request, faction: Faction, viewer, **forms) -> HttpResponse:
    """The faction page again, with the refusal on the form that caused it."""
    context = _faction_page(faction, viewer, **forms)
    return render(request, "factions/faction.html", context, status=400)


def _context(request, slug: str, faction_slug: str) -> tuple[Faction, Member]:
    organisation, viewer = organisation_and_viewer(request, slug)
    return _faction(organisation, faction_slug), _member(viewer)


@login_required
@require_POST
def sign(request: HttpRequest, slug: str, faction_slug: str) -> HttpResponse:
    faction, viewer = _context(request, slug, faction_slug)
    services.sign_founding(viewer, faction)  # a refusal goes to the error page with its reason
    faction.refresh_from_db()
    if faction.status == FactionStatus.REGISTERED:
        messages.success(
            request,
            _t("Your signature reached the threshold: the faction is registered."),
        )
    else:
        messages.success(request, _t("You have signed the founding of this faction."))
    return redirect(faction)


@login_required
@require_POST
def join(request: HttpRequest, slug: str, faction_slug: str) -> HttpResponse:
    faction, viewer = _context(request, slug, faction_slug)
    private_allowed = faction.organisation.current_constitution().private_faction_membership
    form = VisibilityForm(request.POST, private_allowed=private_allowed)
    if form.is_valid() and attempt(
        form, services.join_faction, viewer, faction, visibility=form.cleaned_data["visibility"]
    ):
        messages.success(request, _t("You have joined %(faction)s.") % {"faction": faction.name})
        return redirect(faction)
    return _again(request, faction, viewer, join_form=form)


@login_required
@require_POST
def leave(request: HttpRequest, slug: str, faction_slug: str) -> HttpResponse:
    faction, viewer = _context(request, slug, faction_slug)
    services.leave_faction(viewer, faction)
    messages.success(request, _t("You have left %(faction)s.") % {"faction": faction.name})
    return redirect(faction)


@login_required
@require_POST
def visibility(request: HttpRequest, slug: str, faction_slug: str) -> HttpResponse:
    faction, viewer = _context(request, slug, faction_slug)
    private_allowed = faction.organisation.current_constitution().private_faction_membership
    form = VisibilityForm(request.POST, private_allowed=private_allowed)
    if form.is_valid() and attempt(
        form, services.set_visibility, viewer, faction, form.cleaned_data["visibility"]
    ):
        label = Visibility(form.cleaned_data["visibility"]).label
        messages.success(request, _t("Your membership is now: %(v)s") % {"v": label})
        return redirect(faction)
    return _again(request, faction, viewer, visibility_form=form)


@login_required
@require_POST
def publish_platform(request: HttpRequest, slug: str, faction_slug: str) -> HttpResponse:
    faction, viewer = _context(request, slug, faction_slug)
    form = PlatformForm(request.POST)
    if form.is_valid():
        version = attempt(
            form, services.publish_platform, viewer, faction, form.cleaned_data["text"]
        )
        if version is not None:
            messages.success(
                request, _t("Version %(n)s of the platform is published.") % {"n": version.number}
            )
            return redirect(faction)
    return _again(request, faction, viewer, platform_form=form)


@login_required
@require_POST
def publish_statement(request: HttpRequest, slug: str, faction_slug: str) -> HttpResponse:
    faction, viewer = _context(request, slug, faction_slug)
    form = StatementForm(request.POST)
    if form.is_valid() and attempt(
        form,
        services.publish_statement,
        viewer,
        faction,
        title=form.cleaned_data["title"],
        text=form.cleaned_data["text"],
    ):
        messages.success(request, _t("The statement is published."))
        return redirect(faction)
    return _again(request, faction, viewer, statement_form=form)


@login_required
@require_POST
def endorse(request: HttpRequest, slug: str, faction_slug: str) -> HttpResponse:
    faction, viewer = _context(request, slug, faction_slug)
    form = EndorseForm(request.POST, candidacies=_endorsable(faction.organisation))
    if form.is_valid():
        candidacy = form.cleaned_data["candidacy"]
        if attempt(form, services.endorse, viewer, faction, candidacy):
            messages.success(
                request,
                _t("%(faction)s endorses %(name)s.")
                % {"faction": faction.name, "name": candidacy.member.name},
            )
            return redirect(faction)
    return _again(request, faction, viewer, endorse_form=form)


@login_required
@require_POST
def propose_dissolution(request: HttpRequest, slug: str, faction_slug: str) -> HttpResponse:
    faction, viewer = _context(request, slug, faction_slug)
    form = DissolutionForm(request.POST)
    if form.is_valid():
        election = attempt(
            form, services.propose_dissolution, viewer, faction, form.cleaned_data["reason"]
        )
        if election is not None:
            messages.success(request, _t("The dissolution is put to the faction's members."))
            return redirect(election)
    return _again(request, faction, viewer, dissolution_form=form)


ACTIONS = {
    "sign": sign,
    "join": join,
    "leave": leave,
    "visibility": visibility,
    "platform": publish_platform,
    "statement": publish_statement,
    "endorse": endorse,
    "dissolve": propose_dissolution,
}


def faction_action(request: HttpRequest, slug: str, faction_slug: str, action: str):
    """One route for every form on the faction page (the URL pattern lists the actions)."""
    return ACTIONS[action](request, slug, faction_slug)

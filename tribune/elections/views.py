"""Election, office and recall pages.

Views parse the request and call ``tribune.elections.services``; what may be
done, by whom and when is decided there. A refusal the member can correct is
shown on the form; a missing power goes on to the 403 page with its reason.

The ballot key (the voter's secret to change their vote) is shown once on the
receipt and kept only in a cookie signed for this voter and this election,
never on the server: the server must not be able to link a ballot to a voter.
"""

import json
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from tribune.audit.labels import action_label
from tribune.audit.models import AuditEntry
from tribune.elections import charts, services, turnout
from tribune.elections.forms import (
    AcceptForm,
    CallElectionForm,
    CommentForm,
    NominateForm,
    RankedBallotForm,
    ReasonForm,
    RecallForm,
    ReplyForm,
    ReportForm,
    TrackerForm,
    YesNoBallotForm,
)
from tribune.elections.models import (
    YES_NO_CHOICES,
    Ballot,
    Election,
    Kind,
    MandateReport,
    PetitionStatus,
    RecallPetition,
    ReportComment,
    Status,
)
from tribune.factions.models import Endorsement
from tribune.lib.errors import NotFound, NotPermitted, RuleViolation
from tribune.lib.inputs import object_id
from tribune.members.models import Member
from tribune.members.rules import sees_member_names
from tribune.offices.models import Office, Term
from tribune.offices.rules import reach
from tribune.web.helpers import attempt, organisation_and_viewer

UPCOMING = [Status.CALLED]
CURRENT = [
    Status.NOMINATIONS,
    Status.NOMINATIONS_CLOSED,
    Status.VOTING,
    Status.VOTING_CLOSED,
    Status.COUNTED,
]
FINISHED = [Status.CERTIFIED, Status.CANCELLED]
PUBLISHED = [Status.COUNTED, Status.CERTIFIED]


def _member(viewer: Member | None) -> Member:
    if viewer is None:
        raise NotPermitted(_t("Only members of this organisation can do this."))
    return viewer


def _election(organisation, pk: int) -> Election:
    return get_object_or_404(
        Election.objects.select_related("office__body", "electorate", "organisation"),
        organisation=organisation,
        pk=pk,
    )


# --- the list and calling ------------------------------------------------------------------


def elections(request: HttpRequest, slug: str) -> HttpResponse:
    """Every vote of the organisation, current first: anyone may follow (and audit) them."""
    organisation, viewer = organisation_and_viewer(request, slug)
    all_ = Election.objects.filter(organisation=organisation).select_related(
        "office__body", "organisation"
    )
    past = Paginator(
        all_.filter(status__in=FINISHED).order_by("-voting_close_at", "-pk"), 50
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "elections/list.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "current": all_.filter(status__in=CURRENT).order_by("voting_close_at"),
            "upcoming": all_.filter(status__in=UPCOMING).order_by("voting_open_at"),
            "past": past,
            "page": past,
            "can_call": _reaches(viewer, "call_elections"),
        },
    )


def _reaches(viewer: Member | None, power: str) -> bool:
    try:
        return bool(reach(viewer, power))
    except NotPermitted:
        return False


@login_required
def call_election(request: HttpRequest, slug: str) -> HttpResponse:
    """Call an election, referendum or amendment vote (the mandate's power, checked by services)."""
    organisation, viewer = organisation_and_viewer(request, slug)
    reach(viewer, "call_elections")  # no such mandate anywhere: the 403 page says why
    form = CallElectionForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind = data["kind"]
        election = attempt(
            form,
            services.call_election,
            viewer,
            kind=kind,
            office=data["office"] if kind == Kind.OFFICE else None,
            title=data["title"],
            question=data["question"],
            seats=data["seats"],
            method=data["method"] or None,
            returning_officer=data["returning_officer"],
            starts_at=data["starts_at"],
            allow_vote_change=data["allow_vote_change"],
            amendment=form.amendment(),
            # Ignored by the service when an office is given (its body's branch votes).
            electorate_branch=data["electorate"] or organisation.root_branch,
        )
        if election is not None:
            messages.success(request, _t("The election is called."))
            return redirect(election)
    return render(
        request,
        "elections/call.html",
        {"organisation": organisation, "viewer": viewer, "form": form},
        status=400 if form.errors else 200,
    )


# --- the election page -----------------------------------------------------------------------

BALLOT_COOKIE = "tribune_ballot_{pk}"


def _cookie_salt(election: Election, member: Member) -> str:
    # Signed for this voter: someone else logging in on a shared browser cannot use it.
    return f"tribune.ballot.{election.pk}.{member.pk}"


def _stored_ballot(request: HttpRequest, election: Election, viewer: Member | None) -> dict:
    """The tracker and key this browser holds for ``viewer`` in ``election`` (or {})."""
    if viewer is None:
        return {}
    try:
        value = request.get_signed_cookie(
            BALLOT_COOKIE.format(pk=election.pk), salt=_cookie_salt(election, viewer)
        )
    except (KeyError, signing.BadSignature):
        return {}
    tracker, _, key = value.partition(".")
    return {"tracker": tracker, "key": key}


def _store_ballot(response, election: Election, viewer: Member, receipt) -> None:
    response.set_signed_cookie(
        BALLOT_COOKIE.format(pk=election.pk),
        f"{receipt.tracker}.{receipt.key}",
        salt=_cookie_salt(election, viewer),
        expires=election.voting_close_at + timedelta(days=90),
        path=election.get_absolute_url(),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _ballot_form(election: Election, data=None):
    if election.is_ranked:
        return RankedBallotForm(data, candidates=services.candidate_names(election))
    return YesNoBallotForm(data)


def _timeline(election: Election):
    """What happened, when; a step taken later than the dates above says when it was due."""
    labels = {f"election.{s.value}": s.label for s in Status}
    labels["election.called"] = _t("Called")
    due = {
        f"election.{Status.NOMINATIONS}": election.nominations_open_at,
        f"election.{Status.NOMINATIONS_CLOSED}": election.nominations_close_at,
        f"election.{Status.VOTING}": election.voting_open_at,
        f"election.{Status.VOTING_CLOSED}": election.voting_close_at,
    }
    entries = AuditEntry.objects.filter(
        organisation=election.organisation, target=f"election:{election.pk}"
    ).order_by("seq")
    steps = []
    for e in entries:
        scheduled = due.get(e.action)
        late = scheduled is not None and abs(e.at - scheduled) > timedelta(minutes=1)
        steps.append(
            {
                "at": e.at,
                "label": labels.get(e.action) or action_label(e.action),
                "reason": (e.data or {}).get("reason", ""),
                "seq": e.seq,
                "scheduled": scheduled if late else None,
            }
        )
    return steps


def _tally(election: Election) -> list[tuple[str, int]] | None:
    """A yes/no vote's counts, each answer in words (not a stage table of "candidates")."""
    if election.is_ranked or not election.result or not election.result.get("stages"):
        return None
    votes = election.result["stages"][-1].get("votes", {})
    words = {"yes": _t("Yes"), "no": _t("No"), "abstain": _t("Abstain")}
    return [(words[k], votes.get(k, 0)) for k in YES_NO_CHOICES]


def _stage_table(result: dict | None) -> dict | None:
    """Rows (one per candidate) × stages, from ``Result.to_dict()``."""
    if not result or not result.get("stages"):
        return None
    stages = result["stages"]
    names: list[str] = []
    for stage in stages:
        for name in stage["votes"]:
            if name not in names:
                names.append(name)
    rows = [
        {
            "name": name,
            "cells": [
                {
                    "votes": stage["votes"].get(name, ""),
                    "transfer": stage.get("transfers", {}).get(name, ""),
                    "elected": name in stage.get("elected", []),
                    "excluded": name in stage.get("excluded", []),
                }
                for stage in stages
            ],
        }
        for name in names
    ]
    return {
        "stages": stages,
        "rows": rows,
        "exhausted": [s.get("exhausted", 0) for s in stages],
    }


def _election_page(request: HttpRequest, election: Election, viewer: Member | None, **forms):
    organisation = election.organisation
    member = viewer if viewer is not None and viewer.in_good_standing else None
    candidacies = (
        election.candidacies.select_related("member", "nominated_by")
        .prefetch_related(
            Prefetch(
                "endorsements",
                queryset=Endorsement.objects.select_related("faction__organisation"),
            )
        )
        .annotate(seconders=Count("secondings"))
    )
    seconded = (
        set(election.candidacies.filter(secondings__member=member).values_list("pk", flat=True))
        if member
        else set()
    )
    on_roll = viewer is not None and election.roll.filter(member=viewer).exists()
    runs_it = bool(
        viewer
        and election.returning_office_id
        and Term.objects.current()
        .filter(office_id=election.returning_office_id, member=viewer)
        .exists()
    )
    published = election.status in PUBLISHED
    tracker_form = forms.get("tracker_form") or TrackerForm(request.GET or None)
    verified = None
    if published and "tracker" in request.GET and tracker_form.is_valid():
        verified = Ballot.objects.filter(
            election=election, tracker=tracker_form.cleaned_data["tracker"].strip().lower()
        ).exists()
    stored = _stored_ballot(request, election, viewer)
    stage_table = _stage_table(election.result) if election.is_ranked else None
    return {
        "organisation": organisation,
        "viewer": viewer,
        # Who nominated whom names members: for members (members.rules). Candidates
        # themselves stand in public.
        "show_names": sees_member_names(viewer, organisation),
        "amendment_comparison": _amendment_comparison(election),
        "election": election,
        "timeline": _timeline(election),
        "candidacies": candidacies,
        "seconded": seconded,
        "seconders_required": organisation.current_constitution().seconders_required,
        "nominations_open": election.status == Status.NOMINATIONS,
        "nominate_form": forms.get("nominate_form")
        or (NominateForm(election=election) if member else None),
        "accept_form": forms.get("accept_form") or AcceptForm(),
        "voting_open": election.status == Status.VOTING,
        "on_roll": on_roll,
        "has_voted": bool(viewer and services.has_voted(viewer, election)),
        "ballot_form": forms.get("ballot_form") or _ballot_form(election),
        "stored": stored,
        "runs_it": runs_it,
        "can_cancel": services.may_cancel(viewer, election),
        "cancel_form": forms.get("cancel_form") or ReasonForm(),
        "published": published,
        "stage_table": stage_table,
        "stv_chart": charts.stv_chart(stage_table, (election.result or {}).get("quota")),
        "turnout_chart": turnout.chart(election),
        "tally": _tally(election),
        "elected": candidacies.filter(elected_rank__isnull=False).order_by("elected_rank"),
        "tracker_form": tracker_form,
        "tracker_value": request.GET.get("tracker", stored.get("tracker", "")),
        "verified": verified,
        "recall": getattr(election, "recall_petition", None)
        if election.kind == Kind.RECALL
        else None,
    }


def _amendment_comparison(election):
    """What an amendment not yet decided would change in the constitution now in force."""
    from tribune.constitution.changes import compare
    from tribune.constitution.services import draft

    if election.kind != Kind.AMENDMENT or election.status in (Status.CERTIFIED, Status.CANCELLED):
        return None
    if not isinstance(election.amendment, dict):
        return None
    current = election.organisation.current_constitution()
    try:
        return compare(current, draft(current, election.amendment))
    except (TypeError, ValueError):  # an amendment older code let in: the page still shows
        return None


def election(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Status, timeline, candidates, the ballot, and after counting the result and the box."""
    organisation, viewer = organisation_and_viewer(request, slug)
    # The page never shows a stale step: take any the clock already allows (idempotent),
    # under a lock only when one is due (a write lock on every view of a result held
    # up the ballots being cast on SQLite).
    election = _election(organisation, pk)
    if services.step_due(election):
        election = services.advance(election)
    return render(request, "elections/election.html", _election_page(request, election, viewer))


def _again(request, election, viewer, **forms) -> HttpResponse:
    """The election page again, showing the refusal on the form that caused it."""
    context = _election_page(request, election, viewer, **forms)
    return render(request, "elections/election.html", context, status=400)


@login_required
@require_POST
def nominate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    election = _election(organisation, pk)
    viewer = _member(viewer)
    form = NominateForm(request.POST, election=election)
    if form.is_valid():
        nominee = form.cleaned_data["member"]
        candidacy = attempt(
            form,
            services.nominate,
            viewer,
            election,
            nominee,
            statement=form.cleaned_data["statement"],
        )
        if candidacy is not None:
            if nominee == viewer:
                messages.success(request, _t("You are standing."))
            else:
                messages.success(
                    request,
                    _t("%(name)s is nominated; they must accept to stand.")
                    % {"name": nominee.name},
                )
            return redirect(election)
    return _again(request, election, viewer, nominate_form=form)


CANDIDACY_ACTIONS = {"accept", "withdraw", "second"}


@login_required
@require_POST
def candidacy(request: HttpRequest, slug: str, pk: int, candidacy_id: int, action: str):
    """Accept (with statement and faction), withdraw, or second a nomination."""
    organisation, viewer = organisation_and_viewer(request, slug)
    election = _election(organisation, pk)
    viewer = _member(viewer)
    candidacy = get_object_or_404(election.candidacies, pk=candidacy_id)
    form = AcceptForm(request.POST)
    if action == "accept":
        if form.is_valid() and attempt(
            form,
            services.accept_nomination,
            viewer,
            candidacy,
            statement=form.cleaned_data["statement"],
            faction_label=form.cleaned_data["faction_label"],
        ):
            messages.success(request, _t("You are standing."))
            return redirect(election)
        return _again(request, election, viewer, accept_form=form)
    done = attempt(
        form,
        services.withdraw_candidacy if action == "withdraw" else services.second_nomination,
        viewer,
        candidacy,
    )
    if done is None:
        messages.error(request, " ".join(form.non_field_errors()))
    elif action == "withdraw":
        messages.success(request, _t("Your candidacy is withdrawn."))
    else:
        messages.success(request, _t("You second %(name)s.") % {"name": candidacy.member.name})
    return redirect(election)


@login_required
@require_POST
def vote(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Cast or change a secret ballot; answer with the receipt (tracker and key)."""
    organisation, viewer = organisation_and_viewer(request, slug)
    election = _election(organisation, pk)
    viewer = _member(viewer)
    form = _ballot_form(election, request.POST)
    if form.is_valid():
        key = request.POST.get("key", "").strip()
        if not key and election.allow_vote_change and services.has_voted(viewer, election):
            key = _stored_ballot(request, election, viewer).get("key", "")
        choice = form.cleaned_data["choice"]
        receipt = attempt(form, services.cast_ballot, viewer, election, choice, key=key)
        if receipt is not None:
            response = render(
                request,
                "elections/receipt.html",
                {
                    "organisation": organisation,
                    "viewer": viewer,
                    "election": election,
                    "receipt": receipt,
                },
            )
            _store_ballot(response, election, viewer, receipt)
            return response
    return _again(request, election, viewer, ballot_form=form)


@login_required
@require_POST
def certify(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    election = _election(organisation, pk)
    services.certify(_member(viewer), election)
    messages.success(request, _t("The result is certified."))
    return redirect(election)


@login_required
@require_POST
def cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    election = _election(organisation, pk)
    viewer = _member(viewer)
    form = ReasonForm(request.POST)
    if form.is_valid() and attempt(
        form, services.cancel_election, viewer, election, form.cleaned_data["reason"]
    ):
        messages.success(request, _t("The election is cancelled; the reason is published."))
        return redirect(election)
    return _again(request, election, viewer, cancel_form=form)


def _published(organisation, pk: int) -> Election:
    election = _election(organisation, pk)
    if election.status not in PUBLISHED:
        raise NotFound(_t("The ballot box is published once the votes are counted."))
    return election


def box_json(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The published ballot box with every tracker, for anyone to check and recount."""
    organisation, _viewer = organisation_and_viewer(request, slug)
    election = _published(organisation, pk)

    def build() -> str:
        body = {
            "election": election.title,
            "method": election.method,
            "seats": election.seats,
            "candidates": {str(k): v for k, v in services.candidate_names(election).items()},
            "ballots": services.published_box(election),
        }
        return json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)

    response = HttpResponse(
        services.once_certified(election, "box.json", build), content_type="application/json"
    )
    response["Content-Disposition"] = f'inline; filename="election-{election.pk}.json"'
    return response


def box_blt(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation, _viewer = organisation_and_viewer(request, slug)
    election = _published(organisation, pk)
    if not election.is_ranked:
        raise NotFound(_t("A yes/no vote has no BLT file; use the JSON box."))
    response = HttpResponse(services.box_blt(election), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="election-{election.pk}.blt"'
    return response


# --- offices: mandate, holders, reports, recall -----------------------------------------------


def _office(organisation, office_id: int) -> Office:
    return get_object_or_404(
        Office.objects.select_related("body__branch"), body__organisation=organisation, pk=office_id
    )


def _office_page(office: Office, viewer: Member | None, **forms) -> dict:
    organisation = office.body.organisation
    current = list(Term.objects.current().filter(office=office).select_related("member"))
    mine = next((t for t in current if viewer and t.member_id == viewer.pk), None)
    member = viewer if viewer is not None and viewer.in_good_standing else None
    reports = (
        MandateReport.objects.filter(term__office=office)
        .select_related("term__member")
        .prefetch_related(
            Prefetch("comments", queryset=ReportComment.objects.select_related("member"))
        )
    )
    return {
        "organisation": organisation,
        "viewer": viewer,
        "office": office,
        "current": current,
        "my_term": mine,
        "history": office.terms.select_related("member").order_by("-starts_at"),
        "reports": reports,
        # Comments are members' speech, under their names: for members (members.rules).
        "show_comments": sees_member_names(viewer, organisation),
        "petitions": RecallPetition.objects.filter(term__office=office).select_related(
            "term__member", "election"
        ),
        "elections": office.elections.order_by("-voting_close_at")[:20],
        "can_petition": services.in_electorate(viewer, office.body.branch),
        "report_form": forms.get("report_form") or (ReportForm() if mine else None),
        "comment_form": forms.get("comment_form") or (CommentForm() if member else None),
        "comment_on": forms.get("comment_on"),
        "holders": [
            (
                term,
                forms["recall_form"]
                if forms.get("recall_term") == term.pk
                else RecallForm(auto_id=f"id_recall_{term.pk}_%s"),
            )
            for term in current
        ],
        "recall_term": forms.get("recall_term"),
    }


def office(request: HttpRequest, slug: str, office_id: int) -> HttpResponse:
    """The mandate and who holds it, until when, what they reported, and every recall."""
    organisation, viewer = organisation_and_viewer(request, slug)
    return render(
        request, "elections/office.html", _office_page(_office(organisation, office_id), viewer)
    )


def _office_again(request, office, viewer, **forms) -> HttpResponse:
    context = _office_page(office, viewer, **forms)
    return render(request, "elections/office.html", context, status=400)


@login_required
@require_POST
def publish_report(request: HttpRequest, slug: str, office_id: int) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    office = _office(organisation, office_id)
    viewer = _member(viewer)
    term = get_object_or_404(Term, office=office, pk=object_id(request.POST.get("term")))
    form = ReportForm(request.POST)
    if form.is_valid() and attempt(
        form,
        services.publish_report,
        viewer,
        term,
        title=form.cleaned_data["title"],
        done=form.cleaned_data["done"],
        not_done=form.cleaned_data["not_done"],
    ):
        messages.success(request, _t("Your report is published."))
        return redirect("web:office", slug, office.pk)
    return _office_again(request, office, viewer, report_form=form)


@login_required
@require_POST
def comment(request: HttpRequest, slug: str, office_id: int, report_id: int) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    office = _office(organisation, office_id)
    viewer = _member(viewer)
    report = get_object_or_404(MandateReport, term__office=office, pk=report_id)
    form = CommentForm(request.POST)
    if form.is_valid() and attempt(
        form, services.comment_on_report, viewer, report, form.cleaned_data["text"]
    ):
        messages.success(request, _t("Your comment is posted."))
        return redirect("web:office", slug, office.pk)
    return _office_again(request, office, viewer, comment_form=form, comment_on=report.pk)


@login_required
@require_POST
def open_recall(request: HttpRequest, slug: str, office_id: int) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    office = _office(organisation, office_id)
    viewer = _member(viewer)
    term = get_object_or_404(Term, office=office, pk=object_id(request.POST.get("term")))
    form = RecallForm(request.POST)
    if form.is_valid():
        petition = attempt(
            form, services.open_recall_petition, viewer, term, form.cleaned_data["reason"]
        )
        if petition is not None:
            messages.success(request, _t("The recall petition is open; you have signed it."))
            return redirect(petition)
    return _office_again(request, office, viewer, recall_form=form, recall_term=term.pk)


# --- recall petitions ----------------------------------------------------------------------------


def _petition(organisation, pk: int) -> RecallPetition:
    return get_object_or_404(
        RecallPetition.objects.select_related("term__member", "term__office__body", "election"),
        term__office__body__organisation=organisation,
        pk=pk,
    )


def _recall_page(petition: RecallPetition, viewer: Member | None, **forms) -> dict:
    return {
        "organisation": petition.term.office.body.organisation,
        "viewer": viewer,
        "petition": petition,
        "office": petition.term.office,
        "signatures": petition.signatures.count(),
        "signed": bool(viewer and petition.signatures.filter(member=viewer).exists()),
        "collecting": petition.status == PetitionStatus.OPEN,
        "can_sign": services.in_electorate(viewer, petition.term.office.body.branch),
        "is_holder": bool(viewer and petition.term.member_id == viewer.pk),
        "reply_form": forms.get("reply_form") or ReplyForm(initial={"text": petition.holder_reply}),
    }


def recall(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A petition: its reason, the holder's reply, how many signed (never who)."""
    organisation, viewer = organisation_and_viewer(request, slug)
    petition = _petition(organisation, pk)
    return render(request, "elections/recall.html", _recall_page(petition, viewer))


@login_required
@require_POST
def recall_sign(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    petition = _petition(organisation, pk)
    viewer = _member(viewer)
    try:
        if action == "sign":
            services.sign_recall_petition(viewer, petition)
            petition.refresh_from_db()
            if petition.status == PetitionStatus.VOTE:
                messages.success(request, _t("The threshold is reached: the recall vote is open."))
            else:
                messages.success(request, _t("You have signed the petition."))
        else:
            services.withdraw_signature(viewer, petition)
            messages.success(request, _t("Your signature is withdrawn."))
    except NotPermitted:
        raise
    except RuleViolation as exc:
        messages.error(request, exc.message)
        context = _recall_page(petition, viewer)
        return render(request, "elections/recall.html", context, status=400)
    return redirect(petition)


@login_required
@require_POST
def recall_reply(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    petition = _petition(organisation, pk)
    viewer = _member(viewer)
    form = ReplyForm(request.POST)
    if form.is_valid() and attempt(
        form, services.reply_to_recall, viewer, petition, form.cleaned_data["text"]
    ):
        messages.success(request, _t("Your reply is published."))
        return redirect(petition)
    context = _recall_page(petition, viewer, reply_form=form)
    return render(request, "elections/recall.html", context, status=400)

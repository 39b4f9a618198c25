"""Assembly, projector, minutes and programme pages.

Views parse the request and call ``tribune.assemblies.services``; who may do
what, and when, is decided there. A refusal the member can correct is shown
on the form that caused it (or as a message for a plain button); a missing
power goes on to the 403 page with its reason. Every form posts and redirects
back, so the hall works without JavaScript; with it, ``assembly-live.js``
follows the assembly's event stream and refreshes the live panel in place.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from tribune.assemblies import rules, services, sessions, textmerge
from tribune.assemblies.forms import (
    AgendaItemForm,
    AmendmentForm,
    AttendanceForm,
    BallotForm,
    CheckInForm,
    ConveneForm,
    ItemForm,
    MotionForm,
    OpenVoteForm,
    ProxyForm,
    RankingForm,
    SpeakForm,
    SubstituteForm,
    TransferForm,
    desk_pool,
)
from tribune.assemblies.minutes import write as write_minutes
from tribune.assemblies.models import (
    AgendaItem,
    Assembly,
    LiveVote,
    Motion,
    Programme,
    ProgrammeVersion,
    Proxy,
    SpeakerRequest,
)
from tribune.elections.models import Status, VoterRoll
from tribune.lib import charts, worddiff
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.lib.inputs import object_id
from tribune.members.models import Member
from tribune.members.picker import search_response
from tribune.offices.rules import reach
from tribune.web.helpers import attempt, organisation_and_viewer


def _member(viewer: Member | None) -> Member:
    if viewer is None:
        raise NotPermitted(_t("Only members of this organisation can do this."))
    return viewer


def _assembly(organisation, pk: int) -> Assembly:
    return get_object_or_404(
        Assembly.objects.select_related("organisation", "branch", "chair_office"),
        organisation=organisation,
        pk=pk,
    )


def _is_chair(viewer: Member | None, assembly: Assembly) -> bool:
    try:
        services.chair_term(viewer, assembly)
    except NotPermitted:
        return False
    return True


def _can_convene(viewer: Member | None) -> bool:
    try:
        return bool(reach(viewer, "convene_assemblies"))
    except NotPermitted:
        return False


def _back(assembly: Assembly, anchor: str = "live"):
    return redirect(f"{assembly.get_absolute_url()}#{anchor}")


# --- list and convening -------------------------------------------------------------------


def assemblies(request: HttpRequest, slug: str) -> HttpResponse:
    """Every congress and assembly: anyone may follow them, as they may follow every vote."""
    organisation, viewer = organisation_and_viewer(request, slug)
    all_ = Assembly.objects.filter(organisation=organisation).select_related("branch")
    return render(
        request,
        "assemblies/list.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "upcoming": all_.exclude(status=Assembly.Status.CLOSED).order_by("starts_at"),
            "past": all_.filter(status=Assembly.Status.CLOSED),
            "can_convene": _can_convene(viewer),
        },
    )


@login_required
def convene(request: HttpRequest, slug: str) -> HttpResponse:
    """Convene a congress or assembly (the mandate's power, checked by services)."""
    organisation, viewer = organisation_and_viewer(request, slug)
    reach(viewer, "convene_assemblies")  # no such mandate anywhere: the 403 page says why
    form = ConveneForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assembly = attempt(
            form,
            services.convene,
            viewer,
            data["branch"],
            title=data["title"],
            kind=data["kind"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            motions_deadline=data["motions_deadline"],
            chair=data["chair"],
            **form.standing_orders(),
        )
        if assembly is not None:
            messages.success(request, _t("The assembly is convened."))
            return redirect(assembly)
    return render(
        request,
        "assemblies/convene.html",
        {"organisation": organisation, "viewer": viewer, "form": form},
        status=400 if form.errors else 200,
    )


# --- the assembly page --------------------------------------------------------------------


def _numbered(text: str) -> list[tuple[int, str]]:
    return list(enumerate(text.splitlines(), start=1))


def _motion_view(motion: Motion) -> dict:
    versions = list(motion.versions.all())
    history = []
    for before, after in zip(versions, versions[1:], strict=False):
        history.append(
            {
                "version": after,
                "changes": mark_safe(worddiff.render_plain_changes(before.text, after.text)),
            }
        )
    try:
        consolidated, clash = services.consolidated_text(motion), ""
    except textmerge.AmendmentConflict as conflict:
        consolidated, clash = "", str(conflict)
    conflicts = services.conflicting_amendments(motion)
    flagged = {label for pair in conflicts for label in pair}
    return {
        "motion": motion,
        "tabled": _numbered(versions[0].text) if versions else [],
        "current": versions[-1] if versions else None,
        "history": history,
        "amendments": [
            {
                "amendment": a,
                "conflict": a.label in flagged,
                "changes": mark_safe(  # escaped by worddiff, then marked
                    worddiff.render_plain_changes(
                        textmerge.replaced_lines(versions[0].text, a.start, a.end),
                        a.new_text,
                    )
                ),
            }
            for a in motion.amendments.all()
        ],
        "conflicts": conflicts,
        "consolidated": consolidated,
        "consolidation_clash": clash,
        "majority": sessions.majority_rule(motion.assembly, motion)["name"],
    }


def _live_context(assembly: Assembly, viewer: Member | None, **forms) -> dict:
    """What the live panel (and the projector) shows: item, speaker, list, vote, result."""
    current = assembly.agenda.filter(status=AgendaItem.Status.CURRENT).first()
    speaking = (
        current.speakers.filter(status=SpeakerRequest.Status.SPEAKING)
        .select_related("participant__member")
        .first()
        if current
        else None
    )
    seconds_left = None
    if speaking is not None and speaking.started_at:
        elapsed = (timezone.now() - speaking.started_at).total_seconds()
        seconds_left = int(assembly.speaking_minutes * 60 - elapsed)
    vote = services.open_vote_of(assembly)
    participant = services.participant_of(viewer, assembly)
    last = (
        assembly.votes.exclude(election__status=Status.VOTING)
        .select_related("election")
        .order_by("-opened_at", "-pk")
        .first()
    )
    ranking_form = None
    if vote is not None and vote.is_ranking:
        ranking_form = forms.get("ranking_form") or RankingForm(options=vote.election.options)
    last_ranking = services.ranking_result(last) if last and last.is_ranking else None
    attendance = sessions.attendance(assembly)
    cast = VoterRoll.objects.filter(election=vote.election, voted=True).count() if vote else 0
    last_counts = services.vote_counts(last.election) if last else None
    return {
        "assembly": assembly,
        # Members' names (speakers, named votes, movers) are for members: assemblies.rules.
        "show_names": rules.shows_names(viewer, assembly),
        "is_chair": _is_chair(viewer, assembly),
        "participant": participant,
        "presence": sessions.presence_of(participant) if participant else None,
        "attendance": attendance,
        "sitting": sessions.current_session(assembly),
        "last_outcome": sessions.outcome(last) if last else None,
        "last_outcome_label": sessions.outcome_label(last) if last else None,
        "current_item": current,
        "speaking": speaking,
        "seconds_left": seconds_left,
        "speakers": services.speakers_list(current) if current else [],
        "vote": vote,
        "cast": cast,
        # The projector's bars (counts only): voted of those present, then yes, no, abstain.
        "vote_bar": charts.share_bar([("cast", cast)], whole=attendance.present) if vote else None,
        "result_bar": charts.share_bar(list(last_counts.items()))
        if last_counts and not last.is_ranking
        else None,
        "has_voted": bool(
            vote
            and participant
            and VoterRoll.objects.filter(
                election=vote.election, member=participant.member, voted=True
            ).exists()
        ),
        "last": last,
        "last_counts": last_counts,
        "last_named": _named(last, viewer) if last else (),
        "last_ranking": last_ranking,
        "ranking_form": ranking_form,
        "speak_form": forms.get("speak_form") or SpeakForm(),
        "ballot_form": forms.get("ballot_form") or BallotForm(),
        "open_vote_form": forms.get("open_vote_form") or OpenVoteForm(assembly=assembly),
    }


def _named(vote: LiveVote, viewer: Member | None) -> list:
    """Who voted how, for a reader ``rules.named_record`` lets see it; for a ranking,
    ``titles`` holds the motions ranked, first first."""
    named = list(rules.named_record(viewer, vote) or ())
    if vote.is_ranking:
        titles = {pk: title for pk, title in vote.election.options}
        for n in named:
            n.titles = [titles.get(pk, "") for pk in n.ranking or []]
    return named


def _agenda_and_motions(assembly: Assembly, motions) -> tuple[list, list]:
    """Agenda items with what the ranking of competing motions needs, and the motions with
    each ranked item's motions in the order decided (at the place of the item's first)."""
    items = list(assembly.agenda.all())
    by_item: dict[int, list] = {}
    for motion in motions:
        by_item.setdefault(motion.agenda_item_id, []).append(motion)
    orders = {}
    for item in items:
        ranking = services.ranking_of(item)
        tabled = [m for m in by_item.get(item.pk, []) if m.status == Motion.Status.TABLED]
        item.can_rank = ranking is None and len(tabled) >= 2
        item.ranked = []
        if ranking is not None:
            orders[item.pk] = ranking.order
            item.ranked = services.in_ranked_order(
                [m for m in by_item.get(item.pk, []) if m.pk in ranking.order], ranking.order
            )
    shown, done = [], set()
    for motion in motions:
        order = orders.get(motion.agenda_item_id)
        if order is None:
            shown.append(motion)
        elif motion.agenda_item_id not in done:
            done.add(motion.agenda_item_id)
            for place, m in enumerate(
                services.in_ranked_order(by_item[motion.agenda_item_id], order)
            ):
                m.ranked_place = place + 1 if m.pk in order else None
                shown.append(m)
    return items, shown


def _page(request: HttpRequest, assembly: Assembly, viewer: Member | None, **forms) -> dict:
    organisation = assembly.organisation
    participant = services.participant_of(viewer, assembly)
    programme = Programme.objects.filter(organisation=organisation).first()
    current_programme = programme.current() if programme else None
    sections = current_programme.sections.all() if current_programme else []
    participants = (
        assembly.participants.all()
        if rules.shows_names(viewer, assembly)
        else assembly.participants.none()  # the count is still shown to everyone
    )
    participants = participants.select_related(
        "member", "delegation", "substitute_for__member", "proxy_given"
    ).prefetch_related(Prefetch("proxies_held", queryset=Proxy.objects.select_related("giver")))
    motions = assembly.motions.select_related("agenda_item", "tabled_by").prefetch_related(
        "versions", "amendments"
    )
    agenda, motions = _agenda_and_motions(assembly, list(motions))
    return {
        "organisation": organisation,
        "viewer": viewer,
        **_live_context(assembly, viewer, **forms),
        "participant": participant,
        "proxy_given": Proxy.objects.filter(giver=participant)
        .select_related("holder__member")
        .first()
        if participant
        else None,
        "participants": participants.order_by("delegation__name", "member__name"),
        "participant_count": assembly.participants.count(),
        "delegations": [
            {"branch": b, "members": n, "seats": s}
            for b, (n, s) in sorted(
                services.delegations(assembly).items(), key=lambda kv: kv[0].name
            )
        ]
        if assembly.kind == Assembly.Kind.DELEGATES
        else [],
        "agenda": agenda,
        "motions": [_motion_view(m) for m in motions],
        "before_deadline": timezone.now() <= assembly.motions_deadline,
        "motion_form": forms.get("motion_form")
        or MotionForm(assembly=assembly, sections=sections, member=viewer),
        "agenda_form": forms.get("agenda_form") or AgendaItemForm(),
        "item_form": ItemForm(assembly=assembly),
        "proxy_form": forms.get("proxy_form") or ProxyForm(assembly=assembly, exclude=participant),
        "substitute_form": forms.get("substitute_form") or SubstituteForm(assembly=assembly),
        "transfer_form": forms.get("transfer_form") or TransferForm(assembly=assembly),
        "attendance_form": forms.get("attendance_form") or AttendanceForm(assembly=assembly),
        "quorum_percent_text": sessions.percent_text(sessions.quorum_percent(assembly)),
    }


def assembly(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Standing orders, participants, agenda, motions and the live panel of one assembly."""
    organisation, viewer = organisation_and_viewer(request, slug)
    assembly = _assembly(organisation, pk)
    return render(request, "assemblies/assembly.html", _page(request, assembly, viewer))


def _again(request, assembly: Assembly, viewer, **forms) -> HttpResponse:
    """The assembly page again, showing the refusal on the form that caused it."""
    context = _page(request, assembly, viewer, **forms)
    return render(request, "assemblies/assembly.html", context, status=400)


def live_panel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The live panel alone, fetched by the page's script when an event arrives."""
    organisation, viewer = organisation_and_viewer(request, slug)
    assembly = _assembly(organisation, pk)
    template = (
        "assemblies/_projector_live.html"
        if request.GET.get("view") == "projector"
        else "assemblies/_live.html"
    )
    context = {"organisation": organisation, "viewer": viewer, **_live_context(assembly, viewer)}
    return render(request, template, context)


def projector(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Full screen for the hall: current item, speaker and timer, the vote and its result."""
    organisation, viewer = organisation_and_viewer(request, slug)
    assembly = _assembly(organisation, pk)
    context = {"organisation": organisation, "viewer": viewer, **_live_context(assembly, viewer)}
    return render(request, "assemblies/projector.html", context)


# --- motions and amendments ---------------------------------------------------------------


@login_required
@require_POST
def table_motion(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    assembly = _assembly(organisation, pk)
    viewer = _member(viewer)
    programme = Programme.objects.filter(organisation=organisation).first()
    current = programme.current() if programme else None
    form = MotionForm(
        request.POST,
        assembly=assembly,
        sections=current.sections.all() if current else [],
        member=viewer,
    )
    if form.is_valid():
        data = form.cleaned_data
        motion = attempt(
            form,
            services.table_motion,
            viewer,
            assembly,
            title=data["title"],
            text=data["text"],
            agenda_item=data["agenda_item"],
            branch=data.get("on_behalf_of_branch"),
            faction=data.get("on_behalf_of_faction"),
            programme_section=data["programme_section"],
            amends_constitution=data["amends_constitution"],
        )
        if motion is not None:
            messages.success(request, _t("Your motion is tabled."))
            return _back(assembly, f"motion-{motion.pk}")
    return _again(request, assembly, viewer, motion_form=form)


@login_required
def table_amendment(request: HttpRequest, slug: str, pk: int, motion_id: int) -> HttpResponse:
    """Amend the motion as tabled by quoting a passage of it and typing the replacement."""
    organisation, viewer = organisation_and_viewer(request, slug)
    assembly = _assembly(organisation, pk)
    viewer = _member(viewer)
    motion = get_object_or_404(assembly.motions, pk=motion_id)
    # The motion page's "amend the selected passage" link brings the selection along.
    form = AmendmentForm(request.POST or None, initial={"passage": request.GET.get("passage", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        amendment = attempt(
            form,
            services.amend_passage,
            viewer,
            motion,
            passage=data["passage"],
            replacement=data["replacement"],
            reason=data["reason"],
        )
        if amendment is not None:
            messages.success(
                request, _t("Amendment %(label)s is tabled.") % {"label": amendment.label}
            )
            return _back(assembly, f"motion-{motion.pk}")
    return render(
        request,
        "assemblies/amend.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "assembly": assembly,
            "motion": motion,
            "tabled": motion.versions.get(number=1).text,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


# --- chair's actions ----------------------------------------------------------------------


def _button(request, assembly: Assembly, action, *args, done: str) -> HttpResponse:
    """A plain button (no fields): a refusal becomes a message, then back to the page."""
    try:
        action(*args)
    except NotPermitted:
        raise
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return _back(assembly)


@login_required
@require_POST
def chair_action(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    """Seat participants, call delegate elections, call the next speaker, open a ranking vote
    on an item's competing motions, close the vote."""
    organisation, viewer = organisation_and_viewer(request, slug)
    assembly = _assembly(organisation, pk)
    viewer = _member(viewer)
    if action == "seat":
        return _button(
            request,
            assembly,
            services.seat_participants,
            viewer,
            assembly,
            done=_t("The participants are seated."),
        )
    if action == "delegate-elections":
        return _button(
            request,
            assembly,
            services.call_delegate_elections,
            viewer,
            assembly,
            done=_t("Each branch's delegate election is called."),
        )
    if action == "congress-elections":
        return _button(
            request,
            assembly,
            services.call_congress_elections,
            viewer,
            assembly,
            done=_t("The elections the constitution gives the congress are called."),
        )
    if action == "next-speaker":
        item = get_object_or_404(assembly.agenda, pk=object_id(request.POST.get("item")))
        return _button(
            request, assembly, services.next_speaker, viewer, item, done=_t("Next speaker.")
        )
    if action == "close-vote":
        vote = get_object_or_404(assembly.votes, pk=object_id(request.POST.get("vote")))
        return _button(
            request, assembly, services.close_vote, viewer, vote, done=_t("The vote is closed.")
        )
    if action == "open-ranking":
        item = get_object_or_404(assembly.agenda, pk=object_id(request.POST.get("item")))
        return _button(
            request,
            assembly,
            services.open_ranking_vote,
            viewer,
            item,
            done=_t("The ranking vote is open."),
        )
    sittings = {
        "open-session": (sessions.open_session, _t("The assembly is in session.")),
        "suspend-session": (sessions.suspend_session, _t("The session is suspended.")),
        "resume-session": (sessions.resume_session, _t("The session is resumed.")),
    }
    if action in sittings:
        run, done = sittings[action]
        return _button(request, assembly, run, viewer, assembly, done=done)
    if action == "close":
        return _button(
            request,
            assembly,
            services.close_assembly,
            viewer,
            assembly,
            done=_t("The assembly is closed."),
        )
    if action == "current-item":
        form = ItemForm(request.POST, assembly=assembly)
        if not form.is_valid():
            raise Http404
        return _button(
            request,
            assembly,
            services.set_current_item,
            viewer,
            form.cleaned_data["item"],
            done=_t("The item is under discussion."),
        )
    raise Http404


def _acting(request: HttpRequest, slug: str, pk: int) -> tuple[Assembly, Member]:
    organisation, viewer = organisation_and_viewer(request, slug)
    return _assembly(organisation, pk), _member(viewer)


def _submit(
    request: HttpRequest,
    assembly: Assembly,
    viewer: Member,
    name: str,
    form,
    run: Callable[[dict], object],
    done: str | Callable[[object], str],
    anchor: str = "live",
) -> HttpResponse:
    """Run a form's action: done, a message and back to the page; refused or invalid,
    the page again with the reason on the form (``name`` in the page's context)."""
    if form.is_valid():
        result = attempt(form, run, form.cleaned_data)
        if result is not None:
            messages.success(request, done(result) if callable(done) else done)
            return _back(assembly, anchor)
    return _again(request, assembly, viewer, **{name: form})


@login_required
@require_POST
def add_item(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, viewer = _acting(request, slug, pk)
    return _submit(
        request,
        assembly,
        viewer,
        "agenda_form",
        AgendaItemForm(request.POST),
        lambda data: services.add_agenda_item(viewer, assembly, **data),
        _t("The item is on the agenda."),
        "agenda",
    )


@login_required
@require_POST
def open_vote(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, viewer = _acting(request, slug, pk)
    form = OpenVoteForm(request.POST, assembly=assembly)
    return _submit(
        request,
        assembly,
        viewer,
        "open_vote_form",
        form,
        lambda data: services.open_vote(viewer, assembly, **form.subject_objects(assembly)),
        _t("The vote is open."),
    )


@login_required
@require_POST
def substitute(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, viewer = _acting(request, slug, pk)
    return _submit(
        request,
        assembly,
        viewer,
        "substitute_form",
        SubstituteForm(request.POST, assembly=assembly),
        lambda data: services.add_substitute(viewer, data["delegate"], data["member"]),
        _t("The substitute is seated."),
        "participants",
    )


@login_required
@require_POST
def transfer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, viewer = _acting(request, slug, pk)
    return _submit(
        request,
        assembly,
        viewer,
        "transfer_form",
        TransferForm(request.POST, assembly=assembly),
        lambda data: services.transfer_vote(data["delegate"], data["to_substitute"], actor=viewer),
        _t("The vote is transferred."),
        "participants",
    )


# --- participants' actions ----------------------------------------------------------------


@login_required
@require_POST
def speak(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, viewer = _acting(request, slug, pk)
    item = get_object_or_404(assembly.agenda, pk=object_id(request.POST.get("item")))
    return _submit(
        request,
        assembly,
        viewer,
        "speak_form",
        SpeakForm(request.POST),
        lambda data: services.request_to_speak(viewer, item, point_of_order=data["point_of_order"]),
        _t("You are on the list of speakers."),
    )


def _ballots_cast(one: str, many: str) -> Callable[[object], str]:
    return lambda n: many % {"n": n} if n != 1 else one


@login_required
@require_POST
def cast(request: HttpRequest, slug: str, pk: int, vote_id: int) -> HttpResponse:
    """Vote yes/no/abstain, or rank the competing motions (a number per motion)."""
    assembly, viewer = _acting(request, slug, pk)
    vote = get_object_or_404(
        LiveVote.objects.select_related("election"), assembly=assembly, pk=vote_id
    )
    if vote.is_ranking:
        return _submit(
            request,
            assembly,
            viewer,
            "ranking_form",
            RankingForm(request.POST, options=vote.election.options),
            lambda data: services.cast_ranking(viewer, vote, data["ranking"]),
            _ballots_cast(_t("Your ranking is cast."), _t("Your ranking is cast (%(n)s ballots).")),
        )
    return _submit(
        request,
        assembly,
        viewer,
        "ballot_form",
        BallotForm(request.POST),
        lambda data: services.cast_live_vote(viewer, vote, data["choice"]),
        _ballots_cast(_t("Your vote is cast."), _t("Your vote is cast (%(n)s ballots).")),
    )


@login_required
@require_POST
def proxy(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Give one's vote to another participant, or revoke it (until a vote opens)."""
    assembly, viewer = _acting(request, slug, pk)
    giver = services.participant_of(viewer, assembly)
    if giver is None:
        raise NotPermitted(_t("Only participants of this assembly can do this."))
    if "revoke" in request.POST:
        return _button(
            request, assembly, services.revoke_proxy, giver, done=_t("Your proxy is revoked.")
        )
    return _submit(
        request,
        assembly,
        viewer,
        "proxy_form",
        ProxyForm(request.POST, assembly=assembly, exclude=giver),
        lambda data: services.give_proxy(giver, data["holder"]),
        lambda proxy: _t("%(name)s holds your vote.") % {"name": proxy.holder.member.name},
        "participants",
    )


@login_required
@require_POST
def attendance(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Check oneself in or out; the chair records anyone's attendance (with ``participants``)."""
    assembly, viewer = _acting(request, slug, pk)
    if "participants" in request.POST or "participants_q" in request.POST:
        form = AttendanceForm(request.POST, assembly=assembly)
        return _submit(
            request,
            assembly,
            viewer,
            "attendance_form",
            form,
            lambda data: sessions.check_in(
                viewer,
                assembly,
                list(data["participants"]),
                data["presence"],
                holder=data["holder"],
            ),
            _t("The attendance is recorded."),
            "participants",
        )
    own = services.participant_of(viewer, assembly)
    if own is None:
        raise NotPermitted(_t("Only participants of this assembly can do this."))
    form = CheckInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _t("Check in as present or absent."))
        return _back(assembly)
    presence = form.cleaned_data["presence"]
    done = _t("You are checked in.") if presence == "present" else _t("You are checked out.")
    return _button(
        request, assembly, sessions.check_in, viewer, assembly, [own], presence, done=done
    )


@login_required
def participant_search(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The chair's desk searches the assembly's participants by name (htmx fragment).

    ``among`` names the desk's list (``rules.DESK_LISTS``); ``field`` the form field
    the choices are for. Only the chair may search (``rules.searchable_participants``).
    """
    assembly, viewer = _acting(request, slug, pk)
    among, field = request.GET.get("among", ""), request.GET.get("field", "")
    if among not in rules.DESK_LISTS:
        return HttpResponseBadRequest(_t("Say which participants to search."))
    if not field.isidentifier() or len(field) > 50:
        return HttpResponseBadRequest(_t("Say which field the choices are for."))
    found = desk_pool(rules.searchable_participants(viewer, assembly, among))
    return search_response(request, found, field, multiple=request.GET.get("several") == "1")


# --- minutes --------------------------------------------------------------------------------


def minutes(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The minutes as a page to read or print (the print stylesheet drops the site's frame)."""
    organisation, viewer = organisation_and_viewer(request, slug)
    assembly = _assembly(organisation, pk)
    return render(
        request,
        "assemblies/minutes.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "assembly": assembly,
            "minutes": write_minutes(assembly, names=rules.shows_names(viewer, assembly)),
        },
    )


def minutes_markdown(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    assembly = _assembly(organisation, pk)
    minutes = write_minutes(assembly, names=rules.shows_names(viewer, assembly))
    response = HttpResponse(minutes, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="minutes-{assembly.pk}.md"'
    return response


# --- the programme --------------------------------------------------------------------------


def _as_text(version: ProgrammeVersion) -> str:
    return "".join(f"## {s.title}\n\n{s.text}\n" for s in version.sections.all())


def _versions(organisation) -> tuple[Programme | None, list[ProgrammeVersion]]:
    programme = Programme.objects.filter(organisation=organisation).first()
    if programme is None:
        return None, []
    return programme, list(
        programme.versions.select_related("motion__assembly", "vote").prefetch_related("sections")
    )


def programme(request: HttpRequest, slug: str, number: int | None = None) -> HttpResponse:
    """The programme as adopted now (or any past version), with where each version came from."""
    organisation, viewer = organisation_and_viewer(request, slug)
    _programme, versions = _versions(organisation)
    if number is None:
        shown = versions[0] if versions else None
    else:
        shown = next((v for v in versions if v.number == number), None)
        if shown is None:
            raise Http404
    previous = next((v for v in versions if shown and v.number == shown.number - 1), None)
    return render(
        request,
        "assemblies/programme.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "versions": versions,
            "shown": shown,
            "latest": versions[0] if versions else None,
            "previous": previous,
        },
    )


def programme_diff(request: HttpRequest, slug: str, old: int, new: int) -> HttpResponse:
    organisation, viewer = organisation_and_viewer(request, slug)
    _programme, versions = _versions(organisation)
    by_number = {v.number: v for v in versions}
    if old not in by_number or new not in by_number:
        raise Http404
    before, after = by_number[old], by_number[new]
    return render(
        request,
        "assemblies/programme_diff.html",
        {
            "organisation": organisation,
            "viewer": viewer,
            "before": before,
            "after": after,
            "changes": mark_safe(worddiff.render_changes(_as_text(before), _as_text(after)))
            if worddiff.changed(_as_text(before), _as_text(after))
            else "",
            "versions": versions,
        },
    )

"""The participants' actions: asking to speak, voting, proxies, attendance, and the
chair's desk search of the participants.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from tribune.assemblies import rules, services, sessions
from tribune.assemblies.forms import (
    AttendanceForm,
    BallotForm,
    CheckInForm,
    ProxyForm,
    RankingForm,
    SpeakForm,
    desk_pool,
)
from tribune.assemblies.models import LiveVote
from tribune.assemblies.views.acting import _acting, _button, _submit
from tribune.assemblies.views.common import _back
from tribune.lib.errors import NotPermitted
from tribune.lib.inputs import object_id
from tribune.members.picker import search_response


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

"""What the hall sees now: the live panel and the projector.

``_live_context`` is also the live part of the assembly page (``page``).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tribune.assemblies import rules, services, sessions
from tribune.assemblies.forms import BallotForm, OpenVoteForm, RankingForm, SpeakForm
from tribune.assemblies.models import AgendaItem, Assembly, LiveVote, SpeakerRequest
from tribune.assemblies.views.common import _assembly, _is_chair
from tribune.elections.models import Status, VoterRoll
from tribune.lib import charts
from tribune.members.models import Member
from tribune.web.helpers import organisation_and_viewer


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

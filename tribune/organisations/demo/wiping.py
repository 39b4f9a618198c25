"""Wiping the demo: its two organisations and their network, table by table."""

from django.db import transaction

from tribune.audit.models import AuditEntry
from tribune.audit.models import Checkpoint as AuditCheckpoint
from tribune.members.models import Member
from tribune.organisations.demo.founding import SLUG
from tribune.organisations.models import Organisation


def remove_demo() -> None:
    """Wipe the demo organisations (and their network), table by table (PROTECT keys
    forbid a cascade)."""
    from tribune.networks.demo import LEAGUE, network_tables

    for queryset in network_tables([SLUG, LEAGUE]):
        queryset.delete()
    for slug in (LEAGUE, SLUG):
        _remove_organisation(slug)


def _remove_organisation(slug: str) -> None:
    from tribune.assemblies import models as a
    from tribune.constitution.models import ConstitutionVersion
    from tribune.debate import models as d
    from tribune.elections import models as e
    from tribune.factions import models as f
    from tribune.members.models import Appeal, ImportJob, StandingChange
    from tribune.offices.models import Body, Office, Term
    from tribune.struggles.demo import struggle_tables

    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        return
    org = {"organisation": organisation}
    via_term = {"term__office__body__organisation": organisation}
    via_election = {"election__organisation": organisation}
    with transaction.atomic():
        from tribune.education.demo import education_tables

        for queryset in education_tables(organisation):
            queryset._raw_delete(queryset.db)
        from tribune.archive import models as ar
        from tribune.archive.services import INDEX

        for pk in ar.Document.objects.filter(**org).values_list("pk", flat=True):
            INDEX.drop(pk)
        ar.Document.objects.filter(**org).update(published=None)
        for queryset in (
            ar.Appeal.objects.filter(decision__version__document__organisation=organisation),
            ar.Decision.objects.filter(version__document__organisation=organisation),
            ar.Link.objects.filter(document__organisation=organisation),
            ar.Document.tags.through.objects.filter(document__organisation=organisation),
            ar.DocumentVersion.objects.filter(document__organisation=organisation),
            ar.Document.objects.filter(**org),
            ar.Tag.objects.filter(**org),
        ):
            queryset._raw_delete(queryset.db)
        # The only place Tribune removes audit entries: the demo is wiped whole.
        via_thread = {"post__thread__organisation": organisation}
        via_faction = {"faction__organisation": organisation}
        via_assembly = {"assembly__organisation": organisation}
        for queryset in (
            *struggle_tables(organisation),
            a.NamedVote.objects.filter(live_vote__assembly__organisation=organisation),
            a.LiveVote.objects.filter(**via_assembly),
            a.SpeakerRequest.objects.filter(item__assembly__organisation=organisation),
            a.Proxy.objects.filter(giver__assembly__organisation=organisation),
            a.ProgrammeSection.objects.filter(version__programme__organisation=organisation),
            a.ProgrammeVersion.objects.filter(programme__organisation=organisation),
            a.Programme.objects.filter(**org),
            a.Amendment.objects.filter(motion__assembly__organisation=organisation),
            a.MotionVersion.objects.filter(motion__assembly__organisation=organisation),
            a.Motion.objects.filter(**via_assembly),
            a.AgendaItem.objects.filter(**via_assembly),
            a.Participant.objects.filter(**via_assembly),
            a.Session.objects.filter(**via_assembly),
            a.Assembly.objects.filter(**org),
            d.Notification.objects.filter(**via_thread),
            d.ModerationAppeal.objects.filter(action__post__thread__organisation=organisation),
            d.ModerationAction.objects.filter(**via_thread),
            d.Follow.objects.filter(thread__organisation=organisation),
            d.Post.objects.filter(thread__organisation=organisation),
            d.Thread.objects.filter(**org),
            d.DebateRule.objects.filter(**org),
            f.Endorsement.objects.filter(**via_faction),
            f.Statement.objects.filter(**via_faction),
            f.PlatformVersion.objects.filter(**via_faction),
            f.FactionMembership.objects.filter(**via_faction),
            f.FoundingSignature.objects.filter(**via_faction),
            e.RecallSignature.objects.filter(
                petition__term__office__body__organisation=organisation
            ),
            e.RecallPetition.objects.filter(**via_term),
            e.ReportComment.objects.filter(report__term__office__body__organisation=organisation),
            e.MandateReport.objects.filter(**via_term),
            f.Endorsement.objects.filter(faction__organisation=organisation),
            f.Statement.objects.filter(faction__organisation=organisation),
            f.PlatformVersion.objects.filter(faction__organisation=organisation),
            f.FactionMembership.objects.filter(faction__organisation=organisation),
            f.FoundingSignature.objects.filter(faction__organisation=organisation),
            e.Seconding.objects.filter(candidacy__election__organisation=organisation),
            e.Candidacy.objects.filter(**via_election),
            e.VoterRoll.objects.filter(**via_election),
            e.Ballot.objects.filter(**via_election),
            e.TurnoutDay.objects.filter(**via_election),
            e.Election.objects.filter(**org),
            Appeal.objects.filter(standing_change__member__organisation=organisation),
            StandingChange.objects.filter(member__organisation=organisation),
            ImportJob.objects.filter(**org),
            AuditCheckpoint.objects.filter(**org),
            AuditEntry.objects.filter(**org),
            Term.objects.filter(office__body__organisation=organisation),
            ConstitutionVersion.objects.filter(**org),
            Office.objects.filter(body__organisation=organisation),
            Body.objects.filter(**org),
            f.Faction.objects.filter(**org),
            f.Faction.objects.filter(**org),
            Member.objects.filter(**org),
            organisation.branches.all(),
            Organisation.objects.filter(pk=organisation.pk),
        ):
            queryset._raw_delete(queryset.db)

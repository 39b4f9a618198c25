"""The demo organisation is built through the real actions and holds together."""

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tribune.assemblies import services as assemblies
from tribune.assemblies import sessions
from tribune.audit.log import verify_chain
from tribune.debate.models import ModerationAction
from tribune.debate.services import screen_posts
from tribune.elections.models import Kind, PetitionStatus, RecallPetition, Status
from tribune.factions.models import FactionMembership, FactionStatus, Visibility
from tribune.members.models import Standing
from tribune.organisations.demo import SLUG
from tribune.organisations.models import Organisation


def client_minutes(assembly) -> str:
    return Client().get(f"{assembly.get_absolute_url()}minutes.md").content.decode()


def test_demo_has_members_an_election_history_and_open_business(db, capsys):
    call_command("demo")
    org = Organisation.objects.get(slug=SLUG)
    assert verify_chain(org).ok
    assert org.members.filter(standing=Standing.GOOD).count() >= 190
    assert org.members.filter(standing=Standing.APPLICANT).count() == 6
    past = org.elections.get(
        status=Status.CERTIFIED, kind=Kind.OFFICE, office__title="Committee member"
    )
    assert len(past.result["elected"]) == 3 and past.turnout > 100
    current = org.elections.get(status=Status.VOTING)
    assert current.returning_office is not None
    petition = RecallPetition.objects.get(term__office__body__organisation=org)
    assert petition.status == PetitionStatus.OPEN
    assert 0 < petition.signatures.count() < petition.threshold
    factions = org.factions.filter(status=FactionStatus.REGISTERED)
    assert sorted(f.name for f in factions) == ["Federation Now", "Left Unity", "Renters First"]
    labels = set(past.candidacies.exclude(faction_label="").values_list("faction_label", flat=True))
    assert labels == {f.name for f in factions}  # the candidates' declared factions exist
    left = factions.get(name="Left Unity")
    assert left.platform_versions.count() == 2 and left.statements.count() == 1
    assert all(f.below_threshold_since is None for f in factions)
    memberships = FactionMembership.objects.filter(faction__organisation=org)
    assert memberships.filter(visibility=Visibility.PUBLIC).exists()
    assert memberships.filter(visibility=Visibility.PRIVATE).exists()
    threads = org.threads.filter(faction__isnull=True)
    assert threads.count() >= 3 and all(t.posts.count() >= 2 for t in threads)
    assert org.threads.filter(faction=left).exists()  # an internal discussion
    action = ModerationAction.objects.get(post__thread__organisation=org, rule__number=1)
    assert action.action == "hide" and action.reason
    assert action.post.hidden and action.post.text  # hidden, never deleted
    assert "moderate_debate" in action.term.office.powers
    assert action.appeal.status == "pending"
    # Rule 2 removes personal data: the doxxing post is withheld, not deleted.
    doxx = ModerationAction.objects.get(post__thread__organisation=org, rule__number=2)
    assert doxx.rule.removes_personal_data and doxx.post.withheld and doxx.post.text
    readers = {
        email: screen_posts(org.members.get(email=email), org, [doxx.post])[0].text_withheld
        for email in ("ben@example.org", "dana@example.org", "eli@example.org")
    }  # ben a member; dana the steward who hid it; eli on the appeals committee
    assert readers == {"ben@example.org": True, "dana@example.org": True, "eli@example.org": False}
    # The programme: founded, then rewritten by the first congress's adopted motion.
    first, second = org.programme.versions.order_by("number")
    assert second.number == 2 and second.motion.status == "adopted"
    assert second.vote == second.motion.votes.get().election and second.vote.passed
    assert "No evictions, in any season." in second.sections.get(key="housing").text
    assert "No evictions in winter." in first.sections.get(key="housing").text
    past = org.assemblies.get(title="First congress")
    assert past.status == "closed" and past.chair_office.powers == []
    assert "120 of" in client_minutes(past) and "quorate" in client_minutes(past)
    upcoming = org.assemblies.get(title="Second congress")
    assert upcoming.starts_at < timezone.now() < upcoming.ends_at
    assert upcoming.status == "in_session"
    hall = sessions.attendance(upcoming)
    assert (hall.present, hall.by_proxy, hall.quorum) == (154, 4, 20) and hall.quorate
    assert upcoming.motions.count() == 4
    housing = upcoming.agenda.get(title="Housing")
    assert len(assemblies.competing_motions(housing)) == 2  # for a ranking vote
    wage = upcoming.motions.get(programme_section="work")
    assert wage.amendments.count() == 3
    assert assemblies.conflicting_amendments(wage) == [("A1", "A2")]
    item = upcoming.agenda.get(status="current")
    waiting = assemblies.speakers_list(item)
    assert len(waiting) == 5 and waiting[0].point_of_order
    assert verify_chain(org).ok
    client = Client()
    page = client.get(upcoming.get_absolute_url()).content.decode()
    assert "A living wage, indexed to rents" in page and "point of order" in page
    assert "Amendments touching the same lines: A1 / A2" in page
    programme = client.get(f"/o/{SLUG}/programme/").content.decode()
    assert second.vote.get_absolute_url() in programme
    assert client.get(f"/o/{SLUG}/programme/diff/1/2/").status_code == 200
    assert "carried" in client.get(f"{past.get_absolute_url()}minutes/").content.decode()
    assert client.get(f"{upcoming.get_absolute_url()}projector/").status_code == 200
    # The case: 3 of the hall vote. The vote opens (quorum present), is not quorate.
    eli = org.members.get(email="eli@example.org")
    rule = upcoming.motions.get(title="Branches report monthly")
    vote = assemblies.open_vote(eli, upcoming, motion=rule)
    for email in ("ana@example.org", "ben@example.org", "cam@example.org"):
        assemblies.cast_live_vote(org.members.get(email=email), vote, "yes")
    assemblies.close_vote(eli, vote)
    vote.refresh_from_db()
    rule.refresh_from_db()
    assert vote.quorate is False and not vote.election.passed and rule.status == "tabled"
    assert "not quorate" in client_minutes(upcoming)
    # The archive: a founding statement in two versions, lessons, a PDF found by its words.
    founding = org.documents.get(versions__title="Founding statement", versions__number=2)
    assert founding.published.number == 2
    assert org.documents.filter(kind="lessons", published__isnull=False).exists()
    found = client.get(f"/o/{SLUG}/archive/?q=evictions").content.decode()
    assert "know your rights" in found  # the PDF leaflet's words
    assert "Negotiating notes" not in client.get(f"/o/{SLUG}/archive/").content.decode()
    call_command("demo")  # idempotent: leaves the existing demo alone
    assert "exists" in capsys.readouterr().out
    call_command("demo", "--reset")
    assert Organisation.objects.filter(slug=SLUG).count() == 1


def test_a_demo_too_small_to_tell_is_refused_with_its_minimum_and_nothing_built(db):
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="at least 80"):
        call_command("demo", "--members", "30")
    assert not Organisation.objects.filter(slug=SLUG).exists()

"""Recall: petition → threshold → recall vote → vacancy → by-election."""

from datetime import timedelta
from unittest import mock

import pytest

from tribune.elections import services
from tribune.elections.models import Kind, PetitionStatus, Status
from tribune.lib.errors import NotPermitted, RuleViolation
from tribune.members.services import admit_member, apply_for_membership
from tribune.offices.models import TermSource
from tribune.offices.rules import has_power
from tribune.offices.services import begin_term


@pytest.fixture
def secretary(world, office):
    """Ben holds the Secretary office; the electorate is the whole organisation."""
    return begin_term(office, world.ben, source=TermSource.ELECTION)


def test_threshold_is_the_constitutions_share_of_the_electorate(world, secretary):
    petition = services.open_recall_petition(world.cam, secretary, "Minutes never circulated.")
    # 5 members in good standing, 20% → 1 signature: the opener's own.
    assert (petition.electorate_size, petition.threshold) == (5, 1)
    assert petition.status == PetitionStatus.VOTE
    assert petition.election.kind == Kind.RECALL
    assert petition.election.status == Status.VOTING


def _grow(world, n):
    for i in range(n):
        m = apply_for_membership(
            world.org, user=None, name=f"M{i}", email=f"m{i}@test.org", branch=world.south
        )
        admit_member(world.ana, m)


def test_signatures_once_each_withdrawable_until_the_threshold(world, secretary):
    _grow(world, 10)  # 15 members → threshold 3
    petition = services.open_recall_petition(world.cam, secretary, "Minutes never circulated.")
    assert petition.threshold == 3 and petition.status == PetitionStatus.OPEN
    with pytest.raises(RuleViolation, match="already signed"):
        services.sign_recall_petition(world.cam, petition)
    services.sign_recall_petition(world.ana, petition)
    services.withdraw_signature(world.ana, petition)
    with pytest.raises(RuleViolation, match="not signed"):
        services.withdraw_signature(world.ana, petition)
    services.sign_recall_petition(world.ana, petition)
    services.sign_recall_petition(world.eli, petition)
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.VOTE
    with pytest.raises(RuleViolation, match="can no longer be withdrawn"):
        services.withdraw_signature(world.eli, petition)


def test_only_the_electorate_petitions_and_only_once_per_term(world, secretary):
    outsider = world.ben.__class__.objects.create(
        organisation=world.org, name="Out", home_branch=world.root, standing="lapsed"
    )
    with pytest.raises(NotPermitted, match="electorate"):
        services.open_recall_petition(outsider, secretary, "No.")
    with pytest.raises(RuleViolation, match="reason"):
        services.open_recall_petition(world.cam, secretary, "")
    _grow(world, 10)
    services.open_recall_petition(world.cam, secretary, "Minutes never circulated.")
    with pytest.raises(RuleViolation, match="already open"):
        services.open_recall_petition(world.ana, secretary, "Again.")


def test_holder_replies_and_nobody_else_can(world, secretary):
    _grow(world, 10)
    petition = services.open_recall_petition(world.cam, secretary, "Minutes never circulated.")
    with pytest.raises(NotPermitted):
        services.reply_to_recall(world.cam, petition, "Yes they were.")
    services.reply_to_recall(world.ben, petition, "They are on the website.")
    petition.refresh_from_db()
    assert petition.holder_reply == "They are on the website."


def _vote_and_close(petition, votes):
    election = petition.election
    with mock.patch(
        "django.utils.timezone.now", return_value=election.voting_open_at + timedelta(minutes=1)
    ):
        for member, choice in votes:
            services.cast_ballot(member, election, choice)
    return services.advance(election, election.voting_close_at)


def test_a_passed_recall_ends_the_term_and_calls_a_by_election(world, office, secretary):
    petition = services.open_recall_petition(world.cam, secretary, "Minutes never circulated.")
    election = _vote_and_close(
        petition, [(world.cam, "yes"), (world.ana, "yes"), (world.ben, "no")]
    )
    assert election.status == Status.CERTIFIED and election.passed
    secretary.refresh_from_db()
    assert secretary.ended_at is not None and "recalled" in secretary.end_reason
    assert not has_power(world.ben, "admit_members")
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.PASSED
    by_election = office.elections.get(kind=Kind.OFFICE)
    assert by_election.status == Status.NOMINATIONS
    assert by_election.title.startswith("By-election")


def test_a_failed_recall_leaves_the_holder_in_office(world, secretary):
    petition = services.open_recall_petition(world.cam, secretary, "Minutes never circulated.")
    election = _vote_and_close(petition, [(world.cam, "yes"), (world.ana, "no"), (world.eli, "no")])
    assert election.passed is False
    secretary.refresh_from_db()
    assert secretary.is_current()
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.FAILED


def test_mandate_reports_by_the_holder_with_member_comments(world, secretary):
    with pytest.raises(NotPermitted):
        services.publish_report(world.cam, secretary, title="Q1", done="Nothing")
    report = services.publish_report(
        world.ben, secretary, title="First quarter", done="Minutes of 6 meetings.",
        not_done="The archive move: no volunteers yet.",
    )  # fmt: skip
    services.comment_on_report(world.cam, report, "Thanks — I can help with the archive.")
    with pytest.raises(RuleViolation, match="Write a comment"):
        services.comment_on_report(world.cam, report, " ")
    assert report.comments.count() == 1


def test_the_office_page_names_commenters_to_members_only(world, secretary):
    """Issue 10, finding 5: the API kept comments for members; the office page showed them,
    under the commenters' names, to anyone."""
    from django.test import Client

    report = services.publish_report(world.ben, secretary, title="Q1", done="Six meetings.")
    services.comment_on_report(world.cam, report, "I can help with the archive.")
    url = f"/o/test-union/offices/{secretary.office_id}/"
    page = Client().get(url).content.decode()
    assert "Six meetings." in page and "1 comment from members" in page
    assert "Cam" not in page and "help with the archive" not in page
    member = Client()
    member.force_login(world.users["ana"])
    page = member.get(url).content.decode()
    assert "Cam" in page and "help with the archive" in page

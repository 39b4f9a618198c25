"""The election, office and recall pages: who sees what, and every refusal in words."""

import html
import json
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client

from tribune.audit.models import AuditEntry
from tribune.elections import services
from tribune.elections.models import (
    Ballot,
    Candidacy,
    Election,
    Kind,
    MandateReport,
    PetitionStatus,
    RecallPetition,
    Status,
)
from tribune.members.models import Standing
from tribune.offices.models import TermSource
from tribune.offices.services import begin_term

ORG = "/o/test-union"


def _at(when):
    """Run the block as if the server clock read ``when``."""
    return mock.patch("django.utils.timezone.now", return_value=when)


@pytest.fixture
def election(world, office):
    return services.call_election(world.ana, office=office)


@pytest.fixture
def voting(world, election):
    """An election in its voting window, with Ben and Cam standing."""
    ben = services.nominate(world.ben, election, world.ben, statement="Minutes on time.")
    cam = services.nominate(world.cam, election, world.cam)
    election = services.advance(election, election.voting_open_at)
    assert election.status == Status.VOTING
    return election, ben, cam


def _url(election, tail=""):
    return f"{ORG}/elections/{election.pk}/{tail}"


def _audit_count(world):
    return AuditEntry.objects.filter(organisation=world.org).count()


# --- the list and calling -----------------------------------------------------------------


@pytest.mark.parametrize("who", [None, "ben", "ana"])
def test_elections_list_renders_for_anyone(world, election, as_, who):
    response = as_(who).get(f"{ORG}/elections/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Election: Secretary" in page and "Nominations open" in page
    assert f'href="{ORG}/elections/"' in page  # linked in the nav
    assert ("Call an election" in page) is (who == "ana")


def test_calling_needs_the_power(world, as_):
    response = as_("ben").get(f"{ORG}/elections/call/")
    assert response.status_code == 403
    assert "call elections" in response.content.decode().lower()


def test_ana_calls_an_office_election(world, office, as_):
    client = as_("ana")
    assert client.get(f"{ORG}/elections/call/").status_code == 200
    response = client.post(
        f"{ORG}/elections/call/",
        {"kind": "office", "office": office.pk, "allow_vote_change": "on"},
    )
    election = Election.objects.get(office=office)
    assert response.status_code == 302 and response["Location"] == _url(election)
    assert election.status == Status.NOMINATIONS and election.allow_vote_change


def test_a_referendum_needs_a_question(world, as_):
    client = as_("ana")
    before = _audit_count(world)
    response = client.post(f"{ORG}/elections/call/", {"kind": "referendum", "title": "Strike?"})
    assert response.status_code == 400
    assert "Put the question to the members." in response.content.decode()
    assert not Election.objects.exists() and _audit_count(world) == before


def test_an_amendment_breaking_a_guarantee_is_refused_on_the_form(world, as_):
    response = as_("ana").post(
        f"{ORG}/elections/call/",
        {
            "kind": "amendment",
            "title": "No limits",
            "question": "Remove term limits",
            "electorate": world.root.pk,
            "amend_term_limit": "0",
        },
    )
    assert response.status_code == 400
    assert "finite term limit" in response.content.decode()
    assert not Election.objects.exists()


def test_an_amendment_vote_is_called_with_its_fields(world, as_):
    response = as_("ana").post(
        f"{ORG}/elections/call/",
        {
            "kind": "amendment",
            "title": "Longer terms",
            "question": "Raise the default term to 400 days.",
            "electorate": world.root.pk,
            "amend_default_term_days": "400",
        },
    )
    assert response.status_code == 302
    election = Election.objects.get()
    assert election.kind == Kind.AMENDMENT and election.amendment == {"default_term_days": 400}
    assert election.status == Status.VOTING


# --- nominations ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", [None, "ben"])
def test_election_page_renders_with_timeline(world, election, as_, who):
    page = as_(who).get(_url(election)).content.decode()
    assert "Called" in page and "Nominations open" in page  # the dated timeline
    assert ("Nominate a candidate" in page) is (who == "ben")


def test_self_nomination_and_acceptance(world, election, as_):
    ben = as_("ben")
    response = ben.post(
        _url(election, "nominate/"), {"member": world.ben.pk, "statement": "I keep minutes."}
    )
    assert response.status_code == 302
    assert Candidacy.objects.get(member=world.ben).standing
    ben.post(_url(election, "nominate/"), {"member": world.cam.pk})
    cam_candidacy = Candidacy.objects.get(member=world.cam)
    assert not cam_candidacy.standing
    page = as_("cam").get(_url(election)).content.decode()
    assert "Accept the nomination and stand" in page
    response = as_("cam").post(
        _url(election, f"candidacies/{cam_candidacy.pk}/accept/"),
        {"statement": "For open books.", "faction_label": "Left Unity"},
    )
    assert response.status_code == 302
    page = as_().get(_url(election)).content.decode()
    assert "For open books." in page and "Left Unity" in page and "I keep minutes." in page


def test_nominating_a_lapsed_member_is_refused_with_the_reason(world, election, as_):
    world.cam.standing = Standing.LAPSED
    world.cam.save()
    before = _audit_count(world)
    response = as_("ben").post(_url(election, "nominate/"), {"member": world.cam.pk})
    assert response.status_code == 400
    assert "Only members in good standing may stand." in response.content.decode()
    assert not Candidacy.objects.exists() and _audit_count(world) == before


def test_only_the_nominee_accepts(world, election, as_):
    candidacy = services.nominate(world.ben, election, world.cam)
    response = as_("ben").post(_url(election, f"candidacies/{candidacy.pk}/accept/"), {})
    assert response.status_code == 403
    assert "Only the nominee can do this." in response.content.decode()


def test_withdraw_and_second(world, election, as_):
    ben = services.nominate(world.ben, election, world.ben)
    as_("cam").post(_url(election, f"candidacies/{ben.pk}/second/"))
    assert ben.secondings.count() == 1
    response = as_("cam").post(_url(election, f"candidacies/{ben.pk}/second/"), follow=True)
    assert "You have already seconded this nomination." in response.content.decode()
    as_("ben").post(_url(election, f"candidacies/{ben.pk}/withdraw/"))
    ben.refresh_from_db()
    assert ben.withdrawn_at is not None


# --- voting ----------------------------------------------------------------------------------


def test_voting_outside_the_window_is_refused(world, election, as_):
    services.nominate(world.ben, election, world.ben)
    response = as_("cam").post(_url(election, "vote/"), {"rank_1": "1"})
    assert response.status_code == 400
    assert "Voting is not open." in response.content.decode()
    assert not Ballot.objects.exists()


def test_ranked_ballot_receipt_cookie_and_voting_twice(world, voting):
    election, ben, cam = voting
    with _at(election.voting_open_at + timedelta(minutes=5)):
        client = Client()
        client.force_login(world.users["ana"])
        page = client.get(_url(election)).content.decode()
        assert "Cast my secret ballot" in page
        response = client.post(
            _url(election, "vote/"), {f"rank_{cam.pk}": "1", f"rank_{ben.pk}": "2"}
        )
        assert response.status_code == 200
        page = response.content.decode()
        ballot = Ballot.objects.get(election=election)
        assert ballot.choice == [cam.pk, ben.pk]
        assert ballot.tracker in page and "Keep the key" in page
        cookie = response.cookies[f"tribune_ballot_{election.pk}"]
        assert cookie["httponly"] and cookie["path"] == _url(election)
        assert "_auth_user_id" in client.session and not any(
            ballot.tracker in str(v) for v in client.session.values()
        )  # nothing about the ballot is kept server-side
        assert "You have voted." in client.get(_url(election)).content.decode()

        # From another browser, without the key: refused, in words.
        other = Client()
        other.force_login(world.users["ana"])
        response = other.post(_url(election, "vote/"), {f"rank_{ben.pk}": "1"})
        assert response.status_code == 400
        assert "You have already voted in this election." in response.content.decode()

        # This browser holds the key: casting again replaces the ballot.
        response = client.post(_url(election, "vote/"), {f"rank_{ben.pk}": "1"})
        assert response.status_code == 200 and "Your vote is changed" in response.content.decode()
        key = re.search(r'id="ballot-key">([^<]+)<', response.content.decode()).group(1)

        # The other browser, given the key from the receipt, may change it too.
        response = other.post(_url(election, "vote/"), {f"rank_{cam.pk}": "1", "key": key})
        assert "Your vote is changed" in response.content.decode()
    assert list(Ballot.objects.filter(election=election).values_list("choice", flat=True)) == [
        [cam.pk]
    ]


def test_someone_elses_ballot_cookie_is_ignored(world, voting):
    """On a shared browser, the cookie is signed for its voter: Ben cannot use Ana's key."""
    election, ben, cam = voting
    with _at(election.voting_open_at + timedelta(minutes=5)):
        client = Client()
        client.force_login(world.users["ana"])
        client.post(_url(election, "vote/"), {f"rank_{cam.pk}": "1"})
        client.force_login(world.users["ben"])
        response = client.post(_url(election, "vote/"), {f"rank_{ben.pk}": "1"})
        assert response.status_code == 200  # a fresh vote for Ben, not a replacement
        assert "Your vote is cast" in response.content.decode()
    assert sorted(Ballot.objects.values_list("choice", flat=True)) == [[ben.pk], [cam.pk]]


def test_a_rank_given_twice_is_refused(world, voting):
    election, ben, cam = voting
    with _at(election.voting_open_at + timedelta(minutes=5)):
        client = Client()
        client.force_login(world.users["ana"])
        response = client.post(
            _url(election, "vote/"), {f"rank_{ben.pk}": "1", f"rank_{cam.pk}": "1"}
        )
        assert "Give each rank to one candidate only." in response.content.decode()
        response = client.post(_url(election, "vote/"), {})
        assert "Rank at least one candidate." in response.content.decode()
    assert not Ballot.objects.exists() and not services.has_voted(world.ana, election)


def test_referendum_yes_no_and_members_off_the_roll(world, as_):
    election = services.call_election(
        world.ana,
        kind=Kind.REFERENDUM,
        title="Join the strike?",
        question="Shall we join the strike?",
        electorate_branch=world.root,
    )
    page = as_("ben").get(_url(election)).content.decode()
    assert 'type="radio"' in page and "Abstain" in page
    response = as_("ben").post(_url(election, "vote/"), {"choice": "maybe"})
    assert response.status_code == 400
    response = as_("ben").post(_url(election, "vote/"), {"choice": "yes"})
    assert response.status_code == 200
    outsider = services_member(world, "Nia")
    client = Client()
    client.force_login(outsider.user)
    response = client.post(_url(election, "vote/"), {"choice": "yes"})
    assert response.status_code == 403
    assert "You are not on the voter roll of this election." in response.content.decode()


def services_member(world, name):
    """A member admitted after the roll was fixed, with an account."""
    from conftest import make_user
    from tribune.members.services import admit_member, apply_for_membership

    user = make_user(name.lower())
    member = apply_for_membership(
        world.org, user=user, name=name, email=user.email, branch=world.millbrook
    )
    admit_member(world.ana, member)
    member.refresh_from_db()
    return member


# --- results -----------------------------------------------------------------------------------


def _counted(world, voting):
    election, ben, cam = voting
    trackers = {}
    with _at(election.voting_open_at + timedelta(minutes=5)):
        for voter, choice in (
            (world.ana, [cam.pk]),
            (world.ben, [ben.pk]),
            (world.cam, [cam.pk, ben.pk]),
        ):
            trackers[voter.name] = services.cast_ballot(voter, election, choice).tracker
    election = services.advance(election, election.voting_close_at)
    return election, trackers


def test_result_page_stage_table_box_and_tracker(world, voting, as_):
    election = voting[0]
    assert as_().get(_url(election, "box.json")).status_code == 404  # not before counting
    election, trackers = _counted(world, voting)
    assert election.status == Status.CERTIFIED
    page = as_().get(_url(election)).content.decode()
    assert "Stage 1" in page and "First preferences" in page
    assert "Turnout: 3 ballots from an electorate of 5." in page
    assert "Elected, in order of election" in page
    box = json.loads(as_().get(_url(election, "box.json")).content)
    assert {b["tracker"] for b in box["ballots"]} == set(trackers.values())
    blt = as_().get(_url(election, "box.blt")).content.decode()
    assert blt.startswith("2 1")
    found = as_().get(_url(election), {"tracker": trackers["Ana"]}).content.decode()
    assert "Found: your ballot is in the published box" in found
    missing = as_().get(_url(election), {"tracker": "0" * 64}).content.decode()
    assert "Not found" in missing


def test_returning_officer_certifies_and_cancel_needs_a_reason(world, office, as_):
    election = services.call_election(world.ana, office=office, returning_officer=world.eli)
    response = as_("eli").post(_url(election, "cancel/"), {"reason": ""})
    assert response.status_code == 400
    assert "A written reason is required." in response.content.decode()
    assert as_("ben").post(_url(election, "cancel/"), {"reason": "I would lose"}).status_code == 403
    ben = services.nominate(world.ben, election, world.ben)
    election = services.advance(election, election.voting_open_at)
    with _at(election.voting_open_at + timedelta(minutes=1)):
        services.cast_ballot(world.cam, election, [ben.pk])
    election = services.advance(election, election.voting_close_at)
    assert election.status == Status.COUNTED
    assert "Certify the result" in as_("eli").get(_url(election)).content.decode()
    assert "Certify the result" not in as_("ana").get(_url(election)).content.decode()
    response = as_("ana").post(_url(election, "certify/"))
    assert response.status_code == 403
    assert "Only this election's returning officer can do this." in html.unescape(
        response.content.decode()
    )
    assert as_("eli").post(_url(election, "certify/")).status_code == 302
    election.refresh_from_db()
    assert election.status == Status.CERTIFIED


def test_cancel_with_a_reason(world, election, as_):
    response = as_("ana").post(_url(election, "cancel/"), {"reason": "Office abolished."})
    assert response.status_code == 302
    page = as_().get(_url(election)).content.decode()
    assert "Office abolished." in page and "Cancelled" in page


# --- the office page, reports and recall --------------------------------------------------------


@pytest.fixture
def held(world, office):
    return begin_term(office, world.cam, source=TermSource.ELECTION)


def _office_url(office, tail=""):
    return f"{ORG}/offices/{office.pk}/{tail}"


def _threshold(world, percent):
    from tribune.constitution.models import ConstitutionVersion

    ConstitutionVersion.objects.filter(organisation=world.org).update(
        recall_threshold_percent=percent
    )


@pytest.mark.parametrize("who", [None, "ben", "cam"])
def test_office_page_renders(world, office, held, as_, who):
    page = as_(who).get(_office_url(office)).content.decode()
    assert "Keep the organisation" in page and "Cam" in page and "Terms served" in page
    assert ("Report against your mandate" in page) is (who == "cam")
    assert ("Open a recall petition" in page) is (who in ("ben", "cam"))


def test_office_is_linked_from_the_bodies_page(world, office, as_):
    assert _office_url(office) in as_().get(f"{ORG}/bodies/").content.decode()


def test_holder_publishes_a_report_members_comment(world, office, held, as_):
    response = as_("cam").post(
        _office_url(office, "report/"),
        {"term": held.pk, "title": "First quarter", "done": "Minutes published."},
    )
    assert response.status_code == 302
    report = MandateReport.objects.get()
    as_("ben").post(_office_url(office, f"reports/{report.pk}/comment/"), {"text": "Thanks!"})
    page = as_("cam").get(_office_url(office)).content.decode()
    assert "Minutes published." in page and "Thanks!" in page
    public = as_().get(_office_url(office)).content.decode()  # comments are for members
    assert "Minutes published." in public and "Thanks!" not in public


def test_a_non_holder_cannot_publish_a_report(world, office, held, as_):
    before = _audit_count(world)
    response = as_("ben").post(
        _office_url(office, "report/"), {"term": held.pk, "title": "Fake", "done": "Nothing."}
    )
    assert response.status_code == 403
    assert "Only the office-holder reports against their mandate." in response.content.decode()
    assert not MandateReport.objects.exists() and _audit_count(world) == before


def test_recall_petition_sign_once_reply_and_no_names(world, office, held, as_):
    _threshold(world, 60)  # 60% of 5 members: 3 signatures
    response = as_("ben").post(
        _office_url(office, "recall/"), {"term": held.pk, "reason": "Minutes never appear."}
    )
    petition = RecallPetition.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{ORG}/recalls/{petition.pk}/"
    page = as_("ana").get(f"{ORG}/recalls/{petition.pk}/").content.decode()
    assert (
        "Minutes never appear." in page
        and "1 of 3 signatures needed" in page
        and "Sign the petition" in page
    )
    assert "Ben" not in page  # who signed is never shown
    response = as_("ben").post(f"{ORG}/recalls/{petition.pk}/sign/")
    assert response.status_code == 400
    assert "You have already signed this petition." in response.content.decode()
    assert petition.signatures.count() == 1
    assert as_("eli").post(f"{ORG}/recalls/{petition.pk}/reply/", {"text": "x"}).status_code == 403
    as_("cam").post(f"{ORG}/recalls/{petition.pk}/reply/", {"text": "They are on the wiki."})
    page = as_().get(f"{ORG}/recalls/{petition.pk}/").content.decode()
    assert "They are on the wiki." in page
    as_("ben").post(f"{ORG}/recalls/{petition.pk}/withdraw/")
    assert petition.signatures.count() == 0
    assert "Petition to recall Cam" in as_().get(_office_url(office)).content.decode()


def test_recall_petition_without_reason_is_refused_on_the_form(world, office, held, as_):
    response = as_("ben").post(_office_url(office, "recall/"), {"term": held.pk, "reason": " "})
    assert response.status_code == 400
    assert "Give the reason for the recall." in response.content.decode()
    assert not RecallPetition.objects.exists()


def test_reaching_the_threshold_opens_the_recall_vote(world, office, held, as_):
    _threshold(world, 40)  # 40% of 5 members: 2 signatures
    as_("ben").post(_office_url(office, "recall/"), {"term": held.pk, "reason": "Absent."})
    petition = RecallPetition.objects.get()
    response = as_("ana").post(f"{ORG}/recalls/{petition.pk}/sign/", follow=True)
    assert "the recall vote is open" in response.content.decode()
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.VOTE
    assert petition.election.get_absolute_url() in response.content.decode()
    response = as_("ana").post(f"{ORG}/recalls/{petition.pk}/withdraw/")
    assert response.status_code == 400
    assert "signatures can no longer be withdrawn" in response.content.decode()


def test_the_election_page_names_a_nominator_to_members_only(world, office, as_):
    """Issue 10, finding 5: the page named who nominated a candidate to anyone logged out."""
    election = services.call_election(world.ana, office=office)
    services.nominate(world.ben, election, world.cam)
    url = f"/o/test-union/elections/{election.pk}/"
    public = as_().get(url).content.decode()
    assert "Cam" in public and "Nominated by a member" in public  # the candidate is public
    assert "Ben" not in public
    assert "Nominated by Ben" in as_("ana").get(url).content.decode()


def test_a_certified_box_is_built_once(world, voting, as_):
    """Issue 12: the box, its BLT and the API box are kept once certified, not rebuilt."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    election, trackers = _counted(world, voting)
    assert election.status == Status.CERTIFIED
    urls = [
        _url(election, "box.json"),
        _url(election, "box.blt"),
        f"/api/v1/organisations/test-union/elections/{election.pk}/box",
        f"/api/v1/organisations/test-union/elections/{election.pk}/box.blt",
    ]
    first = [as_().get(url).content for url in urls]
    for url, body in zip(urls, first, strict=True):
        with CaptureQueriesContext(connection) as captured:
            again = as_().get(url)
        assert again.content == body
        assert not [q for q in captured if "elections_ballot" in q["sql"]], url
    box = json.loads(first[2])
    assert {b["tracker"] for b in box["ballots"]} == set(trackers.values())

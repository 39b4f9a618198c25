"""A whole democratic cycle, in a real browser, each person in their own browser.

Ana calls an election for the Secretary → members nominate and accept → they
vote by secret ballot → the count's stage table is published → Cam's term
begins → a recall petition reaches its threshold by signatures → the recall
vote passes → the office is vacant → a by-election is called.

Nobody can backdate a call, so the test moves the server's clock instead:
``django.utils.timezone.now`` reads the real time plus an offset, for the test
and the live server alike, and the test jumps the offset past the nomination
period. Casting is then checked by the server against its own (moved) clock.
Where the scheduler would tick, the test calls ``services.advance`` itself; to
end a vote it advances to the vote's ``voting_close_at``.
"""

import re
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from conftest import PASSWORD
from tribune.elections import services
from tribune.elections.models import Election, Kind, PetitionStatus, RecallPetition, Status
from tribune.members.services import admit_member, apply_for_membership
from tribune.offices.models import BodyKind
from tribune.offices.services import create_body, create_office

pytestmark = pytest.mark.browser


class ServerClock:
    """Real time plus an offset the test can move forward."""

    def __init__(self):
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


def _log_in(browser, base: str, short: str):
    page = browser.new_context().new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", f"{short}@test.org")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def _vote_ranked(page, url: str, ranks: dict[int, int], button="Cast my secret ballot") -> str:
    page.goto(url)
    for candidacy_id, rank in ranks.items():
        page.select_option(f"select[name=rank_{candidacy_id}]", str(rank))
    page.click(f"button:has-text('{button}')")
    page.wait_for_selector("#tracker")
    return page.inner_text("#tracker").strip()


def _vote_yes_no(page, url: str, choice: str) -> None:
    page.goto(url)
    page.check(f"input[name=choice][value={choice}]")
    page.click("button:has-text('Cast my secret ballot')")
    page.wait_for_selector("text=Your vote is cast")


def test_call_nominate_vote_count_recall_by_election(live_server, live_world, browser, settings):
    settings.SESSION_COOKIE_AGE = 365 * 24 * 3600  # logins outlive the clock's jumps
    clock = ServerClock()
    with mock.patch("django.utils.timezone.now", side_effect=clock.now):
        _cycle(live_server.url, live_world, browser, clock)


def _cycle(base, world, browser, clock):
    org = world.org
    elections_url = f"{base}/o/{org.slug}/elections/"
    body = create_body(org, name="Executive committee", kind=BodyKind.COMMITTEE)
    office = create_office(
        body,
        title="Secretary",
        mandate="Keep the organisation's records and correspondence.",
        powers=["admit_members"],
        term_days=365,
    )
    # Six more members without accounts: an electorate of 11, so a 20% recall
    # threshold needs three signatures.
    for i in range(6):
        m = apply_for_membership(
            org, user=None, name=f"Member {i}", email=f"m{i}@test.org", branch=world.north
        )
        admit_member(world.ana, m)
    ana, ben, cam, eli = (_log_in(browser, base, s) for s in ("ana", "ben", "cam", "eli"))

    # 1. Ana, whose mandate includes calling elections, calls one for the Secretary.
    ana.goto(elections_url)
    ana.click("text=Call an election or vote")
    ana.check("input[name=kind][value=office]")
    ana.select_option("#id_office", str(office.pk))
    ana.click("button:has-text('Call it')")
    ana.wait_for_selector("text=The election is called.")
    election = Election.objects.get(office=office)
    assert election.status == Status.NOMINATIONS
    url = f"{base}{election.get_absolute_url()}"
    assert "Nominations open" in ana.inner_text("ol.timeline")

    # 2. Ben stands; Eli nominates Cam, who accepts with a statement and a faction.
    ben.goto(url)
    ben.fill("#id_member", "Ben")  # the picker searches; the match is offered to choose
    ben.check(f"input[name=member][value='{world.ben.pk}']")
    ben.fill("#id_statement", "I will publish the minutes within a week.")
    ben.click("button:has-text('Nominate')")
    ben.wait_for_selector("text=You are standing.")
    eli.goto(url)
    eli.fill("#id_member", "Cam")
    eli.check(f"input[name=member][value='{world.cam.pk}']")
    eli.click("button:has-text('Nominate')")
    eli.wait_for_selector("text=Cam is nominated")
    cam.goto(url)
    cam.fill("#id_statement", "Open books, open meetings.")
    cam.fill("#id_faction_label", "Left Unity")
    cam.click("button:has-text('Accept the nomination and stand')")
    cam.wait_for_selector("text=You are standing.")
    candidacy = {c.member.name: c.pk for c in election.candidacies.select_related("member")}

    # 3. The nomination period passes; the scheduler's tick opens voting.
    clock.offset += election.nominations_close_at - timezone.now() + timedelta(seconds=1)
    election = services.advance(election)
    assert election.status == Status.VOTING

    # 4. Everyone votes in their own browser; Ben changes his mind, with the key his browser kept.
    # Cam reads Spanish: she chooses it at the foot of the page, and her ballot, her
    # receipt and the result speak it.
    cam.select_option("#language-choice", "es")
    cam.click("form.language button")
    cam.wait_for_load_state()
    trackers = {
        "Ana": _vote_ranked(ana, url, {candidacy["Cam"]: 1, candidacy["Ben"]: 2}),
        "Ben": _vote_ranked(ben, url, {candidacy["Ben"]: 1}),
        "Cam": _vote_ranked(cam, url, {candidacy["Cam"]: 1}, button="Emitir mi voto secreto"),
        "Eli": _vote_ranked(eli, url, {candidacy["Cam"]: 1}),
    }
    assert "Guarda la clave" in cam.content() and "Keep the key" not in cam.content()
    assert "Keep the key" in ana.content()
    ben.goto(url)
    assert "You have voted." in ben.content()
    trackers["Ben"] = _vote_ranked(
        ben, url, {candidacy["Ben"]: 1, candidacy["Cam"]: 2}, button="Change my vote"
    )
    assert "Your vote is changed" in ben.content()

    # 5. Voting closes; the count is published with its stage table, and Ana finds her ballot.
    election = services.advance(election, election.voting_close_at)
    assert election.status == Status.CERTIFIED
    ana.goto(url)
    table = ana.inner_text("table.stages")
    assert "Stage 1" in table and "Cam" in table
    assert "Cam" in ana.inner_text("ol.elected")
    assert "Turnout: 4 ballots from an electorate of 11." in ana.content()
    ana.fill("#id_tracker", trackers["Ana"])
    ana.click("button:has-text('Check')")
    ana.wait_for_selector("text=Found: your ballot is in the published box")
    box = ana.request.get(f"{url}box.json").json()
    assert {b["tracker"] for b in box["ballots"]} == set(trackers.values())
    cam.goto(url)
    assert "Fase 1" in cam.inner_text("table.stages")
    assert "Participación: 4 papeletas de un electorado de 11." in cam.content()
    cam.fill("#id_tracker", trackers["Cam"])
    cam.click("button:has-text('Comprobar')")
    cam.wait_for_selector("text=Encontrada: tu papeleta está en la urna publicada")
    cam.select_option("#language-choice", "en")  # and back: her choice, kept on her account
    cam.click("form.language button:has-text('Cambiar')")
    cam.wait_for_selector("text=Found: your ballot is in the published box")

    # 6. Cam's term has begun: the office page shows her as the holder.
    office_url = f"{base}/o/{org.slug}/offices/{office.pk}/"
    ben.goto(f"{base}/o/{org.slug}/bodies/")
    ben.click(f"a[href='/o/{org.slug}/offices/{office.pk}/']")
    holder = ben.inner_text(".holder")
    assert "Cam" in holder and "term" in holder

    # 7. Ben opens a recall petition; Eli and Ana sign; the third signature opens the vote.
    ben.click("text=Open a recall petition against Cam")
    ben.fill(".holder textarea[name=reason]", "The minutes have not appeared for two months.")
    ben.click("button:has-text('Open the petition')")
    ben.wait_for_selector("text=1 of 3 signatures needed")
    petition = RecallPetition.objects.get()
    recall_url = f"{base}{petition.get_absolute_url()}"
    eli.goto(recall_url)
    eli.click("button:has-text('Sign the petition')")
    eli.wait_for_selector("text=2 of 3 signatures needed")
    ana.goto(recall_url)
    ana.click("button:has-text('Sign the petition')")
    ana.wait_for_selector("text=the recall vote is open")
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.VOTE
    ana.click("a:has-text('The recall vote')")
    ana.wait_for_url(re.compile(rf"/elections/{petition.election_id}/$"))
    recall_vote_url = ana.url

    # 8. The recall vote passes.
    for page, choice in ((ana, "yes"), (ben, "yes"), (eli, "yes"), (cam, "no")):
        _vote_yes_no(page, recall_vote_url, choice)
    recall = services.advance(petition.election, petition.election.voting_close_at)
    assert recall.status == Status.CERTIFIED and recall.passed

    # 9. The office is vacant, and a by-election is called and listed.
    ben.goto(office_url)
    assert "Vacant" in ben.inner_text("main")
    ben.goto(elections_url)
    assert "By-election: Secretary" in ben.inner_text("#current ~ table")
    by_election = Election.objects.get(office=office, kind=Kind.OFFICE, status=Status.NOMINATIONS)
    assert by_election.called_by is None

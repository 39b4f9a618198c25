"""The assembly, projector, minutes and programme pages: who sees what, every refusal in words."""

import html
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from tribune.assemblies import services
from tribune.assemblies.models import Amendment, Assembly, LiveVote, Motion, Participant, Proxy
from tribune.assemblies.tests.sitting import begin
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office

ORG = "/o/test-union"
HOUSING = "1. Rents are frozen.\n2. Repairs within 14 days.\n3. No evictions in winter.\n"


@pytest.fixture
def convenor(world):
    body = create_body(world.org, name="Conference committee", kind=BodyKind.COMMITTEE)
    office = create_office(
        body, title="Convenor", mandate="Convene the congress.", powers=["convene_assemblies"]
    )
    begin_term(office, world.ana, source=TermSource.ELECTION)
    services.found_programme(
        world.org, [("housing", "Housing", HOUSING), ("work", "Work", "1. A living wage.\n")]
    )
    return world.ana


@pytest.fixture
def congress(world, convenor):
    """Ana convenes; Eli chairs; motions are open for another hour."""
    now = timezone.now()
    return services.convene(
        world.ana,
        world.root,
        title="First congress",
        kind=Assembly.Kind.GENERAL,
        starts_at=now + timedelta(hours=2),
        ends_at=now + timedelta(days=1),
        motions_deadline=now + timedelta(hours=1),
        chair=world.eli,
    )


def _url(assembly, tail=""):
    return f"{ORG}/assemblies/{assembly.pk}/{tail}"


def _text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def motion(world, congress):
    return services.table_motion(
        world.ben,
        congress,
        title="Housing demands",
        text=HOUSING.strip(),
        programme_section="housing",
    )


def test_anyone_may_follow_an_assembly(world, congress, as_):
    page = as_().get(f"{ORG}/assemblies/")
    assert page.status_code == 200 and "First congress" in _text(page)
    assert "Convene an assembly" not in _text(page)
    page = as_().get(_url(congress))
    text = _text(page)
    assert page.status_code == 200
    assert "Standing orders" in text and "3 minutes" in text and "0 participants" in text
    assert "Seat the participants" not in text  # not the chair
    chair = _text(as_("eli").get(_url(congress)))
    assert "Seat the participants" in chair and "Open the vote" in chair
    assert as_().get(_url(congress, "projector/")).status_code == 200
    assert "Assemblies" in text and "Programme" in text  # in the site's navigation


def test_convening_needs_the_power_and_checks_the_dates(world, convenor, as_):
    refused = as_("ben").get(f"{ORG}/assemblies/convene/")
    assert refused.status_code == 403
    now = timezone.now()
    form = {
        "title": "Spring congress",
        "kind": "delegates",
        "branch": world.root.pk,
        "chair": world.eli.pk,
        "starts_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(days=4)).strftime("%Y-%m-%dT%H:%M"),
        "motions_deadline": (now + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "speaking_minutes": 2,
        "delegate_seats": 5,
        "apportionment": "largest-remainder",
        "weighted_votes": "on",
    }
    ana = as_("ana")
    assert "Convene an assembly" in _text(ana.get(f"{ORG}/assemblies/"))
    page = ana.post(f"{ORG}/assemblies/convene/", form)
    assert page.status_code == 400 and "motions deadline comes before" in _text(page)
    assert not Assembly.objects.exists()
    form["motions_deadline"] = (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    done = ana.post(f"{ORG}/assemblies/convene/", form)
    assembly = Assembly.objects.get()
    assert done.status_code == 302 and done["Location"] == assembly.get_absolute_url()
    assert assembly.speaking_minutes == 2 and assembly.weighted_votes
    page = _text(as_("eli").get(assembly.get_absolute_url()))
    assert "Largest remainder" in page and "Call the delegate elections" in page
    assert "Millbrook" in page  # the delegation table, with its seats


def test_tabling_a_motion_and_amendments(world, congress, as_):
    ben = as_("ben")
    done = ben.post(
        _url(congress, "motions/"),
        {"title": "Housing demands", "text": HOUSING, "programme_section": "housing"},
    )
    assert done.status_code == 302
    motion = Motion.objects.get()
    amend = _url(congress, f"motions/{motion.pk}/amend/")
    form = as_("cam").get(amend)
    # The form quotes a passage; no line numbers are asked for.
    assert "No evictions in winter." in _text(form) and 'id="tabled-text"' in _text(form)
    assert "The passage to replace" in _text(form) and "n + 1" not in _text(form)
    assert 'name="start"' not in _text(form)
    # Coming from the motion's page with a selection, the passage is filled in.
    assert "14 days</textarea>" in _text(as_("cam").get(amend + "?passage=14+days"))
    out = as_("cam").post(amend, {"passage": "within 30 days", "replacement": "x"})
    assert out.status_code == 400
    assert "This passage is not in the motion as tabled" in html.unescape(_text(out))
    out = as_("cam").post(amend, {"passage": "in", "replacement": "x"})
    assert out.status_code == 400  # within, in, winter: ask for more
    assert "This passage occurs 3 times in the motion: select a longer passage" in _text(out)
    assert not Amendment.objects.exists()
    cam = as_("cam")
    done = cam.post(amend, {"passage": "14 days", "replacement": "7 days", "reason": "Faster."})
    assert done.status_code == 302
    assert cam.post(amend, {"passage": "14 days.\n3. No", "replacement": "soon. No"}).status_code
    # A member may select a passage of the motion on its page to amend it; a visitor may not.
    assert f'data-amend-url="{amend}"' in _text(as_("cam").get(_url(congress)))
    assert "data-amend-url" not in _text(as_().get(_url(congress)))
    page = _text(as_().get(_url(congress)))
    assert "Amendments touching the same lines: A1 / A2" in page
    # The change reads as words struck out and put in, within the line it changes.
    assert "2. Repairs within <del>14</del><ins>7</ins> days." in page
    assert "Consolidated text" in page


def test_tabling_after_the_deadline_is_refused_with_its_reason(world, congress, motion, as_):
    later = congress.motions_deadline + timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        late = as_("ben").post(_url(congress, "motions/"), {"title": "Late", "text": "Too late."})
        amend = as_("cam").post(
            _url(congress, f"motions/{motion.pk}/amend/"),
            {"passage": "Repairs", "replacement": "x"},
        )
    assert late.status_code == 400 and "deadline for motions and amendments has passed" in (
        _text(late)
    )
    assert amend.status_code == 400 and "deadline" in _text(amend)
    assert Motion.objects.count() == 1 and not Amendment.objects.exists()


def test_a_live_vote_from_opening_to_the_result(world, congress, motion, as_):
    amendment = services.table_amendment(
        world.cam, motion, start=2, end=2, new_text="2. Repairs within 7 days."
    )
    eli, ben = as_("eli"), as_("ben")
    assert eli.post(_url(congress, "chair/seat/")).status_code == 302
    assert congress.participants.count() == 5
    begin(world.eli, congress)
    refused = ben.post(_url(congress, "votes/open/"), {"subject": f"a{amendment.pk}"})
    assert refused.status_code == 403 and "Only the chair" in _text(refused)
    assert not LiveVote.objects.exists()
    opened = eli.post(_url(congress, "votes/open/"), {"subject": f"a{amendment.pk}"})
    assert opened.status_code == 302
    vote = LiveVote.objects.get()
    assert "Close the vote" in _text(eli.get(_url(congress)))
    cast = _url(congress, f"votes/{vote.pk}/cast/")
    assert ben.post(cast, {"choice": "yes"}).status_code == 302
    again = ben.post(cast, {"choice": "no"})
    assert again.status_code == 400 and "already voted" in _text(again)
    assert "You have voted." in _text(ben.get(_url(congress, "live/")))
    for short in ("cam", "ana"):
        as_(short).post(cast, {"choice": "yes"})
    assert eli.post(_url(congress, "chair/close-vote/"), {"vote": vote.pk}).status_code == 302
    panel = _text(as_().get(_url(congress, "live/")))
    assert "Carried" in panel and "yes 3, no 0, abstain 0" in " ".join(panel.split())
    amendment.refresh_from_db()
    assert amendment.status == Amendment.Status.ADOPTED
    page = _text(as_().get(_url(congress)))
    # What the amendment changed, word by word: "14" struck through, "7" put in.
    assert "Version 2" in page and "<del>14</del><ins>7</ins>" in page.replace(" ", "")
    projector = _text(as_().get(_url(congress, "live/?view=projector")))
    assert "Carried" in projector


def test_the_chair_runs_the_speakers_list_with_a_timer(world, congress, as_):
    services.seat_participants(world.eli, congress)
    item = services.add_agenda_item(world.eli, congress, title="Housing")
    eli = as_("eli")
    assert eli.post(_url(congress, "chair/current-item/"), {"item": item.pk}).status_code == 302
    ben = as_("ben")
    assert ben.post(_url(congress, "speak/"), {"item": item.pk}).status_code == 302
    again = ben.post(_url(congress, "speak/"), {"item": item.pk})
    assert again.status_code == 400 and "already on the list" in _text(again)
    as_("cam").post(_url(congress, "speak/"), {"item": item.pk, "point_of_order": "on"})
    panel = _text(as_("dana").get(_url(congress, "live/")))
    assert panel.index("Cam") < panel.index("Ben") and "point of order" in panel
    refused = ben.post(_url(congress, "chair/next-speaker/"), {"item": item.pk})
    assert refused.status_code == 403
    eli.post(_url(congress, "chair/next-speaker/"), {"item": item.pk})
    panel = _text(as_("dana").get(_url(congress, "live/")))
    assert 'id="speaker-name">Cam' in panel
    assert 'id="speaker-name">a participant' in _text(as_().get(_url(congress, "live/")))
    assert re.search(r'data-seconds="1(80|79)"', panel)  # three minutes, counting down


def test_proxies_only_where_the_standing_orders_allow(world, congress, as_):
    services.seat_participants(world.eli, congress)
    ben_seat = Participant.objects.get(assembly=congress, member=world.ben)
    cam_seat = Participant.objects.get(assembly=congress, member=world.cam)
    refused = as_("ben").post(_url(congress, "proxy/"), {"holder": cam_seat.pk})
    assert refused.status_code == 400 and "do not allow proxies" in _text(refused)
    assert not Proxy.objects.exists()
    congress.proxies_allowed = True
    congress.save()
    assert as_("ben").post(_url(congress, "proxy/"), {"holder": cam_seat.pk}).status_code == 302
    assert Proxy.objects.get().giver == ben_seat
    assert "Cam holds your vote." in _text(as_("ben").get(_url(congress)))
    assert as_("ben").post(_url(congress, "proxy/"), {"revoke": "1"}).status_code == 302
    assert not Proxy.objects.exists()
    dana = as_("dana")
    nobody = dana.post(_url(congress, "proxy/"), {"revoke": "1"})
    assert nobody.status_code == 302  # a plain button: the refusal is a message
    follow = dana.get(_url(congress))
    assert "You have not given a proxy." in _text(follow)


def test_substitutes_and_transfers_are_the_chairs_or_the_delegates(world, congress, as_):
    services.seat_participants(world.eli, congress)
    ben_seat = Participant.objects.get(assembly=congress, member=world.ben)
    Participant.objects.filter(member=world.cam).delete()  # Cam, of Ben's branch, stands by
    wrong = as_("eli").post(
        _url(congress, "substitute/"), {"delegate": ben_seat.pk, "member": world.ana.pk}
    )
    assert wrong.status_code == 400 and "from the delegate's own branch" in _text(wrong)
    seated = as_("eli").post(
        _url(congress, "substitute/"), {"delegate": ben_seat.pk, "member": world.cam.pk}
    )
    assert seated.status_code == 302
    refused = as_("dana").post(
        _url(congress, "transfer/"), {"delegate": ben_seat.pk, "to_substitute": "on"}
    )
    assert refused.status_code == 403 and "Only the chair" in _text(refused)
    done = as_("ben").post(
        _url(congress, "transfer/"), {"delegate": ben_seat.pk, "to_substitute": "on"}
    )
    assert done.status_code == 302
    ben_seat.refresh_from_db()
    assert not ben_seat.voting


def test_minutes_and_the_programme_with_its_versions(world, congress, motion, as_):
    begin(world.eli, congress)
    vote = services.open_vote(world.eli, congress, motion=motion)
    for member in (world.ben, world.cam, world.ana):
        services.cast_live_vote(member, vote, "yes")
    services.close_vote(world.eli, vote)
    minutes = as_().get(_url(congress, "minutes/"))
    assert minutes.status_code == 200 and 'media="print"' in minutes.content.decode()
    assert "Housing demands" in _text(minutes) and "carried" in _text(minutes)
    raw = as_().get(_url(congress, "minutes.md"))
    assert raw["Content-Type"].startswith("text/markdown")
    assert raw.content.decode().startswith("# First congress")
    page = _text(as_().get(f"{ORG}/programme/"))
    assert "version 2" in page and vote.election.get_absolute_url() in page
    assert "Version 1" in page and "Founding" in page
    old = _text(as_().get(f"{ORG}/programme/v1/"))
    assert "A past version" in old and "Rents are frozen." in old
    diff = as_().get(f"{ORG}/programme/diff/1/2/")
    assert diff.status_code == 200 and vote.election.get_absolute_url() in _text(diff)
    # The motion restated the section word for word: said in words, no unified-diff marks.
    assert "No difference." in _text(diff) and "@@" not in _text(diff)
    assert as_().get(f"{ORG}/programme/v9/").status_code == 404
    ballot_box = as_().get(vote.election.get_absolute_url())  # the vote's own election page
    assert ballot_box.status_code == 200 and "Housing demands" in _text(ballot_box)
    chair = _text(as_("eli").get(_url(congress)))
    assert f'value="m{motion.pk}"' not in chair  # adopted: no longer offered for a vote


def test_the_secret_ballot_and_refusals_leave_nothing_half_written(world, congress, motion, as_):
    begin(world.eli, congress)
    vote = services.open_vote(world.eli, congress, motion=motion)
    bad = as_("ben").post(_url(congress, f"votes/{vote.pk}/cast/"), {"choice": "maybe"})
    assert bad.status_code == 400
    assert not vote.election.roll.filter(voted=True).exists()
    assert not vote.election.ballots.exists()


def test_the_chair_closes_the_assembly_and_no_vote_opens_after(world, congress, motion, as_):
    services.seat_participants(world.eli, congress)
    assert as_("ben").post(_url(congress, "chair/close/")).status_code == 403
    eli = as_("eli")
    assert eli.post(_url(congress, "chair/close/")).status_code == 302
    congress.refresh_from_db()
    assert congress.status == Assembly.Status.CLOSED
    refused = eli.post(_url(congress, "votes/open/"), {"subject": f"m{motion.pk}"})
    assert refused.status_code == 400 and "This assembly is closed." in _text(refused)
    assert not LiveVote.objects.exists()
    assert "First congress" in _text(as_().get(f"{ORG}/assemblies/"))


def test_the_hall_ranks_competing_motions_with_a_number_each(world, congress, as_):
    item = services.add_agenda_item(world.eli, congress, title="Rent strike")
    first, second = (
        services.table_motion(world.ben, congress, title=t, text=f"{t}.", agenda_item=item)
        for t in ("Strike now", "Ballot first")
    )
    eli, ben = as_("eli"), as_("ben")
    eli.post(_url(congress, "chair/seat/"))
    begin(world.eli, congress)
    assert "Rank the competing motions" in _text(eli.get(_url(congress)))
    assert "Rank the competing motions" not in _text(ben.get(_url(congress)))
    open_ranking = _url(congress, "chair/open-ranking/")
    refused = ben.post(open_ranking, {"item": item.pk})
    assert refused.status_code == 403 and "Only the chair" in _text(refused)
    assert eli.post(open_ranking, {"item": item.pk}).status_code == 302
    vote = LiveVote.objects.get()
    assert vote.is_ranking
    panel = _text(ben.get(_url(congress, "live/")))
    assert "Cast my ranking" in panel and f'name="rank_{first.pk}"' in panel
    cast = _url(congress, f"votes/{vote.pk}/cast/")
    same = ben.post(cast, {f"rank_{first.pk}": "1", f"rank_{second.pk}": "1"})
    assert same.status_code == 400 and "Give each motion a different number." in _text(same)
    blank = ben.post(cast, {f"rank_{first.pk}": "", f"rank_{second.pk}": ""})
    assert blank.status_code == 400 and "Number at least one motion." in _text(blank)
    assert ben.post(cast, {f"rank_{first.pk}": "2", f"rank_{second.pk}": "1"}).status_code == 302
    again = ben.post(cast, {f"rank_{first.pk}": "1"})
    assert again.status_code == 400 and "already voted" in _text(again)
    assert "You have voted." in _text(ben.get(_url(congress, "live/")))
    as_("cam").post(cast, {f"rank_{second.pk}": "1"})
    assert eli.post(_url(congress, "chair/close-vote/"), {"vote": vote.pk}).status_code == 302
    vote.refresh_from_db()
    assert vote.order == [second.pk, first.pk]
    panel = " ".join(_text(as_("dana").get(_url(congress, "live/"))).split())
    assert "2 ballots" in panel and re.search(r"<li>Ballot first</li>\s*<li>Strike now</li>", panel)
    assert "Ben: Ballot first › Strike now" in panel  # named votes: the ranking on record
    page = _text(as_().get(_url(congress)))
    assert "in the order decided by ranking vote" in page
    assert "taken 1 in the order" in page
    assert page.index(f'id="motion-{second.pk}"') < page.index(f'id="motion-{first.pk}"')
    assert "Rank the competing motions" not in _text(eli.get(_url(congress)))
    projector = _text(as_().get(_url(congress, "live/?view=projector")))
    assert re.search(r"<li>Ballot first</li>\s*<li>Strike now</li>", projector)
    election = _text(ben.get(f"{ORG}/elections/{vote.election_id}/"))
    assert "The order decided" in election
    assert "Cast my secret ballot" not in election


def test_the_stream_served_without_an_asgi_server_ends_and_the_browser_comes_back(
    congress, as_, monkeypatch
):
    """Without ASGI, Django sends a stream only once it has ended: an endless one would
    never reach the browser and would keep the process alive (a long poll instead)."""
    from tribune.assemblies import live

    monkeypatch.setattr(live, "WSGI_STREAM_SECONDS", 0.5)
    response = as_("ben").get(_url(congress, "events/"))
    assert response.status_code == 200 and response["Content-Type"] == "text/event-stream"
    body = b"".join(response).decode()  # as a WSGI server reads it: it returns, so it ended
    assert body.startswith("retry: 2000")

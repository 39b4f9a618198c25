"""A small congress in real browsers: each person in their own browser context.

Ana convenes → Ben tables a motion rewriting the programme's housing section →
Cam tables an amendment → Eli, the chair, seats everyone and opens the vote on
the amendment → the others vote from their own browsers → Eli closes it → the
result appears in every delegate's open page *without a reload* (pushed by
Server-Sent Events) → the consolidated text carries the amendment → the motion
is adopted → the programme's new version links to the vote that adopted it.

Why not pytest-django's ``live_server``: it is a threaded WSGI server, and
under WSGI Django runs the async SSE view through ``async_to_sync``, draining
the never-ending stream into a list before sending a byte — no event would
ever reach a browser. So the test serves the real ASGI application with
uvicorn (what ``tribune serve`` runs), in a thread of the test process, on the
test database (``live_world`` commits its data, so the server sees it).
Sharing the process also shares the in-process event bus, exactly as one
``tribune serve`` worker does. The motions deadline is an hour away, so
tabling is open; votes do not depend on the clock.
"""

import socket
import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from conftest import PASSWORD
from tribune.assemblies import services
from tribune.assemblies.models import Amendment, Assembly, LiveVote, Motion
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office

pytestmark = pytest.mark.browser

HOUSING = "1. Rents are frozen.\n2. Repairs within 14 days.\n3. No evictions in winter."
TIMEOUT = 15_000  # ms


@pytest.fixture
def asgi_server(transactional_db):
    """uvicorn serving tribune.asgi in a thread; yields its base URL."""
    import uvicorn

    from tribune.asgi import application

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            application,
            host="127.0.0.1",
            port=port,
            lifespan="off",
            log_level="warning",
            timeout_graceful_shutdown=1,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _log_in(browser, contexts, base: str, short: str):
    context = browser.new_context()
    contexts.append(context)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", f"{short}@test.org")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def _wait_connected(page) -> None:
    """The page's EventSource is open: events from now on reach it."""
    page.wait_for_selector("#live[data-connected='1']", state="attached")


def test_a_small_congress_live(asgi_server, live_world, browser):
    contexts = []
    try:
        # Progress pushes are coalesced; a short interval keeps the wait for "4 have voted" short.
        with mock.patch.object(services.progress, "PROGRESS_SECONDS", 0.2):
            _congress(asgi_server, live_world, browser, contexts)
    finally:
        for context in contexts:
            context.close()


def _congress(base, world, browser, contexts):
    org = world.org
    body = create_body(org, name="Conference committee", kind=BodyKind.COMMITTEE)
    office = create_office(
        body, title="Convenor", mandate="Convene the congress.", powers=["convene_assemblies"]
    )
    begin_term(office, world.ana, source=TermSource.ELECTION)
    services.found_programme(org, [("housing", "Housing", HOUSING), ("work", "Work", "A wage.")])
    # (Dana has two-factor on, so she is left out of the password logins.)
    ana, ben, cam, eli = (_log_in(browser, contexts, base, s) for s in ("ana", "ben", "cam", "eli"))
    hall = browser.new_context()  # the projector in the hall: nobody logged in
    contexts.append(hall)
    projector = hall.new_page()
    projector.set_default_timeout(TIMEOUT)

    # 1. Ana, whose mandate includes convening, convenes a general assembly chaired by Eli.
    ana.goto(f"{base}/o/{org.slug}/assemblies/")
    ana.click("text=Convene an assembly")
    now = timezone.localtime()
    ana.fill("#id_title", "Founding congress")
    ana.select_option("#id_kind", "general")
    ana.fill("#id_chair", "Eli")  # the picker searches; the match is offered to choose
    ana.check(f"input[name=chair][value='{world.eli.pk}']")
    ana.fill("#id_starts_at", (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    ana.fill("#id_ends_at", (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    ana.fill("#id_motions_deadline", (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    ana.click("button:has-text('Convene')")
    ana.wait_for_selector("text=The assembly is convened.")
    assembly = Assembly.objects.get()
    url = f"{base}{assembly.get_absolute_url()}"

    # 2. Ben tables a motion that rewrites the programme's housing section.
    ben.goto(url)
    ben.click("summary:has-text('Table a motion')")
    ben.fill("#id_title", "Housing demands")
    ben.fill("#id_text", HOUSING)
    ben.select_option("#id_programme_section", "housing")
    ben.click("button:has-text('Table the motion')")
    ben.wait_for_selector("text=Your motion is tabled.")
    motion = Motion.objects.get()

    # 3. Cam amends line 2, quoting the passage she changes (test_browser_amend selects it).
    cam.goto(url)
    cam.click(f"#motion-{motion.pk} >> text=Table an amendment")
    assert "2. Repairs within 14 days." in cam.inner_text("#tabled-text")
    cam.fill("#id_passage", "within 14 days")
    cam.fill("#id_replacement", "within 7 days")
    cam.click("button:has-text('Table the amendment')")
    cam.wait_for_selector("text=Amendment A1 is tabled.")
    amendment = Amendment.objects.get()

    # 4. The day comes. Eli seats the participants; each checks in from their own page;
    # Eli opens the session and then the vote.
    now = timezone.now()
    Assembly.objects.filter(pk=assembly.pk).update(
        starts_at=now - timedelta(minutes=1), motions_deadline=now - timedelta(minutes=2)
    )
    eli.goto(url)
    eli.click("button:has-text('Seat the participants')")
    eli.wait_for_selector("text=The participants are seated.")
    # The desk at the door checks Ana and Cam in: the picker searches, and the one
    # ticked first stays ticked through the second search (htmx sends it along).
    eli.click("#record-attendance summary")
    desk = "#attendance_participants_choices"
    eli.fill("#attendance_participants", "Ana")
    eli.check(f"{desk} label:has-text('Ana (') input", timeout=TIMEOUT)
    eli.fill("#attendance_participants", "Cam")
    eli.check(f"{desk} label:has-text('Cam (') input", timeout=TIMEOUT)
    assert eli.is_checked(f"{desk} label:has-text('Ana (') input")
    eli.fill("#attendance_participants", "")
    eli.select_option("#attendance_presence", "present")
    eli.click("#record-attendance button:has-text('Record')")
    eli.wait_for_selector("text=The attendance is recorded.")
    delegates = [ana, ben, cam]
    for page in [*delegates, eli]:
        page.goto(url)
        if page in (ben, eli):
            page.click("button:has-text('Check in: I am present')")
        page.wait_for_selector("text=You are checked in as present.")
        _wait_connected(page)
    projector.goto(f"{url}projector/")
    _wait_connected(projector)
    projector.evaluate("window.__stillHere = true")
    eli.click("button:has-text('Open the session')")
    eli.wait_for_selector("text=The assembly is in session.")
    projector.wait_for_function(
        "document.getElementById('session').textContent.includes('In session')"
    )
    projector.evaluate("window.__stillHere = true")
    eli.select_option("#id_subject", f"a{amendment.pk}")
    eli.click("button:has-text('Open the vote')")
    eli.wait_for_selector("text=Close the vote")

    # 5. The vote reaches the delegates' open pages by itself; each votes from their browser.
    projector.wait_for_selector("#vote-progress")
    for page, choice in zip([*delegates, eli], ["yes", "yes", "yes", "no"], strict=True):
        page.wait_for_selector(f"form.ballot button[value={choice}]")
        page.click(f"form.ballot button[value={choice}]")
        page.wait_for_selector("#voted")
        _wait_connected(page)
        page.evaluate("window.__stillHere = true")  # gone if the page reloads

    projector.wait_for_function("document.getElementById('vote-progress').innerText === '4'")
    # The live-vote bar follows the same events: 4 voted of the 4 present fill it.
    projector.wait_for_function("document.getElementById('vote-bar-cast').innerText === '4'")
    assert projector.inner_text("#vote-bar-text") == "4 voted of 4 present"
    assert projector.get_attribute("#vote-bar [data-part=cast]", "width") == "360.0"

    # 6. Eli closes; the result arrives in every delegate's page with no reload.
    eli.click("button:has-text('Close the vote')")
    projector.wait_for_selector("#vote-result .carried")
    assert projector.evaluate("window.__stillHere === true")
    # The result bar (yes, no, abstain) is drawn by the server, fetched with no reload.
    projector.wait_for_selector("#result-bar [data-part=yes]")
    assert projector.get_attribute("#result-bar [data-part=yes]", "width") == "270.0"
    for page in delegates:
        page.wait_for_function(
            "document.getElementById('vote-result').innerText.includes('Carried')",
            timeout=TIMEOUT,
        )
        assert page.evaluate("window.__stillHere === true"), "the result came without a reload"
        result = " ".join(page.inner_text("#vote-result").split())
        assert "yes 3, no 1, abstain 0" in result
    amendment.refresh_from_db()
    assert amendment.status == Amendment.Status.ADOPTED

    # 7. The consolidated text (and the motion's version 2) carries the amendment.
    ben.reload()
    consolidated = ben.inner_text(f"#motion-{motion.pk} .consolidated")
    assert "2. Repairs within 7 days." in consolidated
    assert "14 days" not in consolidated

    # 8. The motion itself is adopted; the programme's new version links to that vote.
    eli.goto(url)
    eli.select_option("#id_subject", f"m{motion.pk}")
    eli.click("button:has-text('Open the vote')")
    eli.wait_for_selector("text=Close the vote")
    for page in [*delegates, eli]:
        page.wait_for_selector("form.ballot button[value=yes]")
        page.click("form.ballot button[value=yes]")
        page.wait_for_selector("#voted")
    eli.click("button:has-text('Close the vote')")
    eli.wait_for_selector("text=The vote is closed.")
    vote = LiveVote.objects.get(motion=motion)
    ben.goto(f"{base}/o/{org.slug}/programme/")
    assert "version 2" in ben.inner_text("h1")
    assert "within 7 days" in ben.inner_text("#section-housing")
    link = ben.get_attribute("#provenance a.vote-link", "href")
    assert link == vote.election.get_absolute_url()
    ben.click("#provenance a.vote-link")
    ben.wait_for_selector("h1")
    assert ben.url.endswith(vote.election.get_absolute_url())

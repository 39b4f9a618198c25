"""In a real browser, the issue's whole path: a member proposes a PDF, a curator publishes
it, another member finds it by a word inside it, joins a circle, attends, completes, and is
offered to facilitate the next circle.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from tribune.archive.models import Document
from tribune.archive.samplepdf import simple_pdf
from tribune.education.models import Circle, Completion, Facilitator
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office

pytestmark = pytest.mark.browser


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def _starts(*days: float) -> str:
    now = timezone.now().astimezone(timezone.get_current_timezone())
    return "\n".join((now + timedelta(days=d)).strftime("%Y-%m-%d %H:%M") for d in days)


def test_from_a_pdf_to_a_circle_to_facilitating_the_next(
    live_server, live_world, browser, tmp_path
):
    base, org = live_server.url, live_world.org
    office = create_office(
        create_body(org, name="Education committee", kind=BodyKind.COMMITTEE),
        title="Archivist",
        mandate="Keep the archive and write the courses studied from it.",
        powers=["curate_archive", "plan_courses"],
    )
    begin_term(office, live_world.cam, source=TermSource.ELECTION)
    leaflet = tmp_path / "leaflet.pdf"
    leaflet.write_bytes(simple_pdf([["Tenants of Linden Court", "The boiler strike worked."]]))

    # 1. Ben proposes a PDF.
    ben = browser.new_context().new_page()
    _log_in(ben, base, "ben@test.org")
    ben.goto(f"{base}/o/{org.slug}/archive/")
    ben.click("text=Propose a document")
    ben.fill("#id_title", "Linden Court leaflet")
    ben.set_input_files("#id_pdf", str(leaflet))
    ben.click("text=Propose it")
    ben.wait_for_selector("text=a curator will publish it")
    document = Document.objects.get()

    # 2. Cam, the archivist, publishes it; then writes a course reading it, and opens a
    #    circle whose first session began an hour ago.
    cam = browser.new_context().new_page()
    _log_in(cam, base, "cam@test.org")
    cam.goto(f"{base}{document.get_absolute_url()}")
    cam.check("input[name=outcome][value=publish]")
    cam.fill("#decide_reason", "Our leaflet, as handed out.")
    cam.click("text=Record the decision")
    cam.wait_for_selector("text=Published.")
    cam.goto(f"{base}/o/{org.slug}/education/")
    cam.click("text=Write a course")
    cam.fill("#id_title", "Tenants organising")
    cam.fill("#id_completion_percent", "50")
    cam.fill("#id_sessions", f"The boiler strike | {document.pk}v1\nA committee in every block")
    cam.click("text=Write the course")
    cam.wait_for_selector("text=The course is written.")
    cam.fill("#id_name", "Millbrook circle")
    cam.select_option("#id_where", "millbrook")
    cam.fill("#id_place", "The library")
    cam.fill("#id_dates", _starts(-1 / 24, 7))
    cam.click("text=Open the circle")
    cam.wait_for_selector("text=The circle is open")
    first = Circle.objects.get()

    # 3. Eli finds the leaflet by a word inside the PDF (another form of it: strikes),
    #    on a phone-sized screen, and joins the circle.
    eli = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
    _log_in(eli, base, "eli@test.org")
    eli.goto(f"{base}/o/{org.slug}/archive/")
    eli.fill("#q", "strikes boiler")
    eli.click("form[role=search] button")
    eli.wait_for_selector("mark")
    assert "Linden Court leaflet" in eli.inner_text("main")
    eli.goto(f"{base}{first.get_absolute_url()}")
    eli.click("text=Join this circle")
    eli.wait_for_selector("text=You are registered for every session.")
    assert eli.evaluate("document.documentElement.scrollWidth") <= 390

    # 4. Cam records that Eli attended the first session: half of the two scheduled.
    cam.goto(f"{base}{first.get_absolute_url()}")
    cam.select_option("#att-member", str(live_world.eli.pk))
    cam.select_option("#att-session", str(first.sessions.order_by("event__starts_at").first().pk))
    cam.select_option("#att-state", "attended")
    cam.click("text=Record")
    cam.wait_for_selector("text=Attendance recorded.")
    assert Completion.objects.filter(member=live_world.eli, circle=first).exists()

    # 5. Cam opens the next circle; Eli, a graduate, is offered to facilitate it.
    cam.goto(f"{base}{first.course.get_absolute_url()}")
    cam.fill("#id_name", "Online circle")
    cam.fill("#id_link", "https://meet.example.org/tenants")
    cam.fill("#id_dates", _starts(14, 21))
    cam.click("text=Open the circle")
    cam.wait_for_selector("text=The circle is open")
    eli.goto(f"{base}/o/{org.slug}/education/")
    eli.wait_for_selector("text=You may facilitate these circles:")
    eli.click("text=Online circle")
    eli.click("text=Facilitate this circle")
    eli.wait_for_selector("text=You facilitate this circle.")
    second = Circle.objects.get(name="Online circle")
    assert Facilitator.objects.get(circle=second, member=live_world.eli).graduated_from == first
    assert "Millbrook circle" in eli.inner_text("main")  # the lineage, on the page

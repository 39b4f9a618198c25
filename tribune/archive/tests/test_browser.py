"""In a real browser: a member proposes a PDF, a curator publishes it, another member finds it.

(The issue's whole path, on to study circles: tribune/education/tests/test_browser.py.)
"""

import pytest

from conftest import PASSWORD
from tribune.archive.models import Document
from tribune.archive.samplepdf import simple_pdf
from tribune.offices.models import BodyKind, TermSource
from tribune.offices.services import begin_term, create_body, create_office

pytestmark = pytest.mark.browser


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_propose_publish_and_find_a_pdf_by_its_words(live_server, live_world, browser, tmp_path):
    base, org = live_server.url, live_world.org
    office = create_office(
        create_body(org, name="Archive committee", kind=BodyKind.COMMITTEE),
        title="Archivist",
        mandate="Keep the archive.",
        powers=["curate_archive"],
    )
    begin_term(office, live_world.cam, source=TermSource.ELECTION)
    leaflet = tmp_path / "leaflet.pdf"
    leaflet.write_bytes(simple_pdf([["Tenants of Linden Court", "The boiler strike worked."]]))

    # 1. Ben proposes a PDF, on a phone-sized screen.
    ben = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
    _log_in(ben, base, "ben@test.org")
    ben.goto(f"{base}/o/{org.slug}/archive/")
    ben.click("text=Propose a document")
    ben.fill("#id_title", "Linden Court leaflet")
    ben.set_input_files("#id_pdf", str(leaflet))
    ben.click("text=Propose it")
    ben.wait_for_selector("text=a curator will publish it")
    assert ben.evaluate("document.documentElement.scrollWidth") <= 390
    document = Document.objects.get()
    assert document.published_id is None

    # 2. Cam, the archivist, publishes it with a reason.
    cam = browser.new_context().new_page()
    _log_in(cam, base, "cam@test.org")
    cam.goto(f"{base}{document.get_absolute_url()}")
    cam.check("input[name=outcome][value=publish]")
    cam.fill("#decide_reason", "Our leaflet, as handed out.")
    cam.click("text=Record the decision")
    cam.wait_for_selector("text=Published.")

    # 3. Eli finds it by a word inside the PDF (another form of it: strikes).
    eli = browser.new_context().new_page()
    _log_in(eli, base, "eli@test.org")
    eli.goto(f"{base}/o/{org.slug}/archive/")
    eli.fill("#q", "strikes boiler")
    eli.click("form[role=search] button")
    eli.wait_for_selector("mark")
    assert "Linden Court leaflet" in eli.inner_text("main")
    eli.click("text=Linden Court leaflet")
    eli.wait_for_selector("text=Download the PDF")

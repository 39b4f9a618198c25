"""The whole first path of a new member, in a real browser.

Apply on the join page → an officer with the power admits → the new member
confirms their email, logs in and reads the constitution.
"""

import re

import pytest
from django.core import mail

from conftest import PASSWORD
from tribune.members.models import Member, Standing
from tribune.outbox.services import deliver_due

pytestmark = pytest.mark.browser


def _log_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_apply_admit_login_and_read_the_constitution(live_server, live_world, browser):
    base, org = live_server.url, live_world.org

    # 1. Zoe applies on the public join page, without an account.
    applicant = browser.new_context().new_page()
    applicant.goto(f"{base}/o/{org.slug}/join/")
    applicant.fill("#id_name", "Zoe Mensah")
    applicant.fill("#id_email", "zoe@test.org")
    applicant.select_option("#id_branch", label="Millbrook (local)")
    applicant.fill("#id_statement", "I organise on my estate.")
    applicant.fill("#id_password1", "a long enough passphrase 42")
    applicant.fill("#id_password2", "a long enough passphrase 42")
    applicant.click("text=Send my application")
    applicant.wait_for_selector("text=your application is in")
    zoe = Member.objects.get(organisation=org, email="zoe@test.org")
    assert zoe.standing == Standing.APPLICANT

    # 2. Ana, whose mandate includes admissions, admits her.
    officer = browser.new_context().new_page()
    _log_in(officer, base, "ana@test.org", PASSWORD)
    officer.goto(f"{base}/o/{org.slug}/applications/")
    officer.click("button[aria-label='Admit Zoe Mensah']")
    officer.wait_for_selector("text=Zoe Mensah is admitted")
    zoe.refresh_from_db()
    assert zoe.standing == Standing.GOOD

    # 3. Zoe confirms her address from the email, logs in, reads the constitution.
    deliver_due()  # the task queue's work: the confirmation email waits in the outbox
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body).group(0)
    applicant.goto(link)
    applicant.click("button[type=submit]")
    _log_in(applicant, base, "zoe@test.org", "a long enough passphrase 42")
    applicant.goto(f"{base}/o/{org.slug}/me/")
    assert "In good standing" in applicant.inner_text("h1")
    applicant.click("nav >> text=Constitution")
    applicant.wait_for_selector("text=Guarantees no version can remove")
    assert "2 consecutive terms in one office" in applicant.content()

"""Login emails (confirmation, password reset) go through the outbox, never straight out.

A mail server that is down when someone asks for a password reset must not lose
the email: it is queued with the request, retried, shown as failed in ``tribune
mail status`` once every attempt is spent, and goes when it is retried.
"""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD
from tribune.outbox.models import Email
from tribune.outbox.services import deliver_due
from tribune.outbox.tests.backends import FlakyBackend


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tribune.outbox.tests.backends.FlakyBackend"
    FlakyBackend.failures_left = 0
    yield FlakyBackend
    FlakyBackend.failures_left = 0


def _due_now() -> None:
    Email.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_a_reset_email_survives_a_mail_server_outage_and_is_retried(world, flaky, settings):
    settings.TRIBUNE_MAIL_RETRY_MINUTES = [1, 5]
    flaky.failures_left = 99  # the mail server is down
    response = Client().post("/accounts/password/reset/", {"email": "ben@test.org"})
    assert response.status_code == 302  # the page does not wait for, or fail with, SMTP
    queued = Email.objects.get()
    assert (queued.to, queued.kind, queued.status) == (
        "ben@test.org",
        "login: password reset key",
        "queued",
    )
    assert mail.outbox == []

    for outcome in ("retry", "retry", "failed"):
        assert deliver_due()[outcome] == 1
        _due_now()
    out = StringIO()
    call_command("mail", "status", stdout=out)
    status = out.getvalue()
    assert "failed 1" in status
    assert f"#{queued.pk} login: password reset key to ben@test.org" in status
    assert "after 3 attempts: SMTPServerDisconnected" in status
    assert "/accounts/password/reset/key/" not in status  # the body (a secret link) is not shown

    flaky.failures_left = 0  # the server is back; the operator retries
    call_command("mail", "retry", "--failed", stdout=StringIO())
    assert deliver_due()["sent"] == 1
    assert [m.to for m in mail.outbox] == [["ben@test.org"]]
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mail.outbox[0].body)
    reset = Client()
    page = reset.get(link.group(0), follow=True)
    assert page.status_code == 200 and b'name="password1"' in page.content
    done = reset.post(
        page.redirect_chain[-1][0] if page.redirect_chain else link.group(0),
        {"password1": "a brand new passphrase 42", "password2": "a brand new passphrase 42"},
    )
    assert done.status_code == 302
    world.users["ben"].refresh_from_db()
    assert world.users["ben"].check_password("a brand new passphrase 42")
    assert not world.users["ben"].check_password(PASSWORD)


def test_a_confirmation_email_is_queued_in_the_callers_transaction(world, rf):
    """Queued with the request's writes: a rolled-back request leaves no email behind."""
    from allauth.account.models import EmailAddress
    from allauth.core import context

    request = rf.get("/")
    request.user = world.users["cam"]
    address = EmailAddress.objects.create(user=world.users["cam"], email="cam@elsewhere.org")
    with context.request_context(request):
        with pytest.raises(RuntimeError), transaction.atomic():
            address.send_confirmation(request)
            assert Email.objects.filter(to="cam@elsewhere.org").count() == 1
            raise RuntimeError("the request failed after sending")
        assert not Email.objects.filter(to="cam@elsewhere.org").exists()
        address.send_confirmation(request)
    email = Email.objects.get(to="cam@elsewhere.org")
    assert email.kind == "login: email confirmation" and "/accounts/confirm-email/" in email.body
    assert mail.outbox == []  # nothing went straight to the mail server

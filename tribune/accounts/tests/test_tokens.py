"""Accounts: personal API tokens, the login rate limit and how passwords are stored."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from tribune.accounts.models import ApiToken, hash_token

MEMBERS = "/api/v1/organisations/test-union/members"


@pytest.fixture
def ben(world):
    client = Client()
    client.force_login(world.users["ben"])
    return client


def test_ben_creates_a_token_and_sees_its_secret_once(world, ben):
    response = ben.post("/account/tokens/", {"name": "my script"})
    secret = response.context["secret"]
    assert secret.startswith("trb_") and secret in response.content.decode()
    token = ApiToken.objects.get(user=world.users["ben"])
    assert (token.name, token.prefix) == ("my script", secret[:12])
    assert token.token_hash == hash_token(secret) and secret not in token.token_hash
    again = ben.get("/account/tokens/").content.decode()
    assert "my script" in again and secret not in again
    api = Client().get(MEMBERS, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.status_code == 200


def test_a_revoked_token_stops_working(world, ben):
    token, secret = ApiToken.issue(world.users["ben"], "old laptop")
    response = ben.post("/account/tokens/", {"revoke": token.pk})
    assert response.status_code == 302
    assert not ApiToken.objects.exists()
    assert Client().get(MEMBERS, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_no_one_revokes_another_persons_token(world, ben):
    token, _secret = ApiToken.issue(world.users["cam"], "cam's phone")
    assert ben.post("/account/tokens/", {"revoke": token.pk}).status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_a_token_needs_a_name(world, ben):
    response = ben.post("/account/tokens/", {"name": ""})
    assert response.context["form"].errors["name"] == ["This field is required."]
    assert not ApiToken.objects.exists()


def test_the_login_page_logs_in_with_email(world):
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "ben@test.org", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.users["ben"].pk)


def test_repeated_failed_logins_are_refused(world):
    """Guessing Ben's password is stopped after a few tries, even with the right one."""
    assert "login_failed" in settings.ACCOUNT_RATE_LIMITS
    client = Client()
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": "ben@test.org", "password": "guess"})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    response = client.post(
        "/accounts/login/", {"login": "ben@test.org", "password": "correct horse battery staple"}
    )
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.argon2
def test_passwords_are_hashed_with_argon2(db):
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    user = get_user_model().objects.create_user(
        username="hana", email="hana@test.org", password="a long and unusual passphrase"
    )
    assert user.password.startswith("argon2")
    assert user.check_password("a long and unusual passphrase")


def test_token_use_is_recorded_at_most_once_a_minute_and_written_in_batches(world, client):
    from datetime import timedelta
    from unittest import mock

    from django.utils import timezone

    from tribune.accounts import usage
    from tribune.accounts.models import ApiToken

    usage.flush()
    token, secret = ApiToken.issue(world.users["ben"], "phone")
    other, other_secret = ApiToken.issue(world.users["cam"], "laptop")
    url = f"/api/v1/organisations/{world.org.slug}/me"

    def call(secret: str) -> None:
        assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200

    with mock.patch.object(usage, "FLUSH_SECONDS", 3600):
        call(secret)
        call(other_secret)
        token.refresh_from_db()
        assert token.last_used_at is None  # noted, not yet written: no write per call
        usage.flush()
        token.refresh_from_db()
        other.refresh_from_db()
        first = token.last_used_at
        assert first is not None and other.last_used_at is not None
        call(secret)  # within the minute: not even noted
        assert usage._pending == set()
    with mock.patch.object(usage, "FLUSH_SECONDS", 0):
        call(secret)
        token.refresh_from_db()
        assert token.last_used_at == first
        later = timezone.now() + timedelta(minutes=2)
        with mock.patch("django.utils.timezone.now", return_value=later):
            call(secret)  # due: written by this very call
        token.refresh_from_db()
        assert token.last_used_at == later

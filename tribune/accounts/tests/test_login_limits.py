"""Failed-login limits stop guessing, not colleagues.

A dozen failures from one address (a union office behind one NAT, or every
visitor when a reverse proxy is not declared) must not stop the others at that
address from logging in with their right password. Guessing one account is
stopped per account; per address the limit is at credential-stuffing scale,
and the address is the real client's behind a declared proxy, never one a
client merely claims in X-Forwarded-For.
"""

import pytest
from django.test import Client

from conftest import PASSWORD

LIMITED = "Too many failed login attempts"
PROXY = "10.0.0.2"  # our reverse proxy, as the server sees it


def _login(client: Client, email: str, password: str, **headers: str):
    return client.post("/accounts/login/", {"login": email, "password": password}, **headers)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def small_address_limit(settings):
    """The per-address limit lowered to 10 failures, so the stuffing tests run quickly."""
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "5/5m/key,10/10m/ip",
    }


def test_a_dozen_failures_for_one_account_do_not_lock_out_a_colleague_at_that_address(world):
    attacker, colleague = Client(), Client()  # both 127.0.0.1
    for _ in range(12):
        _login(attacker, "ben@test.org", "guess")
    assert not _logged_in(attacker)

    response = _login(colleague, "cam@test.org", PASSWORD)
    assert response.status_code == 302 and _logged_in(colleague)

    # Ben's own account is limited, even with his right password.
    response = _login(Client(), "ben@test.org", PASSWORD)
    assert LIMITED in response.content.decode()


def test_the_per_address_limit_is_above_an_office_and_below_credential_stuffing(settings):
    per_key, per_address = settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
    assert per_key == "5/5m/key"
    count, _period, per = per_address.split("/")
    assert per == "ip" and 50 <= int(count) <= 1000


def test_credential_stuffing_from_one_address_is_stopped(world, small_address_limit):
    client = Client()
    for n in range(10):
        _login(client, f"victim{n}@test.org", "leaked-password")
    response = _login(client, "cam@test.org", PASSWORD)
    assert LIMITED in response.content.decode() and not _logged_in(client)


def test_behind_a_declared_proxy_the_forwarded_client_is_limited(
    world, settings, small_address_limit
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    stuffer = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    client = Client()
    for n in range(10):
        _login(client, f"victim{n}@test.org", "leaked-password", **stuffer)
    assert LIMITED in _login(client, "cam@test.org", PASSWORD, **stuffer).content.decode()

    # Someone else coming through the same proxy is not.
    colleague = Client()
    response = _login(
        colleague,
        "cam@test.org",
        PASSWORD,
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert response.status_code == 302 and _logged_in(colleague)


def test_a_forged_forwarded_for_is_ignored_by_default(world, small_address_limit):
    """Without TRUSTED_PROXY_COUNT, a new X-Forwarded-For per try does not escape the limit."""
    client = Client()
    for n in range(10):
        _login(
            client,
            f"victim{n}@test.org",
            "leaked-password",
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = _login(
        client,
        "cam@test.org",
        PASSWORD,
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )
    assert LIMITED in response.content.decode()


def test_a_forwarded_for_shorter_than_the_proxy_chain_is_no_server_error(world, settings):
    """A request that bypassed one of two declared proxies is limited by its own address."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    client = Client()
    response = _login(
        client, "cam@test.org", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1"
    )
    assert response.status_code == 302 and _logged_in(client)

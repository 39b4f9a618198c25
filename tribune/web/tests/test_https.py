"""Over HTTPS: Secure cookies, HSTS when configured, the scheme trusted only from our proxy."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[3]
NAMES = [
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
    "ALLAUTH_TRUSTED_PROXY_COUNT",
    "ALLAUTH_TRUSTED_CLIENT_IP_HEADER",
]
ENVIRONMENT = {
    "HTTPS",
    "SECURE_COOKIES",
    "CSRF_TRUSTED_ORIGINS",
    "HSTS_SECONDS",
    "TRUSTED_PROXY_COUNT",
    "TRUSTED_CLIENT_IP_HEADER",
}


def _settings(tmp_path, **env: str) -> dict:
    """The deployment settings a fresh process derives from ``env``."""
    environ = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT | {"DATABASE_URL"}}
    environ.update(TRIBUNE_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="tribune.settings")
    environ.update(env)
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {NAMES!r}}}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=environ, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_plain_http_by_default_and_no_proxy_header_trusted(tmp_path):
    got = _settings(tmp_path)
    assert got["SESSION_COOKIE_SECURE"] is False and got["CSRF_COOKIE_SECURE"] is False
    assert got["SECURE_HSTS_SECONDS"] == 0
    assert got["SECURE_PROXY_SSL_HEADER"] is None
    assert got["ALLAUTH_TRUSTED_PROXY_COUNT"] == 0


@pytest.mark.parametrize(
    "env",
    [
        {"HTTPS": "1"},
        {"SECURE_COOKIES": "true"},
        {"CSRF_TRUSTED_ORIGINS": "https://tribune.example.org"},
    ],
)
def test_https_makes_the_cookies_secure(tmp_path, env):
    got = _settings(tmp_path, **env)
    assert got["SESSION_COOKIE_SECURE"] is True and got["CSRF_COOKIE_SECURE"] is True


def test_behind_a_declared_proxy_its_scheme_and_client_address_are_trusted(tmp_path):
    got = _settings(tmp_path, HTTPS="1", TRUSTED_PROXY_COUNT="1", HSTS_SECONDS="3600")
    assert got["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert got["ALLAUTH_TRUSTED_PROXY_COUNT"] == 1
    assert got["SECURE_HSTS_SECONDS"] == 3600
    got = _settings(tmp_path, TRUSTED_CLIENT_IP_HEADER="X-Real-IP")
    assert got["ALLAUTH_TRUSTED_CLIENT_IP_HEADER"] == "X-Real-IP"
    assert got["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def _log_in_through_proxy(client: Client):
    return client.post(
        "/accounts/login/",
        {"login": "ben@test.org", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )


def test_over_https_through_the_proxy_the_session_cookie_is_secure_with_hsts(world, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 3600
    response = _log_in_through_proxy(Client())
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True
    assert response.cookies["sessionid"]["httponly"] is True
    assert response["Strict-Transport-Security"] == "max-age=3600"


def test_without_a_declared_proxy_a_forwarded_scheme_is_ignored(world, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    response = _log_in_through_proxy(Client())
    assert response.status_code == 302
    assert "Strict-Transport-Security" not in response  # the request is not taken for HTTPS

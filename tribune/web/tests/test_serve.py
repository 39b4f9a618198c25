"""`tribune serve` creates the demo (accounts with a published password) only when asked."""

from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tribune.organisations.models import Organisation
from tribune.web.management.commands import serve


@pytest.fixture
def served(monkeypatch):
    """Run `serve` without migrating, collecting static files or starting uvicorn."""
    real_call_command = serve.call_command
    demos = []

    def fake_call_command(name, *args, **kwargs):
        if name == "demo":
            demos.append(name)
            return None
        if name in {"migrate", "collectstatic"}:
            return None
        return real_call_command(name, *args, **kwargs)

    monkeypatch.setattr(serve, "call_command", fake_call_command)
    with mock.patch("uvicorn.run") as run:
        yield demos, run


def test_serving_an_empty_database_creates_no_accounts(db, served, monkeypatch):
    monkeypatch.delenv("TRIBUNE_DEMO", raising=False)
    demos, run = served
    call_command("serve", no_worker=True)
    assert demos == [] and run.called
    assert not Organisation.objects.exists() and not get_user_model().objects.exists()


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_the_demo_is_created_when_asked(db, served, monkeypatch, how):
    demos, _run = served
    if how == "flag":
        monkeypatch.delenv("TRIBUNE_DEMO", raising=False)
        call_command("serve", "--demo", "--no-worker")
    else:
        monkeypatch.setenv("TRIBUNE_DEMO", "1")
        call_command("serve", "--no-worker")
    assert demos == ["demo"]


def test_no_demo_overrides_the_environment(db, served, monkeypatch):
    """`--no-demo` (what the load tests pass) wins over TRIBUNE_DEMO=1."""
    monkeypatch.setenv("TRIBUNE_DEMO", "1")
    demos, _run = served
    call_command("serve", "--no-demo", "--no-worker")
    assert demos == []


def test_make_run_asks_for_the_demo():
    from pathlib import Path

    makefile = (Path(serve.__file__).resolve().parents[4] / "Makefile").read_text()
    assert "tribune serve --demo" in makefile


def test_a_public_address_without_https_is_warned_about(db, served, settings, capsys):
    settings.SECRET_KEY, settings.SECRET_KEY_FILE = "k" * 40 + "0123456789abcdef", None
    settings.SESSION_COOKIE_SECURE = False
    call_command("serve", "--host", "0.0.0.0", "--no-worker")
    assert "without HTTPS=1" in capsys.readouterr().err
    settings.SESSION_COOKIE_SECURE = True
    call_command("serve", "--host", "0.0.0.0", "--no-worker")
    assert "HTTPS" not in capsys.readouterr().err

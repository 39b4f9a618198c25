"""The test world every test can start from (the healthchecks habit).

A small organisation, "Test Union", with a national root, two regions and a
local branch, and named people:

* ana — branch secretary on the provisional committee (admit, suspend, standing, branches)
* dana — membership officer (sees contacts, imports lists; has two-factor on)
* eli — sits on the appeals committee
* ben, cam — ordinary members in good standing

Django is imported lazily, so the voting engine's tests also run without it
(``pytest -p no:django tribune/voting``).
"""

import os
import shutil

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# CI explores the same examples every run (no example database, derandomised), so a
# pass or a failure there is reproducible; locally each run explores afresh. A busy
# machine makes generation slow now and then: that is not a failure of the code.
hypothesis_settings.register_profile(
    "ci", derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
    hypothesis_settings.load_profile("ci")

PASSWORD = "correct horse battery staple"


def redis_test_url() -> str:
    """The Redis database the Redis tests use: scripts/run_tests.py gives each suite its own."""
    return os.environ.get("TRIBUNE_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"


CONSTITUTION = {
    "default_term_days": 365,
    "max_term_days": 730,
    "term_limit": 2,
    "recall_threshold_percent": 20,
    "quorum_percent": 10,
    "faction_threshold": 3,
    "admission_rule": "officer",
}


def make_user(short: str, verified: bool = True):
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        username=short, email=f"{short}@test.org", password=PASSWORD
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
    return user


def enable_two_factor(user) -> None:
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})


class World:
    def __init__(self):
        from tribune.members.models import Member
        from tribune.members.services import admit_member, apply_for_membership
        from tribune.organisations.services import create_branch, found_organisation

        self.users = {s: make_user(s) for s in ("ana", "dana", "eli", "ben", "cam")}
        enable_two_factor(self.users["dana"])
        self.org = found_organisation(
            name="Test Union",
            slug="test-union",
            constitution=dict(CONSTITUTION),
            founders=[
                {
                    "name": "Ana",
                    "email": "ana@test.org",
                    "user": self.users["ana"],
                    "office": "Branch secretary",
                    "powers": [
                        "admit_members",
                        "suspend_members",
                        "manage_standing",
                        "manage_branches",
                        "call_elections",
                    ],
                },
                {
                    "name": "Dana",
                    "email": "dana@test.org",
                    "user": self.users["dana"],
                    "office": "Membership officer",
                    "powers": ["view_member_contacts", "import_members"],
                },
                {
                    "name": "Eli",
                    "email": "eli@test.org",
                    "user": self.users["eli"],
                    "body": "appeals",
                },
            ],
        )
        self.root = self.org.root_branch
        self.ana = Member.objects.get(organisation=self.org, name="Ana")
        self.dana = Member.objects.get(organisation=self.org, name="Dana")
        self.eli = Member.objects.get(organisation=self.org, name="Eli")
        self.north = create_branch(self.ana, self.root, name="North", level="regional")
        self.south = create_branch(self.ana, self.root, name="South", level="regional")
        self.millbrook = create_branch(self.ana, self.north, name="Millbrook", level="local")
        for short in ("ben", "cam"):
            applicant = apply_for_membership(
                self.org,
                user=self.users[short],
                name=short.title(),
                email=f"{short}@test.org",
                branch=self.millbrook,
            )
            admit_member(self.ana, applicant)
            applicant.refresh_from_db()
            setattr(self, short, applicant)


@pytest.fixture(autouse=True)
def fast_password_hashing(request):
    """Argon2 is the production hasher (tested in test_tokens); tests hash quickly."""
    if "argon2" in request.keywords or not request.config.pluginmanager.hasplugin("django"):
        return
    settings = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def pledgers_told_in_process(request, monkeypatch):
    """A pledge's trigger notices, queued after its commit, are written at once in tests.

    In production the task queue's worker writes them (``tell_pledgers``); tests
    have no worker, so the task runs in-process when queued. Notices still wait
    for the trigger's commit: a test on the plain ``db`` fixture sees them only
    with ``django_capture_on_commit_callbacks(execute=True)``.
    """
    if not request.config.pluginmanager.hasplugin("django"):
        return
    from tribune.federation import tasks as federation_tasks
    from tribune.struggles import tasks

    monkeypatch.setattr(tasks, "tell_pledgers", tasks.tell_pledgers.call_local)
    # Likewise a home network's new state, sent to its copies after the commit.
    monkeypatch.setattr(
        federation_tasks, "send_state_soon", federation_tasks.send_state_soon.call_local
    )


@pytest.fixture(scope="session")
def audit_key_file(tmp_path_factory) -> str:
    """One audit key for the test run, never the data directory's own."""
    return str(tmp_path_factory.mktemp("audit-key") / "audit-signing-key.pem")


@pytest.fixture(autouse=True)
def separate_audit_key(request):
    if not request.config.pluginmanager.hasplugin("django"):
        return
    settings = request.getfixturevalue("settings")
    settings.TRIBUNE_AUDIT_KEY_FILE = request.getfixturevalue("audit_key_file")


@pytest.fixture(autouse=True)
def fresh_rate_limits(request):
    """In-process rate limits outlive a test's rolled-back database: start each test afresh."""
    if not request.config.pluginmanager.hasplugin("django"):
        return
    from tribune.lib import ratelimit

    ratelimit.reset_local()


@pytest.fixture(autouse=True)
def language_of_the_test():
    """Each test starts and ends in the default language.

    A request answered in Spanish leaves Spanish active in the thread (the locale
    middleware activates, nothing deactivates), and the next test would read Spanish.
    """
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def server_template(tmp_path_factory):
    """One migrated database for the tests that start ``tribune serve`` in a process of
    its own (tribune/lib/testdb.py ``fresh_database``): copied, not migrated, each time."""
    from tribune.lib import testdb

    admin = testdb.postgres_admin_url()
    with testdb.migrated_template(admin, tmp_path_factory.mktemp("server-template")) as made:
        yield made


@pytest.fixture
def world(db) -> World:
    return World()


@pytest.fixture
def as_(world):
    """A client logged in (by session) as one of the world's people (None: anonymous)."""
    from django.test import Client

    def login(short=None):
        client = Client()
        if short:
            client.force_login(world.users[short])
        return client

    return login


@pytest.fixture
def token_for(world):
    """Bearer headers for a personal API token of one of the world's people (or any user)."""
    from tribune.accounts.models import ApiToken

    def issue(who):
        user = world.users[who] if isinstance(who, str) else who
        _token, secret = ApiToken.issue(user, "script")
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return issue


def chromium_path() -> str | None:
    return (
        os.environ.get("TRIBUNE_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture
def live_world(transactional_db) -> World:
    return World()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright; skipped (never in CI) when absent."""
    path = chromium_path()
    if not path:
        message = "Chromium not found: install Debian's chromium or set TRIBUNE_CHROMIUM"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make between page actions are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=path,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield chromium
        chromium.close()


def pytest_sessionfinish(session, exitstatus):
    """Under CI nothing may be skipped: a skipped test fails the run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if _in_ci() and skipped and exitstatus == 0:
        reporter.write_line(f"CI: {len(skipped)} test(s) were skipped; nothing may be skipped.")
        session.exitstatus = 1


@pytest.fixture
def office(world):
    """An elected office of the test world: the executive committee's Secretary (vacant)."""
    from tribune.offices.models import BodyKind
    from tribune.offices.services import create_body, create_office

    body = create_body(world.org, name="Executive committee", kind=BodyKind.COMMITTEE)
    return create_office(
        body,
        title="Secretary",
        mandate="Keep the organisation's records and correspondence.",
        powers=["admit_members"],
        term_days=365,
    )

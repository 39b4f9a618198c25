"""Start Tribune exactly as docs/deploy.md does, then smoke-test it.

Reads deploy/tribune.env (the production settings, with its placeholders filled
in for this run) and the ExecStart lines of deploy/tribune-web.service and
deploy/tribune-worker.service, and runs those same command lines (with this
checkout's ``python -m tribune.cli`` for ``/opt/tribune/venv/bin/tribune``) on
PostgreSQL and Redis. Then: ``tribune check --deploy`` passes, /healthz answers
200 once the task worker has beaten, the home page is served over the proxy's
HTTPS headers, an account logs in and casts a vote, /metrics answers its token only,
``tribune backup`` writes a file and ``tribune audit verify`` passes.

    python scripts/deploy_smoke.py postgres://postgres@127.0.0.1:5432/tribune_smoke \
        redis://127.0.0.1:6379/13

The database is migrated and used (give it an empty one); the Redis database is
used for the queue and cache. Exit status 0 when every step passed.

With ``--compose`` the same steps run against the containers instead: the image
built from the Dockerfile (tag ``tribune:local``; build it first, see
docs/deploy.md, "Containers"), started by ``docker-compose`` from compose.yaml's
own web and worker services (their command lines, image, volumes), only put on
the host's network and pointed at the given PostgreSQL and Redis in place of
compose.yaml's postgres and redis containers; each ``tribune`` command runs
inside the web container (``docker-compose exec``).
"""

import http.cookies
import json
import os
import re
import secrets
import shlex
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PORT = 8000
HOST = "tribune.example.net"
PASSWORD = "a long smoke-test password 42"


SETUP_ELECTION = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from tribune.elections import services
from tribune.elections.models import Election
from tribune.members.models import Member
from tribune.offices.models import BodyKind
from tribune.offices.services import create_body, create_office
from tribune.organisations.services import found_organisation

user = get_user_model().objects.get(username="smoke")
org = found_organisation(
    name="Smoke Union",
    slug="smoke-union",
    constitution={
        "default_term_days": 365, "max_term_days": 730, "term_limit": 2,
        "recall_threshold_percent": 20, "quorum_percent": 10, "faction_threshold": 3,
        "admission_rule": "officer",
    },
    founders=[{"name": "Smoke", "email": user.email, "user": user, "office": "Secretary",
               "powers": ["call_elections", "admit_members"]}],
)
smoke = Member.objects.get(organisation=org, user=user)
body = create_body(org, name="Executive committee", kind=BodyKind.COMMITTEE)
office = create_office(body, title="Treasurer", mandate="Keep the accounts.", term_days=365)
election = services.call_election(smoke, office=office)
candidacy = services.nominate(smoke, election, smoke)
services.advance(election, election.voting_open_at)
Election.objects.filter(pk=election.pk).update(voting_open_at=timezone.now() - timedelta(minutes=1))
print(org.slug, election.pk, candidacy.pk)
"""


def environment(database_url: str, redis_url: str, data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    for line in (ROOT / "deploy" / "tribune.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, value = line.split("=", 1)
            env[name] = value
    env.update(
        SECRET_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        TRIBUNE_DATA_DIR=str(data),
        TRIBUNE_BACKUP_DIR=str(data / "backups"),
        TRIBUNE_METRICS_TOKEN=secrets.token_urlsafe(16),
        EMAIL_HOST_PASSWORD="unused",
        PROMETHEUS_MULTIPROC_DIR=str(data / "metrics"),
        PYTHONPATH=str(ROOT),
    )
    (data / "metrics").mkdir(parents=True)
    leftover = [f"{k}={v}" for k, v in env.items() if re.search(r"<[^>]*>", v)]
    assert not leftover, leftover
    return env


def command(unit: str) -> list[str]:
    (line,) = re.findall(r"^ExecStart=(.+)$", (ROOT / "deploy" / unit).read_text(), re.M)
    argv = shlex.split(line)
    assert argv[0] == "/opt/tribune/venv/bin/tribune"
    return [sys.executable, "-m", "tribune.cli", *argv[1:]]


COMPOSE: list[str] = []  # the docker-compose command line, in --compose mode


def compose_file(env: dict[str, str], data: Path) -> list[str]:
    """compose.yaml's web and worker, on the host's network, with this run's settings."""
    spec = yaml.safe_load((ROOT / "compose.yaml").read_text())
    (data / "tribune.env").write_text(
        "".join(
            f"{k}={v}\n"
            for k, v in env.items()
            if k not in {"PATH", "HOME", "LANG", "PYTHONPATH"}
            and not k.startswith(("TRIBUNE_DATA_DIR", "TRIBUNE_BACKUP_DIR", "PROMETHEUS"))
        )
    )
    services = {}
    for name in ("web", "worker"):
        service = dict(spec["services"][name])
        for key in ("ports", "depends_on", "build"):
            service.pop(key, None)
        service["network_mode"] = "host"
        service["env_file"] = str(data / "tribune.env")
        service["environment"] = {
            **service["environment"],
            "DATABASE_URL": env["DATABASE_URL"],
            "REDIS_URL": env["REDIS_URL"],
        }
        services[name] = service
    path = data / "compose.smoke.yaml"
    path.write_text(yaml.safe_dump({"services": services, "volumes": spec["volumes"]}))
    return ["docker-compose", "--project-name", "tribune-smoke", "--file", str(path)]


def tribune(env, *args, check=True) -> subprocess.CompletedProcess:
    if COMPOSE:
        argv = [*COMPOSE, "exec", "-T", "web", "tribune", *args]
    else:
        argv = [sys.executable, "-m", "tribune.cli", *args]
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True)
    if check and done.returncode:
        raise SystemExit(f"tribune {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


class Browser:
    """A client as the proxy forwards it: the public Host, HTTPS, one client address.

    Cookies are kept by hand: the session and CSRF cookies are Secure, which a
    cookie jar will not send to http://127.0.0.1 (the proxy's side of the hop).
    """

    def __init__(self):
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirects)

    def request(self, path, data=None, headers=None, proxied=True, json_body=None):
        url = f"http://127.0.0.1:{PORT}{path}"
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        if json_body is not None:
            body = json.dumps(json_body).encode()
        request = urllib.request.Request(url, data=body, headers=headers or {})
        if proxied:
            request.add_header("Host", HOST)
            request.add_header("X-Forwarded-Proto", "https")
            request.add_header("X-Forwarded-For", "203.0.113.7")
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                jar = http.cookies.SimpleCookie(header)
                self.cookies.update({name: morsel.value for name, morsel in jar.items()})
            return response.status, response.read().decode(), url

    def cookie(self, name):
        return self.cookies.get(name, "")


def step(name, ok, detail=""):
    print(f"{'ok ' if ok else 'FAIL'} {name}{': ' + detail if detail and not ok else ''}")
    if not ok:
        raise SystemExit(1)


def main(database_url: str, redis_url: str) -> None:
    data = Path(tempfile.mkdtemp(prefix="tribune-smoke-"))
    env = environment(database_url, redis_url, data)
    processes = []
    try:
        if COMPOSE:
            COMPOSE[:] = compose_file(env, data)
            subprocess.run([*COMPOSE, "up", "--no-start", "web", "worker"], check=True)
            subprocess.run([*COMPOSE, "start", "web"], check=True)
        else:
            web = subprocess.Popen(command("tribune-web.service"), env=env, cwd=data)
            processes.append(web)
        deadline = time.monotonic() + 180
        health = Browser()
        status = None
        while time.monotonic() < deadline:
            try:
                status, body, _ = health.request("/healthz", proxied=False)
            except OSError:
                status = None
            if status is not None:
                break
            time.sleep(1)
        step("the web workers answer", status in (200, 503))
        if COMPOSE:
            subprocess.run([*COMPOSE, "start", "worker"], check=True)
        else:
            worker = subprocess.Popen(command("tribune-worker.service"), env=env, cwd=data)
            processes.append(worker)
        done = tribune(env, "check", "--deploy", check=False)
        step("tribune check --deploy", done.returncode == 0, done.stdout + done.stderr)
        while time.monotonic() < deadline:
            status, body, _ = health.request("/healthz", proxied=False)
            if status == 200:
                break
            time.sleep(1)
        step("/healthz is 200 with the task worker running", status == 200, body)

        browser = Browser()
        status, body, _ = browser.request("/")
        step("the home page over the proxy", status == 200, str(status))
        status, _, _ = Browser().request("/", proxied=False, headers={"Host": HOST})
        step("plain HTTP is redirected to HTTPS", status == 301, str(status))

        tribune(
            env,
            "shell",
            "--no-imports",
            "-c",
            "from allauth.account.models import EmailAddress\n"
            "from django.contrib.auth import get_user_model\n"
            "u = get_user_model().objects.create_user("
            f"'smoke', 'smoke@example.net', {PASSWORD!r})\n"
            "EmailAddress.objects.create(user=u, email=u.email, primary=True, verified=True)\n",
        )
        status, body, _ = browser.request("/accounts/login/")
        token = browser.cookie("csrftoken")
        status, body, url = browser.request(
            "/accounts/login/",
            {"login": "smoke@example.net", "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"https://{HOST}/accounts/login/"},
        )
        step("an account logs in", status == 302 and bool(browser.cookie("sessionid")), body)

        # An organisation with an election open for voting, made through the services
        # (as `tribune found` and the web would), then a vote through the API, as a browser.
        done = tribune(env, "shell", "--no-imports", "-c", SETUP_ELECTION)
        slug, election_id, candidacy_id = done.stdout.split()[-3:]
        status, body, _ = browser.request(
            f"/api/v1/organisations/{slug}/elections/{election_id}/ballots",
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": browser.cookie("csrftoken"),
                "Referer": f"https://{HOST}/",
            },
            json_body={"choice": [int(candidacy_id)]},
        )
        step("a vote is cast and acknowledged", status == 201 and "tracker" in body, body)

        status, _, _ = Browser().request("/metrics", proxied=False)
        step("/metrics refuses a request without the token", status == 401, str(status))
        status, body, _ = Browser().request(
            "/metrics",
            proxied=False,
            headers={"Authorization": f"Bearer {env['TRIBUNE_METRICS_TOKEN']}"},
        )
        step(
            "/metrics for the token, summed over the web workers",
            status == 200
            and "tribune_http_request_duration_seconds_count" in body
            and re.search(r"^tribune_ballots_cast_total 1\.0$", body, re.M) is not None,
            body[:300],
        )
        done = tribune(env, "backup")
        step("tribune backup", "Backup written" in done.stdout, done.stdout)
        done = tribune(env, "audit", "verify", check=False)
        step("tribune audit verify", done.returncode == 0, done.stdout + done.stderr)
    finally:
        if COMPOSE:
            subprocess.run([*COMPOSE, "logs", "--tail", "20"], env={**env, **os.environ})
            subprocess.run([*COMPOSE, "down", "--volumes"], env={**env, **os.environ})
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if "--compose" in arguments:
        arguments.remove("--compose")
        COMPOSE.append("docker-compose")
    main(*arguments[:2])

"""The deployment files say the same thing: the systemd units, the Dockerfile and compose.yaml.

These read the files (scripts/container_smoke.sh builds and runs them): they parse, they name
the services docs/deploy.md describes, and every command line is one Tribune
accepts (the same command lines in the units and the containers).
"""

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[3]


def unit_command(name: str) -> list[str]:
    text = (ROOT / "deploy" / name).read_text()
    (line,) = re.findall(r"^ExecStart=(.+)$", text, re.M)
    argv = shlex.split(line)
    assert argv[0] == "/opt/tribune/venv/bin/tribune"
    return ["tribune", *argv[1:]]


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def dockerfile_cmd() -> list[str]:
    (line,) = re.findall(r"^CMD (\[.+\])$", (ROOT / "Dockerfile").read_text(), re.M)
    return json.loads(line)


def without_host(argv: list[str]) -> list[str]:
    """The units listen on 127.0.0.1 (the proxy is on the machine); containers on 0.0.0.0."""
    out = list(argv)
    if "--host" in out:
        at = out.index("--host")
        del out[at : at + 2]
    return out


def test_compose_names_the_services_with_postgresql_and_redis():
    services = compose()["services"]
    assert set(services) == {"web", "worker", "postgres", "redis"}
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name in ("web", "worker"):
        env = services[name]["environment"]
        assert (
            env["DATABASE_URL"].startswith("postgres://")
            and "@postgres:5432/" in env["DATABASE_URL"]
        )
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert services[name]["env_file"] == "tribune.env"


def test_containers_and_units_run_the_same_command_lines():
    services = compose()["services"]
    web_unit = unit_command("tribune-web.service")
    assert without_host(services["web"]["command"]) == without_host(web_unit)
    assert services["web"]["command"] == dockerfile_cmd()
    assert services["worker"]["command"] == unit_command("tribune-worker.service")


@pytest.mark.parametrize(
    "argv",
    [
        unit_command("tribune-web.service"),
        unit_command("tribune-worker.service"),
        dockerfile_cmd(),
    ],
    ids=["web unit", "worker unit", "Dockerfile"],
)
def test_every_command_line_is_one_tribune_accepts(argv):
    name, *options = argv[1:]
    commands = get_commands()
    assert name in commands, name
    command = load_command_class(commands[name], name)
    parser = command.create_parser("tribune", name)
    parsed = parser.parse_args(options)  # exits (SystemExit) on an unknown option
    if name == "serve":
        assert parsed.no_worker and parsed.workers > 1 and parsed.demo is False


def test_the_proxies_send_the_scheme_and_hide_the_metrics():
    caddy = (ROOT / "deploy" / "Caddyfile").read_text()
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "reverse_proxy 127.0.0.1:8000" in caddy and "respond /metrics 404" in caddy
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in nginx
    assert "location = /metrics { return 404; }" in nginx
    assert "return 301 https://" in nginx

"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis).

Every operation of ``/api/v1/openapi.json`` is called with generated requests,
in process through Django's WSGI handler, as three roles:

* ``anonymous`` — no credentials;
* ``member`` — ben, an ordinary member in good standing (personal API token);
* ``officer`` — ana, the branch secretary with admission, suspension, standing,
  branch and election powers (personal API token).

Each role runs on a **fresh world of its own**: the demo organisation, built
anew inside the test's transaction and rolled back after it, so one role's
run cannot spoil another's. Within a role's run the calls that would end the
role itself are **excluded**: ``POST …/me/erase`` (erases the account) and
``POST …/me/resign`` (ends the membership). Leaving a faction is kept: it only
ends a faction membership, never the caller's standing.

So that requests get past the door to the rules behind it, the signed-in runs
draw path ids from the demo's range (1-60), and half of the request schemas are
drawn with printable text and demo-sized ``*_id`` fields; the anonymous run and
the other half draw from everything the schema allows (30-digit ids, control
characters, surrogates), which the door must refuse with a documented 4xx.

Every response must be: no server error (5xx), a status code the schema
documents for that operation, and a body that conforms to the documented
schema. The figures (requests, server errors, failures) are printed per role.
The run is bounded (``FUZZ_EXAMPLES`` per operation, default 5) and
derandomised so CI is stable; set ``TRIBUNE_FUZZ_EXAMPLES`` to fuzz harder.
"""

import copy
import os
import time
from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tribune.accounts.models import ApiToken
from tribune.api.api import api

FUZZ_EXAMPLES = int(os.environ.get("TRIBUNE_FUZZ_EXAMPLES", "5"))
EXCLUDED_FOR_SIGNED_IN = {
    ("POST", "/api/v1/organisations/{slug}/me/erase"),
    ("POST", "/api/v1/organisations/{slug}/me/resign"),
}
# What every answer must satisfy. Not "schema-valid data is accepted": a
# well-formed request may still break a rule (an unknown branch, a closed vote),
# and that is a documented 400, not a fault.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Ids the demo world actually holds, so that generated requests reach real objects
# as well as missing ones (the full integer range is still generated too).
SMALL_IDS = {"type": "integer", "minimum": 1, "maximum": 60}


# Request text is drawn, for half of the operations, without control characters:
# the door refuses those (test_inputs says how), and requests that pass it reach
# the rules behind it.
PRINTABLE = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"


def _reach_further(node) -> None:
    """Printable strings and demo-sized ids in one request schema."""
    if isinstance(node, dict):
        if node.get("type") == "string" and not {"format", "enum", "pattern"} & set(node):
            node["pattern"] = PRINTABLE
        for name, value in (node.get("properties") or {}).items():
            if name.endswith("_id") and isinstance(value, dict) and value.get("type") == "integer":
                node["properties"][name] = {"anyOf": [SMALL_IDS, value]}
        for value in node.values():
            _reach_further(value)
    elif isinstance(node, list):
        for value in node:
            _reach_further(value)


def generation_schema(reach: bool) -> dict:
    """The published schema; with ``reach``, path ids only from the demo's range.

    Without it (the anonymous run) path ids are drawn from the whole integer range
    as well, 30-digit ones included.
    """
    schema = copy.deepcopy(api.get_openapi_schema())
    inputs = {
        body["schema"]["$ref"].rsplit("/", 1)[-1]
        for operations in schema["paths"].values()
        for operation in operations.values()
        for body in operation.get("requestBody", {}).get("content", {}).values()
        if "$ref" in body.get("schema", {})
    }
    for n, name in enumerate(sorted(inputs)):
        if n % 2:
            _reach_further(schema["components"]["schemas"][name])
    for operations in schema["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                declared = parameter.get("schema", {})
                if parameter["in"] == "path" and declared.get("type") == "integer":
                    parameter["schema"] = SMALL_IDS if reach else {"anyOf": [SMALL_IDS, declared]}
    return schema


@pytest.fixture
def demo(db):
    """A fresh demo organisation (smaller than ``make run``'s), rolled back after the test."""
    from tribune.organisations.demo import create_demo

    organisation = create_demo(members=80)
    # Django's test client keeps the test's connection across requests; so must we.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield organisation
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def fuzz(organisation, role: str, headers: dict) -> dict:
    """Call every operation with generated requests; return the figures and failures."""
    app = WSGIHandler()
    schema = schemathesis.openapi.from_dict(generation_schema(reach=bool(headers)))
    schema.config.base_url = "http://testserver"
    faction_slugs = list(organisation.factions.values_list("slug", flat=True)) or ["none"]
    figures = {"requests": 0, "server_errors": 0, "statuses": Counter(), "failures": []}

    for result in schema.get_all_operations():
        operation = result.ok()
        if headers and (operation.method.upper(), operation.path) in EXCLUDED_FOR_SIGNED_IN:
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=FUZZ_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def call(case):
            if "slug" in (case.path_parameters or {}):
                case.path_parameters["slug"] = organisation.slug
            if "faction_slug" in (case.path_parameters or {}):
                picked = case.path_parameters["faction_slug"]
                case.path_parameters["faction_slug"] = faction_slugs[
                    len(str(picked)) % len(faction_slugs)
                ]
            # Half the generated network and coalition names are the demo's, to reach the rules.
            for name, demo_slug in (("network", "housing-justice"), ("coalition", "rent-freeze")):
                picked = (case.path_parameters or {}).get(name)
                if picked is not None and len(str(picked)) % 2:
                    case.path_parameters[name] = demo_slug
            response = case.call(app=app, headers=headers)
            figures["requests"] += 1
            figures["statuses"][response.status_code] += 1
            if response.status_code >= 500:
                figures["server_errors"] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as exc:
                called = case.operation
                figures["failures"].append(
                    f"{called.method.upper()} {called.path}: {str(exc)[:1500]}"
                )

        call()
    return figures


def report(role: str, figures: dict, seconds: float) -> None:
    print(
        f"\nfuzz [{role}]: {figures['requests']} requests, {figures['server_errors']} server "
        f"errors, {len(figures['failures'])} failures, {seconds:.0f}s; "
        f"statuses {dict(sorted(figures['statuses'].items()))}"
    )
    for failure in figures["failures"][:30]:
        print(failure)


@pytest.mark.parametrize("role", ["anonymous", "member", "officer"])
def test_fuzz_the_api_as(role, demo, capsys):
    from tribune.members.models import Member

    headers = {}
    if role != "anonymous":
        short = {"member": "ben", "officer": "ana"}[role]
        user = Member.objects.get(organisation=demo, email=f"{short}@example.org").user
        _, secret = ApiToken.issue(user, "fuzz")
        headers = {"Authorization": f"Bearer {secret}"}
    started = time.monotonic()
    figures = fuzz(demo, role, headers)
    with capsys.disabled():
        report(role, figures, time.monotonic() - started)
    assert figures["server_errors"] == 0
    assert figures["failures"] == []

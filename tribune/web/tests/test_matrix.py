"""The permission and privacy matrix: every API route and every page × every role.

The routes are read from the API's OpenAPI schema and from the web URL
resolver, so a route added tomorrow is in the matrix tomorrow: a route missing
from the table of expectations (``matrix_table.EXPECT``) fails the test, and so
does an entry for a route that no longer exists. Each (route, role) request is
made against one world (``matrix_world``) inside a savepoint that is rolled
back, so an allowed role's success (erasing an account, closing an assembly)
never changes what the next request sees.

Privacy is checked on every successful GET: no member's email reaches anyone
but its owner and the officers whose mandate reaches contacts; no ordinary
member's name reaches anyone who is not a member in good standing (routes
where names are public by design are listed in ``NAMES_PUBLIC``, with why); a
private faction member is named on no faction route except to the faction's
convenor.

``MATRIX_RECORD=path`` writes the observed table to ``path`` instead of
comparing (to update the table after a deliberate change: review the diff).
"""

from __future__ import annotations

import json
import os
import re
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from tribune.web.tests import matrix_table
from tribune.web.tests.matrix_world import ROLES, MatrixWorld, build

API_PREFIX = "/api/v1"
ORG = "/organisations/{slug}"  # written $A in the table, as in issue 10
REFUSALS = {401: "401", 403: "403", 404: "404", 405: "405"}
NOT_REFUSED = {400, 409, 422}  # the request was refused on its merits, not for who sent it


# --- the routes ---------------------------------------------------------------------------


def api_routes() -> dict[str, dict]:
    """Every operation of the API schema: ``"POST /organisations/{slug}/..."`` -> its details."""
    from tribune.api.api import api

    schema = api.get_openapi_schema()
    routes = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            key = f"{method.upper()} {path.removeprefix(API_PREFIX).replace(ORG, '$A')}"
            routes[key] = {
                "method": method.upper(),
                "path": path,
                "name": operation["operationId"].rsplit("_api_", 1)[1],
                "body": _request_schema(schema, operation),
            }
    return routes


_CHOICE = re.compile(r"\(\?P<(\w+)>([\w|-]+)\)")


def web_routes() -> dict[str, dict]:
    """Every page of ``tribune.web.urls``, one per choice of a ``(?P<action>a|b)`` group."""
    from tribune.web import urls

    routes = {}
    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern), "the web URLs are flat: no include()"
        regex = pattern.pattern.regex.pattern
        params = list(pattern.pattern.regex.groupindex)
        choices = [(name, alts.split("|")) for name, alts in _CHOICE.findall(regex)]
        combos: list[dict] = [{}]
        for name, alts in choices:
            combos = [{**c, name: alt} for c in combos for alt in alts]
        for combo in combos:
            label = pattern.name + "".join(f"[{v}]" for v in combo.values())
            routes[label] = {"name": pattern.name, "params": params, "fixed": combo}
    return routes


# --- requests -----------------------------------------------------------------------------


def _request_schema(schema: dict, operation: dict) -> dict | None:
    content = operation.get("requestBody", {}).get("content", {})
    media = content.get("application/json") or content.get("multipart/form-data")
    return media["schema"] if media else None


def example(schema: dict, components: dict, name: str = ""):
    """A plain valid instance of ``schema``: enough to get past validation to the rules."""
    if "$ref" in schema:
        return example(components[schema["$ref"].rsplit("/", 1)[1]], components, name)
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return example(options[0], components, name)
    if "allOf" in schema:
        return example(schema["allOf"][0], components, name)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object":
        return {
            key: example(sub, components, key)
            for key, sub in schema.get("properties", {}).items()
            if key in schema.get("required", [])
        }
    if kind == "array":
        return [example(schema.get("items", {}), components)] * schema.get("minItems", 0)
    if kind == "integer":
        return max(schema.get("minimum", 1), 1)
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    if fmt == "date-time":
        return (timezone.now() + timedelta(days=30)).isoformat()
    if fmt == "date":
        return (timezone.now() + timedelta(days=30)).date().isoformat()
    return f"Matrix {name or 'text'}"


def _resolve(value, params: dict):
    """``"@name"`` is the world's path parameter ``name``, wherever it appears in a body."""
    if isinstance(value, str) and value.startswith("@"):
        return params[value[1:]]
    if isinstance(value, list):
        return [_resolve(v, params) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, params) for k, v in value.items()}
    return value


def api_body(key: str, route: dict, params: dict, components: dict) -> dict | None:
    if route["method"] not in {"POST", "PUT", "PATCH"}:
        return None
    body = example(route["body"], components) if route["body"] else {}
    body.update(matrix_table.BODIES.get(key, {}))
    return _resolve(body, params)


def outcome(method: str, response) -> str:
    """What one response means: ``ok``, ``go``, ``login`` or the refusal's status code."""
    status = response.status_code
    if status >= 500:
        return str(status)
    if status in (301, 302) and "/accounts/login/" in response.get("Location", ""):
        return "login"
    if status in REFUSALS:
        return REFUSALS[status]
    if method == "GET":
        return "ok" if status < 400 else str(status)
    # An acting request not refused for who sent it: it succeeded, or was refused on
    # its merits (a closed assembly, a missing field) only after the rules let it in.
    return "go" if status < 400 or status in NOT_REFUSED else str(status)


def _body_text(response) -> str:
    if getattr(response, "streaming", False):
        return ""  # the live event stream never ends; its events carry no names
    return response.content.decode("utf-8", "replace")


def privacy_problems(key: str, role: str, text: str, world: MatrixWorld, own: str) -> list[str]:
    """What a successful GET showed ``role`` that it must not see."""
    problems = []
    if role not in matrix_table.SEE_CONTACTS:
        leaked = [e for e in world.emails if e != own and e in text]
        if leaked:
            problems.append(f"{key} as {role}: shows email {leaked[0]}")
    if role in matrix_table.NOT_MEMBERS and key not in matrix_table.NAMES_PUBLIC:
        named = [n for n in world.member_names if n in text]
        if named:
            problems.append(f"{key} as {role}: names member {named[0]!r}")
    if "faction" in key and role != "faction" and world.private_name in text:
        problems.append(f"{key} as {role}: names private faction member {world.private_name!r}")
    return problems


def _once(client: Client, method: str, url: str, body) -> object:
    """One request, inside a savepoint rolled back afterwards: the world stays as built."""
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif body is None:
            response = client.generic(method, url)
        else:
            response = client.generic(method, url, json.dumps(body), "application/json")
        if getattr(response, "streaming", False):
            response.close()
        transaction.set_rollback(True)
    return response


# --- the test -----------------------------------------------------------------------------


def route_keys() -> set[str]:
    """Every line the table must have, without a world: the schema's, the resolver's, allauth's."""
    keys = set(api_routes())
    for label in web_routes():
        keys |= {f"{method} web:{label}" for method in matrix_table.web_methods(label)}
    return keys | set(matrix_table.OUTSIDE)


def test_the_table_has_a_line_for_every_route_and_no_other():
    """The quick half of the matrix: a route added without a line fails at once."""
    expected = matrix_table.expectations()
    keys = route_keys()  # once: each call builds the API's whole OpenAPI schema
    assert sorted(keys - set(expected)) == []
    assert sorted(set(expected) - keys) == []
    assert all(k in keys for k in matrix_table.BODIES), "a body for no route"
    for key, row in expected.items():
        assert set(row.values()) <= {"ok", "go", "login", "401", "403", "404", "405", "-"}, key


@pytest.fixture
def matrix_world(db) -> MatrixWorld:
    return build()


def test_every_route_for_every_role_matches_the_table(matrix_world, capsys):
    from tribune.api.api import api

    world = matrix_world
    started = time.monotonic()
    components = api.get_openapi_schema()["components"]["schemas"]
    routes: dict[str, dict] = {}
    for key, route in api_routes().items():
        params = {
            **world.params,
            **world.overrides.get(route["name"], {}),
            **world.overrides.get(key, {}),
        }
        path = route["path"].format(**params)
        path += matrix_table.QUERIES.get(route["name"], "")
        routes[key] = {
            "method": route["method"],
            "url": path,
            "body": api_body(key, route, params, components),
            "name": route["name"],
        }
    for label, route in web_routes().items():
        params = {**world.params, **world.overrides.get(route["name"], {}), **route["fixed"]}
        url = reverse(f"web:{route['name']}", kwargs={p: params[p] for p in route["params"]})
        url += matrix_table.QUERIES.get(route["name"], "")
        for method in matrix_table.web_methods(label):
            routes[f"{method} web:{label}"] = {
                "method": method,
                "url": url,
                "body": None,
                "name": route["name"],
            }
    for key, url in matrix_table.OUTSIDE.items():
        routes[key] = {"method": key.split()[0], "url": url, "body": None, "name": key}

    clients = {}
    for role, user in world.users.items():
        clients[role] = Client()
        if user is not None:
            clients[role].force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    own = {role: (user.email if user else "") for role, user in world.users.items()}

    observed: dict[str, dict[str, str]] = {}
    problems: list[str] = []
    raw: dict[str, list[str]] = {}
    for key, route in sorted(routes.items()):
        observed[key] = {}
        for role in ROLES:
            if key.split(" ", 1)[1] in matrix_table.NOT_REQUESTED:
                observed[key][role] = "-"
                continue
            response = _once(clients[role], route["method"], route["url"], route["body"])
            result = outcome(route["method"], response)
            observed[key][role] = result
            raw.setdefault(key, []).append(str(response.status_code))
            if route["method"] == "GET" and result == "ok":
                problems += privacy_problems(key, role, _body_text(response), world, own[role])
    elapsed = time.monotonic() - started

    record = os.environ.get("MATRIX_RECORD")
    if record:
        with open(record, "w") as out:
            for key, row in observed.items():
                cells = " ".join(f"{row[r]:<6}" for r in ROLES).rstrip()
                out.write(f'    "{key}": "{cells}",\n')
            out.write("\n# privacy\n" + "\n".join(problems) + "\n")
            out.write("\n# statuses\n")
            out.writelines(f"{k}: {' '.join(v)}\n" for k, v in raw.items())

    mismatches = []
    expected = matrix_table.expectations()
    missing = sorted(set(observed) - set(expected))
    stale = sorted(set(expected) - set(observed))
    for key in sorted(set(observed) & set(expected)):
        for role in ROLES:
            want, got = expected[key][role], observed[key][role]
            if not matrix_table.matches(want, got):
                mismatches.append(f"{key} as {role}: expected {want}, got {got}")
    with capsys.disabled():
        print(
            f"\npermission matrix: {len(routes)} routes × {len(ROLES)} roles = "
            f"{len(routes) * len(ROLES)} requests in {elapsed:.0f}s; "
            f"{len(mismatches)} mismatches, {len(problems)} privacy problems, "
            f"{len(missing)} routes missing from the table"
        )
    assert not missing, "routes missing from matrix_table.EXPECT:\n" + "\n".join(missing)
    assert not stale, "matrix_table.EXPECT names routes that no longer exist:\n" + "\n".join(stale)
    assert not mismatches, "\n".join(mismatches)
    assert not problems, "\n".join(problems)

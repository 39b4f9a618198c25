"""The OpenAPI schema is built once per server, not on every request for it."""

import json
from unittest import mock

from django.test import RequestFactory
from django.urls import resolve

from tribune.api.api import api


def test_the_schema_is_built_once_and_each_caller_gets_its_own_copy():
    first = api.get_openapi_schema()
    # The view itself, without the middleware (a non-database test may run after the
    # browser tests, whose event loop would refuse the test client's async adapter).
    match = resolve("/api/v1/openapi.json")
    with mock.patch.object(type(api), "_build_openapi_schema") as build:
        second = api.get_openapi_schema()
        served = match.func(RequestFactory().get("/api/v1/openapi.json"), **match.kwargs)
    assert build.call_count == 0  # neither the second call nor the request rebuilt it
    assert second == first and second is not first
    second["paths"].clear()  # a caller changing its copy changes nobody else's
    assert api.get_openapi_schema()["paths"] == first["paths"]
    assert served.status_code == 200
    assert json.loads(served.content)["paths"].keys() == first["paths"].keys()

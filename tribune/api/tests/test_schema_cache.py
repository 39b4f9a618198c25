"""The OpenAPI schema is built once per server, not on every request for it."""

from unittest import mock

from tribune.api.api import api


def test_the_schema_is_built_once_and_each_caller_gets_its_own_copy(client):
    first = api.get_openapi_schema()
    with mock.patch.object(type(api), "_build_openapi_schema") as build:
        second = api.get_openapi_schema()
        served = client.get("/api/v1/openapi.json")
    assert build.call_count == 0  # neither the second call nor the request rebuilt it
    assert second == first and second is not first
    second["paths"].clear()  # a caller changing its copy changes nobody else's
    assert api.get_openapi_schema()["paths"] == first["paths"]
    assert served.status_code == 200 and served.json()["paths"].keys() == first["paths"].keys()

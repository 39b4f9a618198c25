"""No two schema classes of the API share a name.

The OpenAPI document names every schema by its class name, and django-ninja
keeps one schema a name: two routers each defining ``ReasonIn`` would publish
one of them for both, with no warning, and clients (and the fuzz run) would be
told the wrong body for one. Shared bodies live in ``tribune.api.schemas``.
"""

import typing

from ninja import NinjaAPI, Router, Schema
from pydantic import BaseModel

from tribune.api.api import api as tribune_api


def _models(annotation, found: set) -> None:
    """Every pydantic model in ``annotation``, and in the fields of each, at any depth."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                _models(field.annotation, found)
        return
    for argument in typing.get_args(annotation):
        _models(argument, found)


def name_clashes(api: NinjaAPI, path_prefix: str | None = None) -> dict[str, list[str]]:
    """Names in the document's schemas that more than one class of the API's operations has."""
    found: set = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    _models(model, found)
                for model in (operation.response_models or {}).values():
                    _models(model, found)
    named = api.get_openapi_schema(path_prefix=path_prefix)["components"].get("schemas", {})
    classes: dict[str, set[type]] = {}
    for model in found:
        if model.__name__ in named:
            classes.setdefault(model.__name__, set()).add(model)
    return {
        name: sorted(f"{c.__module__}.{c.__qualname__}" for c in same)
        for name, same in classes.items()
        if len(same) > 1
    }


def _router_with_its_own_reason_in(path: str, word: str) -> Router:
    ReasonIn = type("ReasonIn", (Schema,), {"__annotations__": {word: str}})
    router = Router()

    @router.post(path, operation_id=f"act_{word}")
    def act(request, payload: ReasonIn):
        return {}

    return router


def test_the_check_finds_two_classes_of_one_name_that_the_document_silently_merges():
    api = NinjaAPI(urls_namespace="schema-names-test")
    api.add_router("/a", _router_with_its_own_reason_in("/one", "reason"))
    api.add_router("/b", _router_with_its_own_reason_in("/two", "because"))
    schemas = api.get_openapi_schema(path_prefix="")["components"]["schemas"]
    assert list(schemas) == ["ReasonIn"]  # one of the two bodies is gone from the document
    assert list(name_clashes(api, path_prefix="")) == ["ReasonIn"]


def test_every_schema_name_in_the_tribune_api_belongs_to_one_class():
    assert name_clashes(tribune_api) == {}

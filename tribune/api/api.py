"""The HTTP API at /api/v1/ (django-ninja; OpenAPI schema at /api/v1/openapi.json).

Endpoints are thin: they call the same domain functions as the web UI, and
every refusal comes back as 4xx JSON ``{"detail": [{"field": ..., "reason": ...}]}``.
"""

import copy
import json
import math
from http.client import responses as reasons

from django.http import Http404
from django.utils.translation import gettext as _t
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from tribune.api.auth import token_or_session
from tribune.lib.errors import RuleViolation, TooManyAttempts
from tribune.lib.inputs import MAX_ID, text_problem

# Every refusal an endpoint can give, whatever it does: a broken rule (400), no login
# (401), no mandate (403), nothing there (404), a malformed request (422), too many
# attempts (429). Each comes as ERROR_SCHEMA.
ERROR_STATUSES = (400, 401, 403, 404, 422, 429)
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "reason"],
                "properties": {"field": {"type": "string"}, "reason": {"type": "string"}},
            },
        }
    },
}


class TribuneAPI(NinjaAPI):
    """The API, whose schema documents the refusals of every operation.

    The error answers are made by the exception handlers below, not by the
    endpoints, so ninja cannot see them; they are added here to every operation
    at once rather than to a hundred decorators, so a new endpoint is documented
    (and fuzzed against the documentation) without anyone remembering to.
    """

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Built once per path prefix (seconds of CPU for every route), then copied.

        The routes are fixed once the URLs are loaded, so the schema never
        changes in a running server; building it afresh on each request for
        /api/v1/openapi.json would let anyone spend seconds of CPU per request.
        """
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        cache = self.__dict__.setdefault("_tribune_schemas", {})
        if path_prefix not in cache:
            cache[path_prefix] = self._build_openapi_schema(path_prefix)
        return copy.deepcopy(cache[path_prefix])

    def _build_openapi_schema(self, path_prefix: str) -> dict:
        schema = dict(super().get_openapi_schema(path_prefix=path_prefix))
        schema["components"].setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                answers = operation.setdefault("responses", {})
                for status in ERROR_STATUSES:
                    answers.setdefault(status, {"description": reasons[status], "content": error})
        return schema


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e999
        raise RuleViolation(_t("Give a finite number."), "__all__")
    return number


def _no_constant(name: str):
    raise RuleViolation(_t("%(name)s is not a number JSON allows.") % {"name": name}, "__all__")


def _check_values(value, field: str) -> None:
    """Every string and number in a request, at any depth, as ``tribune.lib.inputs`` allows.

    Field-specific limits (lengths, ranges) are the domain's; these are the ones
    no field of any request may break, checked before anything is looked up.
    """
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise RuleViolation(problem, field)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int) and abs(value) > MAX_ID:
        raise RuleViolation(_t("This number is too large."), field)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_values(key, field)
            _check_values(item, key if field == "__all__" else f"{field}.{key}")
    elif isinstance(value, list):
        for item in value:
            _check_values(item, field)


class CheckedParser(Parser):
    """JSON bodies and query strings held to the rules of ``tribune.lib.inputs``.

    Python's ``json`` accepts ``Infinity``, ``NaN`` and ``"\\ud800"`` (a lone
    surrogate); none of them may reach the domain, whose arithmetic and database
    cannot take them. A refusal here is a 400 naming the field.
    """

    def parse_body(self, request):
        data = json.loads(request.body, parse_float=_finite, parse_constant=_no_constant)
        _check_values(data, "__all__")
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        _check_values(result, "__all__")
        return result


api = TribuneAPI(
    parser=CheckedParser(),
    title="Tribune API",
    version="1",
    urls_namespace="api",
    auth=token_or_session,
    docs_url="/docs",
    # Swagger UI from django-ninja's own static files ("ninja" is an installed
    # app); no validator badge, which would be fetched from another site.
    docs=Swagger(settings={"validatorUrl": None}),
)


def error(request, status: int, field: str, reason: str):
    return api.create_response(
        request, {"detail": [{"field": field, "reason": reason}]}, status=status
    )


@api.exception_handler(RuleViolation)
def rule_violation(request, exc: RuleViolation):
    response = error(request, exc.status, exc.field, exc.message)
    if isinstance(exc, TooManyAttempts):
        response["Retry-After"] = str(exc.retry_after)
    return response


def _field(loc) -> str:
    """The field a 422 names: ``("body", "payload", "reason")`` is ``reason``."""
    loc = tuple(loc)[2:] if loc[:1] == ("body",) else tuple(loc)[1:]
    return ".".join(str(p) for p in loc) or "__all__"


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    detail = [
        {"field": _field(e.get("loc", ())), "reason": e.get("msg", "invalid")} for e in exc.errors
    ]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return error(request, 401, "Authorization", "Invalid token, or missing CSRF token.")


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    """ninja's own refusals (an unreadable body) in the API's one error shape."""
    cause = exc.__cause__
    if isinstance(cause, RuleViolation):  # refused by CheckedParser
        return error(request, cause.status, cause.field, cause.message)
    return error(request, exc.status_code, "__all__", str(exc))


@api.exception_handler(Http404)
def not_found(request, exc):
    return error(request, 404, "__all__", "Not found.")


from tribune.archive.api import router as archive_router  # noqa: E402
from tribune.assemblies.api import router as assemblies_router  # noqa: E402
from tribune.assemblies.api_sessions import router as assembly_sessions_router  # noqa: E402
from tribune.audit.api import router as audit_router  # noqa: E402
from tribune.constitution.api import router as constitution_router  # noqa: E402
from tribune.debate.api import router as debate_router  # noqa: E402
from tribune.education.api import router as education_router  # noqa: E402
from tribune.elections.api import router as elections_router  # noqa: E402
from tribune.factions.api import router as factions_router  # noqa: E402
from tribune.members.api import router as members_router  # noqa: E402
from tribune.members.needs_api import router as needs_router  # noqa: E402
from tribune.networks.api import acting_router as networks_acting_router  # noqa: E402
from tribune.networks.api import router as networks_router  # noqa: E402
from tribune.offices.api import router as offices_router  # noqa: E402
from tribune.organisations.api import router as organisations_router  # noqa: E402
from tribune.organisations.founding_api import router as founding_router  # noqa: E402
from tribune.struggles.api import router as struggles_router  # noqa: E402

api.add_router("/me", needs_router)
api.add_router("/founding", founding_router)
api.add_router("/organisations", organisations_router)
api.add_router("/organisations", members_router)
api.add_router("/organisations", constitution_router)
api.add_router("/organisations", offices_router)
api.add_router("/organisations", audit_router)
api.add_router("/organisations", elections_router)
api.add_router("/organisations", factions_router)
api.add_router("/organisations", debate_router)
api.add_router("/organisations", assemblies_router)
api.add_router("/organisations", assembly_sessions_router)
api.add_router("/organisations", archive_router)
api.add_router("/organisations", education_router)
api.add_router("/organisations", struggles_router)
api.add_router("/organisations", networks_acting_router)
api.add_router("", networks_router)

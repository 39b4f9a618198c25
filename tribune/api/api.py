"""The HTTP API at /api/v1/ (django-ninja; OpenAPI schema at /api/v1/openapi.json).

Endpoints are thin: they call the same domain functions as the web UI, and
every refusal comes back as 4xx JSON ``{"detail": [{"field": ..., "reason": ...}]}``.
"""

from django.http import Http404
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, ValidationError

from tribune.api.auth import token_or_session
from tribune.lib.errors import RuleViolation, TooManyAttempts

api = NinjaAPI(
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


@api.exception_handler(Http404)
def not_found(request, exc):
    return error(request, 404, "__all__", "Not found.")


from tribune.assemblies.api import router as assemblies_router  # noqa: E402
from tribune.assemblies.api_sessions import router as assembly_sessions_router  # noqa: E402
from tribune.audit.api import router as audit_router  # noqa: E402
from tribune.constitution.api import router as constitution_router  # noqa: E402
from tribune.debate.api import router as debate_router  # noqa: E402
from tribune.elections.api import router as elections_router  # noqa: E402
from tribune.factions.api import router as factions_router  # noqa: E402
from tribune.members.api import router as members_router  # noqa: E402
from tribune.offices.api import router as offices_router  # noqa: E402
from tribune.organisations.api import router as organisations_router  # noqa: E402
from tribune.organisations.founding_api import router as founding_router  # noqa: E402

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

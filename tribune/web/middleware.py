"""Turn a refused action that escaped a view into a clear error page, never a 500."""

from django.shortcuts import render

from tribune.lib.errors import RuleViolation, TooManyAttempts


class RuleViolationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RuleViolation) and not request.path.startswith("/api/"):
            response = render(
                request, "refused.html", {"message": exception.message}, status=exception.status
            )
            if isinstance(exception, TooManyAttempts):
                response["Retry-After"] = str(exception.retry_after)
            return response
        return None

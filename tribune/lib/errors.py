"""Domain errors shared by every app.

Actions raise these; the web views turn them into form errors and the API into
4xx JSON naming the field and the reason, so a refused action never becomes a
500 and its message is part of the tested contract.
"""


class RuleViolation(Exception):
    """An action the organisation's rules refuse (answered with 400)."""

    status = 400

    def __init__(self, message: str, field: str = "__all__"):
        super().__init__(message)
        self.message = str(message)
        self.field = field


class NotPermitted(RuleViolation):
    """The acting member holds no current mandate granting this power (403)."""

    status = 403


class NotFound(RuleViolation):
    status = 404


class NotAuthenticated(RuleViolation):
    status = 401


class TooManyAttempts(RuleViolation):
    """Refused by a rate limit (429); ``retry_after`` is the honest wait in seconds."""

    status = 429

    def __init__(self, message: str, retry_after: int, field: str = "__all__"):
        super().__init__(message, field)
        self.retry_after = retry_after

"""The root error with a stable kebab-case code, and its HTTP-flavoured families."""

from __future__ import annotations


class CallcenterError(Exception):
    """Root of every error a user may see; `code` is part of the API and never changes."""

    status = 500
    default_code = "internal-error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code


class InvalidInputError(CallcenterError):
    """The request or command is malformed (HTTP 400)."""

    status = 400
    default_code = "invalid-input"


class UnauthorizedError(CallcenterError):
    """No valid credentials (HTTP 401)."""

    status = 401
    default_code = "unauthorized"


class ForbiddenError(CallcenterError):
    """Valid credentials without the role the operation needs (HTTP 403)."""

    status = 403
    default_code = "forbidden"


class NotFoundError(CallcenterError):
    """The thing named does not exist (HTTP 404)."""

    status = 404
    default_code = "not-found"


class ConflictError(CallcenterError):
    """The operation clashes with the stored state (HTTP 409)."""

    status = 409
    default_code = "conflict"


class TooManyRequestsError(CallcenterError):
    """Too many requests of a kind for now (HTTP 429, with `Retry-After`)."""

    status = 429
    default_code = "too-many-requests"

    def __init__(self, message: str, retry_after: int, *, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after  # seconds


class ConfigError(CallcenterError):
    """A configuration key is unknown or has a bad value; raised at start-up."""

    default_code = "bad-config"


class UnavailableError(CallcenterError):
    """A backing service (database, Redis) cannot be reached (HTTP 503); transient."""

    status = 503
    default_code = "unavailable"

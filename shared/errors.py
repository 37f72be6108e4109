"""What a use case says when it refuses: domain errors, free of HTTP.

Handlers and domain modules raise these; ``shared.problems`` is the one place that turns them into RFC 9457 problem
responses (the status is the class's, the slug and extensions the raiser's). Entry points never translate them by
hand, and handlers never raise ``Problem``.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """A refusal a caller can act on. ``slug`` names it in the problem ``type``; ``extensions`` add fields."""

    status: ClassVar[int] = 400
    default_slug: ClassVar[str] = "bad-request"

    def __init__(
        self, detail: str, *, slug: str | None = None, headers: dict[str, str] | None = None, **extensions: Any
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.slug = slug or self.default_slug
        self.headers = headers or {}
        self.extensions = extensions


class NotFound(DomainError):
    """The object does not exist, or is not the caller's to see (the same answer, so as not to confirm it exists)."""

    status = 404
    default_slug = "not-found"


class Forbidden(DomainError):
    """The caller is known and the object visible, but this act is not theirs."""

    status = 403
    default_slug = "forbidden"


class Conflict(DomainError):
    """The object's state does not allow the act now (a stage not reached, a record already published)."""

    status = 409
    default_slug = "conflict"


class PreconditionFailed(DomainError):
    """The caller's ``If-Match`` version is not the current one."""

    status = 412
    default_slug = "precondition-failed"


class PreconditionRequired(DomainError):
    """The act changes a versioned object and the caller sent no ``If-Match``."""

    status = 428
    default_slug = "precondition-required"


class Invalid(DomainError):
    """The request is well-formed but its content breaks a rule (a date before another, an unknown code)."""

    status = 422
    default_slug = "validation"


class TooMany(DomainError):
    """Refused for now; ``headers`` carries ``Retry-After``."""

    status = 429
    default_slug = "rate-limited"


class Unavailable(DomainError):
    """Something the act needs is down; trying later may work."""

    status = 503
    default_slug = "unavailable"

"""The app's error vocabulary: what is worth retrying and what needs a person.

Borrowed from the Singer SDK's retriable/fatal split and Airbyte's error table: a queue message that failed
with a RetriableError is left for the host to redeliver; one that failed with a FatalError can never succeed
as it is, so it goes straight to the poison queue with its reason instead of burning five retries.
"""

from __future__ import annotations


class SyncError(Exception):
    """Base of every error the app raises on purpose."""


class SettingsError(SyncError):
    """A setting is missing or invalid. The message names the setting(s); nothing was attempted."""

    def __init__(self, message: str, *, settings: list[str] | None = None) -> None:
        super().__init__(message)
        self.settings = settings or []


class RetriableError(SyncError):
    """A transient failure (throttling, 5xx, timeouts, lost connections, a lease held by another invocation)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ContentionError(RetriableError):
    """Expected contention: another invocation holds the object's lease, or changed its state rows meanwhile.

    Not a failure: the queue function sends the message again with a delay instead of failing the invocation.
    """


class FatalError(SyncError):
    """A failure retrying cannot fix (bad request, missing permission, unknown object)."""


class ServiceError(FatalError):
    """A service answered with an error status that retrying will not change."""

    def __init__(self, service: str, status: int, code: str, message: str, *, method: str = "", url: str = "") -> None:
        super().__init__(f"{service} {method} {url} → {status} {code}: {message}".replace("  ", " "))
        self.service = service
        self.status = status
        self.code = code
        self.detail = message


class NotFoundError(ServiceError):
    """The object does not exist (404)."""


class ConflictError(ServiceError):
    """The object already exists or changed concurrently (409/412)."""


class PermissionDeniedError(ServiceError):
    """Authenticated but not allowed (403), or not authenticated (401) after a token refresh."""


class MalformedMessageError(FatalError):
    """A queue message that cannot be parsed or is of an unknown version; it goes to poison with the reason."""

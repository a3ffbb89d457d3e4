"""The app's error vocabulary: what is worth retrying and what needs a person.

Borrowed from the Singer SDK's retriable/fatal split and Airbyte's error table: a queue message that failed
with a RetriableError is left for the host to redeliver; one that failed with a FatalError can never succeed
as it is, so it goes straight to the poison queue with its reason instead of burning five retries.

Every exception that leaves a client (a service transport, its credential, the state store, the queues) is one
of these, naming the service (`service`) and, where a setting is at fault, the setting (`settings`). Anything
else reaching the engine is a defect or bad data, which retrying cannot fix (docs/reliability.md).
"""

from __future__ import annotations


class SyncError(Exception):
    """Base of every error the app raises on purpose."""

    def __init__(self, message: str, *, service: str = "", settings: list[str] | None = None) -> None:
        super().__init__(message)
        self.service = service
        """The service at fault ('purview', 'cluedin', 'datafactory', 'state storage', 'work queues'), if any."""
        self.settings = settings or []
        """App Settings that would fix the problem, if any."""


class SettingsError(SyncError):
    """A setting is missing or invalid. The message names the setting(s); nothing was attempted."""


class RetriableError(SyncError):
    """A transient failure (throttling, 5xx, timeouts, lost connections, a lease held by another invocation)."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        service: str = "",
        settings: list[str] | None = None,
    ) -> None:
        super().__init__(message, service=service, settings=settings)
        self.retry_after = retry_after


class ContentionError(RetriableError):
    """Expected contention: another invocation holds the object's lease, or changed its state rows meanwhile.

    Not a failure: the queue function sends the message again with a delay instead of failing the invocation.
    """


class LeaseHeldError(ContentionError):
    """Another invocation holds the object's lease (`retry_after`: until it could end)."""


class StaleChangeError(SyncError):
    """The change was planned before a later run of its feature last wrote the object.

    Applying it would undo newer state (e.g. re-activate a row a later cycle marked orphaned). Not a failure: the
    change is skipped.
    """


class FatalError(SyncError):
    """A failure retrying cannot fix (bad request, missing permission, unknown object)."""


class ServiceError(FatalError):
    """A service answered with an error status that retrying will not change."""

    def __init__(
        self,
        service: str,
        status: int,
        code: str,
        message: str,
        *,
        method: str = "",
        url: str = "",
        settings: list[str] | None = None,
    ) -> None:
        super().__init__(
            f"{service} {method} {url} → {status} {code}: {message}".replace("  ", " "),
            service=service,
            settings=settings,
        )
        self.status = status
        self.code = code
        self.detail = message


class NotFoundError(ServiceError):
    """The object does not exist (404)."""


class ConflictError(ServiceError):
    """The object already exists or changed concurrently (409/412)."""


class PermissionDeniedError(ServiceError):
    """Not allowed (403), not authenticated (401) after a token refresh, or no token could be obtained at all.

    For a failed credential, `settings` names the App Settings that configure the identity.
    """


class MalformedMessageError(FatalError):
    """A queue message that cannot be parsed or is of an unknown version; it goes to poison with the reason."""

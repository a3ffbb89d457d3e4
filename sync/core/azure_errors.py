"""Azure SDK exceptions (Table and Queue storage, azure-identity) in the app's own error vocabulary.

The Storage SDKs and azure-identity raise `AzureError` subclasses. Left alone they reach handlers that can only
guess where they came from (an HTTP function once reported a Data Factory credential failure as "state storage is
unavailable"). Every storage operation and every token request goes through `typed_azure_errors`, so what leaves
them names the service and the settings that configure it, and says whether retrying can help.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar, cast

from azure.core.exceptions import AzureError, ClientAuthenticationError, HttpResponseError

from sync.core.errors import (
    ContentionError,
    FatalError,
    PermissionDeniedError,
    RetriableError,
    SyncError,
)

P = ParamSpec("P")
R = TypeVar("R")

STORAGE_SETTINGS = ["AzureWebJobsStorage", "AzureWebJobsStorage__accountName", "AzureWebJobsStorage__clientId"]
RETRIABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def first_line(exc: BaseException, limit: int = 300) -> str:
    """The first line of an exception's message, shortened (SDK messages carry pages of troubleshooting text)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:limit]


def typed_error(exc: AzureError, service: str, settings: list[str]) -> SyncError:
    """The app's error for an Azure SDK exception raised while talking to `service`."""
    detail = f"{type(exc).__name__}: {first_line(exc)}"
    if isinstance(exc, ClientAuthenticationError):
        return PermissionDeniedError(
            service,
            401,
            "CredentialFailed",
            f"no usable credential ({detail}); check {', '.join(settings) or 'the identity settings'}",
            settings=settings,
        )
    if isinstance(exc, HttpResponseError) and exc.status_code is not None:
        status = int(exc.status_code)
        if status in (401, 403):
            return PermissionDeniedError(service, status, "Forbidden", detail, settings=settings)
        if status in (409, 412):
            return ContentionError(f"{service}: changed concurrently ({detail})", service=service)
        if status not in RETRIABLE_STATUSES and 400 <= status < 500:
            return FatalError(f"{service} refused the request ({status}): {detail}", service=service)
    return RetriableError(f"{service} is unavailable: {detail}", service=service, settings=settings)


def typed_azure_errors(service: str, settings: list[str] | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a function (or generator function) so Azure SDK errors leave it as the app's typed errors."""
    names = list(settings or [])

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        if inspect.isgeneratorfunction(function):

            @functools.wraps(function)
            def generator(*args: P.args, **kwargs: P.kwargs) -> Iterator[Any]:
                try:
                    yield from cast(Iterator[Any], function(*args, **kwargs))
                except AzureError as exc:
                    raise typed_error(exc, service, names) from exc

            return cast(Callable[P, R], generator)

        @functools.wraps(function)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return function(*args, **kwargs)
            except AzureError as exc:
                raise typed_error(exc, service, names) from exc

        return call

    return decorate

"""CluedIn client: password-grant auth with refresh, GraphQL with `errors[]` handling, five paging conventions.

The `cluedin` PyPI SDK is not used (docs/decisions/0002-cluedin-client.md): it adds only URL building and a
password grant, has no refresh, no GraphQL error checks, no retries and no paging helpers beyond search. The app
needs the shared transport's retry and throttle rules anyway, so this is a thin client of its own. GraphQL
documents live as `.graphql` files next to this module so they can be reviewed and replayed on their own.

CluedIn's configuration GraphQL (`/graphql`) accepts only user access tokens; the data GraphQL
(`/api/api/graphql`) and the ingestion endpoint also accept API tokens.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sync.core.errors import PermissionDeniedError, ServiceError
from sync.core.telemetry import counted_by_caller
from sync.services.http import AuthProvider, HttpTransport, RateLimiter, RetryPolicy

GRAPHQL_DIR = Path(__file__).parent / "graphql"
FRAGMENT_DIR = GRAPHQL_DIR / "fragments"
TOKEN_REFRESH_MARGIN_SECONDS = 120
_IGNORED = re.compile(r'"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*')
"""Block strings, strings and comments: text in which `...Name` is not a fragment spread."""
_SPREAD = re.compile(r"\.\.\.\s*(?!on\b)([_A-Za-z][_0-9A-Za-z]*)")
"""A named fragment spread (`... on Type` is an inline fragment, `... @include` has no name)."""
_DEFINITION = re.compile(r"\bfragment\s+([_A-Za-z][_0-9A-Za-z]*)\s+on\b")


def _names(pattern: re.Pattern[str], text: str) -> list[str]:
    """The distinct names a pattern finds in GraphQL text, outside strings and comments, in order."""
    return list(dict.fromkeys(pattern.findall(_IGNORED.sub(" ", text))))


def with_fragments(text: str, fragment_dir: Path = FRAGMENT_DIR) -> str:
    """A document followed by every fragment it spreads, directly or through other fragments, each once.

    Selections that several documents share are written once as `<fragment_dir>/<Name>.graphql` (holding
    `fragment <Name> on <Type>`); a document only spreads them. Fragments the document defines itself are left
    alone. The server sees one ordinary, self-contained document.

    Raises:
        ValueError: a spread fragment has no file, or its file does not define it.
    """
    defined = set(_names(_DEFINITION, text))
    appended: dict[str, str] = {}
    pending = _names(_SPREAD, text)
    while pending:
        name = pending.pop(0)
        if name in defined or name in appended:
            continue
        path = fragment_dir / f"{name}.graphql"
        fragment = path.read_text() if path.is_file() else ""
        if name not in _names(_DEFINITION, fragment):
            raise ValueError(f"GraphQL fragment {name} is spread but {path} does not define it")
        appended[name] = fragment
        pending += _names(_SPREAD, fragment)
    return text + "".join(f"\n{fragment}" for fragment in appended.values())


@cache
def graphql_document(name: str) -> str:
    """The text of `sync/clients/graphql/<name>.graphql`, with the shared fragments it uses appended."""
    return with_fragments((GRAPHQL_DIR / f"{name}.graphql").read_text())


def _not_found(error: Any) -> bool:
    """Whether a GraphQL error only says that the object asked for does not exist."""
    extensions = error.get("extensions") if isinstance(error, dict) else None
    return isinstance(extensions, dict) and str(extensions.get("code", "")).upper() == "NOT_FOUND"


class GraphQLError(ServiceError):
    """The GraphQL server answered with `errors[]` (HTTP 200): the document or its variables were refused."""


@dataclass(frozen=True)
class Paging:
    """One of CluedIn's paging conventions: argument names, where the items are, and the first page number."""

    page_arg: str
    size_arg: str
    items_key: str = "data"
    first_page: int = 1


# The conventions of the fields the app lists (reference §2.3). Start values are the ones CluedIn's own toolkit
# uses; the loop below does not depend on them being right, since it stops on `total` and de-duplicates.
PAGE_PAGESIZE = Paging("page", "pageSize", first_page=0)
PAGENUMBER_PAGESIZE = Paging("pageNumber", "pageSize")
PAGENUMBER_ITEMSPERPAGE = Paging("pageNumber", "itemsPerPage")
PAGENO_ITEMSPERPAGE = Paging("pageNo", "itemsPerPage", items_key="configurations")


class CluedInPasswordAuth(AuthProvider):
    """Password grant against CluedIn's IdentityServer, refreshed with the refresh token before expiry.

    Token requests go through the shared transport, so a dropped connection or a 5xx while logging in is retried
    (and, if it persists, a RetriableError) rather than a failure that needs a person.
    """

    def __init__(
        self,
        base_url: str,
        organization: str,
        username: str,
        password: str,
        *,
        rate_limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._transport = HttpTransport("cluedin", base_url, rate_limiter=rate_limiter, retry=retry)
        self._organization = organization
        self._username = username
        self._password = password
        self._access: str | None = None
        self._refresh: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def header(self) -> str | None:
        """`Bearer <access token>`, logging in or refreshing when needed."""
        with self._lock:
            if self._access is None or time.time() > self._expires_at - TOKEN_REFRESH_MARGIN_SECONDS:
                self._obtain()
            return f"Bearer {self._access}"

    def refresh(self) -> bool:
        """Forget the access token after a 401; the next call refreshes or logs in again."""
        with self._lock:
            self._access = None
        return True

    def _obtain(self) -> None:
        if self._refresh:
            form = {"grant_type": "refresh_token", "refresh_token": self._refresh, "client_id": self._organization}
            try:
                self._store(self._token(form))
                return
            except ServiceError:
                self._refresh = None  # expired or revoked: log in again
        form = {
            "grant_type": "password",
            "username": self._username,
            "password": self._password,
            "client_id": self._organization,
        }
        try:
            self._store(self._token(form))
        except ServiceError as exc:
            raise PermissionDeniedError(
                "cluedin",
                exc.status,
                "LoginFailed",
                f"password grant refused for CLUEDIN_USERNAME / CLUEDIN_PASSWORD / CLUEDIN_ORGANIZATION ({exc.detail})",
                url="/auth/connect/token",
            ) from None

    def _token(self, form: Mapping[str, str]) -> dict[str, Any]:
        response = self._transport.request(
            "POST", "/auth/connect/token", data=form, idempotent=True, write=False, operation="auth.token", ok=(200,)
        )
        body: dict[str, Any] = response.json()
        return body

    def _store(self, body: dict[str, Any]) -> None:
        self._access = str(body["access_token"])
        self._refresh = body.get("refresh_token")
        self._expires_at = time.time() + float(body.get("expires_in", 3600))


class _FixedBearer(AuthProvider):
    def __init__(self, token: str) -> None:
        self._token = token

    def header(self) -> str | None:
        return f"Bearer {self._token}"


def organization_from_url(url: str) -> str:
    """CluedIn's convention: the organization is the first label of the host (`myorg.example.com`)."""
    host = urlparse(url).hostname or ""
    return host.split(".", 1)[0]


class CluedInClient:
    """Calls to one CluedIn organization."""

    def __init__(
        self,
        base_url: str,
        *,
        organization: str,
        username: str,
        password: str,
        api_token: str | None = None,
        rest_path_prefix: str = "/api/api",
        rate_limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.organization = organization
        self.rest_path_prefix = rest_path_prefix
        user_auth = CluedInPasswordAuth(
            self.base_url, organization, username, password, rate_limiter=rate_limiter, retry=retry
        )
        data_auth: AuthProvider = _FixedBearer(api_token) if api_token else user_auth
        self.ui = HttpTransport("cluedin", self.base_url, auth=user_auth, rate_limiter=rate_limiter, retry=retry)
        self.data = HttpTransport("cluedin", self.base_url, auth=data_auth, rate_limiter=rate_limiter, retry=retry)
        self._author_id: str | None = None

    # --- GraphQL ------------------------------------------------------------------------------------------------
    def graphql(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        data_api: bool = False,
        allow_missing: bool = False,
    ) -> Any:
        """Run a named document (`sync/clients/graphql/<document>.graphql`) and return its `data`.

        Mutations are not idempotent, so the transport will not resend one whose outcome is unknown. With
        `allow_missing`, errors that only say an object was not found (`extensions.code` NOT_FOUND) leave its field
        null instead of raising: a read of something deleted meanwhile.
        """
        text = graphql_document(document)
        is_mutation = text.lstrip().startswith("mutation") or "\nmutation" in text
        transport = self.data if data_api else self.ui
        path = "/api/api/graphql" if data_api else "/graphql"
        response = transport.request(
            "POST",
            path,
            json={"query": text, "variables": dict(variables or {})},
            idempotent=not is_mutation,
            write=is_mutation,
            operation=f"graphql:{document}",
        )
        body = response.json()
        errors = body.get("errors")
        if errors and allow_missing and all(_not_found(e) for e in errors):
            return body.get("data")
        if errors:
            messages = "; ".join(str(e.get("message", e)) for e in errors)
            raise GraphQLError("cluedin", response.status_code, "GraphQLError", messages, url=f"graphql:{document}")
        return body.get("data")

    def iter_pages(
        self,
        document: str,
        path: tuple[str, ...],
        paging: Paging,
        *,
        variables: Mapping[str, Any] | None = None,
        page_size: int = 100,
        id_key: str = "id",
        read_ahead: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Every item of a paged list field, whatever its paging convention.

        Stops when `total` items were seen or a page comes back empty, and never yields an id twice, so a wrong
        guess about whether pages start at 0 or 1 costs one extra call, not duplicates. With `read_ahead` (for
        callers that read every page) the next page is requested while the caller works through this one, once
        `total` says there is one: the same calls, and CluedIn's time overlaps the caller's.
        """
        seen: set[Any] = set()
        page = paging.first_page

        def fetch(number: int) -> Any:
            return self.graphql(document, {**(variables or {}), paging.page_arg: number, paging.size_arg: page_size})

        pool = ThreadPoolExecutor(max_workers=1) if read_ahead else None
        ahead: Future[Any] | None = None
        try:
            while True:
                data = ahead.result() if ahead is not None else fetch(page)
                ahead = None
                node: Any = data
                for key in path:
                    node = (node or {}).get(key)
                node = node or {}
                items = node.get(paging.items_key) or []
                total = node.get("total")
                fresh = [item for item in items if item.get(id_key) not in seen]
                seen.update(item.get(id_key) for item in fresh)
                if pool is not None and fresh and total is not None and len(seen) < int(total):
                    ahead = pool.submit(counted_by_caller(fetch), page + 1)
                yield from fresh
                if (
                    not items
                    or (total is not None and len(seen) >= int(total))
                    or (not fresh and page != paging.first_page)
                ):
                    return
                page += 1
        finally:  # a caller that stops early does not wait for the page read ahead (nor its retries)
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    # --- identity -----------------------------------------------------------------------------------------------
    def author_id(self) -> str:
        """The service account's client id, used as `author` on create mutations."""
        if self._author_id is None:
            data = self.graphql("me")
            client = data["administration"]["me"]["client"]
            if isinstance(client, str):  # a JSON scalar may arrive serialised
                client = json.loads(client)
            self._author_id = str(client["id"])
        return self._author_id

    # --- data source groups and data sources ----------------------------------------------------------------
    def iter_data_source_sets(
        self, search_name: str | None = None, *, page_size: int = 100
    ) -> Iterator[dict[str, Any]]:
        """Data source groups (with their data sources), optionally filtered by a name substring."""
        variables = {"searchName": search_name} if search_name else {}
        return self.iter_pages(
            "data_source_sets", ("inbound", "dataSourceSets"), PAGE_PAGESIZE, variables=variables, page_size=page_size
        )

    def find_data_source_set(self, name: str) -> dict[str, Any] | None:
        """The group whose name is exactly `name` (searchName is a fuzzy substring match)."""
        for group in self.iter_data_source_sets(name):
            if group.get("name") == name:
                return group
        return None

    def create_data_source_set(self, name: str) -> str:
        """Create a data source group; returns its id."""
        data = self.graphql("create_data_source_set", {"dataSourceSet": {"name": name, "author": self.author_id()}})
        return str(data["inbound"]["createDataSourceSet"])

    def create_data_source(self, data_source_set_id: str, name: str, *, source_type: str = "endpoint") -> str:
        """Create a data source (an endpoint source by default) in a group; returns its id."""
        data = self.graphql(
            "create_data_source",
            {
                "dataSourceSetId": data_source_set_id,
                "dataSource": {"name": name, "type": source_type, "author": self.author_id()},
            },
        )
        return str(data["inbound"]["createDataSource"]["id"])

    def get_data_source(self, data_source_id: str) -> dict[str, Any] | None:
        """One data source with its group and data sets, or None."""
        data = self.graphql("data_source", {"id": data_source_id})
        node: dict[str, Any] | None = (data.get("inbound") or {}).get("dataSource")
        return node

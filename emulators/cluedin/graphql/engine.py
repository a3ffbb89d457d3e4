"""GraphQL over HTTP for the emulator's two endpoints (UI `/graphql`, data `/api/api/graphql`).

Follows the GraphQL-over-HTTP specification: POST JSON `{query, variables, operationName}` or GET with query
parameters (queries only). With the default `application/json` response type every well-formed request gets
HTTP 200, parse/validation/variable errors included (they come back in `errors[]` without `data`); a client that
prefers `application/graphql-response+json` gets 400 for those request errors instead. Malformed HTTP requests
(body not JSON, no `query`) get 400 either way. Resolver failures are field errors in `errors[]` next to `data`.

Parsed and validated documents are cached by query text, and each query operation is compiled once for the
fast read path (see fast.py). Every request is counted per GraphQL root field, e.g. `graphql:inbound.dataSets`.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    execute,
    parse,
    validate,
)
from graphql.execution.values import VariableValues, get_variable_values
from starlette.requests import Request
from starlette.responses import Response

from emulators.cluedin.auth import AuthError, AuthService, issuer_for
from emulators.cluedin.graphql.context import RequestContext
from emulators.cluedin.graphql.fast import compile_operation
from emulators.cluedin.metrics import MetricsCalculator
from emulators.cluedin.util import EmulatorError

log = logging.getLogger("emulators.cluedin.graphql")

CACHE_SIZE = 512
JSON_TYPE = "application/json"
GRAPHQL_RESPONSE_TYPE = "application/graphql-response+json"
NAMESPACES = frozenset({"administration", "inbound", "management", "preparation", "consume"})


@dataclass
class _Operation:
    node: OperationDefinitionNode
    counter: str
    write: bool
    fast: Callable[[VariableValues, Any], dict[str, Any]] | None = None
    compiled: bool = False


@dataclass
class _Document:
    document: DocumentNode | None
    errors: list[dict[str, Any]]
    operations: dict[str | None, _Operation] = field(default_factory=dict)


class GraphQLEndpoint:
    """One GraphQL HTTP endpoint over an executable schema."""

    def __init__(
        self,
        schema: GraphQLSchema,
        auth: AuthService,
        metrics: MetricsCalculator,
        *,
        allow_api_tokens: bool,
        fast_path: bool = True,
    ) -> None:
        self.schema = schema
        self.auth = auth
        self.metrics = metrics
        self.allow_api_tokens = allow_api_tokens
        self.fast_path = fast_path
        self._cache: OrderedDict[str, _Document] = OrderedDict()

    async def handle(self, request: Request) -> Response:
        """Handle one HTTP request to this endpoint."""
        request.state.operation = "graphql:<invalid>"
        request.state.write = False
        media = _response_type(request.headers.get("accept", ""))
        try:
            principal = self.auth.authenticate(request, allow_api_tokens=self.allow_api_tokens)
        except AuthError as exc:
            body = {"errors": [{"message": exc.message, "extensions": {"code": "UNAUTHENTICATED"}}]}
            return _respond(body, exc.status, media, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        params = await _read_params(request)
        if isinstance(params, str):
            return _respond({"errors": [{"message": params}]}, 400, media)
        query, variables, operation_name = params
        cached = self._document(query)
        if cached.errors:
            return _respond({"errors": cached.errors}, 400 if media == GRAPHQL_RESPONSE_TYPE else 200, media)
        operation = self._operation(cached, operation_name)
        if isinstance(operation, str):
            error = {"message": operation, "extensions": {"code": "BAD_USER_INPUT"}}
            return _respond({"errors": [error]}, 400 if media == GRAPHQL_RESPONSE_TYPE else 200, media)
        request.state.operation = operation.counter
        request.state.write = operation.write
        if request.method == "GET" and operation.node.operation is not OperationType.QUERY:
            error = {"message": "only queries may be sent with GET; use POST for mutations"}
            return _respond({"errors": [error]}, 405, media, headers={"Allow": "POST"})
        context = RequestContext(
            store=self.auth.store, principal=principal, auth=self.auth, metrics=self.metrics, issuer=issuer_for(request)
        )
        return _respond(self._execute(cached, operation, variables, context, media), None, media)

    def _document(self, query: str) -> _Document:
        cached = self._cache.get(query)
        if cached is not None:
            self._cache.move_to_end(query)
            return cached
        try:
            document = parse(query)
        except GraphQLError as exc:
            cached = _Document(None, [_format(exc, "GRAPHQL_PARSE_FAILED")])
        else:
            problems = validate(self.schema, document)
            cached = _Document(document, [_format(e, "GRAPHQL_VALIDATION_FAILED") for e in problems])
            if not problems:
                for node in document.definitions:
                    if isinstance(node, OperationDefinitionNode):
                        name = node.name.value if node.name else None
                        cached.operations[name] = _Operation(
                            node, _counter(node), node.operation is OperationType.MUTATION
                        )
        self._cache[query] = cached
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return cached

    @staticmethod
    def _operation(cached: _Document, name: str | None) -> _Operation | str:
        if name is not None:
            return cached.operations.get(name) or f"Unknown operation named '{name}'."
        if len(cached.operations) == 1:
            return next(iter(cached.operations.values()))
        return "Must provide operation name if query contains multiple operations."

    def _execute(
        self,
        cached: _Document,
        operation: _Operation,
        variables: dict[str, Any],
        context: RequestContext,
        media: str,
    ) -> dict[str, Any] | tuple[dict[str, Any], int]:
        coerced = get_variable_values(self.schema, operation.node.variable_definitions or (), variables)
        if isinstance(coerced, list):
            status = 400 if media == GRAPHQL_RESPONSE_TYPE else 200
            return {"errors": [_format(e, "BAD_USER_INPUT") for e in coerced]}, status
        if self.fast_path and not operation.compiled:
            operation.fast = compile_operation(self.schema, cached.document, operation.node)  # type: ignore[arg-type]
            operation.compiled = True
        if operation.fast is not None:
            try:
                return {"data": operation.fast(coerced, context)}
            except Exception:
                log.debug("fast path gave up; executing with graphql-core", exc_info=True)
        result = execute(
            self.schema,
            cached.document,  # type: ignore[arg-type]
            context_value=context,
            variable_values=variables,
            operation_name=operation.node.name.value if operation.node.name else None,
        )
        if not isinstance(result, ExecutionResult):  # pragma: no cover - resolvers are synchronous
            raise TypeError("asynchronous execution is not supported")
        body: dict[str, Any] = {}
        if result.errors:
            body["errors"] = [_field_error(e) for e in result.errors]
        body["data"] = result.data
        return body


def _counter(node: OperationDefinitionNode) -> str:
    names: list[str] = []
    for selection in node.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.name.value.startswith("__"):
            continue
        root = selection.name.value
        children = (
            [s.name.value for s in selection.selection_set.selections if isinstance(s, FieldNode)]
            if root in NAMESPACES and selection.selection_set
            else []
        )
        inner = [c for c in children if c not in {"id", "__typename"}]
        names.extend(f"{root}.{c}" for c in inner) if inner else names.append(root)
    return "graphql:" + ("+".join(dict.fromkeys(names)) or "<empty>")


def _format(error: GraphQLError, code: str) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(error.formatted)
    formatted["extensions"] = {**(formatted.get("extensions") or {}), "code": code}
    return formatted


def _field_error(error: GraphQLError) -> dict[str, Any]:
    original = error.original_error
    if isinstance(original, EmulatorError):
        return _format(error, original.code)
    if original is None or isinstance(original, GraphQLError):
        return _format(error, "BAD_USER_INPUT")
    log.warning("resolver failed: %s", error.message, exc_info=original)
    masked = GraphQLError("Unexpected error.", error.nodes, path=error.path)
    return _format(masked, "INTERNAL_SERVER_ERROR")


def _response_type(accept: str) -> str:
    ranked = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    for media in ranked:
        if media == GRAPHQL_RESPONSE_TYPE:
            return GRAPHQL_RESPONSE_TYPE
        if media in {JSON_TYPE, "*/*", "application/*"}:
            return JSON_TYPE
    return JSON_TYPE


async def _read_params(request: Request) -> tuple[str, dict[str, Any], str | None] | str:
    if request.method == "GET":
        raw: Any = dict(request.query_params)
        if isinstance(raw.get("variables"), str):
            try:
                raw["variables"] = json.loads(raw["variables"])
            except ValueError:
                return "variables must be a JSON object"
    else:
        try:
            raw = json.loads(await request.body() or b"null")
        except ValueError as exc:
            return f"request body is not valid JSON: {exc}"
    if not isinstance(raw, dict):
        return "request body must be a JSON object with a 'query'"
    query, variables, name = raw.get("query"), raw.get("variables"), raw.get("operationName")
    if not isinstance(query, str) or not query.strip():
        return "'query' must be a non-empty string"
    if variables is None:
        variables = {}
    if not isinstance(variables, dict):
        return "'variables' must be a JSON object"
    if name is not None and not isinstance(name, str):
        return "'operationName' must be a string"
    return query, variables, name or None


def _respond(
    body: dict[str, Any] | tuple[dict[str, Any], int],
    status: int | None,
    media: str,
    headers: dict[str, str] | None = None,
) -> Response:
    if isinstance(body, tuple):
        body, status = body
    content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return Response(content, status_code=status or 200, media_type=media, headers=headers)

"""Table transactions without thread pools: azure-core's multipart steps, run in the caller's thread.

azure-core (pinned 1.41) runs the parts' policies of every multipart/mixed request, and again of its response, in a
new `ThreadPoolExecutor` each time. A Table Storage entity-group transaction is two nested multipart requests (the
batch, and its changeset of up to 100 operations), so every transaction starts three pools of up to six threads and
waits for each thread to start. The parts' only policy is `StorageHeadersPolicy` (a few headers: no I/O, no token),
so the pools buy nothing; in a busy process they cost most of the transaction's CPU, because every thread start
waits for the GIL. Profiled with 16 queue listeners applying F5 messages: thread-pool start-up was 14 % of the
listeners' samples, the largest single item of an apply (docs/decisions/0912-in-line-multipart-preparation.md).

`install()` swaps azure-core's two steps for ones that do the same in the caller's thread, in part order, and its
body writer and reader for ones that write the same bytes and read the same answers without the `email` package.
The state store (`sync/core/state/store.py`, imported by everything that submits transactions) installs it when
imported; installing twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from http.client import HTTPResponse
from typing import Any

import azure.core.pipeline.transport._base as transport_responses
import azure.core.rest._helpers as rest_requests
import azure.core.rest._http_response_impl as rest_responses
from azure.core.pipeline import Pipeline, PipelineContext, PipelineRequest, PipelineResponse
from azure.core.utils._pipeline_transport_rest_shared import BytesIOSocket

_ORIGINAL: Any = Pipeline.__dict__["_prepare_multipart_mixed_request"]
"""azure-core's own step (a staticmethod), kept so tests can compare the two."""
ORIGINAL_BODY: Any = rest_requests._prepare_multipart_body_helper  # type: ignore[attr-defined]
ORIGINAL_RAW_PARTS: Any = rest_responses._get_raw_parts_helper  # type: ignore[attr-defined]
CRLF = b"\r\n"


def prepare_multipart_in_line(request: Any) -> None:
    """Run each part's policies on it (parts of parts first), as azure-core does, but without a thread pool.

    Does nothing for a request that is not multipart/mixed. Exceptions of a policy propagate, as they do in
    azure-core's version.
    """
    info = request.multipart_mixed_info
    if not info:
        return
    parts, policies, options = info[0], info[1], info[3]
    for part in parts:
        if part.multipart_mixed_info:
            prepare_multipart_in_line(part)
        prepared: PipelineRequest[Any] = PipelineRequest(part, PipelineContext(None, **options))
        for policy in policies:
            if hasattr(policy.on_request(prepared), "__await__"):
                raise TypeError("an asynchronous part policy cannot run in a synchronous pipeline")


def parts_in_line(response: Any) -> Iterator[Any]:
    """The parts of a multipart/mixed response, each passed through its request's part policies, without a pool.

    Raises:
        ValueError: the response is not multipart/mixed (as azure-core's version).
    """
    if not response.content_type or not response.content_type.startswith("multipart/mixed"):
        raise ValueError("You can't get parts if the response is not multipart/mixed")
    parts = response._get_raw_parts()
    info = response.request.multipart_mixed_info
    for part in parts if info else ():
        context = PipelineContext(None)
        request: PipelineRequest[Any] = PipelineRequest(part.request, context)
        answered: PipelineResponse[Any, Any] = PipelineResponse(part.request, part, context=context)
        for policy in info[1]:
            if hasattr(policy.on_response(request, answered), "__await__"):
                raise TypeError("an asynchronous part policy cannot run in a synchronous pipeline")
    return parts  # type: ignore[no-any-return]


def multipart_body_in_line(http_request: Any, content_index: int = 0) -> int:
    """Write a multipart/mixed request's body from its prepared parts; returns the next part's Content-ID.

    The same bytes as azure-core's version (a test holds them to it), written directly instead of through
    `email.message` and its generator, which took 15 % of a lineage apply. A request without a boundary is left to
    azure-core's version (it invents one); the app's transactions always carry one.
    """
    info = http_request.multipart_mixed_info
    if not info:
        return 0
    parts, boundary = info[0], info[2]
    if not boundary:
        return int(ORIGINAL_BODY(http_request, content_index))
    delimiter = b"--" + str(boundary).encode("ascii")
    pieces: list[bytes] = []
    for part in parts:
        if part.multipart_mixed_info:
            content_index = part.prepare_multipart_body(content_index=content_index)
            headers = b"Content-Type: " + str(part.headers["Content-Type"]).encode("ascii") + CRLF
            payload = part.serialize()
            payload = payload[payload.index(b"--") :]  # without the request line and Content-Length
        else:
            headers = b"Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
            headers += b"Content-ID: " + str(content_index).encode("ascii") + CRLF
            payload = part.serialize()
            content_index += 1
        pieces += [delimiter, CRLF, headers, CRLF, payload, CRLF]
    pieces += [delimiter, b"--", CRLF]
    http_request.set_bytes_body(b"".join(pieces))
    http_request.headers["Content-Type"] = f"multipart/mixed; boundary={boundary}"
    return content_index


def raw_parts_in_line(response: Any, http_response_type: Any) -> list[Any]:
    """The parts of a multipart/mixed response (a changeset's parts in its place), read without `email`.

    Each `application/http` part becomes a response of `http_response_type` for the request in the same place, built
    as azure-core builds it; azure-core's version parsed the body with `email.parser` and its header registry
    (13 % of a lineage apply). A body this reader cannot place (no boundary, no CRLF delimiters or blank lines, a
    part of another kind) goes to azure-core's version.

    Raises:
        ValueError: a part is neither `application/http` nor a changeset (azure-core's version, which reads what
            this one cannot place, says so).
    """
    requests = response.request.multipart_mixed_info[0]
    parts = _parts(response, response.content_type, response.body(), requests, http_response_type)
    return ORIGINAL_RAW_PARTS(response, http_response_type) if parts is None else parts


def _parts(
    response: Any, content_type: str, body: bytes, requests: Sequence[Any], http_response_type: Any
) -> list[Any] | None:
    boundary = _boundary(content_type)
    if boundary is None:
        return None
    answers: list[Any] = []
    split = _split(body, boundary)
    if split is None:
        return None
    for index, (part_type, payload) in enumerate(split):
        kind = part_type.split(";", 1)[0].strip().lower()
        if kind == "application/http":
            request = requests[index] if index < len(requests) else response.request  # an empty batch: the parent
            socket = BytesIOSocket(payload)  # type: ignore[no-untyped-call]
            answer = HTTPResponse(socket, method=request.method)  # type: ignore[arg-type]
            answer.begin()
            answers.append(http_response_type(request=request, internal_response=answer))
        elif kind == "multipart/mixed" and index < len(requests) and requests[index].multipart_mixed_info:
            inner = _parts(response, part_type, payload, requests[index].multipart_mixed_info[0], http_response_type)
            if inner is None:
                return None
            answers.extend(inner)
        else:  # not a layout this reader knows: azure-core's reader decides (and refuses what it cannot read)
            return None
    return answers


def _boundary(content_type: str) -> bytes | None:
    """The `boundary` parameter of a multipart Content-Type, unquoted."""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "boundary" and value.strip():
            return value.strip().strip('"').encode("ascii")
    return None


def _split(body: bytes, boundary: bytes) -> list[tuple[str, bytes]] | None:
    """(Content-Type, payload) of each part between the delimiters of `boundary` (RFC 2046 §5.1.1), or None.

    A part's payload ends before the CRLF that precedes the next delimiter, which belongs to the delimiter. None
    when the body is not laid out with CRLF delimiters and a close delimiter (left to azure-core's reader).
    """
    sections = (b"\r\n" + body).split(b"\r\n--" + boundary)
    if len(sections) < 2 or not sections[-1].startswith(b"--"):
        return None
    parts: list[tuple[str, bytes]] = []
    for section in sections[1:-1]:
        _, _, part = section.partition(b"\r\n")  # the rest of the delimiter line (transport padding)
        head, blank, payload = part.partition(b"\r\n\r\n")
        if not blank:
            return None  # headers not ended by a CRLF blank line
        part_type = ""
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-type":
                part_type = value.strip().decode("latin-1")
        parts.append((part_type, payload))
    return parts


def install() -> None:
    """Make every synchronous azure-core pipeline and response handle multipart parts in line (idempotent)."""
    Pipeline._prepare_multipart_mixed_request = staticmethod(prepare_multipart_in_line)  # type: ignore[method-assign]
    rest_responses._parts_helper = parts_in_line  # type: ignore[attr-defined]
    transport_responses._parts_helper = parts_in_line  # type: ignore[attr-defined]
    rest_requests._prepare_multipart_body_helper = multipart_body_in_line  # type: ignore[attr-defined]
    transport_responses._prepare_multipart_body_helper = multipart_body_in_line  # type: ignore[attr-defined]
    rest_responses._get_raw_parts_helper = raw_parts_in_line  # type: ignore[attr-defined]


def installed() -> bool:
    """Whether `install()` is in effect."""
    prepared = Pipeline.__dict__["_prepare_multipart_mixed_request"].__func__ is prepare_multipart_in_line
    helpers = (rest_responses._parts_helper, transport_responses._parts_helper)  # type: ignore[attr-defined]
    bodies = (rest_requests._prepare_multipart_body_helper, transport_responses._prepare_multipart_body_helper)  # type: ignore[attr-defined]
    reads = rest_responses._get_raw_parts_helper is raw_parts_in_line  # type: ignore[attr-defined]
    return (
        prepared
        and reads
        and all(h is parts_in_line for h in helpers)
        and all(b is multipart_body_in_line for b in bodies)
    )

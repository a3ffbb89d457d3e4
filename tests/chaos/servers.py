"""A local HTTP server that answers with scripted raw bytes: answers cut off mid-body, bodies that are not JSON,
links to other hosts — what no well-behaved emulator sends, and what proxies, load balancers and hostile peers do.

Each connection gets one answer and is closed (`Connection: close`), so a cut body really ends at a socket close.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Received:
    """One request as the server read it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


def answer(status: int, body: bytes, *, content_type: str = "application/json", length: int | None = None) -> bytes:
    """A raw HTTP/1.1 answer; `length` declares a Content-Length other than the body's (a cut-off body)."""
    reason = {200: "OK", 201: "Created", 429: "Too Many Requests"}.get(status, "Status")
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body) if length is None else length}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


def chunked_cut(first_chunk: bytes) -> bytes:
    """A chunked answer whose connection closes after the first chunk (no terminating zero chunk)."""
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    return head + f"{len(first_chunk):x}\r\n".encode() + first_chunk + b"\r\n"


Script = Callable[[Received], bytes]


@dataclass
class ScriptedServer:
    """The running server: its URL and what it received."""

    url: str
    received: list[Received] = field(default_factory=list)


def _read_request(sock: socket.socket) -> Received | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return Received(method, path, headers, rest[:length])


@contextmanager
def scripted_server(script: Script) -> Iterator[ScriptedServer]:
    """Serve `script(request) -> raw answer` on a free local port until the block ends."""
    server_info = ScriptedServer(url="")
    lock = threading.Lock()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            request = _read_request(self.request)
            if request is None:
                return
            with lock:
                server_info.received.append(request)
            with contextlib.suppress(OSError):  # a client that gave up (its timeout) has closed the socket
                self.request.sendall(script(request))
                self.request.shutdown(socket.SHUT_RDWR)

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    with Server(("127.0.0.1", 0), Handler) as server:
        server_info.url = f"http://127.0.0.1:{server.server_address[1]}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield server_info
        finally:
            server.shutdown()

"""A small REST endpoint that records what a RestSink posts, served in-process on the shared kit.

Built on the kit so tests can make it fail on demand (`fail_next`, `error_rate`) the way a real ingestion
endpoint fails. It is not the CluedIn emulator: the Data Factory tests must not depend on another emulator.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulators._common import build_emulator_app, start_in_thread


class Recorder:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def snapshot(self) -> dict[str, Any]:
        return {"requests": list(self.requests)}

    def load(self, data: dict[str, Any]) -> None:
        self.requests = list(data["requests"])

    def reset(self) -> None:
        self.requests = []

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [row for request in self.requests for row in request["body"]]


def start_rest_sink():
    recorder = Recorder()

    async def receive(request: Request) -> Response:
        raw = await request.body()
        if request.headers.get("content-encoding") == "gzip":
            raw = gzip.decompress(raw)
        recorder.requests.append(
            {
                "method": request.method,
                "path": request.url.path,
                "headers": dict(request.headers),
                "body": json.loads(raw),
            }
        )
        return JSONResponse({"received": len(recorder.requests)})

    app = build_emulator_app(
        routes=[Route("/{path:path}", receive, methods=["POST", "PUT", "PATCH"])],
        store=recorder,
        error_body=lambda status, code, message, path: {"error": code, "message": message},
    )
    return start_in_thread(app), recorder

"""ARM URL segments are case-insensitive; Starlette routes are not. This ASGI layer bridges the two.

Azure accepts `/resourcegroups/`, `/providers/microsoft.datafactory/` or `/linkedServices/` as well as the
spelling of the REST description; a client written from CluedIn's "Data Factory Base Url" or by hand may use
any of them. Fixed segments are rewritten to the REST description's spelling; names and ids are left alone.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

_CANONICAL = {
    segment.lower(): segment
    for segment in (
        "subscriptions",
        "resourceGroups",
        "providers",
        "Microsoft.DataFactory",
        "factories",
        "linkedservices",
        "datasets",
        "pipelines",
        "triggers",
        "createRun",
        "pipelineruns",
        "queryActivityruns",
        "queryPipelineRuns",
        "cancel",
        "start",
        "stop",
    )
}
# Positions (after splitting on "/") that hold fixed words in .../factories/{f}/{kind}/{name}/{action}
_FIXED_POSITIONS = (1, 3, 5, 6, 7, 9, 11)


def canonical_path(path: str) -> str:
    """The path with its fixed ARM segments spelled as in the REST description."""
    parts = path.split("/")
    if len(parts) < 8 or parts[1].lower() != "subscriptions":
        return path
    for index in _FIXED_POSITIONS:
        if index < len(parts):
            parts[index] = _CANONICAL.get(parts[index].lower(), parts[index])
    return "/".join(parts)


class CaseInsensitiveArmPaths:
    """ASGI middleware applying `canonical_path` to every HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Rewrite the path, then hand the request on."""
        if scope["type"] == "http":
            path = canonical_path(scope["path"])
            if path != scope["path"]:
                scope = {**scope, "path": path, "raw_path": path.encode()}
        await self.app(scope, receive, send)

"""REST deletes of processing rules, clean projects and deduplication projects (Swagger's controllers).

CluedIn's GraphQL has no delete mutation for these objects; its Server.WebApi does (Swagger @ 94cd1b8d):
`DELETE /api/v1/rules/{id}` (claim `management.rulebuilder`), `DELETE /api/v2/clean/{projectId}`
(`preparation.clean`) and `DELETE /api/deduplication/projects/{projectId}`
(`management.deduplicationprojectmanagement`), each answering 200 without a body. An unknown id is a 404
problem **(guess: Swagger lists only 200)**.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from emulators.cluedin import clean, dedup, rules
from emulators.cluedin.auth import Principal
from emulators.cluedin.rest import rest
from emulators.cluedin.store import CluedInStore


async def delete_rule(request: Request, store: CluedInStore, principal: Principal) -> Any:
    """`DELETE rules/{id}`."""
    rules.remove_rule(store, request.path_params["id"], principal.user_id)
    return Response(status_code=200)


async def delete_clean_project(request: Request, store: CluedInStore, principal: Principal) -> Any:
    """`DELETE v2/clean/{projectId}`."""
    clean.remove_project(store, request.path_params["projectId"], principal.user_id)
    return Response(status_code=200)


async def delete_dedup_project(request: Request, store: CluedInStore, principal: Principal) -> Any:
    """`DELETE deduplication/projects/{projectId}`."""
    dedup.remove_project(store, request.path_params["projectId"], principal.user_id)
    return Response(status_code=200)


def processing_routes() -> list[BaseRoute]:
    """The delete routes (under every REST prefix, as all routes are)."""
    table: list[BaseRoute] = []
    table += rest("rules/{id}", ["DELETE"], delete_rule)
    table += rest("v2/clean/{projectId}", ["DELETE"], delete_clean_project)
    table += rest("deduplication/projects/{projectId}", ["DELETE"], delete_dedup_project)
    return table

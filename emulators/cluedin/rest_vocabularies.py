"""REST routes of CluedIn's vocabulary controller that GraphQL lacks: deleting vocabularies and keys.

CluedIn's GraphQL has no delete mutation for vocabularies or keys; its Swagger (`CluedIn.Server.WebApi`) has
`DELETE /api/v1/vocabs/vocabulary/{vid}` and `DELETE /api/v1/vocabs/vocabulary/{vid}/key/{kid}?mapsToOtherKeyId=`
(reference cluedin-more.md §1.3). The answer bodies are not in the Swagger: `{success, result}` is a guess.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute

from emulators.cluedin import catalog
from emulators.cluedin.auth import Principal
from emulators.cluedin.rest import rest
from emulators.cluedin.store import CluedInStore


async def delete_vocabulary(request: Request, store: CluedInStore, principal: Principal) -> Any:
    """`DELETE vocabs/vocabulary/{vid}`: the vocabulary and its keys."""
    catalog.delete_vocabulary(store, request.path_params["vid"], principal.user_id)
    return {"success": True, "result": "Deleted"}


async def delete_key(request: Request, store: CluedInStore, principal: Principal) -> Any:
    """`DELETE vocabs/vocabulary/{vid}/key/{kid}`: removed, or marked obsolete while a mapping uses it."""
    result = catalog.delete_vocabulary_key(
        store, request.path_params["vid"], request.path_params["kid"], principal.user_id
    )
    return {"success": True, "result": result}


def vocabulary_routes() -> list[BaseRoute]:
    """The vocabulary delete routes."""
    return [
        *rest("vocabs/vocabulary/{vid}/key/{kid}", ["DELETE"], delete_key),
        *rest("vocabs/vocabulary/{vid}", ["DELETE"], delete_vocabulary),
    ]

"""The stack for the processing-pipeline features (F14-F17): lineage in the pipeline shape plus a CluedIn user.

CluedIn content is changed the way a person would: through CluedIn's own API (`devhost/cluedin_user.py`, the
Product Toolkit's documents and Swagger's REST deletes), on an organization seeded with one mapped data set.
"""

from __future__ import annotations

from typing import Any

from devhost.cluedin_user import CluedInUser
from emulators.cluedin.seed import DEFAULT_PASSWORD, default_username
from sync.core.ownership import SHARED_KIND
from sync.features.lineage.pipeline import backbone_refs
from tests.support.lineage import ORG, LineageStack, account_set, group, lineage_stack, seed_document

VOCABULARY = {
    "name": "account",
    "keyPrefix": "account",
    "entityType": "/Account",
    "keys": [{"name": n} for n in ("id", "name", "email", "country", "website")],
}
TOGGLES = {
    "SYNC_PROCESSING_RULES_TO_PURVIEW": "true",
    "SYNC_CLEAN_PROJECTS_TO_PURVIEW": "true",
    "SYNC_DEDUPLICATIONS_TO_PURVIEW": "true",
    "SYNC_MANUAL_DATA_ENTRY_TO_PURVIEW": "true",
}


class PipelineStack(LineageStack):
    """The lineage stack in the pipeline shape, with a signed-in CluedIn user."""

    def user(self) -> CluedInUser:
        """A CluedIn user of the stack's organization."""
        return CluedInUser(self.cluedin.url, ORG, default_username(ORG), DEFAULT_PASSWORD)

    def holders(self, type_name: str, qualified_name: str) -> dict[str, list[str]]:
        """Who holds a shared node, with the columns each needs ({} when nobody does)."""
        row = self.state.get_object(SHARED_KIND, f"{type_name}|{qualified_name}")
        return {} if row is None else dict(row.data["holders"])

    def pipeline_holders(self) -> dict[str, list[str]]:
        """Who holds the Processing Pipeline."""
        return self.holders(*backbone_refs(ORG)[0])


def pipeline_stack(azurite: Any, purview: Any, cluedin: Any, **settings: str) -> PipelineStack:
    """Every pipeline feature on, the pipeline shape, and CluedIn seeded with Account.csv mapped to /Account."""
    stack = lineage_stack(azurite, purview, cluedin, PURVIEW_LINEAGE_SHAPE="pipeline", **{**TOGGLES, **settings})
    stack.__class__ = PipelineStack
    document = seed_document([group("Account.csv", [account_set()])])
    document["vocabularies"] = [VOCABULARY]
    cluedin.seed(document)
    assert isinstance(stack, PipelineStack)
    return stack

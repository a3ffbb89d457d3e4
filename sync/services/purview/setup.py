"""Set-up every lineage-drawing feature needs before it writes: its Purview types and the target collection.

Shared by lineage, the processing-pipeline features, streams, providers and polling (each wrote its own before).
"""

from __future__ import annotations

from sync.core.feature import SetupStep, SyncContext
from sync.services.purview.client import PurviewClient
from sync.services.purview.collections import plan_target_collection
from sync.services.purview.settings import PurviewSettings
from sync.services.purview.typedefs import CluedInType, registration_step


def target_collection(ctx: SyncContext) -> tuple[str | None, SetupStep | None]:
    """The target collection's id (derived, when it is still to be created) and the step that creates it."""
    purview: PurviewClient = ctx.client("purview")
    return plan_target_collection(purview, ctx.state, ctx.settings.get(PurviewSettings).purview_collection_name)


def setup_steps(ctx: SyncContext, types: tuple[CluedInType, ...]) -> list[SetupStep]:
    """Register `types` and create the target collection, when the account lacks them (only reads to decide)."""
    purview: PurviewClient = ctx.client("purview")
    _, collection_step = target_collection(ctx)
    return [s for s in (registration_step(purview, ctx.state, types), collection_step) if s is not None]

"""A data product's CluedIn side: one data source group per product, one endpoint data source per data asset.

Creates in CluedIn are not idempotent (no client-supplied ids), so intents are written to the product's state row
before the create calls and a retry adopts what an earlier attempt created (docs/decisions/0005): the group
through F1's `ensure_group` (the same rule: a name taken by a group the app did not create gets a short
suffix), the data sources by the names recorded in `data.creating_sources`. A data source whose asset left the
product stays in `target.sources` (CluedIn cannot delete data sources), so it is reused if the asset comes back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sync.core.feature import SyncContext
from sync.core.state import SyncObject
from sync.features.datasources.api import ensure_group, name_suffix
from sync.services.cluedin.client import CluedInClient
from sync.services.purview.assets import read_asset


@dataclass
class SourcesOutcome:
    """What making a product's group and data sources exist did."""

    group_created: bool = False
    created: list[str] = field(default_factory=list)
    """Names of the data sources this call created."""
    problems: list[str] = field(default_factory=list)
    """Assets left without a data source this time, with the reason (the next cycle tries again)."""


def _group_sources(cluedin: CluedInClient, group_name: str) -> dict[str, str]:
    """Data source name → id of the sources already in the group."""
    group = cluedin.find_data_source_set(group_name) or {}
    return {str(s.get("name")): str(s.get("id")) for s in group.get("dataSources") or [] if s.get("name")}


def _free_name(name: str, identity: str, taken: set[str]) -> str | None:
    """The asset's name, or its suffixed form when another data source of the group has it; None if both are."""
    for candidate in (name, f"{name} ({name_suffix(identity)})"):
        if candidate not in taken:
            return candidate
    return None


def ensure_sources(ctx: SyncContext, obj: SyncObject, product_id: str, desired: Mapping[str, Any]) -> SourcesOutcome:
    """Make the group and a data source per desired asset exist; records everything in `obj` (saved by the caller).

    Each new asset is read from the Data Map once (its schema, for lineage and auto-mapping); an asset the Data
    Map no longer has is left out and reported.
    """
    cluedin: CluedInClient = ctx.client("cluedin")
    outcome = SourcesOutcome()
    group_name = str(obj.target.get("group_name") or desired["name"])
    outcome.group_created = ensure_group(cluedin, ctx.state, obj, group_name, product_id)
    sources: dict[str, dict[str, str]] = obj.target.setdefault("sources", {})
    previous: dict[str, Any] = obj.data.get("assets") or {}
    wanted: Sequence[Mapping[str, Any]] = desired.get("assets") or []
    current = {str(a["key"]): dict(previous[a["key"]]) for a in wanted if a["key"] in previous and a["key"] in sources}
    pending = [a for a in wanted if str(a["key"]) not in current]
    if pending:
        _create_pending(ctx, obj, pending, outcome, current)
    obj.data["assets"] = current
    return outcome


def _create_pending(
    ctx: SyncContext,
    obj: SyncObject,
    pending: Sequence[Mapping[str, Any]],
    outcome: SourcesOutcome,
    current: dict[str, Any],
) -> None:
    """Read the new assets, record the names to create, create them, and record their ids."""
    cluedin: CluedInClient = ctx.client("cluedin")
    sources: dict[str, dict[str, str]] = obj.target["sources"]
    group_name, group_id = str(obj.target["group_name"]), str(obj.target["group_id"])
    existing = {} if outcome.group_created else _group_sources(cluedin, group_name)
    intents: dict[str, str] = obj.data.get("creating_sources") or {}
    for key, name in list(intents.items()):  # a crashed attempt may have created these
        if key not in sources and name in existing:
            sources[key] = {"id": existing[name], "name": name}
    taken = set(existing) | {s["name"] for s in sources.values()}
    purview = ctx.client("purview")
    to_create: list[tuple[str, str]] = []
    for wanted in pending:
        key = str(wanted["key"])
        asset = read_asset(purview, str(wanted["guid"]))
        if asset is None:
            outcome.problems.append(f"asset '{wanted['name']}' no longer exists in the Data Map")
            continue
        current[key] = {
            "guid": asset.guid,
            "typeName": asset.type_name,
            "qualifiedName": asset.qualified_name,
            "name": asset.name,
            "catalogId": wanted["catalogId"],
            "schema": asset.schema(),
        }
        if key in sources:
            continue
        free = intents.get(key) or _free_name(str(wanted["name"]), asset.qualified_name, taken)
        if free is None:
            outcome.problems.append(f"data source names for '{wanted['name']}' are taken in group '{group_name}'")
            current.pop(key)
            continue
        taken.add(free)
        to_create.append((key, free))
    if not to_create:
        return
    obj.data["creating_sources"] = {**intents, **dict(to_create)}
    ctx.state.save(obj)
    for key, name in to_create:
        sources[key] = {"id": cluedin.create_data_source(group_id, name), "name": name}
        outcome.created.append(name)
    obj.data.pop("creating_sources", None)

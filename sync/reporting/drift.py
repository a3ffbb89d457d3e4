"""The drift report: what the app owns in Purview that someone edited or deleted there since the app wrote it.

Each feature says, from its state alone, which entities it wrote and with which attributes (`owned_entities`);
the report reads them back from Purview in bulk (by guid, 100 per call; by qualifiedName for the few the app
knows no guid of) and compares only the attributes the app wrote. Nothing else in the estate is read. Repair
makes the next cycle write the drifted objects again (`forget`), through the usual queues.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sync.core.errors import SettingsError
from sync.core.feature import Feature, OwnedEntity, SyncContext
from sync.services.purview.client import PurviewClient


@dataclass
class Drifted:
    """One owned entity that differs in Purview from what the app last wrote."""

    feature: str
    key: str
    type_name: str
    qualified_name: str
    guid: str
    state: str
    """`edited` (attributes differ) or `deleted` (gone, or status DELETED)."""
    differences: dict[str, dict[str, Any]] = field(default_factory=dict)
    """attribute → {"written": …, "found": …}."""


@dataclass
class FeatureDrift:
    """The drift of one feature."""

    feature: str
    owned: int = 0
    drifted: list[Drifted] = field(default_factory=list)
    note: str = ""


def same(written: Any, found: Any) -> bool:
    """Whether a value read back equals the one written (numbers compared as numbers, maps and lists deeply)."""
    if isinstance(written, bool) or isinstance(found, bool):
        return written is found
    if isinstance(written, int | float) and isinstance(found, int | float):
        return float(written) == float(found)
    if isinstance(written, dict) and isinstance(found, dict):
        return written.keys() == found.keys() and all(same(v, found[k]) for k, v in written.items())
    if isinstance(written, list) and isinstance(found, list):
        return len(written) == len(found) and all(same(a, b) for a, b in zip(written, found, strict=True))
    return bool(written == found)


def _read_back(purview: PurviewClient, owned: Sequence[OwnedEntity]) -> dict[tuple[str, str], dict[str, Any]]:
    """(typeName, qualifiedName) → entity as Purview has it, for every owned entity that still exists."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    guids = sorted({o.guid for o in owned if o.guid})
    for entity in purview.get_entities(guids, min_ext_info=True):
        qualified_name = str((entity.get("attributes") or {}).get("qualifiedName", ""))
        found[(str(entity.get("typeName")), qualified_name)] = entity
    by_type: dict[str, list[str]] = {}
    for item in owned:
        if (item.type_name, item.qualified_name) not in found:
            by_type.setdefault(item.type_name, []).append(item.qualified_name)
    for type_name, names in by_type.items():
        for qualified_name, entity in purview.get_entities_by_qualified_names(type_name, sorted(set(names))).items():
            found[(type_name, qualified_name)] = entity
    return found


def find_drift(features: Sequence[Feature], ctx: SyncContext) -> list[FeatureDrift]:
    """The drift of every given feature that writes to Purview."""
    reports: list[FeatureDrift] = []
    owned: dict[str, list[OwnedEntity]] = {}
    for feature in features:
        report = FeatureDrift(feature.name)
        reports.append(report)
        try:
            owned[feature.name] = feature.owned_entities(ctx)
        except SettingsError as exc:
            report.note = f"not checked: {exc}"
            continue
        report.owned = len(owned[feature.name])
    everything = [o for items in owned.values() for o in items]
    if not everything:
        return reports
    purview: PurviewClient = ctx.client("purview")
    found = _read_back(purview, everything)
    for report in reports:
        for item in owned.get(report.feature, []):
            entity = found.get((item.type_name, item.qualified_name))
            if entity is None or str(entity.get("status", "ACTIVE")) != "ACTIVE":
                state, differences = "deleted", {}
            else:
                attributes = entity.get("attributes") or {}
                # Atlas answers every attribute its type defines (null when cleared); one it does not answer is
                # not stored for that type (Purview drops it on write), so it cannot have drifted.
                differences = {
                    name: {"written": value, "found": attributes.get(name)}
                    for name, value in item.attributes.items()
                    if name in attributes and not same(value, attributes.get(name))
                }
                if not differences:
                    continue
                state = "edited"
            guid = str((entity or {}).get("guid") or item.guid)
            report.drifted.append(
                Drifted(report.feature, item.key, item.type_name, item.qualified_name, guid, state, differences)
            )
    return reports


def repair(features: dict[str, Feature], ctx: SyncContext, drift: Sequence[FeatureDrift]) -> list[str]:
    """Make the next cycle write every drifted object again; returns the features that need a cycle."""
    touched = []
    for report in drift:
        keys = {d.key for d in report.drifted}
        if keys:
            features[report.feature].forget(ctx, keys)
            touched.append(report.feature)
    return touched


def as_json(drift: Sequence[FeatureDrift]) -> dict[str, Any]:
    """The report as the HTTP API and `--output json` give it."""
    return {
        "features": [
            {"feature": r.feature, "owned": r.owned, "note": r.note, "drifted": [asdict(d) for d in r.drifted]}
            for r in drift
        ]
    }

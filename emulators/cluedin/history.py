"""Golden-record history: which provider contributed which properties, and when (data parts).

CluedIn keeps every contribution to a golden record as a *data part* in a branch per source: the first part of a
branch is "Added", later ones "Changed" (documentation, "Golden record history"). The emulator records a part
whenever a data source, crawler, enricher or manual-data-entry project changes a record's properties, which is
what the REST history routes serve and what a "crawlers and enrichers -> lineage" feature samples.

Swagger gives the shapes (`EntityHistory{groups[{groupName, sources[EntityHistorySourceSet]}]}`,
`EntityHistoryItem`) but not the meaning of the `VersionChangeType` / `VersionChangedPart` numbers nor what a
group is: the numbering below and grouping by day are **guesses**. `partId` is a string in Swagger; the UI calls
it the record id: here it counts a record's data parts from 1 **(guess)**.
"""

from __future__ import annotations

from typing import Any

CHANGE_TYPES = {"Unchanged": 0, "Added": 1, "Changed": 2, "Removed": 3, "Discovered": 4, "Merged": 5, "Deleted": 6}
"""`VersionChangeType` 0-6 by name **(guess: the enum's names and order are unpublished)**."""
CHANGED_PARTS = {"Metadata": 0, "Properties": 1, "Codes": 2, "OutgoingEdges": 3, "IncomingEdges": 4, "Tags": 5}
"""`VersionChangedPart` 0-6 by name **(guess)**."""


def source(
    provider_id: str, source_name: str, *, display_name: str, object_id: object, object_type_id: str, changed_by: str
) -> dict[str, Any]:
    """Who a contribution comes from: the provider definition and the object (data set, project...) behind it."""
    return {
        "providerDefinitionId": provider_id,
        "sourceName": source_name,
        "changedBy": changed_by,
        "sourceDetails": {
            "displayName": display_name,
            "sourceObjectId": str(object_id),
            "sourceTypeId": object_type_id,
        },
    }


def record_part(
    entity: dict[str, Any],
    provider_id: str,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    origin: dict[str, Any] | None,
    now: str,
    name: str | None = None,
) -> None:
    """Append a data part for a provider's change to an entity (`before`/`after`: that provider's properties)."""
    items = []
    for key, value in after.items():
        old = before.get(key)
        if old != value:
            items.append(_item(key.removeprefix("property-"), "Changed" if key in before else "Added", old, value))
    if name is not None and name != entity.get("name"):
        items.append(_item("Name", "Changed", entity.get("name"), name, part="Metadata"))
    parts = entity.setdefault("history", [])
    first = not any(p["providerDefinitionId"] == provider_id for p in parts)
    if not items and not first:
        return
    origin = origin or source(
        provider_id, provider_id, display_name=provider_id, object_id=provider_id, object_type_id="", changed_by=""
    )
    entity["partSequence"] = number = int(entity.get("partSequence", 0)) + 1
    parts.append(
        {
            "partId": str(number),
            "providerDefinitionId": provider_id,
            "sourceName": origin["sourceName"],
            "changedAt": now,
            "changedBy": origin["changedBy"],
            "changeType": "Added" if first else "Changed",
            "items": items,
            "sourceDetails": origin["sourceDetails"],
        }
    )


def _item(prop: str, change: str, old: Any, new: Any, *, part: str = "Properties") -> dict[str, Any]:
    return {"property": prop, "changeType": change, "oldValue": old, "newValue": new, "changedPart": part}


def forget(entity: dict[str, Any], provider_id: str) -> None:
    """Drop a removed provider's data parts."""
    entity["history"] = [p for p in entity.get("history", []) if p["providerDefinitionId"] != provider_id]


# ---------------------------------------------------------------------- views (Swagger shapes)


def source_set(part: dict[str, Any]) -> dict[str, Any]:
    """`EntityHistorySourceSet`."""
    return {
        "providerDefinitionId": part["providerDefinitionId"],
        "sourceName": part["sourceName"],
        "changedAt": part["changedAt"],
        "changedBy": part["changedBy"],
        "partId": part["partId"],
        "changeType": CHANGE_TYPES[part["changeType"]],
        "changeCount": len(part["items"]),
        "sourceDetails": part["sourceDetails"],
    }


def entity_history(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """`EntityHistory`: data parts newest first, grouped by the day they arrived."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for part in sorted(parts, key=lambda p: str(p["changedAt"]), reverse=True):
        groups.setdefault(str(part["changedAt"])[:10], []).append(source_set(part))
    return {"groups": [{"groupName": day, "sources": sources} for day, sources in groups.items()]}


def details(part: dict[str, Any], keys: set[str] | None = None) -> list[dict[str, Any]]:
    """`EntityHistoryItem[]` of one data part, optionally only some properties."""
    return [
        {
            "property": item["property"],
            "changeType": CHANGE_TYPES[item["changeType"]],
            "oldValue": item["oldValue"],
            "newValue": item["newValue"],
            "changedPart": CHANGED_PARTS[item["changedPart"]],
            "oldValueProperties": None,
            "newValueProperties": None,
        }
        for item in part["items"]
        if not keys or item["property"] in keys
    ]


def changed_keys(parts: list[dict[str, Any]]) -> list[str]:
    """Every property any data part changed, in first-seen order."""
    return list(dict.fromkeys(item["property"] for part in parts for item in part["items"]))


def sources(entity: dict[str, Any], parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`entitysource/{id}`: each provider still contributing, with the properties it holds and its last part."""
    result = []
    for provider_id in entity["providerDefinitionIds"]:
        own = [p for p in parts if p["providerDefinitionId"] == provider_id]
        last = own[-1] if own else None
        contributed = entity["contributions"].get(provider_id, {})
        result.append(
            {
                "providerDefinitionId": provider_id,
                "sourceName": last["sourceName"] if last else None,
                "sourceDetails": last["sourceDetails"] if last else None,
                "lastChangedAt": last["changedAt"] if last else None,
                "properties": sorted(k.removeprefix("property-") for k in contributed),
            }
        )
    return result

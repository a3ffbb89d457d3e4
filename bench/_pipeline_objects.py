"""Rules and projects for `bench lineage_sync --scenario pipeline`, and the renamed-rule measurement.

CluedIn is seeded through the emulator's seed format (which goes through the API's code paths): rules cycle
through the three scopes and the entity types, each with a condition and a Set Value action on one key; clean,
deduplication and manual-data-entry projects each name one entity type and one or two of its keys.
"""

from __future__ import annotations

from typing import Any

SCOPES = ("DataPart", "Survivorship", "Entity")


def objects_seed(rules: int, clean: int, dedup: int, mde: int, entity_types: int) -> dict[str, Any]:
    """The seed's `rules`, `cleanProjects`, `dedupProjects` and `manualDataEntryProjects`."""

    def prefix(i: int) -> str:
        return f"type{i % entity_types}"

    return {
        "rules": [
            {
                "name": f"Rule {i:03d}",
                "scope": SCOPES[i % len(SCOPES)],
                "condition": {"rules": [{"field": "EntityType", "value": [f"/Type{i % entity_types}"]}]},
                "rules": [
                    {
                        "name": f"Rule {i:03d} action",
                        "conditions": {"rules": []},
                        "actions": [
                            {
                                "name": "Set Value",
                                "type": "CluedIn.Rules.Actions.SetValue, CluedIn.Rules",
                                "properties": [
                                    {"name": "FieldName", "type": "System.String", "value": f"{prefix(i)}.col01"},
                                    {"name": "Value", "type": "System.String", "value": "x"},
                                ],
                            }
                        ],
                    }
                ],
            }
            for i in range(rules)
        ],
        "cleanProjects": [
            {
                "name": f"Clean {i:03d}",
                "entityType": f"/Type{i % entity_types}",
                "fields": [{"property": f"{prefix(i)}.col02"}],
            }
            for i in range(clean)
        ],
        "dedupProjects": [
            {
                "name": f"Dedup {i:03d}",
                "entityTypes": [f"/Type{i % entity_types}"],
                "rules": [
                    {
                        "name": "Same col03",
                        "matchingCriteria": [
                            {"name": "col03", "objectType": "vocabularyKey", "fieldName": f"{prefix(i)}.col03"}
                        ],
                    }
                ],
            }
            for i in range(dedup)
        ],
        "manualDataEntryProjects": [
            {
                "title": f"MDE {i:03d}",
                "entityType": f"/Type{i % entity_types}",
                "vocabulary": prefix(i),
                "fields": [
                    {"key": f"{prefix(i)}.col00", "label": "Id", "useAsEntityCode": True},
                    {"key": f"{prefix(i)}.col04", "label": "Name"},
                ],
            }
            for i in range(mde)
        ],
    }

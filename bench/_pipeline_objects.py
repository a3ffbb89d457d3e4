"""Rules and projects for `bench lineage_sync --scenario pipeline`, and the renamed-rule measurement.

CluedIn is seeded through the emulator's seed format (which goes through the API's code paths): rules cycle
through the three scopes and the entity types, each with a condition and a Set Value action on one key; clean,
deduplication and manual-data-entry projects each name one entity type and one or two of its keys.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from sync.core.feature import Feature
from sync.features.clean_projects.feature import CleanProjectsFeature
from sync.features.deduplications.feature import DeduplicationsFeature
from sync.features.manual_data_entry.feature import ManualDataEntryFeature
from sync.features.processing_rules.feature import ProcessingRulesFeature

PIPELINE_FEATURES: dict[str, tuple[Callable[[], Feature], str]] = {
    "rules": (ProcessingRulesFeature, "SYNC_PROCESSING_RULES_TO_PURVIEW"),
    "clean": (CleanProjectsFeature, "SYNC_CLEAN_PROJECTS_TO_PURVIEW"),
    "dedup": (DeduplicationsFeature, "SYNC_DEDUPLICATIONS_TO_PURVIEW"),
    "mde": (ManualDataEntryFeature, "SYNC_MANUAL_DATA_ENTRY_TO_PURVIEW"),
}
SCENARIOS = {"pipeline": {"data_sets": 1000, "shape": "pipeline", "rules": 200, "clean": 50, "dedup": 50, "mde": 50}}
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


def parse(argv: list[str]) -> argparse.Namespace:
    """Arguments; a `--scenario` sets its defaults, which explicit arguments still override."""
    parser = argparse.ArgumentParser(prog="python -m bench lineage_sync")
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default=None)
    parser.add_argument("--data-sets", "--datasets", dest="data_sets", type=int, default=2000)
    parser.add_argument("--entity-types", type=int, default=50)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--shape", choices=("classic", "pipeline"), default="classic")
    parser.add_argument("--plan-only", action="store_true", help="plan without applying: the timer's own peak memory")
    parser.add_argument(
        "--readers",
        type=lambda text: [name for name in text.split(",") if name],
        default=[],
        help="with --plan-only: the timers of features reading lineage's rows too (polling,automap)",
    )
    for name in PIPELINE_FEATURES:
        parser.add_argument(f"--{name}", type=int, default=0, help=f"how many {name} objects to seed")
    first, _ = parser.parse_known_args(argv)
    if first.scenario:
        parser.set_defaults(**SCENARIOS[first.scenario])
    return parser.parse_args(argv)

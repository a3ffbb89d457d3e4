"""What the pipeline automation publishes to other features: the pipelines it generated.

Rows (kind `adf_pipeline`, key `<typeName>|<qualifiedName>` of the asset, as F1's): see `provision.py`. The run
schedules feature reads them only through `iter_generated_pipelines`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sync.core.state import StateStore
from sync.features.pipelines.names import PipelineNames
from sync.features.pipelines.provision import PIPELINE_KIND


@dataclass(frozen=True)
class GeneratedPipeline:
    """An active pipeline the app generated, with the schedule override its requester set (None: follow F13)."""

    asset_key: str
    names: PipelineNames
    schedule_override: str | None


def iter_generated_pipelines(state: StateStore) -> Iterator[GeneratedPipeline]:
    """Every active generated pipeline."""
    for obj in state.iter_objects(PIPELINE_KIND):
        if not obj.active or not obj.target.get("names"):
            continue
        override = obj.data.get("schedule_override")
        yield GeneratedPipeline(
            obj.key, PipelineNames.from_dict(obj.target["names"]), None if override is None else str(override)
        )

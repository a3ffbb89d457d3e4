"""What the pipeline automation publishes to other features: the pipelines it generated, and what it can copy.

Rows (kind `adf_pipeline`, key `<typeName>|<qualifiedName>` of the asset, as F1's): see `provision.py`. The run
schedules feature reads them only through `iter_generated_pipelines`. The data-product sync asks
`copy_problem` which assets a pipeline can load before it makes data sources for them, and
`automation_enabled` whether anything will load them at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sync.core.settings import Settings
from sync.core.state import StateStore
from sync.features.pipelines.names import PipelineNames
from sync.features.pipelines.provision import PIPELINE_KIND
from sync.features.pipelines.settings import PipelinesSettings
from sync.features.pipelines.stores import unsupported_reason


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


def copy_problem(type_name: str, qualified_name: str) -> str | None:
    """Why a generated pipeline could not copy this asset (from its type and qualifiedName), or None if it can."""
    return unsupported_reason(type_name, qualified_name)


def automation_enabled(settings: Settings) -> bool:
    """Whether 'Data Factory Pipeline Automation' is on."""
    return settings.get(PipelinesSettings).data_factory_pipeline_automation

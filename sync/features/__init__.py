"""Sync features, one module each (pure plan + idempotent apply, see sync/engine.py)."""

from __future__ import annotations

from sync.engine import Feature


def all_features() -> list[Feature]:
    """One instance of every feature the app knows."""
    from sync.features.datasources import DataSourcesFeature
    from sync.features.lineage import LineageFeature
    from sync.features.pipelines import PipelineSchedulesFeature, PipelinesFeature
    from sync.features.polling import PollingFeature

    return [DataSourcesFeature(), LineageFeature(), PollingFeature(), PipelinesFeature(), PipelineSchedulesFeature()]

"""Sync features, one module each (pure plan + idempotent apply, see sync/engine.py)."""

from __future__ import annotations

from sync.core.engine import Feature


def all_features() -> list[Feature]:
    """One instance of every feature the app knows."""
    from sync.features.datasources.feature import DataSourcesFeature
    from sync.features.lineage.feature import LineageFeature
    from sync.features.pipelines.feature import PipelineSchedulesFeature, PipelinesFeature
    from sync.features.polling.feature import PollingFeature

    return [DataSourcesFeature(), LineageFeature(), PollingFeature(), PipelinesFeature(), PipelineSchedulesFeature()]

"""Every feature the app runs, in one list: adding a feature is one line here (docs/architecture.md).

The registry orders features by their declared dependencies (`Feature.depends_on`), so within one tick a
feature is planned after the features whose published rows it reads, and groups them by the App Setting of
their timer's schedule: the triggers declare one timer per schedule, not one per feature.
"""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter

from sync.core.feature import Feature
from sync.core.settings import EngineSettings, SettingsGroup
from sync.core.twoway import TwoSidedSettings
from sync.features.automap.feature import AutoMapFeature
from sync.features.clean_projects.feature import CleanProjectsFeature
from sync.features.dataproducts.feature import DataProductsFeature
from sync.features.datasources.feature import DataSourcesFeature
from sync.features.deduplications.feature import DeduplicationsFeature
from sync.features.glossary_to_cluedin_glossary.feature import GlossaryToCluedInGlossaryFeature
from sync.features.glossary_to_vocabularies.feature import GlossaryToVocabulariesFeature
from sync.features.lineage.feature import LineageFeature
from sync.features.manual_data_entry.feature import ManualDataEntryFeature
from sync.features.pipeline_schedules.feature import PipelineSchedulesFeature
from sync.features.pipelines.feature import PipelinesFeature
from sync.features.polling.feature import PollingFeature
from sync.features.processing_rules.feature import ProcessingRulesFeature
from sync.features.providers.feature import ProvidersFeature
from sync.features.purview_feed.settings import PurviewChangeFeedSettings
from sync.features.streams.feature import StreamsFeature
from sync.features.vocabularies_to_glossary.feature import VocabulariesToGlossaryFeature
from sync.services.cluedin.settings import CluedInSettings
from sync.services.datafactory.settings import DataFactorySettings
from sync.services.purview.settings import PurviewSettings

FEATURES: tuple[type[Feature], ...] = (
    DataSourcesFeature,
    DataProductsFeature,
    LineageFeature,
    AutoMapFeature,
    PollingFeature,
    StreamsFeature,
    ProvidersFeature,
    PipelinesFeature,
    PipelineSchedulesFeature,
    VocabulariesToGlossaryFeature,
    GlossaryToVocabulariesFeature,
    GlossaryToCluedInGlossaryFeature,
    ProcessingRulesFeature,
    CleanProjectsFeature,
    DeduplicationsFeature,
    ManualDataEntryFeature,
)
SERVICE_SETTINGS: tuple[type[SettingsGroup], ...] = (PurviewSettings, CluedInSettings, DataFactorySettings)
SHARED_SETTINGS: tuple[type[SettingsGroup], ...] = (TwoSidedSettings,)
"""Groups several features read (the glossary features' conflict policy)."""
FEED_SETTINGS: tuple[type[SettingsGroup], ...] = (PurviewChangeFeedSettings,)
"""Settings of pushed change feeds (they plan registered features; they are not features themselves)."""


def ordered(features: list[Feature]) -> list[Feature]:
    """Features in dependency order (dependencies first; otherwise the order given).

    Raises:
        ValueError: a dependency names no feature, or the dependencies form a cycle.
    """
    by_name = {f.name: f for f in features}
    graph: dict[str, list[str]] = {}
    for feature in features:
        unknown = [d for d in feature.depends_on if d not in by_name]
        if unknown:
            raise ValueError(f"feature {feature.name!r} depends on unknown feature(s) {unknown}")
        graph[feature.name] = list(feature.depends_on)
    sorter = TopologicalSorter(graph)
    try:
        sorter.prepare()
    except CycleError as exc:
        raise ValueError(f"feature dependencies form a cycle: {exc.args[1]}") from None
    position = {f.name: i for i, f in enumerate(features)}
    result: list[Feature] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=position.__getitem__)
        result += [by_name[name] for name in ready]
        sorter.done(*ready)
    return result


def all_features() -> list[Feature]:
    """One instance of every feature, in dependency order."""
    return ordered([cls() for cls in FEATURES])


def by_schedule() -> dict[str, list[Feature]]:
    """Schedule App Setting → its features in dependency order (one timer function per schedule)."""
    groups: dict[str, list[Feature]] = {}
    for feature in all_features():
        groups.setdefault(feature.schedule, []).append(feature)
    return groups


def settings_groups() -> list[type[SettingsGroup]]:
    """Every settings group the app reads, in the order the README documents them."""
    groups: list[type[SettingsGroup]] = [*SERVICE_SETTINGS]
    for feature in all_features():
        if feature.settings_model is not None and feature.settings_model not in groups:
            groups.append(feature.settings_model)
    return [*groups, *SHARED_SETTINGS, *FEED_SETTINGS, EngineSettings]

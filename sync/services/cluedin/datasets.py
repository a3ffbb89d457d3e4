"""CluedIn reads for lineage and polling: data sets with their mappings, record counts, metrics, the audit log.

Kept apart from the client core (`sync/clients/cluedin.py`): these are domain reads of two features, written
against CluedIn's GraphQL field lists (reference cluedin.md §2.4-2.5, §2.8-2.9) as `datasets_*.graphql` files.

Cost matters because the lineage sync runs every minute: the cheap listing (ids, names, `updatedAt`) is read
every cycle, and full data set details only for data sources that changed, or in one paged pass when many did.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sync.services.cluedin.client import PAGE_PAGESIZE, CluedInClient

LISTING_PAGE_SIZE = 100
FULL_LISTING_PAGE_SIZE = 200
AUDIT_PAGE_SIZE = 100
SUBMISSIONS_PAGE_SIZE = 100
DATA_SET_OBJECT_TYPES = ("DataSet", "DataSource", "DataSourceSet", "Annotation")
IGNORED_KEY = "--ignore--"
"""What CluedIn's mapping shows for a field that feeds no vocabulary key."""


@dataclass(frozen=True)
class FieldMapping:
    """One original field and the vocabulary key it is mapped to (empty or `--ignore--` when not mapped)."""

    original: str
    key: str = ""
    data_type: str = ""

    @property
    def mapped(self) -> bool:
        """Whether the field feeds a vocabulary key (ignored fields are excluded from column lineage)."""
        return bool(self.key) and self.key != IGNORED_KEY


@dataclass
class DataSetFacts:
    """A CluedIn data set as last read: identity, data source, original fields and mapping."""

    id: str
    name: str
    data_source_id: str
    data_source_name: str = ""
    group_name: str = ""
    provider_definition_id: str = ""
    updated_at: str = ""
    annotation_id: str = ""
    entity_type: str = ""
    original_fields: list[str] = field(default_factory=list)
    mappings: list[FieldMapping] = field(default_factory=list)
    key_types: dict[str, str] = field(default_factory=dict)

    def fields(self) -> list[str]:
        """Original fields in order, without duplicates (the mapping's fields when none were recorded)."""
        seen: dict[str, None] = {}
        for name in [*self.original_fields, *(m.original for m in self.mappings)]:
            if name and name not in seen:
                seen[name] = None
        return list(seen)

    def mapped_pairs(self) -> list[tuple[str, str]]:
        """(original field, vocabulary key) for every mapped field, in field order."""
        return [(m.original, m.key) for m in self.mappings if m.mapped]

    def to_json(self) -> dict[str, Any]:
        """JSON form for state.

        Written by hand: `dataclasses.asdict` deep-copies recursively and took a third of a 2,000-data-set planning
        cycle.
        """
        return {
            "id": self.id,
            "name": self.name,
            "data_source_id": self.data_source_id,
            "data_source_name": self.data_source_name,
            "group_name": self.group_name,
            "provider_definition_id": self.provider_definition_id,
            "updated_at": self.updated_at,
            "annotation_id": self.annotation_id,
            "entity_type": self.entity_type,
            "original_fields": list(self.original_fields),
            "mappings": [{"original": m.original, "key": m.key, "data_type": m.data_type} for m in self.mappings],
            "key_types": dict(self.key_types),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DataSetFacts:
        """Parse what `to_json` produced."""
        values = dict(data)
        values["mappings"] = [FieldMapping(**m) for m in values.get("mappings") or []]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})


@dataclass
class ListedDataSet:
    """A data set as the cheap listing shows it."""

    id: str
    name: str
    updated_at: str
    annotation_id: str


@dataclass
class ListedSource:
    """A data source with its group and data sets, as the cheap listing shows it."""

    id: str
    name: str
    updated_at: str
    provider_definition_id: str
    group_id: str
    group_name: str
    group_updated_at: str
    data_sets: list[ListedDataSet] = field(default_factory=list)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def normalize_id(value: Any) -> str:
    """Data set ids are GUIDs whose case varies between CluedIn APIs; the app always uses lower case."""
    return _text(value).strip().lower()


def _iter_groups(cluedin: CluedInClient, document: str, page_size: int) -> Iterator[dict[str, Any]]:
    """Every data source group; the next page is read while the caller works through this one (all are read)."""
    return cluedin.iter_pages(
        document, ("inbound", "dataSourceSets"), PAGE_PAGESIZE, page_size=page_size, read_ahead=True
    )


def iter_listing(cluedin: CluedInClient, *, page_size: int = LISTING_PAGE_SIZE) -> Iterator[ListedSource]:
    """Every data source with its data sets (ids, names, change stamps), group by group."""
    for group in _iter_groups(cluedin, "datasets_listing", page_size):
        for source in group.get("dataSources") or []:
            yield ListedSource(
                id=_text(source.get("id")),
                name=_text(source.get("name")),
                updated_at=_text(source.get("updatedAt")),
                provider_definition_id=_text(source.get("connectorConfigurationId")),
                group_id=_text(group.get("id")),
                group_name=_text(group.get("name")),
                group_updated_at=_text(group.get("updatedAt")),
                data_sets=[
                    ListedDataSet(
                        id=normalize_id(ds.get("id")),
                        name=_text(ds.get("name")),
                        updated_at=_text(ds.get("updatedAt")),
                        annotation_id=_text(ds.get("annotationId")),
                    )
                    for ds in source.get("dataSets") or []
                    if ds.get("id")
                ],
            )


def facts_from(data_set: Mapping[str, Any], source: Mapping[str, Any], group: Mapping[str, Any]) -> DataSetFacts:
    """A data set's facts from a `DataSetDetail` selection and the source and group it belongs to."""
    annotation = data_set.get("annotation") or {}
    key_types: dict[str, str] = {}
    for prop in annotation.get("annotationProperties") or []:
        vocabulary_key = prop.get("vocabularyKey") or {}
        key = _text(prop.get("vocabKey") or vocabulary_key.get("key"))
        if key and vocabulary_key.get("dataType"):
            key_types[key] = _text(vocabulary_key.get("dataType"))
    mappings = [
        FieldMapping(_text(m.get("originalField")), _text(m.get("key")), _text(m.get("columnType")))
        for m in data_set.get("fieldMappings") or []
        if m.get("originalField")
    ]
    entity_type = _text(annotation.get("entityType")) if data_set.get("annotationId") is not None else ""
    return DataSetFacts(
        id=normalize_id(data_set.get("id")),
        name=_text(data_set.get("name")),
        data_source_id=_text(source.get("id")),
        data_source_name=_text(source.get("name")),
        group_name=_text(group.get("name")),
        provider_definition_id=_text(source.get("connectorConfigurationId")),
        updated_at=_text(data_set.get("updatedAt")),
        annotation_id=_text(data_set.get("annotationId")),
        entity_type=entity_type,
        original_fields=[_text(f) for f in data_set.get("originalFields") or [] if f],
        mappings=mappings,
        key_types=key_types,
    )


def iter_all_facts(cluedin: CluedInClient, *, page_size: int = FULL_LISTING_PAGE_SIZE) -> Iterator[DataSetFacts]:
    """Facts of every data set in one paged pass over the groups."""
    for group in _iter_groups(cluedin, "datasets_full_listing", page_size):
        for source in group.get("dataSources") or []:
            for data_set in source.get("dataSets") or []:
                if data_set.get("id"):
                    yield facts_from(data_set, source, group)


def read_source_facts(cluedin: CluedInClient, data_source_id: str) -> list[DataSetFacts] | None:
    """Facts of every data set of one data source; None when the data source no longer exists."""
    data = cluedin.graphql("datasets_data_source", {"id": data_source_id})
    source = (data.get("inbound") or {}).get("dataSource")
    if not source:
        return None
    group = source.get("dataSourceSet") or {}
    return [facts_from(ds, source, group) for ds in source.get("dataSets") or [] if ds.get("id")]


# --- record counts and metrics (Poll Data Sources) -------------------------------------------------------------


@dataclass
class DataSetStats:
    """Record counts of one data set as the listing shows them."""

    id: str
    data_source_id: str
    provider_definition_id: str
    received: int
    successful: int
    failed: int
    has_received_data: bool


def iter_stats(cluedin: CluedInClient, *, page_size: int = LISTING_PAGE_SIZE) -> Iterator[DataSetStats]:
    """Record counts of every data set."""
    for group in _iter_groups(cluedin, "datasets_stats_listing", page_size):
        for source in group.get("dataSources") or []:
            for data_set in source.get("dataSets") or []:
                stats = data_set.get("stats") or {}
                yield DataSetStats(
                    id=normalize_id(data_set.get("id")),
                    data_source_id=_text(source.get("id")),
                    provider_definition_id=_text(source.get("connectorConfigurationId")),
                    received=int(stats.get("total") or 0),
                    successful=int(stats.get("successful") or 0),
                    failed=int(stats.get("failed") or 0),
                    has_received_data=bool(data_set.get("hasReceivedData")),
                )


@dataclass
class ProcessingSummary:
    """What processing did with a data set's records, summed over its submissions."""

    processed: int = 0
    failed: int = 0
    last_processed_at: str = ""


def read_processing(cluedin: CluedInClient, data_set_id: str) -> ProcessingSummary:
    """Sum a data set's processing submissions (paged, 0-based)."""
    summary = ProcessingSummary()
    for submission in cluedin.iter_pages(
        "datasets_submissions",
        ("preparation", "getAnnotationSubmissions"),
        PAGE_PAGESIZE,
        variables={"dataSetId": data_set_id},
        page_size=SUBMISSIONS_PAGE_SIZE,
    ):
        summary.processed += int(submission.get("success") or 0)
        summary.failed += int(submission.get("failed") or 0)
        created = _text(submission.get("createdAt"))
        summary.last_processed_at = max(summary.last_processed_at, created)
    return summary


def read_quality_metrics(cluedin: CluedInClient, names: list[str] | None = None) -> dict[str, dict[str, float]]:
    """Metrics by providerDefinitionId (a data source's connectorConfigurationId) → {metric name: latest value}."""
    data = cluedin.graphql("datasets_metrics", {"names": names}, data_api=True)
    out: dict[str, dict[str, float]] = {}
    for metric in data.get("metrics") or []:
        name = _text(metric.get("name"))
        for dimension in metric.get("globalDimensions") or []:
            provider = _text(dimension.get("providerDefinitionId")).lower()
            value = dimension.get("latestValue")
            if provider and name and isinstance(value, int | float):
                out.setdefault(provider, {})[name] = float(value)
    return out

"""Data-quality metrics computed from the records the emulator actually stored.

CluedIn exposes metrics through the data GraphQL (`metrics(names) { globalDimensions { providerDefinitionId
latestValue ... } }`); a global dimension per data source carries the source's `connectorConfigurationId` as
its `providerDefinitionId`. The product's exact formulas are not published, so the emulator computes simple,
explainable percentages (0-100) over each data source's stored records — documented as a guess in the README.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from emulators.cluedin.mapping import IGNORE
from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import iso_to_datetime, stable_guid

METRIC_NAMES = ("accuracy", "completeness", "relevance", "timeliness", "uniformity", "uniqueness")
TIMELINESS_HORIZON_DAYS = 30

_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")


def _is_datetime(text: str) -> bool:
    try:
        iso_to_datetime(text)
    except ValueError:
        return False
    return True


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "Integer": lambda t: bool(_INTEGER.match(t)),
    "Number": lambda t: bool(_NUMBER.match(t)),
    "Money": lambda t: bool(_NUMBER.match(t)),
    "Boolean": lambda t: t.lower() in {"true", "false", "0", "1", "yes", "no"},
    "Email": lambda t: bool(_EMAIL.match(t)),
    "Guid": lambda t: bool(_GUID.match(t)),
    "Uri": lambda t: bool(_URI.match(t)),
    "DateTime": _is_datetime,
}


def _filled(value: object) -> bool:
    return value is not None and value != ""


def _shape(text: str) -> str:
    if _INTEGER.match(text):
        return "integer"
    if _NUMBER.match(text):
        return "number"
    if text.lower() in {"true", "false"}:
        return "boolean"
    if _is_datetime(text):
        return "datetime"
    return "text"


class MetricsCalculator:
    """Computes every metric for every data source once per store change (results are cached)."""

    def __init__(self, store: CluedInStore) -> None:
        self.store = store
        self._cache_key: tuple[int, int] | None = None
        self._cache: list[dict[str, Any]] = []

    def metrics(self, names: Iterable[str] | None) -> list[dict[str, Any]]:
        """The requested metrics (all of them for no names or an empty list)."""
        wanted = [n.lower() for n in names or [] if n] or list(METRIC_NAMES)
        key = (self.store.version, int(self.store.clock.epoch() // 60))
        if key != self._cache_key:
            self._cache = [self._metric(name) for name in METRIC_NAMES]
            self._cache_key = key
        return [m for m in self._cache if m["name"] in wanted]

    def _metric(self, name: str) -> dict[str, Any]:
        now = self.store.clock.now()
        children = []
        totals: list[tuple[float, int]] = []
        latest: list[str] = []
        for source in self.store.data_sources.values():
            data_sets = [self.store.data_sets[i] for i in source["dataSetIds"] if i in self.store.data_sets]
            value, weight = self._score(name, data_sets, now)
            totals.append((value or 0.0, weight))
            received = max((d["lastReceivedAt"] for d in data_sets if d.get("lastReceivedAt")), default=None)
            latest += [received] if received else []
            provider = self.store.provider_definitions.get(source["connectorConfigurationId"], {})
            children.append(
                _dimension(
                    name,
                    source["connectorConfigurationId"],
                    value,
                    received,
                    kind="GlobalIntegration",
                    detail=source["name"],
                    provider=provider,
                )
            )
        weight_sum = sum(w for _, w in totals)
        overall = round(sum(v * w for v, w in totals) / weight_sum, 2) if weight_sum else None
        top = _dimension(name, None, overall, max(latest, default=None), kind="Global", detail=None, provider={})
        top["children"] = children
        for child in children:
            child["parentId"] = top["id"]
        return {
            "id": stable_guid("metric", name),
            "name": name,
            "dataType": "Percentage",
            "categories": ["DataQuality"],
            "globalDimension": top,
            "globalDimensions": [top, *children],
        }

    def _score(self, name: str, data_sets: list[dict[str, Any]], now: Any) -> tuple[float | None, int]:
        if name == "timeliness":
            stamps = [iso_to_datetime(d["lastReceivedAt"]) for d in data_sets if d.get("lastReceivedAt")]
            if not stamps:
                return None, 0
            age_days = max(0.0, (now - max(stamps)) / timedelta(days=1))
            return round(max(0.0, 100.0 * (1 - age_days / TIMELINESS_HORIZON_DAYS)), 2), 1
        if name == "relevance":
            fields = [(d, f) for d in data_sets for f in d["originalFields"]]
            if not fields:
                return None, 0
            mapped = sum(1 for d, f in fields if _mapped_key(d, f) not in (None, IGNORE))
            return round(100.0 * mapped / len(fields), 2), len(fields)
        good = total = 0
        for data_set in data_sets:
            g, t = self._cells(name, data_set)
            good, total = good + g, total + t
        return (round(100.0 * good / total, 2), total) if total else (None, 0)

    def _cells(self, name: str, data_set: dict[str, Any]) -> tuple[int, int]:
        records = self.store.records.get(data_set["id"], [])
        columns = data_set["originalFields"]
        if not records or not columns:
            return 0, 0
        if name == "completeness":
            filled = sum(1 for r in records for c in columns if _filled(r.get(c)))
            return filled, len(records) * len(columns)
        if name == "uniqueness":
            distinct = len({json.dumps(r, sort_keys=True, default=str) for r in records})
            return distinct, len(records)
        if name == "accuracy":
            return self._accuracy(data_set, records, columns)
        return self._uniformity(records, columns)

    def _accuracy(self, data_set: dict[str, Any], records: list[dict[str, Any]], columns: list[str]) -> tuple[int, int]:
        good = total = 0
        for column in columns:
            key = self.store_key(_mapped_key(data_set, column))
            check = VALIDATORS.get(key["dataType"]) if key else None
            for record in records:
                value = record.get(column)
                if _filled(value):
                    total += 1
                    good += 1 if check is None or check(str(value)) else 0
        return good, total

    @staticmethod
    def _uniformity(records: list[dict[str, Any]], columns: list[str]) -> tuple[int, int]:
        good = total = 0
        for column in columns:
            shapes = Counter(_shape(str(r[column])) for r in records if _filled(r.get(column)))
            if shapes:
                good += shapes.most_common(1)[0][1]
                total += sum(shapes.values())
        return good, total

    def store_key(self, full_key: str | None) -> dict[str, Any] | None:
        """The vocabulary key a column is mapped to (for its data type)."""
        if not full_key or full_key == IGNORE:
            return None
        return next((k for k in self.store.vocabulary_keys.values() if k["key"] == full_key), None)


def _mapped_key(data_set: dict[str, Any], column: str) -> str | None:
    return next((m["key"] for m in data_set["fieldMappings"] if m["originalField"] == column), None)


def _dimension(
    metric: str,
    provider_definition_id: str | None,
    value: float | None,
    when: str | None,
    *,
    kind: str,
    detail: str | None,
    provider: dict[str, Any],
) -> dict[str, Any]:
    return {
        "id": stable_guid("metric-dimension", metric, provider_definition_id or "global"),
        "type": kind,
        "detailType": "ProviderDefinition" if provider_definition_id else None,
        "detail": detail,
        "providerDefinitionId": provider_definition_id,
        "providerId": provider.get("providerId"),
        "providerName": provider.get("name"),
        "latestValue": value,
        "values": [] if value is None or when is None else [{"date": when, "value": value}],
        "parentId": None,
        "children": [],
    }

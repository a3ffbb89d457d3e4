"""Monitor events: which data sources an audit-log entry concerns, whatever CluedIn calls its object types."""

from __future__ import annotations

from sync.clients.cluedin_datasets import AuditEntry, ListedDataSet, ListedSource
from sync.lineage.detect import MonitorEvent, sources_named_by

DS1 = "aaaaaaaa-0000-0000-0000-000000000001"
LISTING = [
    ListedSource("1", "Account.csv", "t", "p1", "10", "Group A", "t", [ListedDataSet(DS1, "Account.csv", "t", "5")]),
    ListedSource("2", "Contacts.csv", "t", "p2", "11", "Group B", "t", [ListedDataSet("bbbb", "Contacts", "t", "")]),
]


def entry(object_id, object_type="", action="Updated"):
    return AuditEntry(object_id=object_id, object_type=object_type, action=action, created_at="t")


def test_typed_entries_name_their_data_source():
    assert sources_named_by([entry(DS1.upper(), "DataSet")], LISTING) == {"1": "audit: DataSet Updated"}
    assert sources_named_by([entry("2", "DataSource")], LISTING) == {"2": "audit: DataSource Updated"}
    assert sources_named_by([entry("5", "Annotation")], LISTING) == {"1": "audit: Annotation Updated"}
    assert sources_named_by([entry("11", "DataSourceSet")], LISTING) == {"2": "audit: DataSourceSet Updated"}


def test_untyped_int_ids_are_read_as_any_of_the_kinds_they_could_be():
    named = sources_named_by([entry("5")], LISTING)
    assert named == {"1": "audit: object Updated"}  # annotation 5 belongs to data source 1
    assert set(sources_named_by([entry("2")], LISTING)) == {"2"}


def test_unrelated_entries_name_nothing():
    assert sources_named_by([entry("999", "Stream"), entry("42", "DataSource")], LISTING) == {}


def test_event_texts():
    assert MonitorEvent("Added", "DataSet", DS1, "Account.csv").text == "Data set 'Account.csv' added in CluedIn"
    changed = MonitorEvent("Changed", "DataSource", "1", "Account.csv", "renamed")
    assert changed.text == "Data source 'Account.csv' changed in CluedIn (renamed)"

"""Monitor events: which data sources an audit-log entry concerns, whatever CluedIn calls its object types."""

from __future__ import annotations

from sync.features.lineage.detect import MonitorEvent, facts_bucket, monitor_events, sources_named_by
from sync.services.cluedin.audit import AuditEntry
from sync.services.cluedin.datasets import ListedDataSet, ListedSource
from tests.unit.test_lineage_samples import account, contacts

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


def test_monitor_events_from_old_and_new_facts():
    old = {account().id: account(), contacts().id: contacts()}
    renamed_source = account(data_source_name="Accounts (EU)", name="Account-EU.csv")
    new = {account().id: renamed_source, "new": account(id="new", name="New.csv", data_source_id="9")}
    texts = [e.text for e in monitor_events(old, new, {"7": "updatedAt"})]
    assert texts == [
        "Data set 'Account-EU.csv' changed in CluedIn (updatedAt)",
        "Data set 'New.csv' added in CluedIn",
        "Data set 'Contacts.csv' removed in CluedIn",
        "Data source 'Accounts (EU)' changed in CluedIn (renamed)",
        "Data source 'Account.csv' added in CluedIn",
        "Data source 'Contacts.csv' removed in CluedIn",
    ]


def test_facts_are_spread_over_at_most_256_buckets():
    buckets = {facts_bucket(f"{i:08x}-0000-0000-0000-000000000000") for i in range(5000)}
    assert len(buckets) == 256 and all(len(b) == 2 for b in buckets)

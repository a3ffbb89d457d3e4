"""Monitor events: which data sources an audit-log entry concerns, whatever CluedIn calls its object types."""

from __future__ import annotations

import json
import zlib

from sync.core.state import SyncObject
from sync.features.lineage.detect import (
    FACTS_KIND,
    MonitorEvent,
    _store,
    facts_bucket,
    monitor_events,
    packed_facts,
    read_packed_facts,
    sources_named_by,
)
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


def test_the_facts_cache_keeps_packed_bytes_and_reads_rows_of_earlier_releases(state):
    """Buckets hold packed facts written and read without decoding; buckets of JSON documents still read the same."""
    current = packed_facts()
    for facts in (account(), contacts()):
        current.put(facts.id, facts)
    _store(state, packed_facts(), current)
    rows = list(state.iter_objects(FACTS_KIND))
    assert rows and all("packed" in row.data and "facts" not in row.data for row in rows)
    again = read_packed_facts(state)
    assert sorted(again) == sorted(current)
    assert all(again.same(ident, current) for ident in current)  # the very bytes: no re-encoding
    assert monitor_events(again, current, {}) == []

    older = contacts()  # a bucket as releases before packed buckets wrote it: JSON documents
    state.upsert_many([SyncObject(FACTS_KIND, facts_bucket(older.id), data={"facts": {older.id: older.to_json()}})])
    assert read_packed_facts(state)[older.id] == older


def test_facts_packed_differently_but_equal_are_not_a_change():
    """Bytes packed by another release (another compression) must not report every data set as changed."""
    facts = account()
    cached, current = packed_facts(), packed_facts()
    cached.put_packed(facts.id, zlib.compress(json.dumps(facts.to_json(), sort_keys=True).encode(), 9))
    current.put(facts.id, facts)
    assert not cached.same(facts.id, current)
    assert monitor_events(cached, current, {}) == []

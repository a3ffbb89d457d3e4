"""Decoding Purview's Atlas notifications: the recorded shapes, GZIP and split messages, and bad input.

Fixtures: tests/fixtures/purview_notifications (README there names each one's source).
"""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import replace
from pathlib import Path

import pytest

from sync.services.purview.notifications import (
    EntityNotification,
    NotificationError,
    SplitPart,
    assemble,
    decode_event,
    feed_entries,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "purview_notifications"
SAMPLE_GUID = "ead5abc7-00a4-4d81-8432-d5f6f6f60000"
SAMPLE_QN = "mssql://nayenamakafka.eventhub.sql.net/salespool/dbo/SalesOrderTable"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def only(body: bytes) -> EntityNotification:
    decoded = decode_event(body)
    assert len(decoded) == 1 and isinstance(decoded[0], EntityNotification)
    return decoded[0]


def test_microsofts_sample_entity_update():
    notification = only(fixture("entity_update_sample.json"))
    assert notification.operation == "ENTITY_UPDATE"
    assert notification.entity is not None
    assert (notification.entity.guid, notification.entity.type_name) == (SAMPLE_GUID, "azure_sql_table")
    assert notification.entity.qualified_name == SAMPLE_QN
    assert notification.status == "ACTIVE"
    assert notification.event_time_ms == 1618588940567
    assert notification.event_time.startswith("2021-04-16T")
    assert notification.created_ms == 1618588940869


def test_newer_envelope_fields_and_delete_without_status():
    created = only(fixture("entity_create_spooled.json"))
    assert created.operation == "ENTITY_CREATE"
    assert created.entity is not None and created.entity.type_name == "azure_datalake_gen2_path"
    deleted = only(fixture("entity_delete.json"))
    assert deleted.operation == "ENTITY_DELETE" and deleted.status == ""
    assert deleted.entity is not None and deleted.entity.guid == SAMPLE_GUID


def test_classification_notification_names_the_classifications():
    notification = only(fixture("classification_add.json"))
    assert notification.operation == "CLASSIFICATION_ADD"
    assert notification.classifications == ("MICROSOFT.PERSONAL.EMAIL",)


def test_relationship_notification_names_both_ends():
    notification = only(fixture("relationship_create_term.json"))
    assert notification.operation == "RELATIONSHIP_CREATE"
    assert notification.relationship_type == "AtlasGlossarySemanticAssignment"
    assert notification.entity is None
    assert [(e.type_name, e.qualified_name) for e in notification.entities] == [
        ("AtlasGlossaryTerm", "Sync to CluedIn@Business Glossary"),
        ("azure_sql_table", SAMPLE_QN),
    ]
    entries = feed_entries([notification])
    assert [(e.object_type, e.object_id, e.action) for e in entries] == [
        ("AtlasGlossaryTerm", "45e581d9-452c-4d48-98e0-452b7a109efb", "RELATIONSHIP_CREATE"),
        ("azure_sql_table", SAMPLE_GUID, "RELATIONSHIP_CREATE"),
    ]


def test_gzip_message_is_decompressed():
    notification = only(fixture("classification_update_gzip.json"))
    assert notification.operation == "CLASSIFICATION_UPDATE"
    assert len(notification.classifications) == 40
    assert notification.message_id == "3f1c2a9e-5b7d-4e21-9c0a-7d2e6b1f4a88_0"
    assert notification.entity is not None and notification.entity.guid == SAMPLE_GUID


def test_split_message_reassembles_in_any_arrival_order():
    parts = [decode_event(fixture(f"classification_update_split_{i}.json"))[0] for i in (2, 0, 1)]
    assert all(isinstance(p, SplitPart) for p in parts)
    assert sorted(p.index for p in parts if isinstance(p, SplitPart)) == [0, 1, 2]
    whole = assemble(p for p in parts if isinstance(p, SplitPart))
    assert whole.operation == "CLASSIFICATION_UPDATE" and len(whole.classifications) == 40
    assert whole.message_id == "3f1c2a9e-5b7d-4e21-9c0a-7d2e6b1f4a88_1"
    compressed = only(fixture("classification_update_gzip.json"))
    assert replace(whole, message_id="") == replace(compressed, message_id="")


def test_incomplete_split_message_says_which_parts_are_missing():
    parts = [decode_event(fixture(f"classification_update_split_{i}.json"))[0] for i in (0, 2)]
    with pytest.raises(NotificationError, match="lacks part"):
        assemble(p for p in parts if isinstance(p, SplitPart))


def test_uncompressed_split_message_is_base64_of_the_json():
    inner = json.loads(fixture("entity_delete.json"))
    encoded = base64.b64encode(json.dumps(inner).encode()).decode()
    halves = [encoded[: len(encoded) // 2], encoded[len(encoded) // 2 :]]
    bodies = [
        json.dumps(
            {
                "version": {"version": "1.0.0"},
                "msgId": "m_7",
                "msgCompressionKind": "NONE",
                "msgSplitIdx": i,
                "msgSplitCount": 2,
                "message": half,
            }
        ).encode()
        for i, half in enumerate(halves)
    ]
    parts = [decode_event(body)[0] for body in bodies]
    whole = assemble(p for p in parts if isinstance(p, SplitPart))
    assert whole.operation == "ENTITY_DELETE" and whole.message_id == "m_7"


def test_unwrapped_notification_and_json_arrays_are_read():
    message = json.loads(fixture("entity_update_sample.json"))["message"]
    assert only(json.dumps(message).encode()).operation == "ENTITY_UPDATE"
    two = json.dumps([json.loads(fixture("entity_delete.json")), json.loads(fixture("classification_add.json"))])
    assert [n.operation for n in decode_event(two.encode()) if isinstance(n, EntityNotification)] == [
        "ENTITY_DELETE",
        "CLASSIFICATION_ADD",
    ]


def packed(text: str, **envelope: object) -> bytes:
    return json.dumps(
        {"version": {"version": "1.0.0"}, "msgCompressionKind": "GZIP", "message": text, **envelope}
    ).encode()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b"{not json", "not JSON"),
        (b"[]", "empty JSON array"),
        (b"42", "JSON object"),
        (json.dumps({"version": {"version": "2.0.0"}, "message": {}}).encode(), "newer than"),
        (json.dumps({"version": {"version": "x"}, "message": {}}).encode(), "not a version number"),
        (json.dumps({"version": {"version": "1.0.0"}, "msgCompressionKind": "LZ4"}).encode(), "LZ4"),
        (json.dumps({"version": {"version": "1.0.0"}, "message": "text"}).encode(), "must be a JSON object"),
        (json.dumps({"type": "ENTITY_NOTIFICATION_V1", "operationType": "ENTITY_CREATE"}).encode(), "V1"),
        (json.dumps({"type": "ENTITY_NOTIFICATION_V2", "entity": {"guid": "g"}}).encode(), "no operationType"),
        (json.dumps({"operationType": "ENTITY_CREATE", "entity": {"typeName": "t"}}).encode(), "neither a guid"),
        (json.dumps({"operationType": "ENTITY_CREATE"}).encode(), "neither an entity"),
        (json.dumps({"operationType": "X", "entity": {"guid": "g"}, "eventTime": "soon"}).encode(), "eventTime"),
        (packed("%%%"), "not valid base64"),
        (packed(base64.b64encode(b"not gzip").decode()), "not valid gzip"),
        (packed(base64.b64encode(gzip.compress(b"{}")[:-6]).decode()), "truncated gzip"),
        (packed(base64.b64encode(gzip.compress(b"[1]")).decode()), "plain notification envelope"),
        (json.dumps({"version": {"version": "1.0.0"}, "msgSplitCount": 3, "msgSplitIdx": 0}).encode(), "no msgId"),
        (
            json.dumps({"version": {"version": "1.0.0"}, "msgId": "a", "msgSplitCount": 3, "msgSplitIdx": 3}).encode(),
            "out of bounds",
        ),
        (
            json.dumps({"version": {"version": "1.0.0"}, "msgId": "a", "msgSplitCount": 2, "msgSplitIdx": 1}).encode(),
            "slice",
        ),
    ],
)
def test_bad_events_are_refused_with_a_reason(body: bytes, reason: str):
    with pytest.raises(NotificationError, match=reason):
        decode_event(body)


def test_a_gzip_bomb_is_refused_without_expanding_it(monkeypatch: pytest.MonkeyPatch):
    from sync.services.purview import notifications

    monkeypatch.setattr(notifications, "MAX_DECODED_BYTES", 1000)
    bomb = base64.b64encode(gzip.compress(b" " * 100_000)).decode()
    with pytest.raises(NotificationError, match="more than 1000 bytes"):
        decode_event(packed(bomb))

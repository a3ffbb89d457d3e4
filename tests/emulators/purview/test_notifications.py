"""Atlas notifications on the emulated notification hub: what is notified, its shape, GZIP and split packing.

Writes go through real clients (pyapacheatlas, plain Data Map REST); the journal is read through the admin route a
local bridge uses. The app's decoder is not used here: shapes are checked against Atlas's and Purview's samples.
"""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import requests

from tests.emulators.purview.helpers import paa_client, table, upsert

QN = "mssql://srv/db/dbo/orders"


def published(purview: Any, after: int = 0) -> list[dict[str, Any]]:
    answer = requests.get(f"{purview.url}/_emulator/notifications", params={"after": after}, timeout=10)
    answer.raise_for_status()
    return [json.loads(record["body"]) for record in answer.json()["notifications"]]


def operations(purview: Any, after: int = 0) -> list[str]:
    return [m["message"]["operationType"] for m in published(purview, after)]


def test_entity_lifecycle_is_notified_in_atlas_envelopes(purview):
    atlas = paa_client(purview)
    guid = atlas.upload_entities([table(QN, guid=-1)])["guidAssignments"]["-1"]
    atlas.upload_entities([table(QN, guid=-1, attributes={"qualifiedName": QN, "name": "orders", "description": "x"})])
    atlas.classify_entity(guid, {"typeName": "MICROSOFT.PERSONAL.EMAIL"})
    atlas.classify_entity(guid, {"typeName": "MICROSOFT.PERSONAL.NAME"})
    atlas.declassify_entity(guid, "MICROSOFT.PERSONAL.NAME")
    atlas.delete_entity(guid)
    assert operations(purview) == [
        "ENTITY_CREATE",
        "ENTITY_UPDATE",
        "CLASSIFICATION_ADD",
        "CLASSIFICATION_UPDATE",  # Purview: a classification added where others exist
        "CLASSIFICATION_DELETE",
        "ENTITY_DELETE",
    ]
    first, *_, last = published(purview)
    assert first["version"] == {"version": "1.0.0", "versionParts": [1]}
    assert (first["msgCompressionKind"], first["msgSplitIdx"], first["msgSplitCount"]) == ("NONE", 1, 1)
    assert first["message"]["type"] == "ENTITY_NOTIFICATION_V2"
    entity = first["message"]["entity"]
    assert (entity["guid"], entity["typeName"], entity["status"]) == (guid, "azure_sql_table", "ACTIVE")
    assert entity["attributes"]["qualifiedName"] == QN
    assert "status" not in last["message"]["entity"]  # Purview's DELETE samples carry none
    classified = published(purview)[3]["message"]["entity"]
    assert classified["classificationNames"] == ["MICROSOFT.PERSONAL.EMAIL", "MICROSOFT.PERSONAL.NAME"]


def test_unchanged_upserts_labels_and_glossary_edits_notify_nothing(purview):
    s = purview.session()
    guid = upsert(s, purview.datamap_url, table(QN, guid=-1))["guidAssignments"]["-1"]
    position = purview.notification_position()
    upsert(s, purview.datamap_url, table(QN, guid=-1))
    s.post(f"{purview.atlas_url}/entity/guid/{guid}/labels", json=["gold"], timeout=10).raise_for_status()
    glossary = s.get(f"{purview.atlas_url}/glossary", timeout=10).json()[0]
    term = {"name": "Orders", "anchor": {"glossaryGuid": glossary["guid"]}}
    s.post(f"{purview.atlas_url}/glossary/term", json=term, timeout=10).raise_for_status()
    assert operations(purview, position) == []


def test_term_assignment_is_a_relationship_notification(purview):
    s = purview.session()
    guid = upsert(s, purview.datamap_url, table(QN, guid=-1))["guidAssignments"]["-1"]
    glossary = s.get(f"{purview.atlas_url}/glossary", timeout=10).json()[0]
    term = s.post(
        f"{purview.atlas_url}/glossary/term",
        json={"name": "Orders", "anchor": {"glossaryGuid": glossary["guid"]}},
        timeout=10,
    ).json()
    position = purview.notification_position()
    url = f"{purview.atlas_url}/glossary/terms/{term['guid']}/assignedEntities"
    s.post(url, json=[{"guid": guid}], timeout=10).raise_for_status()
    relation = s.get(url, timeout=10).json()[0]["relationshipGuid"]
    s.delete(url, json=[{"guid": guid, "relationshipGuid": relation}], timeout=10).raise_for_status()
    created, deleted = published(purview, position)
    assert [created["message"]["operationType"], deleted["message"]["operationType"]] == [
        "RELATIONSHIP_CREATE",
        "RELATIONSHIP_DELETE",
    ]
    relationship = created["message"]["relationship"]
    assert relationship["typeName"] == "AtlasGlossarySemanticAssignment"
    assert relationship["label"] == "r:AtlasGlossarySemanticAssignment"
    assert relationship["end1"] == {
        "guid": term["guid"],
        "typeName": "AtlasGlossaryTerm",
        "uniqueAttributes": {"qualifiedName": f"Orders@{glossary['name']}"},
    }
    assert relationship["end2"]["guid"] == guid and relationship["end2"]["uniqueAttributes"] == {"qualifiedName": QN}
    assert "entity" not in created["message"]


def test_seeds_are_not_notified_and_a_reset_keeps_the_numbering(purview):
    purview.seed({"entities": [table(QN, guid=-1)]})
    assert published(purview) == []
    upsert(purview.session(), purview.datamap_url, table("mssql://srv/db/dbo/lines", guid=-1))
    position = purview.notification_position()
    assert position >= 1
    purview.reset()
    assert purview.notification_position() == position


def test_large_notifications_are_gzipped_then_split_like_atlas(purview):
    s = purview.session()
    described = table(QN, guid=-1, attributes={"qualifiedName": QN, "name": "orders", "description": "word " * 400})
    answer = requests.put(f"{purview.url}/_emulator/notifications", json={"maxMessageBytes": 1000}, timeout=10)
    assert answer.json() == {"maxMessageBytes": 1000}
    upsert(s, purview.datamap_url, described)
    (compressed,) = published(purview)
    assert compressed["msgCompressionKind"] == "GZIP" and compressed["msgSplitCount"] == 1
    assert compressed["msgId"].rsplit("_", 1)[1] == "0"
    inner = json.loads(gzip.decompress(base64.b64decode(compressed["message"])))
    assert inner["message"]["entity"]["attributes"]["description"].startswith("word word")
    position = purview.notification_position()
    purview.set_notification_max_bytes(100)
    described["attributes"]["description"] = "other " * 400
    upsert(s, purview.datamap_url, described)
    parts = published(purview, position)
    assert len(parts) > 1
    assert [p["msgSplitIdx"] for p in parts] == list(range(len(parts)))
    assert {p["msgSplitCount"] for p in parts} == {len(parts)} and len({p["msgId"] for p in parts}) == 1
    assert all(len(p["message"]) <= 100 for p in parts)
    joined = json.loads(gzip.decompress(base64.b64decode("".join(p["message"] for p in parts))))
    assert joined["message"]["operationType"] == "ENTITY_UPDATE"


def test_admin_route_refuses_bad_settings_and_queries(purview):
    base = f"{purview.url}/_emulator/notifications"
    assert requests.put(base, json={"maxMessageBytes": "big"}, timeout=10).status_code == 400
    assert requests.get(base, params={"after": "x"}, timeout=10).status_code == 400
    assert requests.post(base, timeout=10).status_code == 405
    assert requests.delete(base, timeout=10).status_code == 204

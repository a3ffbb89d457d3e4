"""REST deletes of vocabularies and keys (CluedIn's Swagger; GraphQL has no delete), driven as a REST client would."""

from __future__ import annotations

import pytest

from tests.emulators.cluedin import documents as doc
from tests.emulators.cluedin.conftest import Client, mapped_data_set

PREFIXES = ["/api/v1", "/api/api/v1"]


def vocabulary(client: Client, name: str, keys: list[str]) -> tuple[str, dict[str, str]]:
    """A vocabulary with keys; returns its id and key name → id."""
    created = client.ok(doc.CREATE_VOCABULARY, {"vocabulary": {"vocabularyName": name, "keyPrefix": name}})
    vid = created["management"]["createVocabulary"]["vocabularyId"]
    ids = {}
    for key in keys:
        made = client.ok(doc.CREATE_KEY, {"vocabularyKey": {"vocabularyId": vid, "name": key, "dataType": "Text"}})
        ids[key] = made["management"]["createVocabularyKey"]["vocabularyKeyId"]
    return vid, ids


def audit_actions(client: Client, object_id: str) -> list[str]:
    entries = client.rest("GET", "/api/v1/auditLog/getByObjectTypeIds", params={"objectIds": object_id}).json()
    return [e["action"] for e in entries["data"]]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_key_and_then_a_vocabulary_are_deleted_with_audit_entries(client, prefix):
    vid, keys = vocabulary(client, "contact", ["email", "phone"])
    answer = client.rest("DELETE", f"{prefix}/vocabs/vocabulary/{vid}/key/{keys['email']}")
    assert answer.status_code == 200 and answer.json() == {"success": True, "result": "Deleted"}
    assert client.ok(doc.KEY_BY_NAME, {"key": "contact.email"})["management"]["vocabularyPerKey"] is None
    assert audit_actions(client, keys["email"])[0] == "Deleted"
    assert client.rest("DELETE", f"{prefix}/vocabs/vocabulary/{vid}").status_code == 200
    assert client.raw(doc.VOCABULARY, {"id": vid})["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert audit_actions(client, vid)[0] == "Deleted" and audit_actions(client, keys["phone"])[0] == "Deleted"
    assert client.rest("DELETE", f"{prefix}/vocabs/vocabulary/{vid}").status_code == 404


def test_a_key_a_mapping_uses_becomes_obsolete_and_its_vocabulary_cannot_go(client):
    mapped_data_set(client)
    key = client.ok(doc.KEY_BY_NAME, {"key": "customer.email"})["management"]["vocabularyPerKey"]
    vid, kid = key["vocabularyId"], key["vocabularyKeyId"]
    answer = client.rest("DELETE", f"/api/v1/vocabs/vocabulary/{vid}/key/{kid}")
    assert answer.json()["result"] == "Obsolete"
    assert client.ok(doc.KEY_BY_NAME, {"key": "customer.email"})["management"]["vocabularyPerKey"]["isObsolete"]
    refused = client.rest("DELETE", f"/api/v1/vocabs/vocabulary/{vid}")
    assert refused.status_code == 400 and "in use" in refused.json()["detail"]


def test_a_key_of_another_vocabulary_is_not_found(client):
    first, _ = vocabulary(client, "first", [])
    _, keys = vocabulary(client, "second", ["x"])
    assert client.rest("DELETE", f"/api/v1/vocabs/vocabulary/{first}/key/{keys['x']}").status_code == 404

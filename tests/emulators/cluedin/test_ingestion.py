"""The ingestion endpoint: documented bodies, limits, counting, processing into searchable golden records."""

from __future__ import annotations

import gzip
import uuid

import requests

from tests.emulators.cluedin import documents as doc
from tests.emulators.cluedin.conftest import mapped_data_set


def _endpoint(client, **body):
    return client.activity("activity/data-set", {"dataSet": "endpoint", **body})["dataSetId"]


def test_success_body_and_counting(client):
    data_set = _endpoint(client)
    response = client.http.post(f"{client.url}/upload/api/endpoint/{data_set}", json=[{"a": 1}, {"a": 2, "b": "x"}])
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["warning"] is False and body["error"] is False
    assert body["warnings"] == [] and body["received"] == 2
    assert str(uuid.UUID(body["receiptId"])) == body["receiptId"]
    single = client.http.post(f"{client.url}/upload/api/endpoint/{data_set}", json={"a": 3, "c": True})
    assert single.json()["received"] == 1
    got = client.ok(doc.DATA_SET, {"id": data_set})["inbound"]["dataSet"]
    assert got["originalFields"] == ["a", "b", "c"]
    assert got["stats"]["total"] == 3 and got["stats"]["successful"] == 3 and got["stats"]["bytes"] > 0


def test_invalid_json_is_400_with_the_documented_error_list(client):
    data_set = _endpoint(client)
    response = client.http.post(f"{client.url}/upload/api/endpoint/{data_set}", data=b"[{oops")
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False and body["error"] is True and body["warnings"] == []
    [error] = body["errors"]
    assert set(error) == {
        "dataSetId",
        "exception",
        "messageId",
        "errorMessage",
        "level",
        "domain",
        "rowIndex",
        "receiptId",
    }
    assert error["messageId"] == "invalid-json-sent" and error["level"] == "error" and error["rowIndex"] == -1
    assert error["dataSetId"] == data_set.upper() and error["receiptId"] == body["receiptId"]
    for payload in (b"42", b'"text"', b"[1, 2]", b'[{"a": 1}, []]'):
        wrong = client.http.post(f"{client.url}/upload/api/endpoint/{data_set}", data=payload)
        assert wrong.status_code == 400
        assert wrong.json()["errors"][0]["messageId"] == "invalid-array-json-sent"
        assert wrong.json()["errors"][0]["errorMessage"] == "Invalid JSON sent, the data must be a valid array"


def test_compressed_bodies_are_refused_with_a_clear_message(client):
    data_set = _endpoint(client)
    response = client.http.post(
        f"{client.url}/upload/api/endpoint/{data_set}",
        data=gzip.compress(b'[{"a": 1}]'),
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and "gzip" in response.json()["errors"][0]["errorMessage"]


def test_more_than_490_columns_are_rejected(client):
    data_set = _endpoint(client)
    wide = {f"c{i}": i for i in range(491)}
    response = client.http.post(f"{client.url}/upload/api/endpoint/{data_set}", json=[wide])
    assert response.status_code == 400 and response.json()["errors"][0]["messageId"] == "too-many-columns"
    ok = client.http.post(f"{client.url}/upload/api/endpoint/{data_set}", json=[{f"c{i}": i for i in range(490)}])
    assert ok.status_code == 200
    one_more = client.http.post(f"{client.url}/upload/api/endpoint/{data_set}", json=[{"extra": 1}])
    assert one_more.status_code == 400


def test_unknown_data_set_is_404(client):
    for ident in (str(uuid.uuid4()), "not-a-guid"):
        response = client.http.post(f"{client.url}/upload/api/endpoint/{ident}", json=[{"a": 1}])
        assert response.status_code == 404
        assert response.json()["errors"][0]["messageId"] == "dataset-not-found"


def test_spaces_and_dots_in_names_are_fixed_with_warnings(client):
    data_set = _endpoint(client)
    body = client.http.post(
        f"{client.url}/upload/api/endpoint/{data_set}", json=[{"first name": "Ada", "e.mail": "a@b"}]
    ).json()
    assert body["success"] is True and body["warning"] is True
    by_id = {w["messageId"]: w for w in body["warnings"]}
    assert by_id["space-in-property"]["property"] == "first name"
    assert by_id["space-in-property"]["rowIndex"] == "0" and by_id["space-in-property"]["domain"] == "storing"
    assert by_id["dot-in-property"]["property"] == "e.mail"
    fields = client.ok(doc.DATA_SET, {"id": data_set})["inbound"]["dataSet"]["originalFields"]
    assert fields == ["first_name", "e_mail"]


def test_processed_records_become_golden_records_named_by_vocabulary_keys(client):
    ids = mapped_data_set(client)
    found = client.ok(doc.SEARCH, {"query": "entityType:/Customer", "pageSize": 10}, data=True)["search"]
    assert found["totalResults"] == 3
    contoso = next(e for e in found["entries"] if e["name"] == "Contoso")
    assert contoso["entityType"] == "/Customer"
    assert contoso["properties"]["property-customer.email"] == "a@contoso.com"
    assert contoso["properties"]["attribute-type"] == "/Metadata/KeyValue"
    entity = client.ok(doc.ENTITY, {"id": contoso["id"]}, data=True)["entity"]
    assert entity["originEntityCode"].endswith(":1") and entity["codes"] == [entity["originEntityCode"]]
    again = client.activity("activity/process", {"dataSetId": ids["dataSetId"]})
    assert again["total"] == 0
    client.http.post(f"{client.url}/upload/api/endpoint/{ids['dataSetId']}", json=[{"id": "1", "name": "Contoso Ltd"}])
    client.ok(doc.COMMIT, {"dataSetId": ids["dataSetId"]})
    renamed = client.ok(doc.SEARCH, {"query": "entityType:/Customer"}, data=True)["search"]
    assert renamed["totalResults"] == 3
    assert "Contoso Ltd" in {e["name"] for e in renamed["entries"]}


def test_tokens_are_required(emu, client):
    data_set = _endpoint(client)
    response = requests.post(f"{emu.url}/upload/api/endpoint/{data_set}", json=[{"a": 1}])
    assert response.status_code == 401 and response.json()["error"] is True
    user_token = requests.post(
        f"{emu.url}/upload/api/endpoint/{data_set}",
        json=[{"a": 1}],
        headers={"Authorization": f"Bearer {client.token}"},
    )
    assert user_token.status_code == 200


def test_ten_thousand_records_in_one_post(client):
    ids = mapped_data_set(client, autoSubmit=True, records=[])
    records = [{"id": str(i), "name": f"n{i}", "email": f"{i}@x.org", "country": "DK"} for i in range(10_000)]
    response = client.http.post(f"{client.url}/upload/api/endpoint/{ids['dataSetId']}", json=records)
    assert response.status_code == 200 and response.json()["received"] == 10_000
    assert client.ok(doc.SEARCH, {"query": "*", "pageSize": 0}, data=True)["search"]["totalResults"] == 10_000

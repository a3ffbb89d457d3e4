"""The HTTP function's request validation: every refusal names its field; no URL or store is ever accepted."""

import json

import pytest

from sync.features.pipelines.requests import MAX_BODY_BYTES, RequestError, parse_request

GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"


def body(**fields):
    return json.dumps(fields).encode()


def refused(raw, headers=None):
    with pytest.raises(RequestError) as caught:
        parse_request(raw, headers or {})
    return caught.value


def test_guid_or_type_and_qualified_name():
    assert parse_request(body(asset={"guid": GUID}), {}).body.asset.guid == GUID
    parsed = parse_request(body(asset={"typeName": "azure_blob_path", "qualifiedName": "https://a/b"}), {})
    assert parsed.body.asset.qualifiedName == "https://a/b"
    assert parsed.request_id is None
    assert parsed.schedule_given is False


@pytest.mark.parametrize(
    ("raw", "field", "code"),
    [
        (b"", "body", "InvalidJson"),
        (b"{", "body", "InvalidJson"),
        (b"\xff\xfe", "body", "InvalidJson"),
        (b"[]", "body", "InvalidJson"),
        (b'"asset"', "body", "InvalidJson"),
        (body(), "asset", "MissingField"),
        (body(asset=None), "asset", "InvalidRequest"),
        (body(asset="x"), "asset", "InvalidRequest"),
        (body(asset={}), "asset", "InvalidRequest"),
        (body(asset={"guid": "not-a-guid"}), "asset.guid", "InvalidRequest"),
        (body(asset={"guid": 5}), "asset.guid", "InvalidRequest"),
        (body(asset={"guid": GUID, "typeName": "t"}), "asset", "InvalidRequest"),
        (body(asset={"typeName": "t"}), "asset", "InvalidRequest"),
        (body(asset={"qualifiedName": "q"}), "asset", "InvalidRequest"),
        (body(asset={"typeName": "bad type!", "qualifiedName": "q"}), "asset.typeName", "InvalidRequest"),
        (body(asset={"typeName": "t", "qualifiedName": ""}), "asset.qualifiedName", "InvalidRequest"),
        (body(asset={"typeName": "t", "qualifiedName": "a\nb"}), "asset", "InvalidRequest"),
        (body(asset={"guid": GUID}, runNow="true"), "runNow", "InvalidRequest"),
        (body(asset={"guid": GUID}, runNow=1), "runNow", "InvalidRequest"),
        (body(asset={"guid": GUID}, runNow=True), "requestId", "MissingField"),
        (body(asset={"guid": GUID}, requestId=""), "requestId", "InvalidRequest"),
        (body(asset={"guid": GUID}, requestId="has space"), "requestId", "InvalidRequest"),
        (body(asset={"guid": GUID}, requestId="x" * 129), "requestId", "InvalidRequest"),
        (body(asset={"guid": GUID}, schedule=5), "schedule", "InvalidRequest"),
        (body(asset={"guid": GUID}, schedule="Daily:Hours=[24]"), "schedule", "InvalidSchedule"),
        (body(asset={"guid": GUID}, schedule="x" * 1001), "schedule", "InvalidRequest"),
    ],
)
def test_invalid_bodies_name_the_field(raw, field, code):
    error = refused(raw)
    assert (error.field, error.code) == (field, code)


@pytest.mark.parametrize(
    "extra",
    [
        {"url": "https://evil.example.com/data.csv"},
        {"connectionString": "DefaultEndpointsProtocol=https;AccountName=x"},
        {"source": {"url": "https://x"}},
        {"sinkUrl": "https://x"},
    ],
)
def test_urls_and_connection_strings_are_refused_by_name(extra):
    error = refused(body(asset={"guid": GUID}, **extra))
    assert error.code == "UnknownField"
    assert error.field == next(iter(extra))
    assert "never accepted" in str(error)


def test_unknown_fields_inside_the_asset_are_refused_too():
    error = refused(body(asset={"guid": GUID, "url": "https://x"}))
    assert (error.field, error.code) == ("asset.url", "UnknownField")


def test_request_id_from_header_or_body():
    parsed = parse_request(body(asset={"guid": GUID}, runNow=True), {"idempotency-key": "r-1"})
    assert parsed.request_id == "r-1"
    parsed = parse_request(body(asset={"guid": GUID}, runNow=True, requestId="r-2"), {})
    assert parsed.request_id == "r-2"
    parsed = parse_request(body(asset={"guid": GUID}, runNow=True, requestId="r-3"), {"Idempotency-Key": "r-3"})
    assert parsed.request_id == "r-3"


def test_header_and_body_request_ids_must_agree_and_be_well_formed():
    assert refused(body(asset={"guid": GUID}, requestId="a"), {"Idempotency-Key": "b"}).field == "requestId"
    assert refused(body(asset={"guid": GUID}), {"Idempotency-Key": "bad key"}).field == "Idempotency-Key"


def test_schedule_given_distinguishes_null_from_absent():
    assert parse_request(body(asset={"guid": GUID}, schedule=None), {}).schedule_given is True
    assert parse_request(body(asset={"guid": GUID}, schedule=""), {}).schedule_given is True
    assert parse_request(body(asset={"guid": GUID}), {}).schedule_given is False
    parsed = parse_request(body(asset={"guid": GUID}, schedule="Daily:Hours=[6]"), {})
    assert parsed.body.schedule == "Daily:Hours=[6]"


def test_oversized_bodies_are_refused():
    raw = body(asset={"guid": GUID}, pad="x" * MAX_BODY_BYTES)
    assert refused(raw).code == "BodyTooLarge"

"""The reusable Swagger 2.0 conformance checker (emulators/purview/spec.py) and its adapter choices."""

from __future__ import annotations

from emulators.purview.spec import SwaggerSpec, purview_specs

SYNTHETIC = {
    "swagger": "2.0",
    "paths": {
        "/pets/{id}": {
            "put": {
                "operationId": "Pets_Put",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "type": "string"},
                    {
                        "name": "count",
                        "in": "query",
                        "type": "integer",
                        "format": "int32",
                        "minimum": 1,
                        "exclusiveMinimum": True,
                    },
                    {"name": "tags", "in": "query", "type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
                    {"name": "body", "in": "body", "required": True, "schema": {"$ref": "#/definitions/Pet"}},
                ],
                "responses": {"200": {"schema": {"$ref": "#/definitions/Pet"}}, "204": {}},
            }
        }
    },
    "definitions": {
        "Pet": {
            "type": "object",
            "discriminator": "kind",
            "required": ["kind"],
            "properties": {
                "kind": {"type": "string"},
                "id": {"type": "string", "readOnly": True},
                "born": {"type": "string", "format": "date-time"},
                "chip": {"type": "string", "format": "uuid"},
                "nick": {"type": "string", "x-nullable": False},
            },
        },
        "Dog": {
            "x-ms-discriminator-value": "dog",
            "allOf": [{"$ref": "#/definitions/Pet"}],
            "properties": {"barks": {"type": "boolean"}},
            "required": ["barks"],
        },
    },
}


def spec() -> SwaggerSpec:
    return SwaggerSpec(SYNTHETIC, name="synthetic")


def messages(problems):
    return [str(p) for p in problems]


def test_discriminator_dispatches_to_the_subtype():
    s = spec()
    op = s.operations["Pets_Put"]
    assert s.validate_response(op, 200, {"kind": "cat"}) == []
    assert messages(s.validate_response(op, 200, {"kind": "dog"})) == ["body: 'barks' is a required property"]
    assert s.validate_response(op, 200, {"kind": "dog", "barks": True}) == []


def test_read_only_is_refused_in_requests_only():
    s = spec()
    op = s.operations["Pets_Put"]
    assert messages(s.validate_request(op, {}, {"kind": "cat", "id": "x"})) == [
        "body.id: is read-only in the spec and must not be sent in a request"
    ]
    assert s.validate_response(op, 200, {"kind": "cat", "id": "x"}) == []


def test_optional_properties_accept_null_unless_x_nullable_false():
    s = spec()
    op = s.operations["Pets_Put"]
    assert s.validate_response(op, 200, {"kind": "cat", "born": None}) == []
    assert messages(s.validate_response(op, 200, {"kind": "cat", "nick": None})) == [
        "body.nick: None is not of type 'string'"
    ]
    assert messages(s.validate_response(op, 200, {"kind": None})) == ["body.kind: None is not of type 'string'"]


def test_formats_and_query_parameters():
    s = spec()
    op = s.operations["Pets_Put"]
    bad = s.validate_response(op, 200, {"kind": "cat", "born": "yesterday", "chip": "nope"})
    assert sorted(messages(bad)) == ["body.born: 'yesterday' is not a 'date-time'", "body.chip: 'nope' is not a 'uuid'"]
    assert messages(s.validate_request(op, {"count": ["1"]}, {"kind": "c"})) == [
        "query.count: 1 is below the minimum 1"
    ]
    assert s.validate_request(op, {"count": ["2"], "tags": ["a,b"]}, {"kind": "c"}) == []
    assert messages(s.validate_request(op, {"tags": ["a,c"]}, {"kind": "c"})) == [
        "query.tags: 'c' is not one of ['a', 'b']"
    ]
    assert messages(s.validate_request(op, {"count": ["x"]}, {"kind": "c"})) == ["query.count: 'x' is not an integer"]
    assert messages(s.validate_request(op, {})) == ["body: a request body is required"]
    assert messages(s.validate_response(op, 204, {"kind": "c"})) == ["body: 204 response of Pets_Put must have no body"]
    assert messages(s.validate_response(op, 500, {})) == ["status: 500 is not a declared response of Pets_Put"]


def test_purview_specs_route_by_prefix_and_understand_purview_parameters():
    specs = purview_specs()
    path = "/catalog/api/atlas/v2/entity/bulk/uniqueAttribute/type/azure_sql_table"
    assert specs.validate_request("GET", path, "attr_0:qualifiedName=a&attr_1:qualifiedName=b&minExtInfo=False") == []
    assert messages(specs.validate_request("GET", path, "ignoreRelationships=maybe")) == [
        "query.ignoreRelationships: 'maybe' is not a boolean (true/false)"
    ]
    assert specs.validate_request("GET", "/collections", "api-version=2019-11-01-preview") == []
    assert specs.validate_request("GET", "/account/collections/x/getCollectionPath", "api-version=1") == []
    unknown = specs.validate_request("GET", "/datamap/api/atlas/v2/nope", "")
    assert messages(unknown) == ["path: no operation in the Purview specs for GET /datamap/api/atlas/v2/nope"]
    assert messages(specs.validate_request("POST", "/datamap/api/search/query", "api-version=1", b"{oops")) == [
        "body: not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
    ]
    business = {"typeName": "t", "category": "BUSINESS_METADATA", "name": "b"}
    assert specs.validate_response("GET", "/datamap/api/atlas/v2/types/typedef/name/b", 200, business) == []

"""Issue 11 item 1: the filter tree as CluedIn's own clients send it, evaluated the same way everywhere.

Trees are saved through the Product Toolkit's `saveStream` / `saveGlossaryTerm` documents and counted by
`Stream.numberOfRecords` and the REST term list's `matches`; the string operators are also checked against the
`cluedin` SDK's own offline evaluator (`cluedin.rules.Evaluator`), run over the golden records `search` returns.
"""

from __future__ import annotations

from typing import Any

import cluedin.rules
import pytest

from tests.emulators.cluedin import documents as doc
from tests.emulators.cluedin import toolkit as tk

OPS = {
    "Equals": doc.EQUALS, "Not Equal": doc.NOT_EQUAL, "Contains": doc.CONTAINS,
    "Not Contains": "4af53db0-acdb-44a6-89a1-40fa8ef05cde", "Begins With": "daf3a318-569f-4baf-a17f-35b4426ae603",
    "Not Begins With": "bbd02195-213e-40e2-9597-65ec05100dfc", "Ends With": "ff9a47ac-8e3c-4123-80ee-e0b660aa5f9f",
    "Not Ends With": "3527ff72-bdd4-4bb4-b964-f18898d5a82d", "In": "31feed84-ce0e-435f-ba94-ce01b9c7bd15",
    "Not In": "25c16d50-d170-4295-ad85-c2571431794a", "Exists": "306e5d29-832f-41e7-a6db-1c02eb5ebf74",
    "Does Not Exist": "16b2dc07-94e3-4c29-bc60-a7a1d25de53b", "Is Null": "9ad76320-021e-4211-9e9a-8b148c9c600d",
    "Is Not Null": "a42a9f87-7944-4d07-b1f3-d2f404bc4fd7", "Greater": "85ecec6b-9c45-4365-9614-ef090137098d",
    "Greater or Equal": "5a2d1185-7fd8-4dda-9d33-7f69e42e9147", "Less": "0de353ce-bbe4-4a27-8e20-0dc21947e987",
    "Less or Equal": "42d4d22d-e37a-4c5f-96eb-7ae59513f80f", "Between": "566bc291-df6a-427c-b7f4-00f8766d37a2",
    "Not Between": "5642150e-fa0a-462c-a230-619d97cb3f8b", "Matches pattern": "4e4782d7-8c17-47c1-9797-37434fce0c77",
    "Does not match pattern": "9253eea0-5975-460a-8373-dd6ff57d4e65",
    "Is True": "bd804d86-f2bc-4bc1-9598-58cb6c490311", "Is True (2)": "04f2d73a-c908-4bc3-a7d5-1774b7db44dd",
    "Is False": "dfbfc760-69ea-4241-b33e-0425c2a51688", "Is Not True": "7cd9d1e6-25d8-4fbf-977a-1d2c3832289d",
}  # fmt: skip
"""Every operator GUID in the SDK's `rules/operators.py`."""

SEARCH_ALL = 'query { search(query: "*", pageSize: 100) { totalResults entries { id entityType properties } } }'


def _leaf(field: str, op: str, value: list[Any], value_type: str = "string") -> dict[str, object]:
    return doc.filter_leaf(field, OPS[op], value, value_type)


def _tree(*rules: dict[str, object], condition: str = "AND") -> dict[str, object]:
    return doc.filter_group(list(rules), condition)


@pytest.fixture()
def counter(seeded):
    """Counts a tree through a stream (saveStream, as the Toolkit sends it) and a glossary term (REST `matches`)."""
    stream = seeded.ok(tk.CREATE_STREAM, {"stream": {"name": "probe"}})["consume"]["createStream"]
    [category] = seeded.ok(tk.GET_GLOSSARY_CATEGORIES)["management"]["glossaryCategories"]
    term = seeded.ok(tk.CREATE_GLOSSARY_TERM, {"term": {"name": "probe", "categoryId": category["id"]}})["management"]
    term_id = term["createGlossaryTerm"]["id"]

    def count(tree: dict[str, object]) -> int:
        variables = {"stream": {"id": stream["id"], "name": "probe", "description": None, "isActive": False,
                                "condition": tree, "rules": []}}  # fmt: skip
        saved = seeded.ok(tk.SAVE_STREAM, variables)["consume"]["saveStream"]
        seeded.ok(tk.SAVE_GLOSSARY_TERM, {"term": {"id": term_id, "name": "probe", "ruleSet": tree}})
        listed = seeded.rest("GET", "/api/v1/glossary", params={"searchName": "probe"}).json()["data"]
        assert listed[0]["matches"] == saved["numberOfRecords"], "one evaluator for terms and streams"
        return int(saved["numberOfRecords"])

    return count


def test_the_issue_counts_on_the_demo_data(counter):
    assert counter(_tree(_leaf("EntityType", "Not Equal", ["/Customer"]))) == 2
    assert counter(_tree(_leaf("EntityType", "Equals", ["/Customer"]))) == 4
    assert counter(_tree(_leaf("Properties[customer.country]", "Equals", ["DK"]))) == 1
    assert counter(_tree(_leaf("Properties[customer.email]", "Contains", ["contoso"]))) == 1
    assert counter(_tree(_leaf("Properties[customer.email]", "Contains", [".com"]))) == 2


COUNTRY, EMAIL, NAME, REVENUE = (f"Properties[customer.{k}]" for k in ("country", "email", "name", "revenue"))
SDK_CASES: list[tuple[str, str, list[Any], str]] = [
    (COUNTRY, "Equals", ["dk"], "string"),
    (COUNTRY, "Not Equal", ["DK"], "string"),
    (EMAIL, "Not Contains", ["contoso"], "string"),
    (NAME, "Begins With", ["con"], "string"),
    (NAME, "Not Begins With", ["con"], "string"),
    (EMAIL, "Ends With", [".COM"], "string"),
    (EMAIL, "Not Ends With", [".com"], "string"),
    (COUNTRY, "In", ["DK", "UK"], "string"),
    (COUNTRY, "Not In", ["DK", "UK"], "string"),
    (COUNTRY, "Exists", [], "string"),
    (COUNTRY, "Does Not Exist", [], "string"),
    (COUNTRY, "Is Null", [], "string"),
    (COUNTRY, "Is Not Null", [], "string"),
    (EMAIL, "Matches pattern", [r".*@.*\.com$"], "string"),
    (EMAIL, "Does not match pattern", [r".*@.*\.com$"], "string"),
    ("EntityType", "Equals", ["/employee"], "string"),
    (REVENUE, "Greater", ["1000"], "double"),
    (REVENUE, "Less", ["1000"], "double"),
    (REVENUE, "Between", ["900", "1300"], "double"),
    (REVENUE, "Not Between", ["900", "1000"], "double"),
]


def test_string_operators_agree_with_the_sdks_own_evaluator(seeded, counter):
    entries = seeded.ok(SEARCH_ALL, data=True)["search"]["entries"]
    objects = [
        {"entityType": e["entityType"], **{k.removeprefix("property-"): v for k, v in e["properties"].items() if v}}
        for e in entries
    ]
    for field, op, value, value_type in SDK_CASES:
        tree = _tree(_leaf(field, op, value, value_type))
        expected = len(cluedin.rules.Evaluator(tree).get_matching_objects(objects))
        assert counter(tree) == expected, (field, op, value)


def test_typed_values_groups_and_nesting(seeded, counter):
    assert counter(_tree(_leaf("Properties[customer.revenue]", "Greater or Equal", ["980"], "double"))) == 2
    assert counter(_tree(_leaf("Properties[customer.revenue]", "Less or Equal", [980], "integer"))) == 1
    after = _leaf("Properties[employee.startDate]", "Greater", ["2020-06-01T00:00:00.000Z"], "datetime")
    assert counter(_tree(after)) == 1
    nested = _tree(
        _leaf("Properties[customer.country]", "Equals", ["DK"]),
        _tree(
            _leaf("EntityType", "Equals", ["/Employee"]),
            _leaf("Properties[employee.lastName]", "Equals", ["Turing"]),
        ),
        condition="OR",
    )
    assert counter(nested) == 2
    providers = seeded.rest("GET", "/api/v1/configuration/providers").json()
    crawler = next(p for p in providers if p["type"] == "Crawler")
    assert counter(_tree(_leaf("ProviderDefinitionIds", "Contains", [crawler["id"]], "enumerable"))) == 1
    assert counter(_tree(_leaf("Properties[customer.website]", "Exists", []))) == 3
    flags = [_leaf("Properties[customer.vip]", op, []) for op in ("Is True", "Is True (2)", "Is False", "Is Not True")]
    assert [counter(_tree(f)) for f in flags] == [0, 0, 6, 6]
    assert counter(_tree()) == 6, "an empty filter selects everything (guess)"


def test_keys_are_case_insensitive_and_stored_in_the_full_shape(seeded):
    stream = seeded.ok(tk.CREATE_STREAM, {"stream": {"name": "pascal"}})["consume"]["createStream"]
    rule = {"Field": "EntityType", "Operator": doc.EQUALS, "Type": "string", "Value": ["/Employee"],
            "ObjectTypeId": doc.ENTITY_TYPE_OBJECT}  # fmt: skip
    pascal = {"Condition": "AND", "Rules": [rule]}
    saved = seeded.ok(tk.SAVE_STREAM, {"stream": {"id": stream["id"], "name": "pascal", "condition": pascal}})
    stored = saved["consume"]["saveStream"]
    assert stored["numberOfRecords"] == 2
    assert stored["condition"]["rules"][0] == {
        "objectTypeId": doc.ENTITY_TYPE_OBJECT, "condition": None, "field": "EntityType", "id": doc.ZERO,
        "operator": doc.EQUALS, "rules": [], "type": "string", "value": ["/Employee"],
    }  # fmt: skip
    assert stored["condition"]["operator"] == doc.ZERO and stored["condition"]["field"] is None


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"condition": "AND", "rules": [{"field": "EntityType", "operator": "Equals", "value": ["/X"]}]}, "GUID"),
        ({"condition": "AND", "rules": [{"field": "EntityType", "operator": doc.EQUALS, "value": "/X"}]}, "list"),
        ({"condition": "XOR", "rules": [{"field": "Name", "operator": doc.EQUALS, "value": ["X"]}]}, "AND or OR"),
        ({"condition": "AND", "rules": "nope"}, "list"),
        ({"condition": "AND", "rules": [{"field": "EntityType", "operator": None, "value": []}]}, "GUID"),
        ("AND", "object"),
    ],
)
def test_trees_that_would_not_deserialise_are_field_errors(seeded, condition, message):
    stream = seeded.ok(tk.CREATE_STREAM, {"stream": {"name": "bad"}})["consume"]["createStream"]
    body = seeded.raw(tk.SAVE_STREAM, {"stream": {"id": stream["id"], "name": "bad", "condition": condition}})
    assert body["data"]["consume"]["saveStream"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT" and message in body["errors"][0]["message"]

"""CluedIn's filter tree (`FilterRule`) as text a person can read in Purview.

Streams, glossary terms, rules and clean projects share one recursive node (reference cluedin-more.md §1.1): a
group has `condition` AND/OR and child `rules`; a leaf has a `field`, an `operator` GUID and a `value` list.
Operators are GUIDs on the wire; their names come from the `cluedin` SDK's operator table (`rules/operators.py`),
which is how CluedIn's own UI labels them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

OPERATOR_NAMES: dict[str, str] = {
    "0bafc522-8011-43ba-978a-babe222ba466": "Equals",
    "4f7f2b0f-155a-4208-b849-3e972f5d89d2": "Not Equal",
    "4988d076-3ec1-4414-9f56-5b9b30e25f72": "Contains",
    "4af53db0-acdb-44a6-89a1-40fa8ef05cde": "Not Contains",
    "daf3a318-569f-4baf-a17f-35b4426ae603": "Begins With",
    "bbd02195-213e-40e2-9597-65ec05100dfc": "Not Begins With",
    "ff9a47ac-8e3c-4123-80ee-e0b660aa5f9f": "Ends With",
    "3527ff72-bdd4-4bb4-b964-f18898d5a82d": "Not Ends With",
    "31feed84-ce0e-435f-ba94-ce01b9c7bd15": "In",
    "25c16d50-d170-4295-ad85-c2571431794a": "Not In",
    "306e5d29-832f-41e7-a6db-1c02eb5ebf74": "Exists",
    "16b2dc07-94e3-4c29-bc60-a7a1d25de53b": "Does Not Exist",
    "9ad76320-021e-4211-9e9a-8b148c9c600d": "Is Null",
    "a42a9f87-7944-4d07-b1f3-d2f404bc4fd7": "Is Not Null",
    "bd804d86-f2bc-4bc1-9598-58cb6c490311": "Is True",
    "04f2d73a-c908-4bc3-a7d5-1774b7db44dd": "Is True",
    "dfbfc760-69ea-4241-b33e-0425c2a51688": "Is False",
    "7cd9d1e6-25d8-4fbf-977a-1d2c3832289d": "Is Not True",
    "85ecec6b-9c45-4365-9614-ef090137098d": "Greater",
    "5a2d1185-7fd8-4dda-9d33-7f69e42e9147": "Greater or Equal",
    "0de353ce-bbe4-4a27-8e20-0dc21947e987": "Less",
    "42d4d22d-e37a-4c5f-96eb-7ae59513f80f": "Less or Equal",
    "566bc291-df6a-427c-b7f4-00f8766d37a2": "Between",
    "5642150e-fa0a-462c-a230-619d97cb3f8b": "Not Between",
    "4e4782d7-8c17-47c1-9797-37434fce0c77": "Matches pattern",
    "9253eea0-5975-460a-8373-dd6ff57d4e65": "Does not match pattern",
}
ALL_RECORDS = "(all golden records)"
"""What an empty tree selects (the stream reference: "When no filters are defined, all golden records ...")."""


def _get(node: Mapping[str, Any], key: str) -> Any:
    """A key of a node, case-insensitively (the Toolkit sends `Rules`, the server answers `rules`)."""
    for name, value in node.items():
        if name.lower() == key:
            return value
    return None


def parse(condition: Any) -> Mapping[str, Any] | None:
    """A filter tree from what the API answered (an object, or JSON text); None when there is none."""
    if condition is None or condition == "":
        return None
    if isinstance(condition, str):
        condition = json.loads(condition)
    if not isinstance(condition, Mapping):
        raise ValueError(f"a filter tree must be an object, got {type(condition).__name__}")
    return condition


def describe(condition: Any) -> str:
    """`EntityType Equals /Customer AND (Properties[customer.country] In DK, SE OR ...)`.

    Raises:
        ValueError: the tree is not a tree (not an object, rules not a list).
    """
    tree = parse(condition)
    if tree is None:
        return ALL_RECORDS
    text = _describe(tree, top=True)
    return text or ALL_RECORDS


def _describe(node: Mapping[str, Any], *, top: bool = False) -> str:
    children = _get(node, "rules")
    if children:
        if not isinstance(children, list):
            raise ValueError("a filter group's rules must be a list")
        parts = [_describe(c) for c in children if isinstance(c, Mapping)]
        parts = [p for p in parts if p]
        joined = f" {str(_get(node, 'condition') or 'AND').upper()} ".join(parts)
        return joined if top or len(parts) < 2 else f"({joined})"
    field = _get(node, "field")
    if not field:
        return ""
    operator = str(_get(node, "operator") or "").lower()
    values = _get(node, "value") or []
    values = values if isinstance(values, list) else [values]
    shown = ", ".join(str(v) for v in values)
    return " ".join(p for p in (str(field), OPERATOR_NAMES.get(operator, f"operator {operator}"), shown) if p)


def canonical(condition: Any) -> str:
    """A tree's text without its node ids: two streams whose filters select the same records compare equal.

    CluedIn gives every node of a saved tree an `id` of its own, so the raw text differs between any two streams
    even when their filters are the same. Text that is not a tree is returned as it is.
    """

    def strip(node: Any) -> Any:
        if isinstance(node, Mapping):
            return {k: strip(v) for k, v in node.items() if k.lower() != "id"}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    try:
        tree = parse(condition)
    except ValueError:
        return str(condition)
    return "" if tree is None else json.dumps(strip(tree), sort_keys=True, separators=(",", ":"))

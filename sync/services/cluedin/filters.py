"""CluedIn's filter trees (`FilterRule`) read back as text: a condition summary and the vocabulary keys it names.

Rules, clean projects, streams and glossary terms share one recursive node (reference cluedin-more.md §1.1): a
*group* has `condition` AND/OR and child `rules`; a *leaf* has a `field` (`EntityType`, `Properties[<key>]`, ...),
an `operator` GUID and a `value` list. The operator GUIDs are the `cluedin` SDK's (`rules/operators.py`); a live
server also lists them (`management.ruleOperators`), but their names are stable, so the table is kept here and an
unknown GUID is shown as itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

OPERATOR_NAMES = {
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
MAX_SUMMARY = 400
"""Longest condition summary kept (an attribute for people to read, not the rule itself)."""
EVERYTHING = "all golden records"
"""What a group without rules selects (CluedIn's stream reference: no filter means every golden record)."""
_PROPERTY = re.compile(r"^\s*properties\s*\[\s*(.+?)\s*\]\s*$", re.IGNORECASE)


def as_tree(value: Any) -> Mapping[str, Any] | None:
    """A filter tree from a JSON scalar, which GraphQL may hand over as text."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else None
        except ValueError:
            return None
    return value if isinstance(value, Mapping) else None


def _children(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    rules = node.get("rules") or node.get("Rules") or []
    return [child for child in (as_tree(r) for r in rules if r) if child is not None]


def _is_group(node: Mapping[str, Any]) -> bool:
    return bool(_children(node)) or not node.get("field")


def _leaf(node: Mapping[str, Any]) -> str:
    operator = str(node.get("operator") or "")
    name = OPERATOR_NAMES.get(operator.lower(), operator or "?")
    values = node.get("value")
    shown = ", ".join(str(v) for v in values) if isinstance(values, list) else ("" if values is None else str(values))
    return f"{node.get('field')} {name}" + (f" {shown}" if shown else "")


def _text(node: Mapping[str, Any], *, top: bool) -> str:
    if not _is_group(node):
        return _leaf(node)
    parts = [_text(child, top=False) for child in _children(node)]
    if not parts:
        return EVERYTHING if top else ""
    joined = f" {str(node.get('condition') or 'AND').upper()} ".join(p for p in parts if p)
    return joined if top or len(parts) == 1 else f"({joined})"


def summary(tree: Any) -> str:
    """`EntityType Equals /Customer AND Properties[customer.country] Exists` (clipped to MAX_SUMMARY characters)."""
    node = as_tree(tree)
    if node is None:
        return EVERYTHING
    text = _text(node, top=True) or EVERYTHING
    return text if len(text) <= MAX_SUMMARY else text[: MAX_SUMMARY - 1] + "…"


def property_key(field: object) -> str:
    """The vocabulary key of a `Properties[<key>]` field ('' for other fields)."""
    found = _PROPERTY.match(str(field or ""))
    return found.group(1) if found else ""


def _walk(node: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    yield node
    for child in _children(node):
        yield from _walk(child)


def keys_named(tree: Any) -> list[str]:
    """Vocabulary keys the tree's leaves test (`Properties[<key>]`), in order, each once."""
    node = as_tree(tree)
    if node is None:
        return []
    return list(dict.fromkeys(k for k in (property_key(n.get("field")) for n in _walk(node)) if k))


def parse(condition: Any) -> Mapping[str, Any] | None:
    """A filter tree from what the API answered (an object, or JSON text); None when there is none.

    Raises:
        ValueError: the text is not JSON, or the value is not an object.
    """
    if condition is None or condition == "":
        return None
    if isinstance(condition, str):
        condition = json.loads(condition)
    if not isinstance(condition, Mapping):
        raise ValueError(f"a filter tree must be an object, got {type(condition).__name__}")
    return condition


def _check(node: Mapping[str, Any]) -> None:
    rules = node.get("rules", node.get("Rules"))
    if rules is None:
        return
    if not isinstance(rules, list):
        raise ValueError("a filter group's rules must be a list")
    for child in rules:
        if isinstance(child, Mapping):
            _check(child)


def describe(condition: Any) -> str:
    """`summary`, for a tree that must be one: a feature that reports an unreadable filter instead of showing it.

    Raises:
        ValueError: the tree is not a tree (not an object, rules not a list).
    """
    tree = parse(condition)
    if tree is None:
        return EVERYTHING
    _check(tree)
    return summary(tree)


def canonical(condition: Any) -> str:
    """A tree's text without its node ids: two filters that select the same records compare equal.

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

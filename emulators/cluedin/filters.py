"""CluedIn's filter tree (`FilterRule`): one evaluator for glossary terms, streams, rules, clean and dedup projects.

Every CluedIn feature that selects golden records stores the same recursive node (Swagger
`CluedIn.Core.Rules.QueryBuilder.FilterRule`): a *group* has `condition` AND/OR and child `rules`; a *leaf* has a
`field`, an `operator` GUID, a value `type` and a `value` list. The operator GUIDs and their meaning come from the
`cluedin` SDK's own offline evaluator (`cluedin/rules/operators.py`, `rule.py`), which CluedIn wrote to reproduce
the server: string comparisons ignore case, values are typecast by the leaf's `type`, `Not X` is the negation
of `X`. Keeping this in one module is what makes a term's membership, a stream's record count and a rule's scope
agree with each other.

Trees arrive from clients as JSON (GraphQL `JSON` scalars, REST bodies) and are checked and normalised here
before they are stored: .NET deserialises them case-insensitively into the typed model and serialises the model
back, so a stored tree always has all eight keys, camelCase, with GUID defaults where a client left them out.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from emulators.cluedin.util import EmulatorError

ZERO_GUID = "00000000-0000-0000-0000-000000000000"
OBJECT_TYPE_ENTITY_TYPE = "3be85371-cbe0-4180-8820-73e6e37a6c32"
OBJECT_TYPE_PROPERTY = "011ac3b4-0b46-4f9c-a82a-8c14f9dd642b"
OBJECT_TYPE_PROVIDERS = "0a1984a6-7b75-47a9-b076-8f6b45b358ac"
"""objectTypeIds seen in CluedIn's own clients (SDK rule fixtures; the Fabric workload's clean project template)."""

NODE_KEYS = ("objectTypeId", "condition", "field", "id", "operator", "rules", "type", "value")
GUID_KEYS = frozenset({"objectTypeId", "id", "operator"})
CONDITIONS = frozenset({"AND", "OR"})

Left = list[Any]
Right = list[Any]


@dataclass(frozen=True)
class Operator:
    """One rule operator: its GUID, UI name, how many values it takes, and its test."""

    id: str
    name: str
    inputs: int
    test: Callable[[Left, Right], bool]
    multiple: bool = False


def _text(value: Any) -> str:
    return str(value).lower()


def _any(left: Left, right: Right, check: Callable[[Any, Any], bool]) -> bool:
    for item in left:
        for wanted in right:
            try:
                if check(item, wanted):
                    return True
            except TypeError:
                continue
    return False


def _equals(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return _text(a) == _text(b)
    return bool(a == b)


def _matches(a: Any, pattern: Any) -> bool:
    try:
        return re.match(str(pattern), str(a), re.IGNORECASE) is not None
    except re.error:
        return False


def _truthy(left: Left) -> bool:
    return any(v is True or (isinstance(v, str) and v.lower() in {"true", "1"}) for v in left)


def _equals_any(left: Left, right: Right) -> bool:
    return _any(left, right, _equals)


def _contains(left: Left, right: Right) -> bool:
    return _any(left, right, lambda a, b: _text(b) in _text(a))


def _begins(left: Left, right: Right) -> bool:
    return _any(left, right, lambda a, b: _text(a).startswith(_text(b)))


def _ends(left: Left, right: Right) -> bool:
    return _any(left, right, lambda a, b: _text(a).endswith(_text(b)))


def _pattern(left: Left, right: Right) -> bool:
    return _any(left, right, _matches)


def _exists(left: Left, _right: Right) -> bool:
    return bool(left)


def _is_true(left: Left, _right: Right) -> bool:
    return _truthy(left)


def _between(left: Left, right: Right) -> bool:
    if len(right) < 2:
        return False
    low, high = right[0], right[1]
    for item in left:
        try:
            if low <= item <= high:
                return True
        except TypeError:
            continue
    return False


def _compare(check: Callable[[Any, Any], bool]) -> Callable[[Left, Right], bool]:
    def test(left: Left, right: Right) -> bool:
        return bool(right) and _any(left, right[:1], check)

    return test


def _negate(test: Callable[[Left, Right], bool]) -> Callable[[Left, Right], bool]:
    def negated(left: Left, right: Right) -> bool:
        return not test(left, right)

    return negated


OPERATORS: dict[str, Operator] = {
    op.id: op
    for op in (
        Operator("0bafc522-8011-43ba-978a-babe222ba466", "Equals", 1, _equals_any),
        Operator("4f7f2b0f-155a-4208-b849-3e972f5d89d2", "Not Equal", 1, _negate(_equals_any)),
        Operator("4988d076-3ec1-4414-9f56-5b9b30e25f72", "Contains", 1, _contains),
        Operator("4af53db0-acdb-44a6-89a1-40fa8ef05cde", "Not Contains", 1, _negate(_contains)),
        Operator("daf3a318-569f-4baf-a17f-35b4426ae603", "Begins With", 1, _begins),
        Operator("bbd02195-213e-40e2-9597-65ec05100dfc", "Not Begins With", 1, _negate(_begins)),
        Operator("ff9a47ac-8e3c-4123-80ee-e0b660aa5f9f", "Ends With", 1, _ends),
        Operator("3527ff72-bdd4-4bb4-b964-f18898d5a82d", "Not Ends With", 1, _negate(_ends)),
        Operator("31feed84-ce0e-435f-ba94-ce01b9c7bd15", "In", 1, _equals_any, multiple=True),
        Operator("25c16d50-d170-4295-ad85-c2571431794a", "Not In", 1, _negate(_equals_any), multiple=True),
        Operator("306e5d29-832f-41e7-a6db-1c02eb5ebf74", "Exists", 0, _exists),
        Operator("16b2dc07-94e3-4c29-bc60-a7a1d25de53b", "Does Not Exist", 0, _negate(_exists)),
        Operator("a42a9f87-7944-4d07-b1f3-d2f404bc4fd7", "Is Not Null", 0, _exists),
        Operator("9ad76320-021e-4211-9e9a-8b148c9c600d", "Is Null", 0, _negate(_exists)),
        Operator("bd804d86-f2bc-4bc1-9598-58cb6c490311", "Is True", 0, _is_true),
        Operator("04f2d73a-c908-4bc3-a7d5-1774b7db44dd", "Is True", 0, _is_true),
        Operator("dfbfc760-69ea-4241-b33e-0425c2a51688", "Is False", 0, _negate(_is_true)),
        Operator("7cd9d1e6-25d8-4fbf-977a-1d2c3832289d", "Is Not True", 0, _negate(_is_true)),
        Operator("85ecec6b-9c45-4365-9614-ef090137098d", "Greater", 1, _compare(lambda a, b: bool(a > b))),
        Operator("5a2d1185-7fd8-4dda-9d33-7f69e42e9147", "Greater or Equal", 1, _compare(lambda a, b: bool(a >= b))),
        Operator("0de353ce-bbe4-4a27-8e20-0dc21947e987", "Less", 1, _compare(lambda a, b: bool(a < b))),
        Operator("42d4d22d-e37a-4c5f-96eb-7ae59513f80f", "Less or Equal", 1, _compare(lambda a, b: bool(a <= b))),
        Operator("566bc291-df6a-427c-b7f4-00f8766d37a2", "Between", 2, _between),
        Operator("5642150e-fa0a-462c-a230-619d97cb3f8b", "Not Between", 2, _negate(_between)),
        Operator("4e4782d7-8c17-47c1-9797-37434fce0c77", "Matches pattern", 1, _pattern),
        Operator("9253eea0-5975-460a-8373-dd6ff57d4e65", "Does not match pattern", 1, _negate(_pattern)),
    )
}
"""Every operator GUID the `cluedin` SDK lists (`rules/operators.py`); two GUIDs both mean "Is True"."""

OPERATOR_BY_NAME = {op.name.lower(): op.id for op in OPERATORS.values()}

ALL_TYPES = ("string", "integer", "double", "datetime", "boolean", "enumerable")
_TEXT_OPS = ("Contains", "Not Contains", "Begins With", "Not Begins With", "Ends With", "Not Ends With",
             "Matches pattern", "Does not match pattern")  # fmt: skip
_ORDER_OPS = ("Greater", "Greater or Equal", "Less", "Less or Equal", "Between", "Not Between")
OPERATOR_TYPES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(_TEXT_OPS, ("string", "enumerable")),
    **dict.fromkeys(_ORDER_OPS, ("integer", "double", "datetime")),
    **dict.fromkeys(("Is True", "Is False", "Is Not True"), ("boolean",)),
}
"""Value types each operator is offered for (a guess from the SDK's typecasts; unlisted operators take any type)."""

ENTITY_FIELDS = {
    "id": "id", "name": "name", "displayname": "displayName", "description": "description",
    "entitytype": "entityType", "originentitycode": "originEntityCode", "codes": "codes", "tags": "tags",
    "aliases": "aliases", "uris": "uris", "createddate": "createdDate", "modifieddate": "modifiedDate",
    "discoverydate": "discoveryDate", "lastprocesseddate": "lastProcessedDate", "sortdate": "sortDate",
    "providerdefinitionids": "providerDefinitionIds", "providerorigins": "providerOrigins",
}  # fmt: skip
"""Golden-record metadata a leaf's `field` can name (case-insensitively); `Properties[<key>]` names a property."""

_PROPERTY_FIELD = re.compile(r"^properties\[(.+)\]$", re.IGNORECASE)


# ---------------------------------------------------------------------- checking and normalising


def normalize(tree: object, where: str) -> dict[str, Any]:
    """A client's tree as CluedIn stores it, or EmulatorError saying what would not deserialise.

    Keys are matched case-insensitively (the Product Toolkit sends `{Rules: []}`); `operator`, `objectTypeId` and
    `id` must be GUIDs (absent means the zero GUID, as a .NET `Guid` defaults); `value` and `rules` must be
    lists; a group's `condition` must be AND or OR.
    """
    if not isinstance(tree, dict):
        raise EmulatorError(f"{where} must be a JSON object (a filter rule), got {type(tree).__name__}")
    given = {str(k).lower(): v for k, v in tree.items()}
    node: dict[str, Any] = {}
    for key in NODE_KEYS:
        value = given.get(key.lower())
        if key in GUID_KEYS:
            node[key] = _guid(value, f"{where}.{key}", key.lower() in given)
        else:
            node[key] = value
    for key in ("condition", "field", "type"):
        if node[key] is not None and not isinstance(node[key], str):
            raise EmulatorError(f"{where}.{key} must be a string")
    if node["value"] is not None and not isinstance(node["value"], list):
        raise EmulatorError(f"{where}.value must be a list of values")
    children = node["rules"]
    if children is not None and not isinstance(children, list):
        raise EmulatorError(f"{where}.rules must be a list of filter rules")
    node["rules"] = [normalize(child, f"{where}.rules[{i}]") for i, child in enumerate(children or [])]
    if node["rules"] and str(node["condition"] or "AND").upper() not in CONDITIONS:
        raise EmulatorError(f"{where}.condition must be AND or OR, got {node['condition']!r}")
    return node


def _guid(value: object, where: str, present: bool) -> str:
    if not present:
        return ZERO_GUID
    try:
        return str(uuid.UUID(str(value))) if isinstance(value, str) else _bad_guid(value, where)
    except ValueError:
        return _bad_guid(value, where)


def _bad_guid(value: object, where: str) -> str:
    raise EmulatorError(f"{where} must be a GUID, got {value!r}")


def normalize_optional(tree: object, where: str) -> dict[str, Any] | None:
    """`normalize` for a field a client may leave null."""
    return None if tree is None else normalize(tree, where)


def leaf(field: str, operator: str, values: Iterable[Any], value_type: str = "string") -> dict[str, Any]:
    """A normalised leaf, for seeds and simulated activity (operator by GUID or UI name)."""
    op = OPERATOR_BY_NAME.get(operator.lower(), operator)
    object_type = OBJECT_TYPE_PROPERTY
    if field.lower() == "entitytype":
        object_type = OBJECT_TYPE_ENTITY_TYPE
    elif field.lower() == "providerdefinitionids":
        object_type = OBJECT_TYPE_PROVIDERS
    return normalize(
        {"objectTypeId": object_type, "condition": "AND", "field": field, "id": str(uuid.uuid4()), "operator": op,
         "rules": [], "type": value_type, "value": list(values)},
        "filter",
    )  # fmt: skip


def group(rules: Iterable[dict[str, Any]], condition: str = "AND") -> dict[str, Any]:
    """A normalised group node holding `rules`."""
    return normalize({"condition": condition, "id": str(uuid.uuid4()), "rules": list(rules)}, "filter")


def entity_type_filter(entity_type: str) -> dict[str, Any]:
    """`EntityType Equals <type>` as a one-rule group (the shape the UI saves)."""
    return group([leaf("EntityType", "Equals", [entity_type])])


# ---------------------------------------------------------------------- evaluation


def matches(entity: dict[str, Any], tree: object) -> bool:
    """Whether a golden record satisfies a (stored, normalised) tree.

    A group with no rules selects everything **(guess: what an empty filter does is unpublished)**; a leaf whose
    operator is unknown (or the zero GUID) selects nothing.
    """
    if not isinstance(tree, dict):
        return True
    children = tree.get("rules") or []
    if children:
        results = (matches(entity, child) for child in children if isinstance(child, dict))
        return any(results) if str(tree.get("condition") or "AND").upper() == "OR" else all(results)
    if not tree.get("field"):
        return True
    operator = OPERATORS.get(str(tree.get("operator") or ""))
    if operator is None:
        return False
    value_type = str(tree.get("type") or "string").lower()
    left = [v for v in (cast(v, value_type) for v in field_values(entity, str(tree["field"]))) if v is not None]
    raw = tree.get("value")
    right = [v for v in (cast(v, value_type) for v in (raw if isinstance(raw, list) else [])) if v is not None]
    return operator.test(left, right)


def count(entities: Iterable[dict[str, Any]], tree: object) -> int:
    """How many golden records a tree selects."""
    return sum(1 for e in entities if matches(e, tree))


def field_values(entity: dict[str, Any], field: str) -> list[Any]:
    """The values a leaf's field names on a golden record (empty when it has none).

    Empty strings count as no value **(guess: the SDK treats only `None` as null, but CluedIn does not keep empty
    property values on golden records)**.
    """
    found = _PROPERTY_FIELD.match(field.strip())
    if found:
        value = entity["properties"].get(f"property-{found.group(1).strip()}")
    else:
        attribute = ENTITY_FIELDS.get(field.strip().lower())
        value = entity.get(attribute) if attribute else None
    values = value if isinstance(value, list) else [value]
    return [v for v in values if v is not None and v != ""]


def cast(value: Any, value_type: str) -> Any:
    """A value typecast by a leaf's `type` as the SDK's `Rule.typecast_value` does; None when it cannot be."""
    if value is None:
        return None
    try:
        if value_type in {"integer", "int", "long"}:
            return int(value) if not isinstance(value, str) else int(value.strip())
        if value_type in {"double", "decimal", "number", "float"}:
            return float(value)
        if value_type in {"date", "datetime"}:
            return _date(value)
        if value_type == "boolean":
            return value if isinstance(value, bool) else str(value).strip().lower() in {"true", "1"}
    except (ValueError, TypeError, OverflowError):
        return None
    return value if isinstance(value, str) else _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _date(value: Any) -> datetime:
    text = value if isinstance(value, datetime) else str(value).strip().replace("Z", "+00:00")
    parsed = text if isinstance(text, datetime) else datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def from_seed(tree: object, where: str) -> dict[str, Any] | None:
    """A tree from a seed or simulated activity: operators may be UI names and default to Equals (seed format only).

    Clients of the API must send operator GUIDs; the seed format is the emulator's own, so it lets a reader write
    `{"field": "EntityType", "operator": "Not Equal", "value": ["/Customer"]}`.
    """
    if tree is None:
        return None
    if not isinstance(tree, dict):
        raise EmulatorError(f"{where} must be a JSON object (a filter rule)")
    node = dict(tree)
    children = node.get("rules")
    if isinstance(children, list):
        node["rules"] = [from_seed(child, f"{where}.rules[{i}]") for i, child in enumerate(children)]
    if node.get("field") and not children:
        operator = str(node.get("operator") or "Equals")
        node["operator"] = OPERATOR_BY_NAME.get(operator.lower(), operator)
        node.setdefault("type", "string")
        node.setdefault("condition", "AND")
    return normalize(node, where)

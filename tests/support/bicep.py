"""The Bicep templates as data, parsed by pycep-parser (the parser checkov uses): no Bicep compiler is needed.

No Bicep compiler (`az bicep build`) can be installed where this project is developed and tested, so the
templates are parsed offline here and scanned by checkov (tests/unit/test_infra_scan.py). pycep gives each file's
parameters, variables, resources, modules and outputs as JSON-like data; a string stands for a literal *or* an
identifier (pycep does not tell them apart), and expressions are nested `operator` / `function` dicts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pycep import BicepParser

INFRA = Path(__file__).resolve().parents[2] / "infra"
FILES = sorted(INFRA.rglob("*.bicep"))


@cache
def parse(path: Path) -> dict[str, Any]:
    """One template as pycep's JSON."""
    parsed: dict[str, Any] = dict(BicepParser().parse(file_path=path))
    for section in ("parameters", "variables", "resources", "modules", "outputs"):
        parsed.setdefault(section, {})
    return parsed


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    required: bool
    decorators: dict[str, Any]

    @property
    def secure(self) -> bool:
        return "secure" in self.decorators


def params(path: Path) -> dict[str, Param]:
    found = {}
    for name, spec in parse(path)["parameters"].items():
        decorators = {d["type"]: d.get("argument") for d in spec.get("decorators") or []}
        found[name] = Param(name, str(spec.get("type")), spec.get("default"), spec.get("default") is None, decorators)
    return found


def outputs(path: Path) -> set[str]:
    return set(parse(path)["outputs"])


def config(item: dict[str, Any]) -> dict[str, Any]:
    """A resource's or module's body, whether or not it is conditional (`= if (...) {...}`)."""
    body: dict[str, Any] = item["config"]
    return body["config"] if "condition" in body and "config" in body else body


def module_params(path: Path, symbol: str) -> dict[str, Any]:
    found: dict[str, Any] = config(parse(path)["modules"][symbol]).get("params") or {}
    return found


def variable(path: Path, name: str) -> Any:
    return parse(path)["variables"][name]["value"]


def walk(value: Any, trail: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every (path, value) below a pycep value, depth first."""
    yield trail, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from walk(child, (*trail, str(key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from walk(child, (*trail, str(index)))


def accessed(value: Any, root: str) -> set[str]:
    """Properties read from `root` (`root.x` anywhere in the value)."""
    names = set()
    for _, item in walk(value):
        if isinstance(item, dict) and item.get("type") == "property_accessor":
            operands = item["operands"]
            if operands.get("operand_1") == root and isinstance(operands.get("operand_2"), str):
                names.add(operands["operand_2"])
    return names

"""The OpenAPI files under openapi/ describe every HTTP route the app registers, with its methods."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from devhost.registry import collect_functions

ROOT = Path(__file__).resolve().parents[2]


def documented() -> set[tuple[str, str]]:
    found = set()
    for path in sorted((ROOT / "openapi").glob("*.yaml")):
        spec = yaml.safe_load(path.read_text())
        assert spec["openapi"].startswith("3.")
        for route, operations in spec["paths"].items():
            for method in operations:
                if method in {"get", "post", "put", "patch", "delete"}:
                    found.add((method.upper(), re.sub(r"\{[^}]+\}", "{}", route)))
    return found


def registered() -> set[tuple[str, str]]:
    from function_app import app

    routes = set()
    for function in collect_functions(app):
        for binding in function.get_bindings():
            raw = binding.get_dict_repr()
            if raw.get("type") == "httpTrigger":
                path = "/api/" + re.sub(r"\{[^}]+\}", "{}", str(raw["route"]))
                routes |= {(str(m).upper(), path) for m in raw.get("methods") or []}
    return routes


def test_every_http_route_is_in_an_openapi_file_and_nothing_else_is():
    assert registered() == documented()
    assert ("GET", "/api/drift") in registered() and ("GET", "/api/lineage") in registered()

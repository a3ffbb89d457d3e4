"""The architecture's rules, checked by walking the imports of every module under sync/ (docs/architecture.md).

- `sync/core` imports nothing of the app but itself: the engine knows no service and no feature.
- `sync/services` imports only core and services: a client returns its own types, never a feature's model.
- A feature imports another feature only through that feature's published API (`sync/features/<other>/api.py`).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sync.core.feature import Feature
from sync.features.registry import FEATURES, all_features, by_schedule, ordered

ROOT = Path(__file__).resolve().parents[2]
SYNC = ROOT / "sync"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every `sync.*` module a file imports (relative imports resolved), at any depth of the file."""
    tree = ast.parse(path.read_text())
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("sync")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            if base.startswith("sync"):
                found.add(base)
                found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


MODULES = {module_name(p): imports_of(p) for p in sorted(SYNC.rglob("*.py"))}


def violations(rule: str) -> list[str]:
    out = []
    for module, imported in MODULES.items():
        for name in sorted(imported):
            # `from package import name` where name is not a module: the package is what is imported
            target = name.rsplit(".", 1)[0] if name not in MODULES and name.rsplit(".", 1)[0] in MODULES else name
            if _breaks(rule, module, target):
                out.append(f"{module} imports {target}")
    return out


def _breaks(rule: str, module: str, target: str) -> bool:
    if rule == "core" and module.startswith("sync.core"):
        return not target.startswith("sync.core")
    if rule == "services" and module.startswith("sync.services"):
        return not target.startswith(("sync.core", "sync.services"))
    if rule == "features" and module.startswith("sync.features.") and target.startswith("sync.features."):
        mine, theirs = module.split(".")[2], target.split(".")[2]
        if mine in {"registry"} or theirs == mine:
            return False
        return target not in {f"sync.features.{theirs}.api", f"sync.features.{theirs}"}
    return False


@pytest.mark.parametrize("rule", ["core", "services", "features"])
def test_imports_follow_the_layering(rule):
    assert MODULES, "no modules found"
    assert violations(rule) == []


def test_the_walker_sees_a_forbidden_import():
    MODULES["sync.features.x.fake"] = {"sync.features.lineage.writer", "sync.features.lineage.api"}
    try:
        assert violations("features") == ["sync.features.x.fake imports sync.features.lineage.writer"]
    finally:
        del MODULES["sync.features.x.fake"]


def test_every_feature_folder_is_registered_and_declares_what_the_engine_needs():
    folders = {p.parent.name for p in (SYNC / "features").glob("*/feature.py")}
    registered = {cls.name for cls in FEATURES}
    assert folders == {module.split(".")[2] for module in (cls.__module__ for cls in FEATURES)}
    assert len(registered) == len(FEATURES)
    for feature in all_features():
        assert feature.settings_model is not None, feature.name
        assert feature.object_kind and feature.queue, feature.name


def test_features_are_planned_after_what_they_read():
    names = [f.name for f in all_features()]
    for feature in all_features():
        for dependency in feature.depends_on:
            assert names.index(dependency) < names.index(feature.name)
    schedules = {setting: [f.name for f in features] for setting, features in by_schedule().items()}
    main = schedules["SYNC_SCHEDULE"]
    assert main[0] == "datasources" and main.index("datasources") < main.index("dataproducts") < main.index("lineage")
    assert schedules["PIPELINE_AUTOMATION_SCHEDULE"] == ["pipelines", "pipeline_schedules"]


def test_dependency_cycles_and_unknown_dependencies_are_refused():
    def feature(name: str, *depends_on: str) -> Feature:
        made = FEATURES[0]()
        made.name, made.depends_on = name, depends_on  # type: ignore[misc]
        return made

    with pytest.raises(ValueError, match="cycle"):
        ordered([feature("a", "b"), feature("b", "a")])
    with pytest.raises(ValueError, match="unknown"):
        ordered([feature("a", "nowhere")])
    assert [f.name for f in ordered([feature("b", "a"), feature("a")])] == ["a", "b"]

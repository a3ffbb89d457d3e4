"""`make mutation`: mutmut over the core modules, then one score line and the mutants that survived.

Why a wrapper: mutmut runs pytest once per mutant (only the tests that reach the mutated function), and every
such session would start its own Azurite; here one Azurite is started for all of them (tests/conftest.py reads
`SYNC_TEST_AZURITE`). Which modules and tests: `[tool.mutmut]` in pyproject.toml; why each survivor that is left
is harmless: docs/testing.md. Results are cached in `mutants/` by mutmut: a second run re-tests only mutants of
changed code (`--fresh` starts over).

Usage: python -m tests.support.mutation [--fresh] [--max-children N] [mutant name globs…]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from devhost.azurite import start_azurite
from tests.conftest import SHARED_AZURITE

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = ROOT / "mutants"
EQUIVALENT_DOC = ROOT / "docs" / "testing.md"
KILLED = {"killed", "timeout", "caught by type check", "segfault"}
STATUS_BY_EXIT_CODE = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped"}
STATUS_BY_EXIT_CODE |= {36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout"}
STATUS_BY_EXIT_CODE |= {37: "caught by type check", -11: "segfault", -9: "segfault"}
EQUIVALENT_LINE = re.compile(r"^\|\s*`(sync\.[\w.]+__mutmut_\d+)`\s*\|")


def statuses() -> dict[str, str]:
    """Mutant name → status, from mutmut's per-file result files."""
    found: dict[str, str] = {}
    for meta in sorted((MUTANTS / "sync").rglob("*.py.meta")):
        exit_codes = json.loads(meta.read_text())["exit_code_by_key"]
        for name, code in exit_codes.items():
            found[name] = STATUS_BY_EXIT_CODE.get(code, "not checked" if code is None else "suspicious")
    return found


def documented_equivalents() -> set[str]:
    """Mutants that docs/testing.md lists as equivalent (a table row starting with the mutant's name)."""
    if not EQUIVALENT_DOC.exists():
        return set()
    return {m.group(1) for line in EQUIVALENT_DOC.read_text().splitlines() if (m := EQUIVALENT_LINE.match(line))}


def module_of(name: str) -> str:
    """`sync.core.guards.x_refusal__mutmut_3` → `sync.core.guards`."""
    return name.split(".x_", 1)[0].split(".xǁ", 1)[0]


def report(found: dict[str, str], equivalent: set[str]) -> tuple[int, int]:
    """Print per-module scores, the survivors, and the score line; (killed, total)."""
    unchecked = sorted(name for name, status in found.items() if status == "not checked")
    counted = {name: status for name, status in found.items() if name not in equivalent and status != "not checked"}
    per_module: dict[str, Counter[str]] = {}
    for name, status in counted.items():
        per_module.setdefault(module_of(name), Counter())[status] += 1
    print("\nper module (killed/total):")
    for module, counts in sorted(per_module.items()):
        total = sum(counts.values())
        killed = sum(counts[s] for s in KILLED)
        print(f"  {module:45} {100 * killed / total:5.1f}% ({killed}/{total})")
    survivors = sorted(name for name, status in counted.items() if status not in KILLED)
    if survivors:
        print(f"\nsurviving mutants ({len(survivors)}; see each with `.venv/bin/mutmut show NAME`):")
        for name in survivors:
            print(f"  {name}: {counted[name]}")
    stale = sorted(equivalent - set(found))
    if stale:
        print(f"\ndocs/testing.md lists {len(stale)} equivalent mutant(s) that no longer exist: {', '.join(stale)}")
    killed_equivalents = sorted(name for name in equivalent & set(found) if found[name] in KILLED)
    if killed_equivalents:
        # Names are numbered per function: after a change to the code, a listed name may be another mutation.
        listed = ", ".join(killed_equivalents)
        print(f"\ndocs/testing.md lists {len(killed_equivalents)} equivalent mutant(s) that tests kill: {listed}")
    killed = sum(1 for status in counted.values() if status in KILLED)
    total = len(counted)
    print(f"\nequivalent mutants (docs/testing.md, not counted): {len(equivalent & set(found))}")
    if unchecked:
        modules = Counter(module_of(name) for name in unchecked)
        listed = ", ".join(f"{module} {count}" for module, count in sorted(modules.items()))
        print(f"not checked yet (the run was stopped; `make mutation` goes on from here): {len(unchecked)}: {listed}")
    print(f"mutation score: {100 * killed / max(total, 1):.0f}% ({killed}/{total})")
    return killed, total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="forget mutmut's cached results first")
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutant runs (default 2: the cores)")
    parser.add_argument("--report-only", action="store_true", help="print the score of the last run")
    parser.add_argument("names", nargs="*", help="mutant names or globs to (re)test, e.g. 'sync.core.guards*'")
    args = parser.parse_args()
    if args.fresh and MUTANTS.exists():
        shutil.rmtree(MUTANTS)
    started = time.monotonic()
    if not args.report_only:
        azurite = start_azurite()
        env = {**os.environ, SHARED_AZURITE: ",".join([azurite.blob_url, azurite.queue_url, azurite.table_url])}
        try:
            command = [str(Path(sys.executable).with_name("mutmut")), "run", "--max-children", str(args.max_children)]
            run = subprocess.run([*command, *args.names], cwd=ROOT, env=env, check=False)
        finally:
            azurite.stop()
        if run.returncode != 0:
            print(f"mutmut failed (exit {run.returncode})", file=sys.stderr)
            return run.returncode
    _, total = report(statuses(), documented_equivalents())
    if not args.report_only:
        print(f"run time: {time.monotonic() - started:.0f}s")
    return 0 if total else 1


if __name__ == "__main__":
    sys.exit(main())

"""Run benchmarks and print their figures: `python -m bench` (all) or `python -m bench <name> [args...]`.

Each benchmark is a module `bench/<name>.py` with a `main(argv: list[str]) -> None` that prints its figures.
Benchmarks are never timed assertions in tests; they are measurements a person reads and quotes.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    """Benchmark module names under bench/."""
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))


def main() -> None:
    """Dispatch to one benchmark, or run all of them in turn."""
    names = available()
    if len(sys.argv) > 1:
        name, args = sys.argv[1], sys.argv[2:]
        if name not in names:
            raise SystemExit(f"unknown benchmark {name!r}; available: {', '.join(names)}")
        importlib.import_module(f"bench.{name}").main(args)
        return
    for name in names:
        print(f"\n=== bench {name} ===", flush=True)
        importlib.import_module(f"bench.{name}").main([])


if __name__ == "__main__":
    main()

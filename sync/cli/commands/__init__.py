"""The CLI's commands, grouped by what an operator does; importing this package registers them on `cli`."""

from sync.cli.commands import admin, check, drift, plans, runs

__all__ = ["admin", "check", "drift", "plans", "runs"]

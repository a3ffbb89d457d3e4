"""`cluedin-purview-sync` (also `python -m sync`): the command group, its global options and error handling.

Every problem ends in one line on stderr naming what is wrong and how to fix it, and exit code 2 (usage or
configuration) or 1 (the command ran and found a problem: a ✗ in `check`, a refused plan, failed changes). A
traceback is shown only with `--debug`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from azure.core.exceptions import AzureError, ClientAuthenticationError
from requests import RequestException

from sync.cli.output import FORMATS, Output
from sync.cli.session import CliError, Session
from sync.core.errors import SettingsError, SyncError

PROG = "cluedin-purview-sync"


@dataclass
class Cli:
    """What every command gets: the app session and the output."""

    session: Session
    out: Output
    debug: bool

    def confirm(self, question: str, *, yes: bool) -> None:
        """Ask before a write people may regret; `--yes` answers for scripts (no terminal: refuse)."""
        if yes:
            return
        if not sys.stdin.isatty():
            raise CliError(f"{question.rstrip('?')}: confirm with --yes (there is no terminal to ask)")
        if not click.confirm(question, default=False, err=True):
            raise CliError("cancelled; nothing was changed", code=1)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.option(
    "--settings",
    "settings_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="App Settings: local.settings.json or `az functionapp config appsettings list` output "
    "(default: ./local.settings.json, then the environment).",
)
@click.option("-o", "--output", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.pass_context
def cli(ctx: click.Context, settings_path: Path | None, fmt: str, debug: bool) -> None:
    """Operate the Purview ⇄ CluedIn sync: check, plan, apply, runs, rollback, drift, poison, state, dry-run."""
    ctx.obj = Cli(Session(settings_path), Output(fmt), debug)


def _hint(exc: BaseException) -> str:
    """One line for an error that escaped a command."""
    if isinstance(exc, ClientAuthenticationError):
        return f"cannot authenticate to Azure ({type(exc).__name__}): run `az login`, or set AZURE_CLIENT_ID/SECRET"
    if isinstance(exc, AzureError):
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"storage is unreachable or refused the call ({first}): check AzureWebJobsStorage (local: `make up`)"
    if isinstance(exc, RequestException):
        return f"a service is unreachable ({type(exc).__name__}): check its URL setting (local: `make up`)"
    return f"unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)"


GLOBAL_WITH_VALUE = ("--settings", "-o", "--output")


def global_options_first(args: list[str]) -> list[str]:
    """Move the global options to the front, so `plan -o json` works like `-o json plan`."""
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest += args[index:]
            break
        if arg in GLOBAL_WITH_VALUE and index + 1 < len(args):
            front += [arg, args[index + 1]]
            index += 2
            continue
        if arg == "--debug" or (arg.split("=", 1)[0] in GLOBAL_WITH_VALUE and "=" in arg):
            front.append(arg)
        else:
            rest.append(arg)
        index += 1
    return front + rest


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script's entry point)."""
    from sync.cli import commands  # noqa: F401 - registers the commands on `cli`

    args = global_options_first(list(sys.argv[1:] if argv is None else argv))
    debug = "--debug" in args
    try:
        result: Any = cli.main(args=args, prog_name=PROG, standalone_mode=False)
        return int(result or 0)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("error: cancelled", err=True)
        return 1
    except click.UsageError as exc:
        where = f"{PROG} {exc.ctx.command_path.split(' ', 1)[1]}" if exc.ctx and " " in exc.ctx.command_path else PROG
        click.echo(f"error: {exc.format_message()} (see `{where} --help`)", err=True)
        return 2
    except CliError as exc:
        if debug:
            raise
        click.echo(f"error: {exc}", err=True)
        return exc.code
    except (SettingsError, SyncError) as exc:
        if debug:
            raise
        click.echo(f"error: {exc}", err=True)
        return 2
    except Exception as exc:
        if debug:
            raise
        click.echo(f"error: {_hint(exc)}", err=True)
        return 2


if __name__ == "__main__":
    sys.exit(main())

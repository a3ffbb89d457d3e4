"""How commands print: rich tables for people, JSON or CSV for scripts (`--output`).

Results go to stdout; progress, prompts and notes go to stderr, so `--output json|csv` stays machine-readable.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

FORMATS = ("table", "json", "csv")
WIDTH_WITHOUT_TERMINAL = 200
"""Tables piped to a file or another program are not squeezed to 80 columns."""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, default=str, sort_keys=True)
    return str(value)


class Output:
    """One command's output in the chosen format."""

    def __init__(self, fmt: str = "table") -> None:
        self.format = fmt
        self.out = Console(highlight=False)
        if not self.out.is_terminal:
            self.out = Console(highlight=False, width=WIDTH_WITHOUT_TERMINAL)
        self.err = Console(stderr=True, highlight=False, width=None if self.out.is_terminal else WIDTH_WITHOUT_TERMINAL)

    def note(self, text: str) -> None:
        """A line for people (stderr), also in JSON/CSV mode."""
        self.err.print(text, markup=False)

    def rows(self, columns: Sequence[str], rows: Sequence[Mapping[str, Any]], *, title: str | None = None) -> None:
        """A list of records."""
        if self.format == "json":
            print(json.dumps([{c: r.get(c) for c in columns} for r in rows], default=str, indent=2))
        elif self.format == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([[_cell(r.get(c)) for c in columns] for r in rows])
            sys.stdout.write(buffer.getvalue())
        else:
            table = Table(title=title, title_justify="left", show_lines=False)
            for column in columns:
                table.add_column(column, overflow="fold")
            for row in rows:
                table.add_row(*(_cell(row.get(c)) for c in columns))
            self.out.print(table)

    def document(
        self, doc: Mapping[str, Any], *, rows: Sequence[Mapping[str, Any]] = (), columns: Sequence[str] = ()
    ) -> None:
        """One record (and optionally its detail rows): JSON prints it whole; table/CSV print fields then rows."""
        if self.format == "json":
            print(json.dumps({**doc, **({"items": list(rows)} if columns else {})}, default=str, indent=2))
            return
        if self.format == "csv":
            self.rows(columns or list(doc), rows if columns else [doc])
            return
        table = Table(show_header=False, box=None)
        table.add_column(style="bold")
        table.add_column(overflow="fold")
        for key, value in doc.items():
            table.add_row(key, _cell(value))
        self.out.print(table)
        if columns:
            self.rows(columns, rows)

    @contextmanager
    def progress(self, label: str, total: int) -> Iterator[Any]:
        """A progress bar on stderr (silent when stderr is not a terminal); yields `advance(done)`."""
        if not self.err.is_terminal:
            yield lambda done: None
            return
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=self.err, transient=False) as bar:
            task = bar.add_task(label, total=total)
            yield lambda done: bar.update(task, completed=done)

"""`poison`, `state` and `dry-run`: the operator's hands on queues, state rows and the dry-run switch."""

from __future__ import annotations

import getpass
from typing import Any

import click
from azure.core.exceptions import ResourceNotFoundError

from sync.cli.commands.common import FEATURE, QUEUE, yes_option
from sync.cli.main import Cli, cli
from sync.cli.session import CliError
from sync.core.errors import MalformedMessageError
from sync.core.messages import Queues, parse_message
from sync.core.state import encode_key
from sync.core.state.rows import quoted
from sync.core.storage import base64_queue
from sync.core.switches import dry_run_state, set_dry_run

PEEK_LIMIT = 32


def _poison(app: Cli, queue: str) -> Any:
    ctx = app.session.context()
    return base64_queue(ctx.queues.service, ctx.queues.name(f"{queue}-poison"))


def _describe(text: str) -> dict[str, Any]:
    try:
        message = parse_message(text)
    except MalformedMessageError as exc:
        return {"feature": "", "run_id": "", "changes": "", "problem": str(exc)}
    keys = ", ".join(f"{c.kind} {c.key}" for c in message.changes)
    return {"feature": message.changes[0].feature, "run_id": message.run_id, "changes": keys, "problem": ""}


@cli.group()
def poison() -> None:
    """Messages the app could not apply (`<queue>-poison`): list, show, replay."""


@poison.command("list")
@click.argument("queue", required=False, type=QUEUE)
@click.pass_obj
def poison_list(app: Cli, queue: str | None) -> int:
    """Waiting poison messages per queue (the first 32 of each are described)."""
    rows = []
    for name in [queue] if queue else [q.value for q in Queues]:
        client = _poison(app, name)
        try:
            peeked = client.peek_messages(max_messages=PEEK_LIMIT)
        except ResourceNotFoundError:
            continue
        for message in peeked:
            rows.append(
                {"queue": name, "id": message.id, "inserted": message.inserted_on, **_describe(message.content)}
            )
    app.out.rows(["queue", "id", "inserted", "feature", "run_id", "changes", "problem"], rows, title="Poison messages")
    return 0


@poison.command("show")
@click.argument("queue", type=QUEUE)
@click.argument("message_id", required=False)
@click.pass_obj
def poison_show(app: Cli, queue: str, message_id: str | None) -> int:
    """The bodies of a queue's poison messages (or of one, by id)."""
    try:
        peeked = list(_poison(app, queue).peek_messages(max_messages=PEEK_LIMIT))
    except ResourceNotFoundError:
        peeked = []
    chosen = [m for m in peeked if message_id in (None, m.id)]
    if message_id and not chosen:
        raise CliError(
            f"no poison message {message_id} among the first {PEEK_LIMIT} of {queue}: see `poison list {queue}`", code=1
        )
    app.out.rows(
        ["id", "inserted", "body"], [{"id": m.id, "inserted": m.inserted_on, "body": m.content} for m in chosen]
    )
    return 0


@poison.command("replay")
@click.argument("queue", type=QUEUE)
@yes_option
@click.pass_obj
def poison_replay(app: Cli, queue: str, yes: bool) -> int:
    """Send a queue's poison messages back to the queue (after fixing what made them fail)."""
    ctx = app.session.context()
    client = _poison(app, queue)
    app.confirm(f"Send the poison messages of {queue} back to {ctx.queues.name(queue)}?", yes=yes)
    replayed = 0
    try:
        while batch := list(client.receive_messages(max_messages=PEEK_LIMIT, visibility_timeout=300)):
            for message in batch:
                ctx.queues.send(queue, message.content)
                client.delete_message(message)
                replayed += 1
    except ResourceNotFoundError:
        pass
    app.out.rows(["queue", "replayed"], [{"queue": queue, "replayed": replayed}])
    return 0


@cli.group()
def state() -> None:
    """The app's state rows per feature (Meltano's `state list/clear`)."""


@state.command("list")
@click.argument("feature", required=False, type=FEATURE)
@click.pass_obj
def state_list(app: Cli, feature: str | None) -> int:
    """State rows per feature: objects by status, cursors, the last run that wrote."""
    ctx = app.session.context()
    rows = []
    for chosen in [app.session.features[feature]] if feature else app.session.features.values():
        objects = list(ctx.state.iter_objects(chosen.object_kind))
        by_status: dict[str, int] = {}
        for obj in objects:
            by_status[obj.status] = by_status.get(obj.status, 0) + 1
        cursors = _cursor_keys(ctx, chosen.name)
        newest = max(objects, key=lambda o: o.updated_at.isoformat() if o.updated_at else "", default=None)
        rows.append(
            {
                "feature": chosen.name,
                "object_kind": chosen.object_kind,
                "objects": len(objects),
                "by_status": by_status,
                "cursors": ", ".join(cursors),
                "last_written_by": newest.last_run_id if newest else "",
            }
        )
    app.out.rows(["feature", "object_kind", "objects", "by_status", "cursors", "last_written_by"], rows, title="State")
    return 0


def _cursor_keys(ctx: Any, partition: str) -> list[str]:
    pk = quoted(encode_key(partition))
    return [str(e["RowKey"]) for e in ctx.state.cursors.query_entities(f"PartitionKey eq '{pk}'", select=["RowKey"])]


@state.command("reset")
@click.argument("feature", type=FEATURE)
@yes_option
@click.pass_obj
def state_reset(app: Cli, feature: str, yes: bool) -> int:
    """Forget FEATURE's state rows and cursors: the next cycle plans everything again (writes are upserts)."""
    ctx = app.session.context()
    chosen = app.session.features[feature]
    keys = [obj.key for obj in ctx.state.iter_objects(chosen.object_kind)]
    cursors = _cursor_keys(ctx, feature)
    app.confirm(f"Delete {len(keys)} state row(s) and {len(cursors)} cursor(s) of {feature}?", yes=yes)
    ctx.state.remove_many(chosen.object_kind, keys)
    partition = encode_key(feature)
    ctx.state.submit(ctx.state.cursors, [("delete", {"PartitionKey": partition, "RowKey": k}) for k in cursors])
    app.out.rows(
        ["feature", "rows_deleted", "cursors_deleted"],
        [{"feature": feature, "rows_deleted": len(keys), "cursors_deleted": len(cursors)}],
    )
    return 0


@cli.command("dry-run")
@click.argument("switch", required=False, type=click.Choice(["on", "off"]))
@click.pass_obj
def dry_run(app: Cli, switch: str | None) -> int:
    """Show the dry-run mode, or switch it on/off (read by every cycle: no redeploy; SYNC_DRY_RUN=true wins)."""
    ctx = app.session.context()
    if switch is not None:
        set_dry_run(ctx.state, switch == "on", by=getpass.getuser())
    current = dry_run_state(ctx.engine, ctx.state)
    app.out.document({"dry_run": "on" if current.dry_run else "off", "because": current.reason})
    if switch == "off" and current.dry_run:
        app.out.note("the app setting SYNC_DRY_RUN=true still wins: set it to false (or remove it) in the app settings")
        return 1
    return 0

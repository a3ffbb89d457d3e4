"""Queue messages: one planned change each, small, versioned, base64 on the wire.

A message carries ids and the desired state of one object, never a whole snapshot, so it stays far below the
64 KB queue limit (48 KB after base64). The Functions host base64-decodes trigger messages by default
(host.json `messageEncoding: base64`), so producers must encode; an un-decodable message goes straight to
`<queue>-poison`. A message the app cannot parse, or of a version it does not know, is moved to poison by the
app itself with its reason, instead of being retried five times.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sync.core.errors import MalformedMessageError

MAX_MESSAGE_BYTES = 48 * 1024
MESSAGE_VERSION = 1


class Queues(StrEnum):
    """Queues by the kind of write they carry (each has its own queue function).

    The values are suffixes: a deployment's queue is `<SYNC_QUEUE_PREFIX>-<suffix>` (default `sync-cluedin`, …),
    so deployments sharing a storage account never consume each other's messages.
    """

    PURVIEW_ENTITIES = "purview-entities"
    PURVIEW_LINEAGE = "purview-lineage"
    GLOSSARY = "glossary"
    CLUEDIN = "cluedin"
    DATA_FACTORY = "datafactory"


def queue_name(prefix: str, queue: str) -> str:
    """The Storage queue a deployment uses for one kind of write."""
    return f"{prefix}-{queue}"


class ChangeKind(StrEnum):
    """What a change does to its object."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class Change(BaseModel):
    """One planned change to one object, keyed deterministically so re-planning yields the same key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    feature: str
    object_kind: str
    key: str
    kind: ChangeKind
    desired: dict[str, Any] = Field(default_factory=dict)
    fingerprint: str = ""
    summary: str = ""


class ChangeMessage(BaseModel):
    """Changes on their way to an applier, with the run they belong to.

    Usually one change; features that write in bulk (lineage) get several per message so one bulk call can
    carry them (see `pack_messages`).
    """

    model_config = ConfigDict(extra="forbid")

    v: Literal[1] = 1
    run_id: str
    planned_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    changes: list[Change] = Field(min_length=1)
    requeued: int = Field(0, ge=0)
    """How often the app sent this message again because another invocation was busy with its objects."""

    def requeue(self) -> ChangeMessage:
        """The same changes, sent again after contention."""
        return self.model_copy(update={"requeued": self.requeued + 1})

    def to_json(self) -> str:
        """Wire form (before base64), refusing anything that would not fit in a queue message."""
        text = self.model_dump_json()
        if len(text.encode()) > MAX_MESSAGE_BYTES:
            first = self.changes[0]
            raise ValueError(
                f"change {first.feature}/{first.key} is {len(text.encode())} bytes; messages must stay under "
                f"{MAX_MESSAGE_BYTES} (keep desired state small, put bulk data in state)"
            )
        return text


@dataclass(frozen=True)
class Packed:
    """One message's text, and whether it continues a group begun in the message before it."""

    text: str
    continues: bool = False


def iter_messages(
    run_id: str,
    changes: Iterable[Change],
    *,
    max_changes: int,
    group: Callable[[Change], str | None] | None = None,
) -> Iterator[str]:
    """The texts of `pack` (see there), one message at a time."""
    for packed in pack(run_id, list(changes), max_changes=max_changes, group=group):
        yield packed.text


def pack_messages(
    run_id: str,
    changes: Iterable[Change],
    *,
    max_changes: int,
    group: Callable[[Change], str | None] | None = None,
) -> list[str]:
    """All messages for a list of changes (see `pack`)."""
    return list(iter_messages(run_id, changes, max_changes=max_changes, group=group))


def pack(
    run_id: str,
    changes: list[Change],
    *,
    max_changes: int,
    group: Callable[[Change], str | None] | None = None,
) -> list[Packed]:
    """Pack consecutive changes into as few messages as the size limit and `max_changes` allow.

    Order is kept, so a feature that plans related changes next to each other gets them in the same message.
    With `group`, consecutive changes of one group (a parent term and its children, say) are not split across
    messages when the whole group fits in one: a group that does not fit in the current message starts a new one.
    Only a group larger than a message is split; its later messages are marked `continues` (their changes may
    need what the first one creates, so the engine sends them a moment later).
    """
    if not changes:
        return []
    runs: list[list[int]] = []
    previous: str | None = None
    for index, change in enumerate(changes):
        name = group(change) if group is not None else None
        if runs and name is not None and name == previous:
            runs[-1].append(index)
        else:
            runs.append([index])
        previous = name
    # Sizes are added up rather than serialising every candidate message: a message is its envelope plus its
    # changes' JSON joined by commas. Every message of the plan carries the one planning time measured here, so
    # the envelope is the same to the byte in each.
    sizes = [len(change.model_dump_json().encode()) for change in changes]
    first = ChangeMessage(run_id=run_id, changes=changes[:1])
    planned_at = first.planned_at
    envelope = len(first.model_dump_json().encode()) - sizes[0]

    def fits(count: int, size: int) -> bool:
        return count <= max_changes and envelope + size + count - 1 <= MAX_MESSAGE_BYTES

    batches: list[tuple[list[int], bool]] = []
    batch: list[int] = []
    batch_size = 0
    continues = False
    for run in runs:
        run_size = sum(sizes[i] for i in run)
        if batch and fits(len(batch) + len(run), batch_size + run_size):
            batch, batch_size = [*batch, *run], batch_size + run_size
            continue
        for index in run:  # the run starts a message of its own, and is split only if no message holds it
            if batch and index != run[0] and fits(len(batch) + 1, batch_size + sizes[index]):
                batch, batch_size = [*batch, index], batch_size + sizes[index]
                continue
            if batch:
                batches.append((batch, continues))
            batch, batch_size, continues = [index], sizes[index], index != run[0]
    batches.append((batch, continues))
    return [
        Packed(ChangeMessage(run_id=run_id, planned_at=planned_at, changes=[changes[i] for i in b]).to_json(), more)
        for b, more in batches
    ]


def parse_message(body: bytes | str) -> ChangeMessage:
    """Parse a trigger message body (already base64-decoded by the host).

    Raises:
        MalformedMessageError: not UTF-8, not JSON (or nested too deeply to parse), not a change message, or an
            unknown version. The reason names the problem, never the message's content.
    """
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedMessageError(
                f"message is not UTF-8 text (byte {body[exc.start]:#04x} at position {exc.start} of {len(body)})"
            ) from None
    else:
        text = body
    try:
        raw = json.loads(text)
    except RecursionError:
        raise MalformedMessageError("message is not JSON: nested too deeply") from None
    except ValueError as exc:
        raise MalformedMessageError(f"message is not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise MalformedMessageError("message is not a JSON object")
    if raw.get("v") != MESSAGE_VERSION:
        raise MalformedMessageError(
            f"unknown message version {repr(raw.get('v'))[:40]} (this app reads v{MESSAGE_VERSION})"
        )
    try:
        return ChangeMessage.model_validate(raw)
    except RecursionError:
        raise MalformedMessageError("message does not match the change schema: nested too deeply") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10])
        raise MalformedMessageError(f"message does not match the change schema: {problems}") from None

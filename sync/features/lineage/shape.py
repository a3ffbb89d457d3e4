"""Which lineage shape a deployment draws: CluedIn's 2025 processing pipeline, or the classic 2023/24 shape.

`PURVIEW_LINEAGE_SHAPE` decides when it is set. When it is not (the generated deployment settings leave it
empty), the deployment keeps the shape it has: the last shape applied is a cursor (`lineage` / `shape`), and a
deployment that wrote lineage before the setting existed has lineage rows but no cursor — it drew the classic shape,
so it keeps it. Only a deployment with no lineage at all starts with the pipeline shape. So an upgrade never
redraws anyone's lineage; switching is a deliberate change of the setting, planned like any other change (what
goes, what comes) and held back by the delete fail-safe when it would remove much at once.

Only reads: the cursor write is pending state, committed by the engine after the cycle's changes are enqueued.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from sync.core.errors import RetriableError
from sync.core.state import StateStore

CURSOR_FEATURE = "lineage"
CURSOR_NAME = "shape"


class LineageShape(StrEnum):
    """The two lineage shapes CluedIn's own integration has drawn."""

    PIPELINE = "pipeline"
    CLASSIC = "classic"


WHAT_EACH_DRAWS = {
    LineageShape.CLASSIC: "Map to Entity processes from each mapped data set to its entity type",
    LineageShape.PIPELINE: (
        "Annotation, '<data set> - mapping' and Generate Clue for each mapped data set, the Processing Pipeline, "
        "Process Entities, Processed Entities and a Golden Record process per entity type"
    ),
}


def _nothing() -> None:
    return None


@dataclass
class ShapeDecision:
    """The shape of this cycle, why, and the cursor write that records it."""

    shape: LineageShape
    previous: LineageShape | None
    """What the deployment drew until now (None: no lineage yet)."""
    reason: str
    store: Callable[[], None] = _nothing
    notes: list[str] = field(default_factory=list)


def decide_shape(state: StateStore, configured: LineageShape | None, *, lineage_kind: str) -> ShapeDecision:
    """The shape to draw (see the module docstring). Only reads."""
    value, etag = state.get_cursor(CURSOR_FEATURE, CURSOR_NAME)
    recorded = value.get("shape") if isinstance(value, dict) else None
    previous = LineageShape(recorded) if recorded in {s.value for s in LineageShape} else None
    if previous is None and state.has_objects(lineage_kind):
        previous = LineageShape.CLASSIC  # written before the setting existed: only the classic shape did
    if configured is not None:
        shape, reason = configured, "PURVIEW_LINEAGE_SHAPE"
    elif previous is not None:
        shape, reason = previous, "kept: the shape this deployment's lineage has (PURVIEW_LINEAGE_SHAPE unset)"
    else:
        shape, reason = LineageShape.PIPELINE, "a new deployment's default (PURVIEW_LINEAGE_SHAPE unset)"
    decision = ShapeDecision(shape, previous, reason)
    if recorded != shape.value:

        def store() -> None:
            with contextlib.suppress(RetriableError):  # another host recorded the same decision meanwhile
                state.set_cursor(CURSOR_FEATURE, CURSOR_NAME, {"shape": shape.value}, etag=etag)

        decision.store = store
        if previous is not None and previous != shape:
            decision.notes.append(
                f"lineage shape changes from {previous} to {shape} ({reason}): {WHAT_EACH_DRAWS[previous]} go; "
                f"{WHAT_EACH_DRAWS[shape]} come"
            )
        else:
            decision.notes.append(f"lineage shape: {shape} ({reason})")
    return decision

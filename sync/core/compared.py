"""Features whose plan is the shared create/update/delete comparison, from whole mappings or in storage order.

Such a feature says only how a change is built (`make_change`) and how its rows are compared (`diff_options`,
`diff.iter_diff`'s options); `plan` and `plan_ordered` are then the same decision taken over two mappings or over
pairs read in storage order, so they cannot drift apart.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sync.core.diff import diff, iter_ordered_diff
from sync.core.feature import Feature
from sync.core.messages import Change, ChangeKind
from sync.core.settings import Settings
from sync.core.state import SyncObject


class ComparedFeature(Feature):
    """A feature planned by `diff.iter_diff`'s comparison (either entry point)."""

    @abstractmethod
    def make_change(self, kind: ChangeKind, key: str, desired: dict[str, Any]) -> Change:
        """A change with its summary (the feature's `change`)."""

    def diff_options(self, settings: Settings) -> dict[str, Any]:
        """`iter_diff`'s options for this feature (default: none)."""
        return {}

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: Settings
    ) -> list[Change]:
        """The comparison over whole mappings."""
        return diff(snapshot, state, self.make_change, **self.diff_options(settings))

    def plan_ordered(
        self,
        pairs: Iterable[tuple[str, dict[str, Any] | None, SyncObject | None]],
        settings: Settings,
        *,
        seen: Mapping[str, dict[str, Any]] | None = None,
    ) -> Iterator[Change]:
        """The same comparison, pair by pair in storage order: neither side is held whole."""
        return iter_ordered_diff(pairs, self.make_change, **self.diff_options(settings))

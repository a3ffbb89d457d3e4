"""How one tick runs its features: side by side, except where one reads what another publishes.

A tick used to plan its features one after another, so the last of thirteen features on `SYNC_SCHEDULE` waited
for every earlier one's reads, and the queue listeners idled while a slow reader (crawler history, a large
lineage estate) held back features that had nothing to do with it. Planning is mostly waiting on services, so the
tick now plans up to `SYNC_TICK_PARALLEL_FEATURES` features at once. A feature still starts only after every
feature of the tick it `depends_on` has finished (its rows published, its changes queued), which keeps the
registry's promise that a new asset reaches lineage in the same minute.

Each feature plans with its own view of the tick's context (`SyncContext.for_feature`): the clients, change
feeds and shared reads are the tick's, the feature name is its own. Each runs in a copy of the caller's context
variables, so its telemetry span has the invocation's parent and its call counters are its own. The operator's
plan review (`plan_hook`) sees plans one at a time, in order, as before.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait

from sync.core.feature import Feature, SyncContext
from sync.core.report import RunReport

RunOne = Callable[[Feature, SyncContext], RunReport]


def plan_features(features: Sequence[Feature], ctx: SyncContext, run_one: RunOne, parallel: int) -> list[RunReport]:
    """Run `run_one` for each feature (in dependency order already), up to `parallel` at once; reports in order."""
    if parallel <= 1 or len(features) <= 1 or ctx.plan_hook is not None:
        return [run_one(feature, ctx.for_feature(feature.name)) for feature in features]
    started: dict[str, Future[RunReport]] = {}
    with ThreadPoolExecutor(max_workers=min(parallel, len(features)), thread_name_prefix="tick") as pool:
        for feature in features:
            # Dependencies were submitted earlier and the pool starts work in submission order, so a feature
            # waiting for one never holds the only worker its dependency needs.
            needs = [started[name] for name in feature.depends_on if name in started]
            task = _after(needs, feature, ctx.for_feature(feature.name), run_one)
            started[feature.name] = pool.submit(contextvars.copy_context().run, task)
        return [started[feature.name].result() for feature in features]


def _after(
    needs: Sequence[Future[RunReport]], feature: Feature, ctx: SyncContext, run_one: RunOne
) -> Callable[[], RunReport]:
    def task() -> RunReport:
        wait(needs)  # a dependency that could not plan still lets this one run, as in a sequential tick
        return run_one(feature, ctx)

    return task

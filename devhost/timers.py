"""Timer triggers: fire on schedule, one invocation at a time per timer, `run_on_startup`, `past_due`.

The host's timer listener is a singleton with a non-repeating timer restarted after each run, so runs of one
timer never overlap; the next occurrence is computed from when the previous run started, so a run longer
than the period is followed at once by the next one (later occurrences are skipped, not queued up). The
runner below keeps those rules. A run that starts later than its scheduled second gets `past_due = True`.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo

from azure.functions import meta
from azure.functions.timer import TimerRequest, TimerRequestConverter

from devhost.invocation import InvocationResult, Invoker
from devhost.ncrontab import Schedule, next_occurrences
from devhost.registry import TimerFunction
from devhost.timer_monitor import ScheduleMonitor, ScheduleStatus

log = logging.getLogger("devhost.timers")

# A run that starts more than this after its scheduled time is reported as past due.
PAST_DUE_TOLERANCE = timedelta(seconds=1)


def build_timer_request(*, past_due: bool, status: ScheduleStatus | None) -> TimerRequest:
    """A `TimerRequest` decoded from the JSON payload the host sends to the worker."""
    payload = {
        "Schedule": {"AdjustForDST": True},
        "ScheduleStatus": status.to_json() if status is not None else None,
        "IsPastDue": past_due,
    }
    request: TimerRequest = TimerRequestConverter.decode(meta.Datum(json.dumps(payload), "json"), trigger_metadata={})
    return request


class TimerRunner:
    """Runs one timer function: on demand (`run_now`) and, once started, on its schedule."""

    def __init__(
        self,
        spec: TimerFunction,
        schedule: Schedule,
        invoker: Invoker,
        *,
        time_zone: tzinfo,
        monitor: ScheduleMonitor | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.spec = spec
        self.schedule = schedule
        self._invoker = invoker
        self._tz = time_zone
        self.monitor = monitor
        self._clock = clock or (lambda: datetime.now(self._tz))
        self._invocation_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.status = ScheduleStatus(last=None, next=schedule.next_after(self._clock()), last_updated=None)

    @property
    def name(self) -> str:
        """The function's name."""
        return self.spec.name

    @property
    def busy(self) -> bool:
        """True while an invocation of this timer runs."""
        return self._invocation_lock.locked()

    def run_now(self, *, reason: str = "Manual", past_due: bool = False) -> InvocationResult:
        """Invoke once, waiting for any run in progress to end first (runs of a timer never overlap)."""
        with self._invocation_lock:
            started = self._clock()
            request = build_timer_request(past_due=past_due, status=self.status if self.monitor else None)
            result = self._invoker.invoke(self.spec, request, trigger="timer", reason=reason)
            self._record_run(started, scheduled=reason == "Timer")
            return result

    def _record_run(self, invocation_time: datetime, *, scheduled: bool) -> None:
        # A scheduled run that woke a little early counts from its scheduled time, so the same occurrence
        # is not chosen again.
        anchor = invocation_time
        if scheduled and self.status.next > invocation_time:
            anchor = self.status.next
        self.status = ScheduleStatus(last=anchor, next=self.schedule.next_after(anchor), last_updated=anchor)
        if self.monitor is not None:
            try:
                self.monitor.write(self.name, self.status)
            except Exception:
                log.exception("Could not store the schedule status of timer '%s'", self.name)

    def start(self) -> None:
        """Begin the schedule in a background thread (handles run_on_startup and missed runs first)."""
        if self._thread is not None:
            raise RuntimeError(f"timer {self.name} already started")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"devhost-timer-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop scheduling and wait (bounded) for a run in progress."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            self._thread = None

    def _run(self) -> None:
        now = self._clock()
        past_due = False
        if self.monitor is not None:
            try:
                self.status, past_due = self.monitor.check_past_due(self.name, now, self.schedule)
            except Exception:
                log.exception("Could not read the schedule status of timer '%s'; monitoring it is off", self.name)
                self.monitor = None
        else:
            self.status = ScheduleStatus(last=None, next=self.schedule.next_after(now), last_updated=None)
        upcoming = ", ".join(moment.isoformat() for moment in next_occurrences(self.schedule, now))
        log.info(
            "The next 5 occurrences of the '%s' schedule (%s) will be: %s", self.name, self.schedule.text, upcoming
        )
        if past_due:
            log.info("Function 'Functions.%s' is past due on startup. Executing now.", self.name)
            self.run_now(reason="IsPastDue", past_due=True)
        elif self.spec.run_on_startup:
            log.info("Function 'Functions.%s' is configured to run on startup. Executing now.", self.name)
            self.run_now(reason="RunOnStartup")
        while not self._stop.is_set():
            scheduled = self.status.next
            delay = (scheduled - self._clock()).total_seconds()
            if delay > 0 and self._stop.wait(delay):
                break
            late = self._clock() - scheduled > PAST_DUE_TOLERANCE
            try:
                self.run_now(reason="Timer", past_due=late)
            except Exception:
                # Like the host: an error never stops the schedule.
                log.exception("Error occurred during scheduled invocation for '%s'.", self.name)

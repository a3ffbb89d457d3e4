"""What a `func.FunctionApp` declares, read exactly once per app object.

`FunctionApp.get_functions()` validates function names with state that survives the call, so a second call on
the same app raises "does not have a unique function name". Everything that needs the function list — the
local host, tests, the demo — goes through `collect_functions`, which caches the result per app object.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import azure.functions as func

ALL_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE")

_cache_lock = threading.Lock()
_cache: dict[int, tuple[object, list[func.Function]]] = {}


class RegistryError(ValueError):
    """The app cannot be loaded, or declares something the local host cannot run."""


def collect_functions(app: func.FunctionApp) -> list[func.Function]:
    """`app.get_functions()`, called at most once per app object; later calls return the same list."""
    with _cache_lock:
        cached = _cache.get(id(app))
        if cached is not None and cached[0] is app:
            return list(cached[1])
        functions = list(app.get_functions())
        # The app object is kept alive by the cache so its id cannot be reused by another app.
        _cache[id(app)] = (app, functions)
        return list(functions)


@dataclass(frozen=True)
class FunctionSpec:
    """One function as the host sees it: name, trigger binding, and how to call the Python code."""

    name: str
    user_function: Callable[..., Any]
    arg_name: str
    binding: Mapping[str, Any] = field(repr=False)

    @property
    def is_async(self) -> bool:
        """`async def` functions run on the worker's event loop; plain ones on its thread pool."""
        return inspect.iscoroutinefunction(self.user_function)

    @property
    def wants_context(self) -> bool:
        """The worker passes `context` to functions that declare a parameter of that name."""
        return "context" in inspect.signature(self.user_function).parameters and self.arg_name != "context"

    @property
    def trigger_type(self) -> str:
        """`timerTrigger`, `queueTrigger`, `httpTrigger`, `eventHubTrigger` (or whatever else the app declares)."""
        return str(self.binding.get("type", ""))


@dataclass(frozen=True)
class TimerFunction(FunctionSpec):
    """A `@timer_trigger` function; `schedule` may still contain `%SETTING%` references."""

    schedule: str = ""
    run_on_startup: bool = False
    use_monitor: bool | None = None


@dataclass(frozen=True)
class QueueFunction(FunctionSpec):
    """A `@queue_trigger` function; `queue_name` may still contain `%SETTING%` references."""

    queue_name: str = ""
    connection: str = "AzureWebJobsStorage"


@dataclass(frozen=True)
class HttpFunction(FunctionSpec):
    """A `@route` function: route template (relative to the route prefix), methods, auth level."""

    route: str = ""
    methods: tuple[str, ...] = ALL_METHODS
    auth_level: str = "function"


@dataclass(frozen=True)
class EventHubFunction(FunctionSpec):
    """An `@event_hub_message_trigger` function; hub and consumer group may still contain `%SETTING%` references."""

    event_hub_name: str = ""
    consumer_group: str = "$Default"
    connection: str = ""
    cardinality: str = "one"
    data_type: str = ""


@dataclass(frozen=True)
class UnsupportedFunction(FunctionSpec):
    """A trigger the local host does not run (blob, Service Bus, ...); listed so it can be reported."""


def describe_functions(app: func.FunctionApp) -> list[FunctionSpec]:
    """Typed descriptions of every function of `app` (uses `collect_functions`, so it is safe to repeat)."""
    return [describe(function) for function in collect_functions(app)]


def describe(function: func.Function) -> FunctionSpec:
    """Turn one `func.Function` into the matching `FunctionSpec` subclass."""
    trigger = function.get_trigger()
    if trigger is None:
        raise RegistryError(f"function {function.get_function_name()!r} has no trigger")
    binding = {key: _plain(value) for key, value in trigger.get_dict_repr().items()}
    common: dict[str, Any] = {
        "name": function.get_function_name(),
        "user_function": function.get_user_function(),
        "arg_name": str(binding.get("name", "")),
        "binding": binding,
    }
    kind = binding.get("type")
    if kind == "timerTrigger":
        return TimerFunction(
            **common,
            schedule=str(binding.get("schedule", "")),
            run_on_startup=bool(binding.get("runOnStartup") or False),
            use_monitor=_optional_bool(binding.get("useMonitor")),
        )
    if kind == "queueTrigger":
        return QueueFunction(
            **common,
            queue_name=str(binding.get("queueName", "")),
            connection=str(binding.get("connection") or "AzureWebJobsStorage"),
        )
    if kind == "eventHubTrigger":
        return EventHubFunction(
            **common,
            event_hub_name=str(binding.get("eventHubName", "")),
            consumer_group=str(binding.get("consumerGroup") or "$Default"),
            connection=str(binding.get("connection") or ""),
            cardinality=str(binding.get("cardinality") or "one").lower(),
            data_type=_enum_name(trigger.get_dict_repr().get("dataType")),
        )
    if kind == "httpTrigger":
        methods = binding.get("methods")
        return HttpFunction(
            **common,
            route=str(binding.get("route") or common["name"]),
            methods=tuple(str(m).upper() for m in methods) if isinstance(methods, list) and methods else ALL_METHODS,
            auth_level=str(binding.get("authLevel") or "function").lower(),
        )
    return UnsupportedFunction(**common)


def _enum_name(value: object) -> str:
    """`DataType.BINARY` → 'binary' (its value is a number; function.json shows the name)."""
    if isinstance(value, Enum):
        return value.name.lower()
    return str(value or "").lower()


def _optional_bool(value: object) -> bool | None:
    return None if value is None else bool(value)


def _plain(value: object) -> object:
    """Enum values (HttpMethod, AuthLevel, BindingDirection) as their plain values."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def select(functions: Sequence[FunctionSpec], names: Sequence[str] | None) -> list[FunctionSpec]:
    """Only the named functions (CLI `--functions a,b`, like host.json's `functions` list); all if None."""
    if not names:
        return list(functions)
    known = {function.name: function for function in functions}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise RegistryError(f"unknown function(s) {', '.join(unknown)}; the app declares {', '.join(sorted(known))}")
    return [known[name] for name in names]


def load_app(spec: str) -> func.FunctionApp:
    """Import `module:attribute` (default attribute `app`); `path/to/file.py:app` also works.

    The current directory is put first on `sys.path`, as the Functions worker does with the app root,
    so `function_app.py` at the repository root imports its own packages.
    """
    module_name, _, attribute = spec.partition(":")
    attribute = attribute or "app"
    if not module_name:
        raise RegistryError(f"--app {spec!r}: expected 'module:attribute', e.g. 'function_app:app'")
    cwd = str(Path.cwd())
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        if module_name.endswith(".py"):
            path = Path(module_name).resolve()
            if str(path.parent) not in sys.path:
                sys.path.insert(0, str(path.parent))
            module = importlib.import_module(path.stem)
        else:
            module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name.removesuffix(".py").split(".")[0] and not module_name.endswith(".py"):
            raise  # the app itself failed to import one of its dependencies: show the real traceback
        raise RegistryError(f"--app {spec!r}: cannot import {module_name!r} ({error})") from error
    app = getattr(module, attribute, None)
    if not isinstance(app, func.FunctionApp):
        raise RegistryError(f"--app {spec!r}: {module_name}.{attribute} is not an azure.functions.FunctionApp")
    return app

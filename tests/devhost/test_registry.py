"""Reading an app's functions once, and describing them for the host."""

from __future__ import annotations

import azure.functions as func
import pytest

from devhost.registry import (
    ALL_METHODS,
    HttpFunction,
    QueueFunction,
    RegistryError,
    TimerFunction,
    UnsupportedFunction,
    collect_functions,
    describe_functions,
    load_app,
    select,
)
from tests.devhost.sample_app import Recorder, build_app


def test_functions_are_collected_once_per_app():
    app = build_app(Recorder())
    first = collect_functions(app)
    second = collect_functions(app)  # a second app.get_functions() would raise
    assert [f.get_function_name() for f in first] == [f.get_function_name() for f in second]
    assert first[0] is second[0]
    with pytest.raises(ValueError, match="unique function name"):
        app.get_functions()  # the trap the cache protects against


def test_descriptions_carry_trigger_details():
    specs = {spec.name: spec for spec in describe_functions(build_app(Recorder()))}
    tick = specs["tick"]
    assert isinstance(tick, TimerFunction) and tick.schedule == "%TICK_SCHEDULE%" and tick.use_monitor is False
    work = specs["work"]
    assert isinstance(work, QueueFunction) and work.queue_name == "%WORK_QUEUE%" and not work.is_async
    assert work.connection == "AzureWebJobsStorage"
    work_async = specs["work_async"]
    assert work_async.is_async and work_async.wants_context
    item = specs["item"]
    assert isinstance(item, HttpFunction) and item.methods == ("GET", "PUT") and item.auth_level == "function"
    assert specs["hello"].auth_level == "anonymous"  # type: ignore[attr-defined]
    assert specs["admin_ping"].auth_level == "admin"  # type: ignore[attr-defined]


def test_route_defaults_to_function_name_and_all_methods():
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

    @app.route()
    def ping(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse("pong")

    @app.blob_trigger(arg_name="blob", path="c/{name}", connection="AzureWebJobsStorage")
    def on_blob(blob: func.InputStream) -> None:
        pass

    specs = {spec.name: spec for spec in describe_functions(app)}
    assert isinstance(specs["ping"], HttpFunction)
    assert specs["ping"].route == "ping" and specs["ping"].methods == ALL_METHODS
    assert isinstance(specs["on_blob"], UnsupportedFunction)


def test_select_by_name():
    specs = describe_functions(build_app(Recorder()))
    assert [s.name for s in select(specs, ["work", "tick"])] == ["work", "tick"]
    assert len(select(specs, None)) == len(specs)
    with pytest.raises(RegistryError, match="unknown function"):
        select(specs, ["nope"])


def test_load_app_errors_are_explained():
    with pytest.raises(RegistryError, match="cannot import"):
        load_app("no_such_module_here:app")
    with pytest.raises(RegistryError, match=r"is not an azure\.functions\.FunctionApp"):
        load_app("tests.devhost.sample_app:Recorder")
    assert isinstance(load_app("tests.devhost.cli_app:app"), func.FunctionApp)

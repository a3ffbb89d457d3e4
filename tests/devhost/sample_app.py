"""A small FunctionApp built like the real one (blueprints, `%SETTING%` names), recording what it is given.

Each call of `build_app` returns a new app object, so every test collects its functions once from its own
app. Queue message bodies are JSON instructions: `{"id": "a", "fail_times": 2}` fails the first two
deliveries, `{"id": "b", "fail": true}` always fails, `{"id": "c", "sleep": 0.5}` takes half a second,
`{"id": "d", "touch": true}` updates its own message on the first delivery (so the host's delete meets a
pop-receipt mismatch).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import azure.functions as func
from azure.storage.queue import QueueClient

STORAGE_SETTING = "AzureWebJobsStorage"


@dataclass
class Call:
    function: str
    value: Any
    started: float
    finished: float = 0.0


@dataclass
class Recorder:
    """Thread-safe log of invocations, with a few knobs tests turn."""

    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    failures: dict[str, int] = field(default_factory=dict)
    running: int = 0
    max_running: int = 0
    timer_sleep: float = 0.0

    def begin(self, function: str, value: Any) -> Call:
        call = Call(function, value, time.monotonic())
        with self.lock:
            self.calls.append(call)
            self.running += 1
            self.max_running = max(self.max_running, self.running)
        return call

    def end(self, call: Call) -> None:
        with self.lock:
            self.running -= 1
            call.finished = time.monotonic()

    def of(self, function: str) -> list[Any]:
        with self.lock:
            return [call.value for call in self.calls if call.function == function]

    def should_fail(self, body: dict[str, Any]) -> bool:
        if body.get("fail"):
            return True
        wanted = int(body.get("fail_times", 0))
        with self.lock:
            seen = self.failures.get(body["id"], 0)
            self.failures[body["id"]] = seen + 1
        return seen < wanted


def send_base64(connection_string: str, queue: str, text: str) -> None:
    """What the real app does: base64 text on the wire."""
    client = QueueClient.from_connection_string(connection_string, queue)
    client.send_message(base64.b64encode(text.encode()).decode())


def build_app(recorder: Recorder) -> func.FunctionApp:
    app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
    timers = func.Blueprint()
    queues = func.Blueprint()
    http = func.Blueprint()

    @timers.timer_trigger(schedule="%TICK_SCHEDULE%", arg_name="timer", run_on_startup=False, use_monitor=False)
    def tick(timer: func.TimerRequest) -> None:
        call = recorder.begin("tick", {"past_due": timer.past_due})
        try:
            time.sleep(recorder.timer_sleep)
            count = int(os.environ.get("TICK_MESSAGES", "0"))
            for index in range(count):
                send_base64(os.environ[STORAGE_SETTING], os.environ["WORK_QUEUE"], json.dumps({"id": f"t{index}"}))
        finally:
            recorder.end(call)

    @queues.queue_trigger(arg_name="msg", queue_name="%WORK_QUEUE%", connection="AzureWebJobsStorage")
    def work(msg: func.QueueMessage) -> None:
        body = json.loads(msg.get_body())
        call = recorder.begin(
            "work",
            {
                "id": body["id"],
                "message_id": msg.id,
                "dequeue_count": msg.dequeue_count,
                "insertion_time": msg.insertion_time,
                "expiration_time": msg.expiration_time,
                "time_next_visible": msg.time_next_visible,
                "pop_receipt": msg.pop_receipt,
            },
        )
        try:
            time.sleep(float(body.get("sleep", 0)))
            if body.get("touch") and msg.dequeue_count == 1:
                # Change the message behind the host's back: its pop receipt no longer matches.
                client = QueueClient.from_connection_string(os.environ[STORAGE_SETTING], os.environ["WORK_QUEUE"])
                client.update_message(str(msg.id), msg.pop_receipt, visibility_timeout=0)
            if recorder.should_fail(body):
                raise RuntimeError(f"instructed to fail: {body['id']}")
        finally:
            recorder.end(call)

    @queues.queue_trigger(arg_name="item", queue_name="%ASYNC_QUEUE%", connection="AzureWebJobsStorage")
    async def work_async(item: func.QueueMessage, context: func.Context) -> None:
        call = recorder.begin("work_async", {"body": item.get_body().decode(), "invocation_id": context.invocation_id})
        try:
            await asyncio.sleep(0.01)
        finally:
            recorder.end(call)

    @http.route(route="hello/{name?}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
    def hello(req: func.HttpRequest) -> func.HttpResponse:
        name = req.route_params.get("name") or req.params.get("name") or "world"
        return func.HttpResponse(f"hello {name}")

    @http.route(route="items/{id:int}", methods=["GET", "PUT"])
    def item(req: func.HttpRequest) -> func.HttpResponse:
        payload = {
            "method": req.method,
            "id": req.route_params["id"],
            "params": dict(req.params),
            "header": req.headers.get("x-probe"),
            "body": req.get_body().decode(),
            "url": req.url,
        }
        return func.HttpResponse(
            json.dumps(payload), status_code=201, mimetype="application/json", headers={"x-from": "item"}
        )

    @http.route(route="items/special", methods=["GET"])
    def special(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse("special")

    @http.route(route="boom", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
    def boom(req: func.HttpRequest) -> func.HttpResponse:
        raise ValueError("secret detail that must not leak")

    @http.route(route="async-echo", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
    async def async_echo(req: func.HttpRequest) -> func.HttpResponse:
        await asyncio.sleep(0.01)
        return func.HttpResponse(req.get_body(), mimetype="application/octet-stream")

    @http.route(route="admin/ping", methods=["GET"], auth_level=func.AuthLevel.ADMIN)
    def admin_ping(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse("pong")

    app.register_functions(timers)
    app.register_functions(queues)
    app.register_functions(http)
    return app

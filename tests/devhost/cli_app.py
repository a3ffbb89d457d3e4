"""A module-level FunctionApp for the CLI tests (`python -m devhost --app tests.devhost.cli_app:app`).

Like the real function_app.py, it reads everything from app settings at run time: the timer seeds the work
queue (`SEED_FAIL=1` adds a message that always fails, `SEED_GARBAGE=1` one that is not base64), the queue
function copies each body to the done queue.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os

import azure.functions as func
from azure.storage.queue import QueueClient

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
bp = func.Blueprint()
STORAGE_SETTING = "AzureWebJobsStorage"


def _queue(setting: str) -> QueueClient:
    client = QueueClient.from_connection_string(os.environ[STORAGE_SETTING], os.environ[setting])
    with contextlib.suppress(Exception):  # already exists
        client.create_queue()
    return client


def _send(setting: str, body: dict[str, object]) -> None:
    _queue(setting).send_message(base64.b64encode(json.dumps(body).encode()).decode())


@bp.timer_trigger(schedule="%SEED_SCHEDULE%", arg_name="timer", run_on_startup=False, use_monitor=False)
def seed(timer: func.TimerRequest) -> None:
    _send("WORK_QUEUE", {"id": "ok-1"})
    _send("WORK_QUEUE", {"id": "ok-2"})
    if os.environ.get("SEED_FAIL") == "1":
        _send("WORK_QUEUE", {"id": "bad", "fail": True})
    if os.environ.get("SEED_GARBAGE") == "1":
        _queue("WORK_QUEUE").send_message("%%% not base64 %%%")


@bp.queue_trigger(arg_name="msg", queue_name="%WORK_QUEUE%", connection="AzureWebJobsStorage")
def work(msg: func.QueueMessage) -> None:
    body = msg.get_json()
    if body.get("fail"):
        raise RuntimeError(f"cannot process {body['id']}")
    _send("DONE_QUEUE", body)


@bp.route(route="status", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def status(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(json.dumps({"work_queue": os.environ["WORK_QUEUE"]}), mimetype="application/json")


app.register_functions(bp)

"""Secrets are never written: not to a log line, a state row, a queue message (work or poison), an HTTP answer, or
a factory entity or run — also when things go wrong (a malformed message, a failing credential)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import requests
from azure.data.tables import TableServiceClient

from emulators.cluedin.seed import DEFAULT_PASSWORD
from sync.core.errors import PermissionDeniedError
from sync.core.messages import Queues
from tests.support.adf import SECRET_NAME, AdfStack, adf_stack, serve

pytestmark = pytest.mark.chaos


def everything_written(stack: AdfStack) -> list[str]:
    """Every state row, queue message, factory entity and run the app wrote, as text."""
    texts: list[str] = []
    prefix = stack.settings.engine.sync_table_prefix
    tables = TableServiceClient.from_connection_string(stack.environment["AzureWebJobsStorage"])
    for table in tables.list_tables():
        if table.name.startswith(prefix):
            texts += [str(dict(entity)) for entity in tables.get_table_client(table.name).list_entities()]
    for queue in stack.queue_service.list_queues(name_starts_with=stack.queues.prefix):
        client = stack.queue_service.get_queue_client(queue.name)
        texts += [str(m.content) for m in client.peek_messages(max_messages=32)]
    for kind in ("linkedservices", "datasets", "pipelines", "triggers"):
        texts.append(str(stack.factory_entities(kind)))
    window = {"lastUpdatedAfter": "2000-01-01T00:00:00Z", "lastUpdatedBefore": "2100-01-01T00:00:00Z"}
    texts.append(str(stack.adf.arm("POST", "/queryPipelineRuns", json=window).json()))
    return texts


def test_no_secret_is_written_anywhere(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator, caplog):
    caplog.set_level(logging.DEBUG, logger="sync")
    caplog.set_level(logging.INFO)
    stack = adf_stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator)
    secrets: list[Any] = [
        DEFAULT_PASSWORD,
        stack.environment["PURVIEW_STATIC_TOKEN"],
        stack.environment["DATA_FACTORY_STATIC_TOKEN"],
        stack.adf.context.store.secrets[SECRET_NAME].removeprefix("Bearer "),
    ]
    identity = stack.add_asset("Account.csv")
    stack.cycle("datasources")
    stack.cycle("pipelines")
    host, close = serve(stack)
    try:
        url = f"{host.http_url}/api/adf/pipelines"
        headers = {"x-functions-key": host.function_key, "Idempotency-Key": "secret-hunt"}
        answers = [requests.post(url, json={"asset": {"guid": identity["guid"]}, "runNow": True}, headers=headers)]
    finally:
        close()
    stack.queues.send(Queues.CLUEDIN.value, '{"v": 1, "run_id": "r", "changes": "oops"}')  # a malformed message
    stack.drain(Queues.CLUEDIN.value)
    broken = stack.context(  # a service principal whose token request fails (no Entra ID here)
        DATA_FACTORY_STATIC_TOKEN="",
        DATA_FACTORY_TENANT_ID="00000000-0000-0000-0000-000000000001",
        DATA_FACTORY_CLIENT_ID="00000000-0000-0000-0000-000000000002",
        DATA_FACTORY_CLIENT_SECRET="hunted-client-secret",
    )
    with pytest.raises(PermissionDeniedError, match="CredentialFailed"):
        broken.client("datafactory").get_entity("pipelines", "any")
    secrets.append("hunted-client-secret")
    assert answers[0].status_code in (200, 201), answers[0].text
    written = everything_written(stack) + [a.text for a in answers]
    logged = [record.getMessage() + str(record.__dict__) for record in caplog.records]
    for secret in secrets:
        assert secret and not [text for text in written if secret in text], "a secret was written"
        assert not [line for line in logged if secret in line], "a secret was logged"

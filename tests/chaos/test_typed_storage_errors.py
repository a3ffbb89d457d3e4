"""Storage failures leave the state store and the queue sender as the app's typed errors, naming the service
(case 4 of issue 10): a handler never has to guess where an AzureError came from."""

from __future__ import annotations

import socket

import pytest
from azure.data.tables import TableServiceClient
from azure.storage.queue import QueueServiceClient

from sync.core.errors import RetriableError
from sync.core.state import StateStore
from sync.core.storage import QueueSender

pytestmark = pytest.mark.chaos
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def unreachable() -> str:
    """A connection string for storage on a local port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return (
        f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={KEY};"
        f"TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
    )


def test_state_and_queue_failures_are_typed_and_name_their_service():
    connection = unreachable()
    state = StateStore(TableServiceClient.from_connection_string(connection, retry_total=0), "t")
    with pytest.raises(RetriableError) as err:
        state.get_object("datasource", "k")
    assert err.value.service == "state storage" and "AzureWebJobsStorage" in err.value.settings
    with pytest.raises(RetriableError) as listing:
        list(state.iter_objects("datasource"))
    assert listing.value.service == "state storage"
    queues = QueueSender(QueueServiceClient.from_connection_string(connection, retry_total=0), "t")
    with pytest.raises(RetriableError) as sent:
        queues.send("cluedin", "{}")
    assert sent.value.service == "work queues"

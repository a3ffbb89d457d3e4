"""Fixtures of the Data Factory emulator tests: a recording REST sink and an Azurite blob container."""

from __future__ import annotations

import uuid

import pytest
from azure.storage.blob import BlobServiceClient

from tests.emulators.datafactory.rest_sink import start_rest_sink


@pytest.fixture(scope="session")
def rest_sink_server():
    server, recorder = start_rest_sink()
    try:
        yield server, recorder
    finally:
        server.stop()


@pytest.fixture()
def rest_sink(rest_sink_server):
    server, recorder = rest_sink_server
    recorder.reset()
    server.clear_faults()
    return server, recorder


class Blobs:
    def __init__(self, connection_string: str) -> None:
        self.service = BlobServiceClient.from_connection_string(connection_string)
        self.container = f"raw{uuid.uuid4().hex[:12]}"
        self.service.create_container(self.container)

    def upload(self, path: str, data: bytes | str) -> None:
        payload = data.encode("utf-8") if isinstance(data, str) else data
        self.service.get_blob_client(self.container, path).upload_blob(payload, overwrite=True)


@pytest.fixture()
def blobs(azurite):
    return Blobs(azurite.connection_string)

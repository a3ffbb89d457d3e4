"""Azurite starts from the project's node_modules and serves tables, queues and blobs."""

from azure.data.tables import TableServiceClient
from azure.storage.queue import QueueClient, TextBase64DecodePolicy, TextBase64EncodePolicy


def test_azurite_serves_tables_and_base64_queues(azurite):
    tables = TableServiceClient.from_connection_string(azurite.connection_string)
    table = tables.create_table_if_not_exists("probe")
    table.upsert_entity({"PartitionKey": "p", "RowKey": "r", "v": 1})
    assert table.get_entity("p", "r")["v"] == 1
    queue = QueueClient.from_connection_string(
        azurite.connection_string,
        "probe",
        message_encode_policy=TextBase64EncodePolicy(),
        message_decode_policy=TextBase64DecodePolicy(),
    )
    queue.create_queue()
    queue.send_message('{"id": "a"}')
    [message] = list(queue.receive_messages())
    assert message.content == '{"id": "a"}'

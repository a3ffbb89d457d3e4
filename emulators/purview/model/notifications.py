"""What Purview publishes on its *Notification* Event Hub (Kafka topic ATLAS_ENTITIES): Atlas entity notifications.

Which changes are notified follows Apache Atlas's `EntityNotificationListenerV2` and what was observed on Purview
(devlace/purview-pubsub, 2021):

- entity writes (create, update, partial update, move) → ENTITY_CREATE / ENTITY_UPDATE; soft deletes →
  ENTITY_DELETE, one per deleted entity (owned children too);
- classifications → CLASSIFICATION_ADD when the entity had none, CLASSIFICATION_UPDATE when it already had some
  (the Purview observation; Atlas itself says ADD for any added one), CLASSIFICATION_DELETE;
- the relationship API and glossary term (un)assignment → RELATIONSHIP_CREATE / RELATIONSHIP_DELETE. Atlas sends
  these (`AtlasRelationshipStoreV2.sendNotifications`; term assignment goes through the relationship store) but
  its entity listener ignores term assignment itself (`onTermAdded` sends nothing). **GUESS**: that Purview
  forwards relationship notifications (an open question in the product's docs);
- labels, business metadata, glossaries, terms, type definitions and collections → nothing (Atlas sends nothing
  for labels and business metadata; Purview was observed sending nothing for glossary changes).

Messages are shaped and packed exactly as Atlas packs them (`AbstractNotification.createNotificationMessages`):
the envelope of Microsoft's sample, and when the JSON exceeds the producer's limit, gzip + base64 in an
`AtlasNotificationStringMessage`, split into parts (index from 0) when still too long. `max_message_bytes` is
Atlas's `atlas.notification.message.max.length.bytes` minus the 512 bytes it keeps for the envelope; lower it to
see compressed and split messages. They are kept in a numbered journal (`GET /_emulator/notifications`), which a
test or a local bridge delivers to the consumer the way the Event Hub would.
"""

from __future__ import annotations

import base64
import gzip
import json
import threading
import uuid
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from emulators.purview.model.clock import now_ms
from emulators.purview.model.entities import GLOSSARY_TERM_TYPE, Entity, EntityStore, Relationship
from emulators.purview.model.entity_render import HEADER_ATTRIBUTES, display_text, object_id

TOPIC = "ATLAS_ENTITIES"
DEFAULT_MAX_MESSAGE_BYTES = 1_000_000 - 512
"""Atlas's default `atlas.notification.message.max.length.bytes` (1,000,000) minus its 512-byte envelope margin."""
MAX_BYTES_PER_CHAR = 4
SOURCE_IP = "10.244.0.5"
"""`msgSourceIP`: Purview's samples show a private cluster address; any such value will do."""
MAX_JOURNAL = 100_000
VERSION = {"version": "1.0.0", "versionParts": [1]}


@dataclass(frozen=True)
class Published:
    """One Kafka record on the notification topic."""

    seq: int
    body: str
    created_ms: int

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the admin route."""
        return {"seq": self.seq, "topic": TOPIC, "body": self.body, "createdAt": self.created_ms}


class MessagePacker:
    """Atlas's message ids (`<uuid>_<n>`, a new uuid after 32,767 ids) and its compress-then-split rule."""

    def __init__(self, max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> None:
        self.max_message_bytes = max_message_bytes
        self._prefix = str(uuid.uuid4())
        self._suffix = 0

    def next_id(self) -> str:
        """The next message id."""
        value = f"{self._prefix}_{self._suffix}"
        self._suffix += 1
        if self._suffix == 32_767:
            self._prefix, self._suffix = str(uuid.uuid4()), 0
        return value

    def pack(self, envelope: dict[str, Any]) -> list[str]:
        """The Kafka record values Atlas sends for one notification envelope."""
        text = _to_json(envelope)
        limit = self.max_message_bytes
        if len(text) * MAX_BYTES_PER_CHAR <= limit or len(text.encode("utf-8")) <= limit:
            return [text]
        msg_id = self.next_id()
        encoded = base64.b64encode(gzip.compress(text.encode("utf-8"))).decode("ascii")
        if len(encoded) <= limit:
            return [_to_json(_string_message(encoded, msg_id, index=1, count=1))]
        count = -(-len(encoded) // limit)
        return [
            _to_json(_string_message(encoded[i * limit : (i + 1) * limit], msg_id, index=i, count=count))
            for i in range(count)
        ]


def _string_message(text: str, msg_id: str, *, index: int, count: int) -> dict[str, Any]:
    """An `AtlasNotificationStringMessage` (Atlas omits null fields such as `source`)."""
    return {
        "version": VERSION,
        "msgId": msg_id,
        "msgCompressionKind": "GZIP",
        "msgSplitIdx": index,
        "msgSplitCount": count,
        "message": text,
    }


def _to_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class NotificationJournal:
    """The notifications of one emulated account, numbered from 1, newest kept (up to MAX_JOURNAL)."""

    def __init__(self, *, max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> None:
        self.store: EntityStore | None = None
        """The account's entities (set by the account, and again after a reset)."""
        self.packer = MessagePacker(max_message_bytes)
        self._records: deque[Published] = deque(maxlen=MAX_JOURNAL)
        self._next = 1
        self._lock = threading.Lock()

    # ----- what the model reports --------------------------------------------------------------------------

    def entities(self, operation: str, entities: Iterable[Entity]) -> None:
        """Entities were created, updated, deleted or (re)classified by one request."""
        for entity in entities:
            self._publish({"entity": self._entity_header(entity, operation), "operationType": operation})

    def relationship(self, operation: str, rel: Relationship) -> None:
        """A relationship was created or deleted through the relationship or glossary API."""
        header = {
            "typeName": rel.type_name,
            "guid": rel.guid,
            "status": rel.status,
            "propagateTags": "NONE",
            "label": f"r:{rel.type_name}",
            "end1": self._end(rel.end1),
            "end2": self._end(rel.end2),
        }
        self._publish({"relationship": header, "operationType": operation})

    # ----- reading -------------------------------------------------------------------------------------------

    def read(self, after: int = 0, limit: int = 1000) -> tuple[list[Published], int]:
        """Records numbered after `after` (at most `limit`), and the last number published so far."""
        with self._lock:
            records = [r for r in self._records if r.seq > after][: max(0, limit)]
            return records, self._next - 1

    def clear(self) -> None:
        """Forget every record (numbering goes on, so a reader's position stays valid)."""
        with self._lock:
            self._records.clear()

    # ----- shaping -------------------------------------------------------------------------------------------

    def _publish(self, notification: dict[str, Any]) -> None:
        created = now_ms()
        message = {"type": "ENTITY_NOTIFICATION_V2", **notification, "eventTime": created}
        envelope = {
            "version": VERSION,
            "msgCompressionKind": "NONE",
            "msgSplitIdx": 1,
            "msgSplitCount": 1,
            "msgSourceIP": SOURCE_IP,
            "msgCreatedBy": "",
            "msgCreationTime": created,
            "message": message,
        }
        with self._lock:
            for body in self.packer.pack(envelope):
                self._records.append(Published(self._next, body, created))
                self._next += 1

    def _entity_header(self, entity: Entity, operation: str) -> dict[str, Any]:
        """Atlas's `toNotificationHeader`: unique attributes, name, description, owner, createTime, classifications.

        Purview's ENTITY_DELETE samples carry no `status`, so a deleted entity's header leaves it out.
        """
        attributes: dict[str, Any] = {}
        for name in HEADER_ATTRIBUTES:
            if entity.attributes.get(name) is not None:
                attributes[name] = entity.attributes[name]
        if entity.qualified_name is not None:
            attributes["qualifiedName"] = entity.qualified_name
        header: dict[str, Any] = {"typeName": entity.type_name, "attributes": attributes, "guid": entity.guid}
        if operation != "ENTITY_DELETE":
            header["status"] = entity.status
        header["displayText"] = display_text(entity)
        if entity.classifications:
            header["classificationNames"] = [c["typeName"] for c in entity.classifications]
            header["classifications"] = [
                {"typeName": c["typeName"], "attributes": c.get("attributes") or {}, "entityGuid": entity.guid}
                for c in entity.classifications
            ]
        return header

    def _end(self, guid: str) -> dict[str, Any]:
        assert self.store is not None
        if guid in self.store.entities:
            return object_id(self.store, guid)
        shown = self.store.terms.term_display(guid) if self.store.terms is not None else None
        return {
            "guid": guid,
            "typeName": GLOSSARY_TERM_TYPE,
            "uniqueAttributes": {"qualifiedName": shown[1]} if shown else {},
        }


def records_json(records: Sequence[Published], last: int) -> dict[str, Any]:
    """The admin route's answer."""
    return {"notifications": [r.to_dict() for r in records], "last": last}

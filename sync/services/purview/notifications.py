"""Atlas entity notifications, as Purview sends them to its *Notification* Event Hub (Kafka topic ATLAS_ENTITIES).

One event body is one Kafka record: an `AtlasNotificationMessage` JSON envelope

    {"version": {"version": "1.0.0", "versionParts": [1]}, "msgCompressionKind": "NONE", "msgSplitIdx": 1,
     "msgSplitCount": 1, "msgSourceIP": "...", "msgCreatedBy": "", "msgCreationTime": <epoch ms>,
     "message": {"type": "ENTITY_NOTIFICATION_V2", "entity": {typeName, attributes{qualifiedName, name, ...},
                 guid, status, displayText, classificationNames?, classifications?},
                 "operationType": "ENTITY_UPDATE", "eventTime": <epoch ms>}}

(Microsoft's sample "Sample Message received from Purview", azure-docs `articles/purview/manage-kafka-dotnet.md`).
Relationship notifications carry `message.relationship` {typeName, guid, status, label, end1, end2} instead of an
entity, each end an AtlasObjectId {guid, typeName, uniqueAttributes{qualifiedName}}.

Large notifications are packed the way Apache Atlas packs them (`AbstractNotification.createNotificationMessages`,
`AtlasNotificationMessageDeserializer.deserialize`): a message longer than the producer's limit (default 1,000,000
bytes minus 512 for the envelope) is gzip-compressed and base64-encoded into an `AtlasNotificationStringMessage`
{version, msgId, msgCompressionKind: "GZIP", message: "<base64>"}; if that is still too long, the base64 text (or,
without compression, the base64 of the JSON) is cut into `msgSplitCount` parts numbered `msgSplitIdx` 0..n-1, each
carrying its slice in `message`. Joining the slices in order and decoding them gives the whole envelope back.
No Purview sample shows a compressed or split message; the shapes are Atlas's (the product runs Atlas).

This module only decodes: it never calls Purview. What a notification names is a hint (the entity may have changed
again since); features re-read the entity before planning.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sync.core.changefeed import FeedEntry

NOTIFICATION_V2 = "ENTITY_NOTIFICATION_V2"
SUPPORTED_MAJOR_VERSION = 1
ENTITY_OPERATIONS = frozenset({"ENTITY_CREATE", "ENTITY_UPDATE", "ENTITY_DELETE"})
CLASSIFICATION_OPERATIONS = frozenset({"CLASSIFICATION_ADD", "CLASSIFICATION_UPDATE", "CLASSIFICATION_DELETE"})
RELATIONSHIP_OPERATIONS = frozenset({"RELATIONSHIP_CREATE", "RELATIONSHIP_UPDATE", "RELATIONSHIP_DELETE"})
MAX_DECODED_BYTES = 64 * 1024 * 1024
"""Largest decompressed notification accepted (a gzip bomb is refused, not expanded into memory)."""


class NotificationError(ValueError):
    """An event that is not a notification this app can read; the message is the reason (for the dead letter)."""


@dataclass(frozen=True)
class EntityId:
    """An entity as a notification names it (any of the fields may be empty except one identity)."""

    guid: str
    type_name: str
    qualified_name: str


@dataclass(frozen=True)
class EntityNotification:
    """One decoded `EntityNotificationV2`."""

    operation: str
    """ENTITY_CREATE/UPDATE/DELETE, CLASSIFICATION_ADD/UPDATE/DELETE, RELATIONSHIP_CREATE/UPDATE/DELETE (others
    Atlas may add are kept as they are)."""
    event_time_ms: int
    entity: EntityId | None = None
    status: str = ""
    classifications: tuple[str, ...] = ()
    relationship_type: str = ""
    ends: tuple[EntityId, ...] = ()
    """The two ends of a relationship notification."""
    message_id: str = ""
    created_ms: int = 0

    @property
    def entities(self) -> tuple[EntityId, ...]:
        """Every entity the notification is about: the entity, or both ends of the relationship."""
        return (self.entity,) if self.entity is not None else self.ends

    @property
    def event_time(self) -> str:
        """When the change happened (ISO 8601, UTC)."""
        return iso_time(self.event_time_ms)


@dataclass(frozen=True)
class SplitPart:
    """One slice of a notification Atlas split into several messages (reassembled with `assemble`)."""

    message_id: str
    index: int
    """Atlas numbers split parts from 0 (an unsplit message says 1 of 1)."""
    count: int
    compression: str
    text: str = field(repr=False)


def iso_time(epoch_ms: int) -> str:
    """Epoch milliseconds as ISO 8601 UTC ('' for 0)."""
    if epoch_ms <= 0:
        return ""
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).isoformat(timespec="milliseconds")


def decode_event(body: bytes) -> list[EntityNotification | SplitPart]:
    """Decode one event body: its notifications (several only if the body is a JSON array of envelopes).

    Raises:
        NotificationError: the body is not UTF-8 JSON holding Atlas notification envelopes (the reason says why).
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotificationError(f"the event body is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    data = _json(text, "the event body")
    items = data if isinstance(data, list) else [data]
    if not items:
        raise NotificationError("the event body is an empty JSON array")
    return [decode_message(item) for item in items]


def decode_message(data: Any) -> EntityNotification | SplitPart:
    """One Atlas notification envelope (plain, compressed, or one part of a split message).

    Raises:
        NotificationError: the envelope or its notification is not what Atlas sends (the reason says what).
    """
    if not isinstance(data, dict):
        raise NotificationError(f"a notification must be a JSON object, got {type(data).__name__}")
    if "version" not in data:
        # Atlas reads a message without a version as the notification itself (messages older than the envelope).
        return _notification(data, message_id="", created_ms=0)
    _check_version(data.get("version"))
    message_id = _text(data.get("msgId"))
    compression = _text(data.get("msgCompressionKind")) or "NONE"
    if compression not in {"NONE", "GZIP"}:
        raise NotificationError(f"unknown msgCompressionKind {compression!r} (Atlas knows NONE and GZIP)")
    count = _integer(data.get("msgSplitCount", 1), "msgSplitCount")
    if count > 1:
        index = _integer(data.get("msgSplitIdx"), "msgSplitIdx")
        if not message_id:
            raise NotificationError("a split message part has no msgId (Atlas ignores such parts too)")
        if not 0 <= index < count:
            raise NotificationError(f"split part {index} is out of bounds for msgSplitCount {count}")
        text = data.get("message")
        if not isinstance(text, str):
            raise NotificationError("a split message part must carry its slice as a string in 'message'")
        return SplitPart(message_id, index, count, compression, text)
    if compression == "GZIP":
        packed = data.get("message")
        if not isinstance(packed, str):
            raise NotificationError("a GZIP message must carry base64 text in 'message'")
        inner = _json(_unpack(packed, gzip=True), "the decompressed message")
        if not isinstance(inner, dict) or _text(inner.get("msgCompressionKind")) not in {"", "NONE"}:
            raise NotificationError("a GZIP message must decompress to a plain notification envelope")
        decoded = decode_message(inner)
        assert isinstance(decoded, EntityNotification)  # an envelope without split count is never a part
        return replace(decoded, message_id=decoded.message_id or message_id)
    return _notification(
        data.get("message"),
        message_id=message_id,
        created_ms=_integer(data.get("msgCreationTime", 0), "msgCreationTime"),
    )


def assemble(parts: Iterable[SplitPart]) -> EntityNotification:
    """The notification a complete set of split parts carries.

    Raises:
        NotificationError: parts are missing, disagree, or do not decode to one plain notification.
    """
    by_index = {part.index: part for part in parts}
    if not by_index:
        raise NotificationError("no split parts to assemble")
    first = next(iter(by_index.values()))
    if any(p.count != first.count or p.message_id != first.message_id for p in by_index.values()):
        raise NotificationError(f"split parts of msgId {first.message_id} disagree on their id or count")
    missing = [i for i in range(first.count) if i not in by_index]
    if missing:
        raise NotificationError(
            f"split message {first.message_id} lacks part(s) {', '.join(str(i + 1) for i in missing)} of {first.count}"
        )
    text = "".join(by_index[i].text for i in range(first.count))
    # The last part names the compression (Atlas reads it from there); all parts carry the same value.
    inner = _json(_unpack(text, gzip=by_index[first.count - 1].compression == "GZIP"), "the reassembled message")
    decoded = decode_message(inner)
    if not isinstance(decoded, EntityNotification):
        raise NotificationError(f"split message {first.message_id} reassembles into another split part")
    return replace(decoded, message_id=decoded.message_id or first.message_id)


def _notification(message: Any, *, message_id: str, created_ms: int) -> EntityNotification:
    if not isinstance(message, dict):
        raise NotificationError("the envelope's 'message' must be a JSON object (the notification)")
    kind = _text(message.get("type"))
    if kind and kind != NOTIFICATION_V2:
        raise NotificationError(f"notification type {kind!r} is not supported (Purview sends {NOTIFICATION_V2})")
    operation = _text(message.get("operationType"))
    if not operation:
        raise NotificationError("the notification has no operationType")
    event_time = _integer(message.get("eventTime", 0), "eventTime")
    entity = message.get("entity")
    if isinstance(entity, dict):
        names = entity.get("classificationNames")
        classifications = entity.get("classifications")
        if not isinstance(names, list) and isinstance(classifications, list):
            names = [c.get("typeName") for c in classifications if isinstance(c, dict)]
        return EntityNotification(
            operation=operation,
            event_time_ms=event_time,
            entity=_entity_id(entity, "entity"),
            status=_text(entity.get("status")),
            classifications=tuple(str(n) for n in names or () if n),
            message_id=message_id,
            created_ms=created_ms,
        )
    relationship = message.get("relationship")
    if isinstance(relationship, dict):
        ends = tuple(
            _entity_id(relationship[end], f"relationship.{end}")
            for end in ("end1", "end2")
            if isinstance(relationship.get(end), dict)
        )
        if not ends:
            raise NotificationError("the relationship notification names no end entity")
        return EntityNotification(
            operation=operation,
            event_time_ms=event_time,
            status=_text(relationship.get("status")),
            relationship_type=_text(relationship.get("typeName")),
            ends=ends,
            message_id=message_id,
            created_ms=created_ms,
        )
    raise NotificationError("the notification carries neither an entity nor a relationship")


def _entity_id(data: Mapping[str, Any], where: str) -> EntityId:
    unique = data.get("uniqueAttributes")
    attributes = data.get("attributes")
    qualified_name = ""
    for container in (attributes, unique):
        if isinstance(container, dict) and isinstance(container.get("qualifiedName"), str):
            qualified_name = container["qualifiedName"]
            break
    found = EntityId(_text(data.get("guid")), _text(data.get("typeName")), qualified_name)
    if not found.guid and not (found.type_name and found.qualified_name):
        raise NotificationError(f"{where} has neither a guid nor a typeName with a qualifiedName")
    return found


def _check_version(version: Any) -> None:
    text = version.get("version") if isinstance(version, dict) else version
    if not isinstance(text, str) or not text:
        raise NotificationError("the envelope's version is not {'version': '<major.minor.patch>'}")
    major = text.split(".", 1)[0]
    if not major.isdigit():
        raise NotificationError(f"the envelope's version {text!r} is not a version number")
    if int(major) > SUPPORTED_MAJOR_VERSION:
        raise NotificationError(f"message version {text} is newer than the 1.x this app reads")


def _unpack(text: str, *, gzip: bool) -> str:
    """Base64 text (gzip-compressed or not) back to the UTF-8 JSON it encodes."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise NotificationError(f"the packed message is not valid base64 ({exc})") from None
    if gzip:
        decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            raw = decompressor.decompress(raw, MAX_DECODED_BYTES)
        except zlib.error as exc:
            raise NotificationError(f"the packed message is not valid gzip ({exc})") from None
        if decompressor.unconsumed_tail:
            raise NotificationError(f"the packed message decompresses to more than {MAX_DECODED_BYTES} bytes")
        if not decompressor.eof:
            raise NotificationError("the packed message is truncated gzip")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotificationError(f"the packed message is not UTF-8 ({exc.reason})") from None


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise NotificationError(f"{what} is nested too deeply") from None
    except ValueError as exc:
        raise NotificationError(f"{what} is not JSON ({exc})") from None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _integer(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise NotificationError(f"{name} must be a number, got {value!r}")
    try:
        return int(value)
    except ValueError:
        raise NotificationError(f"{name} must be a number, got {value!r}") from None


def feed_entries(notifications: Sequence[EntityNotification]) -> list[FeedEntry]:
    """The notifications as change-feed entries, one per entity named (both ends of a relationship).

    `object_id` is the guid, `object_type` the typeName, `name` the qualifiedName, `action` the operation and `at`
    the event time; `id` is the Atlas message id (empty for small messages, which carry none).
    """
    return [
        FeedEntry(
            id=notification.message_id,
            object_type=entity.type_name,
            object_id=entity.guid,
            action=notification.operation,
            at=notification.event_time,
            name=entity.qualified_name,
        )
        for notification in notifications
        for entity in notification.entities
    ]

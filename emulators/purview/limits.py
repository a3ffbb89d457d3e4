"""Size limits of entity writes: request bytes, entities per call, bytes per entity, contacts, names, values.

Without them a test can send what the live service refuses (1,500 entities or one 3 MB asset in a call)
and the app's batch sizes would only be found wrong in production. The defaults are the live limits where
Microsoft documents them and the most conservative reading of the evidence where it does not (see
`emulators/purview/README.md`, "Limits"); tests and benchmarks may raise them (`PurviewOptions.limits`,
`--limit NAME=VALUE`, or at run time `PATCH /_emulator/faults {"extra": {"limits": {...}}}`). A limit of 0
is no limit.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from emulators.purview import errors

MB = 1024 * 1024
REQUEST_TOO_LARGE = "ATLAS-413-00-001"
"""GUESS: the code of a 413 for an oversized request body (no live 413 body was found)."""


@dataclass(frozen=True)
class Limits:
    """The enforced limits (bytes are UTF-8 bytes of the JSON as sent)."""

    max_request_bytes: int = 10 * MB
    """GUESS: no documented figure; big enough for 1,000 typical entities or one maximum-size asset."""
    max_bulk_entities: int = 1000
    """GUESS within observed bounds: pyapacheatlas batches by 1,000 against live Purview; ~4,000 fail."""
    max_entity_bytes: int = 2 * MB
    """Documented: "Maximum size of an asset in a catalog: 2 MB" (Purview quotas page)."""
    max_contacts_per_type: int = 20
    """Documented: "For each contact type, the maximum number of contacts is 20" (entity create ops, spec)."""
    max_name_bytes: int = 4096
    """Documented: "Maximum length of an asset name and classification name: 4 KB" (quotas page)."""
    max_attribute_bytes: int = 32 * 1024
    """Documented: "Maximum length of asset property name and value: 32 KB" (quotas page)."""

    def merged(self, overrides: Mapping[str, Any] | None) -> Limits:
        """These limits with valid integer overrides applied (unknown names and bad values are ignored)."""
        if not overrides:
            return self
        known = {f.name for f in fields(self)}
        valid = {
            k: int(v)
            for k, v in overrides.items()
            if k in known and isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v >= 0
        }
        return replace(self, **valid) if valid else self


def parse_limit(text: str) -> tuple[str, int]:
    """`NAME=VALUE` of the `--limit` flag."""
    name, _, value = text.partition("=")
    if name not in {f.name for f in fields(Limits)} or not value.isdigit():
        names = ", ".join(f.name for f in fields(Limits))
        raise ValueError(f"--limit expects NAME=INTEGER with NAME one of: {names}")
    return name, int(value)


def check_request(limits: Limits, body: bytes) -> None:
    """413 for a request body over `max_request_bytes` (a gateway limit, so it applies to every route)."""
    if limits.max_request_bytes and len(body) > limits.max_request_bytes:
        raise errors.AtlasError(
            413,
            REQUEST_TOO_LARGE,
            f"Request body of {len(body)} bytes exceeds the maximum of {limits.max_request_bytes} bytes",
        )


def check_entities(limits: Limits, entities: list[Any], body_size: int) -> None:
    """400 `ATLAS-400-00-01A` (GUESS: the code) for a write breaking a per-call or per-entity limit."""
    if limits.max_bulk_entities and len(entities) > limits.max_bulk_entities:
        raise errors.INVALID_PARAMETERS(
            f"{len(entities)} entities in one request; at most {limits.max_bulk_entities} are allowed"
        )
    whole_entities = limits.max_entity_bytes and body_size > limits.max_entity_bytes
    for raw in entities:
        if not isinstance(raw, dict):
            continue
        if whole_entities:  # no single entity can be larger than the body it came in
            size = len(json.dumps(raw, separators=(",", ":"), ensure_ascii=False).encode())
            if size > limits.max_entity_bytes:
                raise errors.INVALID_PARAMETERS(
                    f"entity {_label(raw)} is {size} bytes; an asset can be at most {limits.max_entity_bytes} bytes"
                )
        _check_contacts(limits, raw)
        _check_attributes(limits, raw)


def _check_contacts(limits: Limits, raw: dict[str, Any]) -> None:
    contacts = raw.get("contacts")
    if not limits.max_contacts_per_type or not isinstance(contacts, dict):
        return
    for contact_type, items in contacts.items():
        if isinstance(items, list) and len(items) > limits.max_contacts_per_type:
            raise errors.INVALID_PARAMETERS(
                f"entity {_label(raw)} has {len(items)} {contact_type} contacts; "
                f"the maximum number of contacts per contact type is {limits.max_contacts_per_type}"
            )


def _check_attributes(limits: Limits, raw: dict[str, Any]) -> None:
    attributes = raw.get("attributes")
    if not isinstance(attributes, dict):
        return
    name = attributes.get("name")
    if limits.max_name_bytes and isinstance(name, str) and _longer(name, limits.max_name_bytes):
        raise errors.INVALID_PARAMETERS(f"entity {_label(raw)}: name is longer than {limits.max_name_bytes} bytes")
    if not limits.max_attribute_bytes:
        return
    for key, value in attributes.items():
        if _longer(key, limits.max_attribute_bytes) or (
            isinstance(value, str) and _longer(value, limits.max_attribute_bytes)
        ):
            raise errors.INVALID_PARAMETERS(
                f"entity {_label(raw)}: attribute {key[:100]} is longer than {limits.max_attribute_bytes} bytes"
            )


def _longer(text: str, limit: int) -> bool:
    """Whether `text` is over `limit` UTF-8 bytes (encoding only strings that could be)."""
    return len(text) * 4 > limit and len(text.encode()) > limit


def _label(raw: dict[str, Any]) -> str:
    attributes = raw.get("attributes")
    name = attributes.get("qualifiedName") if isinstance(attributes, dict) else None
    shown = name if isinstance(name, str) else raw.get("guid")
    return f"{raw.get('typeName')}:{str(shown)[:200]}"

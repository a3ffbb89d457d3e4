"""Parsing of discovery request options: limits, continuation tokens bound to the request, sort keys.

Continuation tokens mimic the service's (base64 JSON with `sessionId`, `offset`, `requestHash`, decoded
from the official pagination example) and are refused when replayed with a different query.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
from typing import Any

from emulators.purview import errors


def sort_key(value: Any) -> tuple[int, Any]:
    """Sort key putting numbers first, then strings case-insensitively, then missing values."""
    if value is None:
        return (2, "")
    if isinstance(value, int | float):
        return (0, value)
    return (1, str(value).lower())


_INTEGER_TEXT = re.compile(r"^\s*[+-]?[0-9]{1,18}\s*$")


def int_option(body: dict[str, Any], name: str, default: int) -> int:
    """A non-negative integer option of the body, or the default.

    A decimal string counts as its number: the service accepts `"limit": "1000"`, which Microsoft's
    Databricks lineage accelerator sends on every search (`PurviewAPIConstants.DefaultSearchLimit`).
    """
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, str) and _INTEGER_TEXT.match(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise errors.INVALID_PARAMETERS(f"{name} must be an integer")
    if value < 0:
        raise errors.INVALID_PARAMETERS(f"{name} must not be negative")
    return value


def keywords_and_limit(body: Any, default: int) -> tuple[str, int]:
    """Keywords (1-100 characters) and limit (1-100) of suggest/autocomplete."""
    if not isinstance(body, dict) or not isinstance(body.get("keywords"), str):
        raise errors.INVALID_PARAMETERS("keywords is required")
    keywords = body["keywords"]
    if not 1 <= len(keywords) <= 100:
        raise errors.INVALID_PARAMETERS("keywords must have 1 to 100 characters")
    limit = int_option(body, "limit", default)
    if not 1 <= limit <= 100:
        raise errors.INVALID_PARAMETERS("limit must be between 1 and 100")
    return keywords, limit


def request_hash(body: dict[str, Any]) -> str:
    """Hash of the parts of a query a continuation token is bound to."""
    bound = {k: body.get(k) for k in ("keywords", "filter", "orderby", "facets", "taxonomySetting")}
    return hashlib.md5(json.dumps(bound, sort_keys=True).encode(), usedforsecurity=False).hexdigest()


def encode_token(offset: int, request_hash: str) -> str:
    """A continuation token for the next page."""
    data = {"sessionId": str(uuid.uuid4()), "offset": offset, "requestHash": request_hash}
    return base64.b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def decode_token(token: Any, request_hash: str) -> int:
    """Offset from a continuation token, refusing tokens of another request."""
    try:
        data = json.loads(base64.b64decode(str(token), validate=True))
        offset = int(data["offset"])
        bound_to = str(data["requestHash"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise errors.INVALID_PARAMETERS("continuationToken is invalid") from None
    if bound_to != request_hash:
        raise errors.INVALID_PARAMETERS("continuationToken does not belong to this request")
    return max(offset, 0)

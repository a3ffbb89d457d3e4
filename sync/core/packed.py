"""Many small documents held compactly: a mapping whose values live as compressed JSON, decoded when read.

A planner that must know every object of a large estate before it can compare any of them in order (a source
that lists objects in its own order, a cache packed into hash buckets) holds each one as a few hundred bytes
instead of a tree of Python objects tens of times larger (docs/decisions/0903-bounded-memory-planning.md).
Equal values pack to equal bytes (the JSON is canonical), so comparing two packed values needs no decoding.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def pack_json(value: Any) -> bytes:
    """Canonical JSON, compressed."""
    return zlib.compress(json.dumps(value, sort_keys=True, separators=(",", ":")).encode(), 1)


def unpack_json(packed: bytes) -> Any:
    """Inverse of `pack_json`."""
    return json.loads(zlib.decompress(packed))


class PackedMap(Mapping[str, T], Generic[T]):
    """key → value, each value kept as `pack_json(encode(value))` and rebuilt with `decode` when read."""

    def __init__(self, encode: Callable[[T], Any], decode: Callable[[Any], T]) -> None:
        self._encode, self._decode = encode, decode
        self._packed: dict[str, bytes] = {}

    def put(self, key: str, value: T) -> None:
        """Keep a value (replacing one kept under the same key)."""
        self._packed[key] = pack_json(self._encode(value))

    def put_json(self, key: str, document: Any) -> None:
        """Keep a value given in its encoded (JSON) form, without building it."""
        self._packed[key] = pack_json(document)

    def put_packed(self, key: str, packed: bytes) -> None:
        """Keep a value packed by another PackedMap of the same kind (shares the bytes)."""
        self._packed[key] = packed

    def packed(self, key: str) -> bytes:
        """The packed form of a value (KeyError when absent)."""
        return self._packed[key]

    def document(self, key: str) -> Any:
        """A value's encoded (JSON) form."""
        return unpack_json(self._packed[key])

    def same(self, key: str, other: PackedMap[T]) -> bool:
        """Whether both maps hold equal values under `key` (absent in both counts as equal)."""
        return self._packed.get(key) == other._packed.get(key)

    def __getitem__(self, key: str) -> T:
        return self._decode(unpack_json(self._packed[key]))

    def __contains__(self, key: object) -> bool:
        return key in self._packed

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)

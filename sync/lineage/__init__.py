"""CluedIn → Purview lineage: the pieces behind F2 and F4.

Pure (no I/O, tested exhaustively without a server): `names` (qualifiedName scheme), `model` (facts and desired
records), `graph` (records → entities, columnMapping), `batch` (bulk payloads with placeholders), `plan` (the
planner). I/O helpers of the features: `detect` (what changed in CluedIn), `writer` (applying a message),
`rows` (bulk state reads and guarded commits).
"""

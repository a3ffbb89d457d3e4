"""State in Azure Table Storage (docs/state.md): rows, the store with its named write operations, run reports."""

from sync.core.state.rows import SyncObject, encode_key, fingerprint
from sync.core.state.runs import RunLog, new_run_id, parse_run_id
from sync.core.state.store import StateStore

__all__ = ["RunLog", "StateStore", "SyncObject", "encode_key", "fingerprint", "new_run_id", "parse_run_id"]

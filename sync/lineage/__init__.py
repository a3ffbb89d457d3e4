"""CluedIn → Purview lineage: names, entity graphs and bulk batches, all pure (no I/O).

The feature modules (`sync/features/lineage.py`, `sync/features/polling.py`) do the reading and writing; this
package only decides what the graph looks like, so it can be tested exhaustively without a server.
"""

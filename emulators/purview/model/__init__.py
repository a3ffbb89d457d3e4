"""The emulator's in-memory Purview: type system, entities, glossary, search index, lineage, collections.

Everything here is synchronous and mutated only from the event-loop thread, so no locks are needed.
"""

"""F6's applier: one message (a vocabulary and its keys, usually) → CluedIn mutations and one state commit.

CluedIn has no bulk mutation for vocabularies or keys, so each is one call, as CluedIn's own toolkit makes them.
Creation is idempotent by CluedIn's own uniqueness: a prefix or full key that exists is read instead and updated
to what the term says ("existing vocabularies and keys are updated, never duplicated"). The entity type
`/<Business Domain Prefix>/<Term>` is created with the vocabulary when missing.
"""

from __future__ import annotations

from sync.core.errors import ContentionError
from sync.core.feature import ApplyOutcome, Notification, SyncContext
from sync.core.messages import Change, ChangeKind
from sync.core.state import SyncObject
from sync.core.twoway import FAILED, mark_failed, unchanged_fingerprint, written_by
from sync.features.glossary_to_vocabularies.select import LEGACY_KEY, is_vocabulary
from sync.services.cluedin.client import CluedInClient, GraphQLError
from sync.services.cluedin.vocabularies import (
    KeySpec,
    VocabularyKey,
    VocabularySpec,
    ensure_key,
    ensure_vocabulary,
    find_key,
    plain_text,
    save_key,
    save_vocabulary,
)

KEY_CREATED = "VocabularyKeyCreated"


def key_created_text(full_key: str) -> str:
    """Notification when a key was created (CluedIn shows one; its exact words are not published)."""
    return f"Vocabulary key '{full_key}' created from Purview glossary term"


class VocabularyWriter:
    """Applies one message of F6 changes."""

    def __init__(self, ctx: SyncContext, kind: str) -> None:
        self.ctx = ctx
        self.kind = kind
        self.cluedin: CluedInClient = ctx.client("cluedin")
        self.rows: dict[str, SyncObject] = {}
        self.save: dict[str, SyncObject] = {}
        self.outcomes: dict[str, ApplyOutcome] = {}

    def apply(self, changes: list[Change]) -> list[ApplyOutcome]:
        """Vocabularies first, then keys; one guarded state commit."""
        parents = {str(c.desired["parent"]) for c in changes if c.desired.get("parent")}
        self.rows = self.ctx.state.read_many(self.kind, {c.key for c in changes} | parents)
        todo = []
        for change in changes:
            if change.key.startswith(LEGACY_KEY):
                why = "planned before the state layout changed; the next cycle plans it again"
                self.outcomes[change.key] = ApplyOutcome("skipped", why)
            elif unchanged_fingerprint(change, self.rows.get(change.key)):
                self.outcomes[change.key] = ApplyOutcome("skipped", "already applied")
            else:
                todo.append(change)
        self._check_parents([c for c in todo if not is_vocabulary(c.key)], {c.key for c in todo})
        for change in todo:
            if change.key in self.outcomes:
                continue
            try:
                if is_vocabulary(change.key):
                    self._vocabulary(change)
                else:
                    self._key(change)
            except GraphQLError as exc:
                self._fail(change, f"CluedIn refused it: {exc.detail or exc}")
        self.ctx.state.commit_many(list(self.save.values()))
        return [self.outcomes.get(c.key, ApplyOutcome("skipped", "nothing to do")) for c in changes]

    def _check_parents(self, keys: list[Change], here: set[str]) -> None:
        for change in keys:
            parent = str(change.desired["parent"])
            row = self.rows.get(parent)
            if parent in here:
                continue
            if row is not None and row.status == FAILED:
                self.outcomes[change.key] = ApplyOutcome("failed", f"its vocabulary ({parent}) could not be created")
            elif row is None or not row.target.get("vocabularyId"):
                raise ContentionError(f"the vocabulary of {change.key} is not created yet", retry_after=2)

    def _spec(self, change: Change) -> VocabularySpec:
        desired = change.desired
        values = desired["values"]
        return VocabularySpec(
            name=str(values["vocabularyName"]),
            key_prefix=str(desired["key_prefix"]),
            description=str(values["description"]),
            entity_type=str(desired["entity_type"]),
            entity_type_name=str(desired["entity_type_name"]),
        )

    def _vocabulary(self, change: Change) -> None:
        spec = self._spec(change)
        row = self._row(change)
        vocabulary_id = str(row.target.get("vocabularyId") or "") if change.kind == ChangeKind.UPDATE else ""
        if vocabulary_id:
            save_vocabulary(self.cluedin, vocabulary_id, spec)
            detail = "updated: " + ", ".join(change.desired.get("write") or [])
        else:
            vocabulary, created = ensure_vocabulary(self.cluedin, spec)
            vocabulary_id = vocabulary.id
            if not created and (vocabulary.name, vocabulary.description) != (spec.name, spec.description):
                save_vocabulary(self.cluedin, vocabulary_id, spec)
            detail = "created" if created else f"updated the existing vocabulary '{spec.key_prefix}'"
        row.target = {"vocabularyId": vocabulary_id, "keyPrefix": spec.key_prefix}
        self._record(change, row, detail)

    def _key(self, change: Change) -> None:
        desired, values = change.desired, change.desired["values"]
        parent = self.save.get(str(desired["parent"])) or self.rows[str(desired["parent"])]
        vocabulary_id = str(parent.target["vocabularyId"])
        full_key = f"{parent.target['keyPrefix']}.{desired['name']}"
        row = self._row(change)
        notes: list[Notification] = []
        wanted = {"displayName": values["displayName"], "dataType": values["dataType"]}
        wanted["description"] = values["description"]
        if change.kind == ChangeKind.UPDATE and row.target.get("vocabularyKeyId"):
            current = find_key(self.cluedin, full_key)
            if current is None:
                row.status = "pending"
                self.save[change.key] = row
                self.outcomes[change.key] = ApplyOutcome("skipped", "the key is gone in CluedIn; re-created next cycle")
                return
            changes = {f: wanted[f] for f in desired.get("write") or [] if f in wanted}
            save_key(self.cluedin, current, changes)
            key_id, detail = current.id, "updated: " + ", ".join(sorted(changes))
        else:
            spec = KeySpec(
                str(desired["name"]), str(values["displayName"]), str(values["dataType"]), values["description"]
            )
            key, created = ensure_key(self.cluedin, vocabulary_id, full_key, spec)
            differs = {f: v for f, v in wanted.items() if _key_value(key, f) != v}
            if not created and differs:
                save_key(self.cluedin, key, differs)
            key_id = key.id
            detail = "created" if created else f"updated the existing key '{full_key}'"
            if created:
                notes.append(Notification(event=KEY_CREATED, text=key_created_text(full_key)))
        row.target = {
            "vocabularyKeyId": key_id,
            "key": full_key,
            "name": desired["name"],
            "vocabularyId": vocabulary_id,
        }
        self._record(change, row, detail, notes)

    def _row(self, change: Change) -> SyncObject:
        return self.save.get(change.key) or self.rows.get(change.key) or SyncObject(self.kind, change.key)

    def _record(self, change: Change, row: SyncObject, detail: str, notes: list[Notification] | None = None) -> None:
        row.data = {k: change.desired.get(k) for k in ("label", "group", "parent")}
        row.data["written"] = written_by(change)
        row.fingerprint = change.fingerprint
        row.status = "active"
        self.save[change.key] = row
        self.outcomes[change.key] = ApplyOutcome("applied", detail, notes or [])

    def _fail(self, change: Change, error: str) -> None:
        row = self._row(change)
        mark_failed(row, change, error)
        row.data["label"] = change.desired.get("label")
        self.save[change.key] = row
        self.outcomes[change.key] = ApplyOutcome("failed", error, fatal=True)


def _key_value(key: VocabularyKey, field: str) -> str:
    return {
        "displayName": key.display_name,
        "dataType": key.data_type,
        "description": plain_text(key.description) if key.description else "",
    }[field]

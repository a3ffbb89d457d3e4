"""F5's applier: one queue message (a vocabulary and its keys, usually) → a few Purview calls and one state commit.

- Deletes first (key terms before their vocabulary's term); Purview keeps a term entities are assigned to (400),
  which is reported and left for the next cycle to decide again.
- Creates level by level with Purview's bulk term endpoint: the vocabularies' terms in one call, then their keys'
  terms (which need the vocabulary term's guid) in another.
- Updates: a partial update of the changed text fields, or a read-and-replace when the parent must change.

Creating terms is made idempotent by the term itself: names are unique within a glossary, and every term carries
a resource link to its CluedIn source. A create refused because the name exists (a redelivered message, or one that
died after Purview answered) lists the glossary once and adopts the terms that carry their own link; a name taken
by someone else's term gets the next free numeric suffix. Rows are read at the start and written back in one
guarded commit (`read_many`/`commit_many`); a row changed meanwhile fails the commit and the message is retried.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sync.core.errors import ConflictError, ContentionError, NotFoundError, RetriableError, ServiceError
from sync.core.feature import ApplyOutcome, SyncContext
from sync.core.messages import Change, ChangeKind
from sync.core.state import SyncObject
from sync.core.twoway import FAILED, mark_failed, unchanged_fingerprint, written_by
from sync.features.vocabularies_to_glossary.api import carries_origin, origin_of
from sync.features.vocabularies_to_glossary.bundles import VOCAB, explode, fold, members, vocabulary_of
from sync.features.vocabularies_to_glossary.target import GLOSSARY_ROW, ROOT_ROW
from sync.features.vocabularies_to_glossary.texts import suffixed
from sync.services.purview.client import PurviewClient
from sync.services.purview.glossary import Glossary, GlossaryTerm, iter_terms

TEXT_FIELDS = ("name", "longDescription", "status")
READ_ONLY = (
    "assignedEntities",
    "hierarchyInfo",
    "lastModifiedTS",
    "createTime",
    "updateTime",
    "createdBy",
    "updatedBy",
)


class TermWriter:
    """Applies one message of F5 changes."""

    def __init__(self, ctx: SyncContext, kind: str) -> None:
        self.ctx = ctx
        self.kind = kind
        self.purview: PurviewClient = ctx.client("purview")
        self.cluedin_url = str(ctx.client("cluedin").base_url)
        self.rows: dict[str, SyncObject] = {}
        self.outcomes: dict[str, ApplyOutcome] = {}
        self.save: dict[str, SyncObject] = {}
        self.drop: list[SyncObject] = []
        self.glossary: Glossary | None = None
        self._listing: dict[str, GlossaryTerm] | None = None
        self._root: str | None = None

    def apply(self, bundles: list[Change]) -> list[ApplyOutcome]:
        """Apply the vocabulary changes of one message; transient failures propagate (the message is retried)."""
        row_keys = {VOCAB + vocabulary_of(b.key) for b in bundles}
        real = self.ctx.state.read_many(self.kind, row_keys | {GLOSSARY_ROW})
        anchor = real.pop(GLOSSARY_ROW, None)
        if anchor is None or not anchor.target.get("guid"):
            raise RetriableError("the Purview glossary for vocabulary terms is not recorded yet (set-up pending)")
        self.glossary = Glossary(str(anchor.target["guid"]), str(anchor.target.get("name") or ""))
        self.rows = explode(real)
        owner = {m.key: b.key for b in bundles for m in members(b)}
        changes = [m for b in bundles for m in members(b)]
        self._apply_terms(changes)
        self._commit(real, row_keys)
        return [self._outcome([o for k, o in self.outcomes.items() if owner.get(k) == b.key]) for b in bundles]

    def _apply_terms(self, changes: list[Change]) -> None:
        todo = []
        for change in changes:
            if change.kind != ChangeKind.DELETE and unchanged_fingerprint(change, self.rows.get(change.key)):
                self.outcomes[change.key] = ApplyOutcome("skipped", "already applied")
            else:
                todo.append(change)
        creates = [c for c in todo if c.kind == ChangeKind.CREATE]
        self._check_parents(creates)
        for change in (c for c in todo if c.kind == ChangeKind.DELETE):
            self._delete(change)
        for level in (1, 2):
            self._create([c for c in creates if self._level(c) == level])
        for change in (c for c in todo if c.kind == ChangeKind.UPDATE):
            self._update(change)

    def _commit(self, real: dict[str, SyncObject], row_keys: set[str]) -> None:
        """Each vocabulary's row, with its terms' changes folded in, in one guarded commit."""
        save, delete = [], []
        dropped = {row.key for row in self.drop}
        for row_key in sorted(row_keys):
            vid = vocabulary_of(row_key)
            changed: dict[str, SyncObject | None] = {
                k: r for k, r in self.save.items() if str(r.data.get("group") or "") == vid or k == row_key
            }
            changed.update({k: None for k in dropped if str(self.rows[k].data.get("group") or "") == vid})
            if not changed:
                continue
            row = real.get(row_key) or SyncObject(self.kind, row_key)
            folded = fold(row, changed)
            if folded is None:
                delete.append(row)
            else:
                save.append(folded)
        self.ctx.state.commit_many(save, delete)

    @staticmethod
    def _outcome(outcomes: list[ApplyOutcome]) -> ApplyOutcome:
        """What a vocabulary change did, from what each of its terms' changes did."""
        if not outcomes:
            return ApplyOutcome("skipped", "nothing to do")
        counts = Counter(o.detail if o.result == "applied" else f"{o.result}: {o.detail}" for o in outcomes)
        detail = "; ".join(f"{text} ({n} terms)" if n > 1 else text for text, n in sorted(counts.items()))
        results = {o.result for o in outcomes}
        result = "failed" if "failed" in results else "applied" if "applied" in results else "skipped"
        return ApplyOutcome(result, detail[:2000], fatal=any(o.fatal for o in outcomes))

    # --- parents ------------------------------------------------------------------------------------------------
    @staticmethod
    def _level(change: Change) -> int:
        return 1 if change.key.startswith("vocab|") else 2

    def _parent_guid(self, change: Change) -> str | None:
        parent = change.desired.get("parent")
        if not parent:
            return None
        if parent == ROOT_ROW:
            if self._root is None:
                root = self.ctx.state.get_object(self.kind, ROOT_ROW)
                self._root = str(root.target.get("guid") or "") if root is not None else ""
            return self._root or None
        row = self.save.get(str(parent)) or self.rows.get(str(parent))
        return str(row.target["guid"]) if row is not None and row.active and row.target.get("guid") else None

    def _check_parents(self, creates: list[Change]) -> None:
        """Key terms need their vocabulary's term: in this message, or created by an earlier one.

        A vocabulary with more keys than a message holds is split; the engine sends the later part a little after
        the first (`pack` continuations), and if it still comes first it is deferred until the term exists.
        """
        here = {c.key for c in creates}
        for change in creates:
            parent = str(change.desired.get("parent") or "")
            if not parent or parent == ROOT_ROW or parent in here:
                continue
            row = self.rows.get(parent)
            if row is not None and row.status == FAILED:
                self.outcomes[change.key] = ApplyOutcome("failed", f"its parent term ({parent}) could not be created")
            elif row is None or not row.active or not row.target.get("guid"):
                raise ContentionError(f"the parent term of {change.key} is not created yet", retry_after=2)

    # --- writes ---------------------------------------------------------------------------------------------------
    def _origin(self, change: Change) -> dict[str, str]:
        return origin_of(self.cluedin_url, change.key, str(change.desired.get("group")))

    def _body(self, change: Change, parent: str | None, name: str | None = None) -> dict[str, Any]:
        assert self.glossary is not None
        values = change.desired["values"]
        body: dict[str, Any] = {
            "name": name or values["name"],
            "anchor": {"glossaryGuid": self.glossary.guid},
            "status": values["status"],
            "longDescription": values["longDescription"],
            "resources": [self._origin(change)],
        }
        if parent:
            body["parentTerm"] = {"termGuid": parent}
        return body

    def _create(self, batch: list[Change]) -> None:
        batch = [c for c in batch if c.key not in self.outcomes]
        if not batch:
            return
        bodies = [self._body(c, self._parent_guid(c)) for c in batch]
        try:
            created = self.purview.create_terms(bodies)
        except ServiceError:
            self._create_one_by_one(batch, bodies)
            return
        for change, term in zip(batch, created, strict=True):
            self._record(change, str(term["guid"]), written_by(change), "created")

    def _create_one_by_one(self, batch: list[Change], bodies: list[dict[str, Any]]) -> None:
        """After a refused bulk call: adopt what an earlier attempt created, suffix clashing names, create the rest."""
        listing = self._terms()
        taken = {t.name.lower() for t in listing.values()}
        by_name = {t.name.lower(): t for t in listing.values()}
        for change, planned in zip(batch, bodies, strict=True):
            existing = by_name.get(str(planned["name"]).lower())
            if existing is not None and carries_origin(existing, self._origin(change)["url"]):
                actual = {
                    "name": existing.name,
                    "longDescription": existing.long_description,
                    "status": existing.status,
                }
                self._record(change, existing.guid, actual, "adopted the term an earlier attempt created", fresh=True)
                continue
            body = planned
            if existing is not None:
                number = 2
                while suffixed(str(change.desired["values"]["name"]), number).lower() in taken:
                    number += 1
                body = {**planned, "name": suffixed(str(change.desired["values"]["name"]), number)}
            try:
                [term] = self.purview.create_terms([body])
            except ServiceError as exc:
                self._fail(change, f"Purview refused the term: {exc.detail or exc}")
                continue
            taken.add(str(body["name"]).lower())
            written = {**written_by(change), "name": body["name"]}
            self._record(change, str(term["guid"]), written, "created")

    def _update(self, change: Change) -> None:
        if change.desired.get("orphan"):  # SYNC_DELETE_POLICY=retain: the term stays, the app lets go of it
            orphan = self.rows.get(change.key)
            if orphan is not None:
                orphan.status = "orphaned"
                self.save[change.key] = orphan
            self.outcomes[change.key] = ApplyOutcome("applied", "orphaned (SYNC_DELETE_POLICY=retain)")
            return
        row = self.rows.get(change.key)
        adopt = change.desired.get("adopt")
        if adopt and (row is None or not row.target.get("guid")):  # a term taken back by its resource link
            row = row or SyncObject(self.kind, change.key)
            row.target = {"guid": str(adopt)}
            self.rows[change.key] = row
        guid = str(row.target.get("guid") or "") if row is not None else ""
        if row is None or not guid:
            self.outcomes[change.key] = ApplyOutcome("skipped", "no term recorded; the next cycle creates it")
            return
        write, values = change.desired.get("write") or [], change.desired["values"]
        text = {f: str(values[f]) for f in write if f in TEXT_FIELDS}
        try:
            if "parent" in write:
                self._replace(guid, text, (change.desired.get("set") or {}).get("parent"))
            elif text:
                self.purview.partial_update_term(guid, text)
        except NotFoundError:
            row.status = "pending"
            self.save[change.key] = row
            self.outcomes[change.key] = ApplyOutcome(
                "skipped", "the term was deleted in Purview; re-created next cycle"
            )
            return
        except ConflictError as exc:
            self.outcomes[change.key] = ApplyOutcome("failed", f"Purview refused the update: {exc.detail or exc}")
            return
        self._record(change, guid, written_by(change), "updated: " + ", ".join(write) if write else "recorded")

    def _replace(self, guid: str, text: dict[str, str], parent: str | None) -> None:
        term = self.purview.get_term(guid)
        if term is None:
            raise NotFoundError("purview", 404, "ATLAS-404-00-005", f"term {guid} not found")
        body = {k: v for k, v in term.items() if k not in READ_ONLY}
        body.update(text)
        if parent:
            body["parentTerm"] = {"termGuid": parent}
        else:
            body.pop("parentTerm", None)
        self.purview.update_term(guid, body)

    def _delete(self, change: Change) -> None:
        row = self.rows.get(change.key)
        guid = str(row.target.get("guid") or "") if row is not None else ""
        if row is not None and guid:
            try:
                self.purview.delete_term(guid)
            except ServiceError as exc:
                if exc.status != 400:
                    raise
                self.outcomes[change.key] = ApplyOutcome("skipped", f"kept: Purview refused ({exc.detail or exc.code})")
                return
        if row is not None:
            self.drop.append(row)
        self.outcomes[change.key] = ApplyOutcome("applied", "deleted" if guid else "forgotten")

    # --- state ----------------------------------------------------------------------------------------------------
    def _row(self, change: Change) -> SyncObject:
        return self.save.get(change.key) or self.rows.get(change.key) or SyncObject(self.kind, change.key)

    def _record(self, change: Change, guid: str, written: dict[str, Any], detail: str, *, fresh: bool = False) -> None:
        row = self._row(change)
        row.target = {"guid": guid, "name": written.get("name")}
        keep = ("label", "base", "group", "vocabulary", "parent")
        row.data = {**{k: change.desired.get(k) for k in keep}, "written": written}
        row.fingerprint = "" if fresh else change.fingerprint
        row.status = "active"
        row.last_run_id = ""
        self.save[change.key] = row
        self.outcomes[change.key] = ApplyOutcome("applied", detail)

    def _fail(self, change: Change, error: str) -> None:
        row = self._row(change)
        mark_failed(row, change, error)
        row.data.update(label=change.desired.get("label"), group=change.desired.get("group"))
        self.save[change.key] = row
        self.outcomes[change.key] = ApplyOutcome("failed", error, fatal=True)

    def _terms(self) -> dict[str, GlossaryTerm]:
        if self._listing is None:
            assert self.glossary is not None
            self._listing = {t.guid: t for t in iter_terms(self.purview, self.glossary)}
        return self._listing

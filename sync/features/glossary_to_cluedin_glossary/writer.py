"""F7's applier: one message of Purview terms → CluedIn glossary terms, with intents because names are not unique.

CluedIn lets two glossary terms share a name and has no bulk mutation, so a create whose answer was lost cannot be
told apart from a fresh one by CluedIn alone: the intended name and category are written to the term's state row
before the create (one guarded commit for the whole message), and a retry that finds an intent looks the term up
by name in its category instead of creating another (docs/decisions/0005). A term is created inactive with its
filter (`rules.py`) and then saved once with its descriptions, as CluedIn's own toolkit does.
"""

from __future__ import annotations

from typing import Any

from sync.core.errors import ServiceError
from sync.core.feature import ApplyOutcome, Notification, SyncContext
from sync.core.messages import Change, ChangeKind
from sync.core.state import SyncObject
from sync.core.twoway import mark_failed, unchanged_fingerprint, written_by
from sync.services.cluedin.client import CluedInClient, GraphQLError
from sync.services.cluedin.glossary import (
    GlossaryTerm,
    categories,
    create_term,
    delete_term,
    ensure_category,
    get_term,
    iter_terms,
    save_term,
)

TERM_CREATED = "GlossaryTermCreated"
TERMS_CREATED = "GlossaryTermsCreated"


def created_text(name: str) -> str:
    """The product's notification for one term ("Glossary term created")."""
    return f"Glossary term '{name}' created"


def many_created_text(count: int) -> str:
    """The product's notification for several terms ("Glossary terms created")."""
    return f"{count} Glossary terms have been created from Purview glossary terms"


class GlossaryTermWriter:
    """Applies one message of F7 changes."""

    def __init__(self, ctx: SyncContext, kind: str) -> None:
        self.ctx = ctx
        self.kind = kind
        self.cluedin: CluedInClient = ctx.client("cluedin")
        self.outcomes: dict[str, ApplyOutcome] = {}
        self.save: dict[str, SyncObject] = {}
        self.drop: list[SyncObject] = []
        self.categories: dict[str, str] = {}
        self.earlier: set[str] = set()
        """Terms with an intent from an earlier attempt: looked up before they are created."""

    def apply(self, changes: list[Change]) -> list[ApplyOutcome]:
        """Deletes, creates (after recording intents), updates; one state commit."""
        keys = {c.key for c in changes}
        rows = self.ctx.state.read_many(self.kind, keys)
        todo = [c for c in changes if not self._done(c, rows.get(c.key))]
        creates = [c for c in todo if c.kind == ChangeKind.CREATE]
        if creates:
            rows = self._record_intents(creates, rows)
        if any(c.kind != ChangeKind.DELETE for c in todo):
            self.categories = categories(self.cluedin)
        created: list[str] = []
        for change in todo:
            row = rows.get(change.key) or SyncObject(self.kind, change.key)
            try:
                if change.kind == ChangeKind.DELETE:
                    self._delete(change, row)
                elif change.kind == ChangeKind.CREATE:
                    if self._create(change, row):
                        created.append(change.key)
                else:
                    self._update(change, row)
            except ServiceError as exc:  # GraphQL errors included; transient failures propagate (message retried)
                self._fail(change, row, f"CluedIn refused it: {exc.detail or exc}")
        if len(created) > 1:
            last = self.outcomes[created[-1]]
            last.notifications.append(Notification(event=TERMS_CREATED, text=many_created_text(len(created))))
        self.ctx.state.commit_many(list(self.save.values()), self.drop)
        return [self.outcomes.get(c.key, ApplyOutcome("skipped", "nothing to do")) for c in changes]

    def _done(self, change: Change, row: SyncObject | None) -> bool:
        if change.kind != ChangeKind.DELETE and unchanged_fingerprint(change, row):
            self.outcomes[change.key] = ApplyOutcome("skipped", "already applied")
            return True
        return False

    def _record_intents(self, creates: list[Change], rows: dict[str, SyncObject]) -> dict[str, SyncObject]:
        """Write what is about to be created, so a retry adopts instead of creating twice; fresh ETags after."""
        intents = []
        for change in creates:
            row = rows.get(change.key) or SyncObject(self.kind, change.key, status="pending")
            if row.data.get("creating"):
                self.earlier.add(change.key)  # an earlier attempt's intent: its term may exist; looked up first
                continue
            row.data = {**row.data, "creating": self._intent(change)}
            intents.append(row)
        if intents:
            self.ctx.state.commit_many(intents)
        return self.ctx.state.read_many(self.kind, [c.key for c in creates]) | {
            k: v for k, v in rows.items() if k not in {c.key for c in creates}
        }

    @staticmethod
    def _intent(change: Change) -> dict[str, Any]:
        return {"name": change.desired["values"]["name"], "category": change.desired["category"]}

    def _category(self, name: str) -> str:
        category_id, _ = ensure_category(self.cluedin, name, self.categories)
        self.categories[name] = category_id
        return category_id

    def _create(self, change: Change, row: SyncObject) -> bool:
        values = change.desired["values"]
        category_id = self._category(str(change.desired["category"]))
        intent = row.data.get("creating") or {}
        replaces = row.target.get("id") if change.desired.get("replaces") else None
        found = None
        if intent and change.key in self.earlier:
            found = next(
                (t for t in iter_terms(self.cluedin, search_name=intent["name"], category_id=category_id)
                 if t.name == intent["name"] and t.id != replaces),
                None,
            )  # fmt: skip
        if found is None:
            term_id = create_term(self.cluedin, str(values["name"]), category_id, change.desired["rule_set"])
            raw = {"name": values["name"], "categoryId": category_id, "active": False}
            raw["ruleSet"] = change.desired["rule_set"]
            found = GlossaryTerm(term_id, str(values["name"]), category_id, raw=raw)
            created = True
        else:
            created = False
        texts = {f: values[f] for f in ("shortDescription", "description") if values.get(f)}
        if texts:
            save_term(self.cluedin, found, texts)
        row.target = {"id": found.id, "categoryId": category_id}
        notes = [Notification(event=TERM_CREATED, text=created_text(str(values["name"])))] if created else []
        self._record(change, row, "created" if created else "adopted the term an earlier attempt created", notes)
        return created

    def _update(self, change: Change, row: SyncObject) -> None:
        term_id = str(row.target.get("id") or "")
        try:
            current = get_term(self.cluedin, term_id) if term_id else None
        except GraphQLError:
            current = None
        if current is None:
            row.status = "pending"
            self.save[change.key] = row
            self.outcomes[change.key] = ApplyOutcome("skipped", "the term is gone in CluedIn; re-created next cycle")
            return
        values = change.desired["values"]
        write = change.desired.get("write") or []
        changes: dict[str, Any] = {f: values[f] for f in write if f in values}
        if "categoryId" in write:
            changes["categoryId"] = self._category(str(change.desired["category"]))
        if changes:
            save_term(self.cluedin, current, changes)
        row.target = {"id": term_id, "categoryId": changes.get("categoryId", current.category_id)}
        self._record(change, row, "updated: " + ", ".join(sorted(changes)) if changes else "recorded")

    def _delete(self, change: Change, row: SyncObject) -> None:
        if row.target.get("id"):
            delete_term(self.cluedin, str(row.target["id"]))
        if row.etag is not None:
            self.drop.append(row)
        self.outcomes[change.key] = ApplyOutcome("applied", "deleted")

    def _record(self, change: Change, row: SyncObject, detail: str, notes: list[Notification] | None = None) -> None:
        row.data = {"label": change.desired.get("label"), "written": written_by(change)}
        row.fingerprint = change.fingerprint
        row.status = "active"
        self.save[change.key] = row
        self.outcomes[change.key] = ApplyOutcome("applied", detail, notes or [])

    def _fail(self, change: Change, row: SyncObject, error: str) -> None:
        mark_failed(row, change, error)
        row.data["label"] = change.desired.get("label")
        self.save[change.key] = row
        self.outcomes[change.key] = ApplyOutcome("failed", error, fatal=True)

"""The app's GraphQL documents: shared fragments are appended once each, and every document is valid against the
CluedIn emulator's schema (schema-first on graphql-core, so it validates as a real server would)."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse, validate

from emulators.cluedin.graphql.schema import data_schema, ui_schema
from sync.services.cluedin.client import FRAGMENT_DIR, GRAPHQL_DIR, graphql_document, with_fragments

DATA_API_DOCUMENTS = {"datasets_metrics", "stream_sample", "provider_sample"}
"""Documents the app sends to the data GraphQL (`data_api=True`); the others go to the UI GraphQL."""
DOCUMENTS = sorted(path.stem for path in GRAPHQL_DIR.glob("*.graphql"))


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_document_with_its_fragments_is_valid_against_the_schema(name):
    schema = data_schema() if name in DATA_API_DOCUMENTS else ui_schema()
    errors = validate(schema, parse(graphql_document(name)))
    assert errors == [], [e.message for e in errors]


def test_every_shared_fragment_is_used_and_named_after_its_file():
    used = "".join(graphql_document(name) for name in DOCUMENTS)
    for path in sorted(FRAGMENT_DIR.glob("*.graphql")):
        assert f"fragment {path.stem} on " in path.read_text(), path
        assert f"fragment {path.stem} on " in used, f"{path.name} is used by no document"


def write(directory: Path, name: str, text: str) -> None:
    (directory / f"{name}.graphql").write_text(text)


def test_fragments_are_appended_once_including_those_other_fragments_use(tmp_path):
    write(tmp_path, "Outer", "fragment Outer on DataSet { ...Inner name }\n")
    write(tmp_path, "Inner", "fragment Inner on DataSet { id }\n")
    document = "query Q { a { ...Outer ...Inner } b { ...Outer } }\n"
    assembled = with_fragments(document, tmp_path)
    assert assembled.startswith(document)
    assert assembled.count("fragment Outer on") == 1 and assembled.count("fragment Inner on") == 1
    assert assembled.index("fragment Outer") < assembled.index("fragment Inner")  # in order of first use


def test_inline_fragments_comments_strings_and_own_fragments_are_not_looked_up(tmp_path):
    document = (
        "# ...Commented out\n"
        'query Q { a(text: "...InString", block: """...InBlock""") { ... on DataSet { id } ... @include(if: true)'
        " { name } ...Local ...onboarding } }\n"
        "fragment Local on DataSet { id }\n"
    )
    write(tmp_path, "onboarding", "fragment onboarding on DataSet { name }\n")
    assembled = with_fragments(document, tmp_path)
    assert assembled == document + "\nfragment onboarding on DataSet { name }\n"


def test_a_document_without_spreads_is_sent_as_written(tmp_path):
    assert with_fragments("query Q { a }\n", tmp_path) == "query Q { a }\n"


@pytest.mark.parametrize("content", [None, "fragment Other on DataSet { id }\n"])
def test_a_missing_fragment_names_itself_and_its_file(tmp_path, content):
    if content is not None:
        write(tmp_path, "Missing", content)
    with pytest.raises(ValueError, match=r"Missing .*Missing\.graphql"):
        with_fragments("query Q { a { ...Missing } }\n", tmp_path)

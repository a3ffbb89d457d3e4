"""Pure functions: the expression subset, delimited/JSON parsing, sink settings and the known-type list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulators.datafactory.expressions import ExpressionContext, ExpressionError, evaluate_string, resolve
from emulators.datafactory.sink import RestSinkSettings, parse_additional_headers, parse_timespan
from emulators.datafactory.source import CopyError, decode, parse_delimited, parse_json

CTX = ExpressionContext("pl", "run-1", {"x": "X", "n": 3, "items": ["a"]}, {"folder": "f"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("@pipeline().parameters.x", "X"),
        ("@pipeline().parameters['x']", "X"),
        ("@pipeline().parameters.n", 3),
        ("@pipeline().RunId", "run-1"),
        ("@pipeline().Pipeline", "pl"),
        ("@dataset().folder", "f"),
        ("@concat('a', pipeline().parameters.x, 'b', 1)", "aXb1"),
        ("@concat('it''s')", "it's"),
        ("@concat(pipeline().parameters.items)", '["a"]'),
        ("@@literal", "@literal"),
        ("a/@{pipeline().parameters.x}/@{dataset().folder}", "a/X/f"),
        ("@'quoted'", "quoted"),
        ("@true", True),
    ],
)
def test_supported_expressions(text, expected):
    assert evaluate_string(text, CTX) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("@utcnow()", "utcnow() is not supported"),
        ("@pipeline().parameters.missing", "'missing' is not defined"),
        ("@pipeline().TriggerTime", "TriggerTime is not supported"),
        ("@dataset().nope", "'nope' is not defined"),
        ("@concat('a'", "expected"),
        ("@concat('a') extra", "unexpected"),
        ("x @{pipeline().parameters.x", "unterminated"),
        ("@linkedService().url", "linkedService() is not supported"),
    ],
)
def test_unsupported_or_broken_expressions_raise(text, message):
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        evaluate_string(text, CTX)


def test_resolve_walks_json_and_leaves_secrets_alone():
    secret = {"type": "AzureKeyVaultSecret", "store": {}, "secretName": "@x"}
    value = {"a": [{"value": "@pipeline().parameters.x", "type": "Expression"}, "@@x"], "s": secret, "n": 1}
    assert resolve(value, CTX) == {"a": ["X", "@x"], "s": secret, "n": 1}
    with pytest.raises(ExpressionError):
        resolve({"type": "Expression", "value": 5}, CTX)
    inside = ExpressionContext(dataset_parameters={}, inside_dataset=True)
    with pytest.raises(ExpressionError, match="inside a dataset"):
        evaluate_string("@pipeline().parameters.x", inside)


def test_delimited_defaults_have_no_header_and_backslash_escape():
    rows = parse_delimited('1,"a\\"b",\n2,c,d,e\n\n', {})
    assert rows == [
        {"Prop_0": "1", "Prop_1": 'a"b', "Prop_2": None},
        {"Prop_0": "2", "Prop_1": "c", "Prop_2": "d", "Prop_3": "e"},
    ]


def test_delimited_quote_as_escape_tab_delimiter_and_short_rows():
    settings = {"columnDelimiter": "\t", "quoteChar": '"', "escapeChar": '"', "firstRowAsHeader": True}
    rows = parse_delimited('a\tb\tc\r\n"x ""y"""\t2\r\n', settings)
    assert rows == [{"a": 'x "y"', "b": "2", "c": None}]


def test_delimited_without_quotes_and_invalid_settings():
    rows = parse_delimited("a|b\n1\\|2|3\n", {"columnDelimiter": "|", "quoteChar": "", "firstRowAsHeader": True})
    assert rows == [{"a": "1|2", "b": "3"}]
    with pytest.raises(CopyError, match="single character"):
        parse_delimited("a", {"columnDelimiter": "||"})
    with pytest.raises(CopyError, match="escapeChar"):
        parse_delimited("a", {"escapeChar": ""})
    assert parse_delimited("", {"firstRowAsHeader": True}) == []


def test_json_shapes_and_errors():
    assert parse_json('[{"a": 1}, {"a": 2}]', "f") == [{"a": 1}, {"a": 2}]
    assert parse_json('{"a": 1}', "f") == [{"a": 1}]
    assert parse_json('{"a": 1}\n{"a": 2}\n', "f") == [{"a": 1}, {"a": 2}]
    assert parse_json("  ", "f") == []
    with pytest.raises(CopyError, match="not valid JSON"):
        parse_json('{"a": ', "f")
    with pytest.raises(CopyError, match="not an object"):
        parse_json("[1, 2]", "f")


def test_decoding():
    assert decode("\ufeffa,b".encode(), None, "f") == "a,b"
    assert decode("é".encode("latin-1"), "ISO-8859-1", "f") == "é"
    with pytest.raises(CopyError, match="not supported"):
        decode(b"x", "KLINGON", "f")
    with pytest.raises(CopyError, match="not valid UTF-8"):
        decode(b"\xff\xfe\xfa", "UTF-8", "f")


def test_sink_settings_and_headers():
    settings = RestSinkSettings.from_sink(
        "http://h/x", {"requestMethod": "patch", "writeBatchSize": "5", "httpRequestTimeout": "00:00:07.5"}, {"A": "1"}
    )
    assert (settings.method, settings.batch_size, settings.timeout_seconds, settings.headers) == (
        "PATCH",
        5,
        7.5,
        {"A": "1"},
    )
    assert parse_timespan("1.00:00:01", 0) == 86401
    assert parse_additional_headers("X-A: 1\nX-B: two") == {"X-A": "1", "X-B": "two"}
    for sink, message in (
        ({"requestMethod": "GET"}, "requestMethod"),
        ({"requestInterval": 5}, "requestInterval"),
        ({"httpCompressionType": "br"}, "httpCompressionType"),
        ({"httpRequestTimeout": "soon"}, "TimeSpan"),
        ({"writeBatchSize": "many"}, "writeBatchSize"),
        ({"additionalHeaders": 5}, "additionalHeaders"),
    ):
        with pytest.raises(CopyError, match=message):
            RestSinkSettings.from_sink("http://h", sink, {})


def _leaves(models, base):
    found, seen = set(), set()

    def walk(cls):
        if cls in seen:
            return
        seen.add(cls)
        for value, name in ((getattr(cls, "_subtype_map", {}) or {}).get("type", {})).items():
            sub = getattr(models, name)
            if sub is cls:
                continue
            if (sub.__dict__.get("_subtype_map") or {}).get("type"):
                walk(sub)
            else:
                found.add(value)

    walk(getattr(models, base))
    return sorted(found)


def test_known_types_match_the_models_generated_from_the_rest_description():
    from azure.mgmt.datafactory import models

    bases = {
        "linkedService": "LinkedService", "dataset": "Dataset", "activity": "Activity", "trigger": "Trigger",
        "storeReadSettings": "StoreReadSettings", "storeWriteSettings": "StoreWriteSettings",
        "copySource": "CopySource", "copySink": "CopySink", "datasetLocation": "DatasetLocation",
        "secret": "SecretBase", "formatReadSettings": "FormatReadSettings",
        "formatWriteSettings": "FormatWriteSettings",
        "compressionReadSettings": "CompressionReadSettings", "datasetStorageFormat": "DatasetStorageFormat",
        "copyTranslator": "CopyTranslator",
    }  # fmt: skip
    path = Path(__file__).parents[3] / "emulators" / "datafactory" / "known_types.json"
    known = json.loads(path.read_text())
    assert known == {group: _leaves(models, base) for group, base in bases.items()}
    assert "Execution" not in known["activity"]
    assert {"Copy", "ForEach"} <= set(known["activity"])

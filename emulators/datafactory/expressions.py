"""The small part of ADF's expression language that generated copy pipelines need, evaluated at run time.

Supported: `@pipeline().parameters.<name>` (also `['<name>']`), `@pipeline().RunId`, `@pipeline().Pipeline`,
`@dataset().<name>`, `@concat(...)`, string/number/boolean literals, `@@` (a literal `@`) and string
interpolation `"text @{expr} text"`. Anything else raises ExpressionError, which fails the run with a
message naming the expression: a pipeline the emulator cannot evaluate should not silently copy wrong data.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<punct>[().,\[\]]))"
)


class ExpressionError(Exception):
    """An expression the emulator cannot evaluate (unsupported function, unknown parameter, syntax)."""


@dataclass
class ExpressionContext:
    """What expressions may refer to while one activity runs."""

    pipeline_name: str = ""
    run_id: str = ""
    pipeline_parameters: dict[str, Any] = field(default_factory=dict)
    dataset_parameters: dict[str, Any] | None = None
    inside_dataset: bool = False


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ExpressionError(f"cannot parse expression near {text[position : position + 20]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str, context: ExpressionContext) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0
        self.context = context

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _take(self, value: str | None = None) -> tuple[str, str]:
        token = self._peek()
        if token is None or (value is not None and token[1] != value):
            raise ExpressionError(f"expected {value or 'more input'!r} in expression {self.text!r}")
        self.index += 1
        return token

    def parse(self) -> Any:
        value = self._expression()
        if self._peek() is not None:
            raise ExpressionError(f"unexpected {self._peek()[1]!r} in expression {self.text!r}")  # type: ignore[index]
        return value

    def _expression(self) -> Any:
        kind, value = self._take()
        if kind == "string":
            return value[1:-1].replace("''", "'")
        if kind == "number":
            return float(value) if "." in value else int(value)
        if kind != "name":
            raise ExpressionError(f"unexpected {value!r} in expression {self.text!r}")
        if value in {"true", "false"}:
            return value == "true"
        self._take("(")
        arguments: list[Any] = []
        if self._peek() != ("punct", ")"):
            arguments.append(self._expression())
            while self._peek() == ("punct", ","):
                self._take(",")
                arguments.append(self._expression())
        self._take(")")
        return self._call(value, arguments)

    def _call(self, function: str, arguments: list[Any]) -> Any:
        if function == "concat":
            return "".join(_as_text(argument) for argument in arguments)
        if function == "pipeline" and not arguments:
            return self._pipeline_property()
        if function == "dataset" and not arguments:
            return self._dataset_property()
        raise ExpressionError(f"function {function}() is not supported by the emulator (in {self.text!r})")

    def _member(self) -> str:
        token = self._peek()
        if token == ("punct", "."):
            self._take(".")
            return self._take()[1]
        if token == ("punct", "["):
            self._take("[")
            kind, value = self._take()
            self._take("]")
            if kind != "string":
                raise ExpressionError(f"expected a quoted name inside [] in {self.text!r}")
            return value[1:-1].replace("''", "'")
        raise ExpressionError(f"expected a property after () in {self.text!r}")

    def _pipeline_property(self) -> Any:
        if self.context.inside_dataset:
            raise ExpressionError(
                f"pipeline() cannot be used inside a dataset; pass a dataset parameter ({self.text!r})"
            )
        member = self._member()
        if member == "RunId":
            return self.context.run_id
        if member == "Pipeline":
            return self.context.pipeline_name
        if member != "parameters":
            raise ExpressionError(f"pipeline().{member} is not supported by the emulator (in {self.text!r})")
        name = self._member()
        if name not in self.context.pipeline_parameters:
            raise ExpressionError(f"pipeline parameter '{name}' is not defined (in {self.text!r})")
        return self.context.pipeline_parameters[name]

    def _dataset_property(self) -> Any:
        if self.context.dataset_parameters is None:
            raise ExpressionError(f"dataset() can only be used inside a dataset (in {self.text!r})")
        name = self._member()
        if name not in self.context.dataset_parameters:
            raise ExpressionError(f"dataset parameter '{name}' is not defined (in {self.text!r})")
        return self.context.dataset_parameters[name]


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def evaluate_string(text: str, context: ExpressionContext) -> Any:
    """Evaluate one string the way ADF does: `@expr`, `@@literal`, `...@{expr}...`, or a plain literal."""
    if text.startswith("@@"):
        return text[1:]
    if text.startswith("@") and not text.startswith("@{"):
        return _Parser(text[1:], context).parse()
    if "@{" not in text:
        return text
    parts: list[str] = []
    position = 0
    while (start := text.find("@{", position)) != -1:
        end = text.find("}", start)
        if end == -1:
            raise ExpressionError(f"unterminated @{{ in {text!r}")
        parts.append(text[position:start])
        parts.append(_as_text(_Parser(text[start + 2 : end], context).parse()))
        position = end + 1
    parts.append(text[position:])
    return "".join(parts)


def resolve(value: Any, context: ExpressionContext) -> Any:
    """Evaluate every expression inside a JSON value; secret objects are left for the Key Vault resolver."""
    if isinstance(value, str):
        return evaluate_string(value, context)
    if isinstance(value, list):
        return [resolve(item, context) for item in value]
    if isinstance(value, dict):
        if value.get("type") == "Expression":
            inner = value.get("value")
            if not isinstance(inner, str):
                raise ExpressionError("an Expression object needs a string 'value'")
            return evaluate_string(inner, context)
        if value.get("type") in ("SecureString", "AzureKeyVaultSecret"):
            return value
        return {key: resolve(item, context) for key, item in value.items()}
    return value

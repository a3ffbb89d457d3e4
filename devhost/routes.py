"""HTTP route templates as Azure Functions understands them (ASP.NET Core route syntax, reasonably far).

Supported: literal segments (matched case-insensitively), `{name}`, optional `{name?}`, defaults
`{name=value}`, catch-all `{*rest}`, segments mixing text and parameters (`{name}.{ext}`), and the usual
inline constraints (`int`, `long`, `bool`, `alpha`, `guid`, `double`, `float`, `decimal`, `datetime`,
`minlength(n)`, `maxlength(n)`, `length(n)`/`length(a,b)`, `min(n)`, `max(n)`, `range(a,b)`, `regex(...)`,
`required`). More specific templates win, as in ASP.NET: literals before constrained parameters before
plain ones before optional ones before catch-alls.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

_PARAMETER = re.compile(r"\{([^{}]*(?:\([^)]*\))?[^{}]*)\}")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)


class RouteError(ValueError):
    """A route template the host would refuse."""


def _integer(bounds: tuple[int, int]) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        if not re.fullmatch(r"[+-]?\d+", value):
            return False
        return bounds[0] <= int(value) <= bounds[1]

    return check


def _number(value: str) -> bool:
    try:
        Decimal(value)
    except InvalidOperation:
        return False
    return bool(re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", value))


def _is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _is_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _constraint(text: str) -> Callable[[str], bool]:
    """One inline constraint (`int`, `min(3)`, `regex(^a+$)`, ...) as a predicate on the raw value."""
    match = re.fullmatch(r"([A-Za-z]+)(?:\((.*)\))?", text, flags=re.DOTALL)
    if not match:
        raise RouteError(f"route constraint {text!r} is not recognized")
    name, argument = match.group(1).lower(), match.group(2)
    simple: dict[str, Callable[[str], bool]] = {
        "int": _integer(_INT32),
        "long": _integer(_INT64),
        "bool": lambda v: v.lower() in {"true", "false"},
        "alpha": lambda v: bool(re.fullmatch(r"[A-Za-z]+", v)),
        "guid": _is_guid,
        "double": _number,
        "float": _number,
        "decimal": _number,
        "datetime": _is_datetime,
        "required": lambda v: v != "",
    }
    if name in simple and argument is None:
        return simple[name]
    if argument is None:
        raise RouteError(f"route constraint {text!r} is not recognized")
    if name == "regex":
        # Route templates double braces inside a regex constraint ({{2}} means {2}).
        pattern = re.compile(argument.replace("{{", "{").replace("}}", "}"), flags=re.IGNORECASE)
        return lambda v: pattern.search(v) is not None
    numbers = [part.strip() for part in argument.split(",")]
    try:
        values = [int(part) for part in numbers]
    except ValueError as error:
        raise RouteError(f"route constraint {text!r} needs integer arguments") from error
    if name == "minlength" and len(values) == 1:
        return lambda v: len(v) >= values[0]
    if name == "maxlength" and len(values) == 1:
        return lambda v: len(v) <= values[0]
    if name == "length" and len(values) in {1, 2}:
        low, high = (values[0], values[0]) if len(values) == 1 else (values[0], values[1])
        return lambda v: low <= len(v) <= high
    if name in {"min", "max", "range"}:
        is_int = _integer(_INT64)
        if name == "min" and len(values) == 1:
            return lambda v: is_int(v) and int(v) >= values[0]
        if name == "max" and len(values) == 1:
            return lambda v: is_int(v) and int(v) <= values[0]
        if name == "range" and len(values) == 2:
            return lambda v: is_int(v) and values[0] <= int(v) <= values[1]
    raise RouteError(f"route constraint {text!r} is not recognized")


@dataclass
class _Parameter:
    name: str
    optional: bool = False
    catch_all: bool = False
    default: str | None = None
    checks: list[Callable[[str], bool]] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str, template: str) -> _Parameter:
        body = text.strip()
        catch_all = body.startswith("*")
        body = body.lstrip("*")
        default: str | None = None
        if "=" in body.split(":", 1)[0]:
            head, _, tail = body.partition("=")
            body, default = head, tail
        optional = body.endswith("?")
        body = body.rstrip("?")
        name, *constraints = _split_constraints(body)
        if not _NAME.match(name):
            raise RouteError(f"route {template!r}: {name!r} is not a valid parameter name")
        if default is not None and optional:
            raise RouteError(f"route {template!r}: parameter {name!r} cannot be optional and have a default")
        return cls(
            name=name,
            optional=optional or catch_all,
            catch_all=catch_all,
            default=default,
            checks=[_constraint(c) for c in constraints],
        )


def _split_constraints(body: str) -> list[str]:
    """`id:int:range(1,5)` → ['id', 'int', 'range(1,5)'] (colons inside parentheses stay)."""
    parts: list[str] = []
    depth = 0
    current = ""
    for char in body:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == ":" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


@dataclass
class RouteTemplate:
    """A compiled route template (relative to the route prefix)."""

    template: str
    pattern: re.Pattern[str]
    parameters: dict[str, _Parameter]
    rank: tuple[int, ...]

    @classmethod
    def compile(cls, template: str) -> RouteTemplate:
        """Parse and compile; raises RouteError for templates the host would reject."""
        cleaned = template.strip().strip("/")
        segments = cleaned.split("/") if cleaned else []
        regex = ""
        parameters: dict[str, _Parameter] = {}
        rank: list[int] = []
        for index, segment in enumerate(segments):
            if not segment:
                raise RouteError(f"route {template!r} has an empty segment")
            pieces = _PARAMETER.split(segment)
            literal_parts, names = pieces[0::2], pieces[1::2]
            if "{" in "".join(literal_parts) or "}" in "".join(literal_parts):
                raise RouteError(f"route {template!r}: unbalanced braces in segment {segment!r}")
            parsed = [_Parameter.parse(text, template) for text in names]
            for parameter in parsed:
                if parameter.name.lower() in {p.lower() for p in parameters}:
                    raise RouteError(f"route {template!r} uses parameter {parameter.name!r} twice")
                parameters[parameter.name] = parameter
                if parameter.catch_all and index != len(segments) - 1:
                    raise RouteError(f"route {template!r}: a catch-all parameter must be the last segment")
            whole = len(parsed) == 1 and literal_parts == ["", ""]
            if whole and (parsed[0].optional or parsed[0].default is not None):
                only = parsed[0]
                inner = ".*" if only.catch_all else "[^/]+"
                regex += f"(?:/(?P<{only.name}>{inner}))?"
                rank.append(5 if only.catch_all else 4)
                continue
            if any(item.optional and not item.catch_all for item in parsed) and not whole:
                # ASP.NET allows an optional parameter in a complex segment only in narrow cases; keep it simple.
                raise RouteError(f"route {template!r}: optional parameters must fill their whole segment")
            part = "/"
            for literal, piece in zip(literal_parts, [*parsed, None], strict=True):
                part += re.escape(literal)
                if piece is not None:
                    # Greedy: like ASP.NET's right-to-left matching, 'a.b.txt' on '{name}.{ext}' gives ext='txt'.
                    part += f"(?P<{piece.name}>[^/]+)"
            regex += part
            if not parsed:
                rank.append(1)
            else:
                rank.append(2 if all(p.checks for p in parsed) or not whole else 3)
        optional_segments = [r >= 4 for r in rank]
        first_optional = optional_segments.index(True) if True in optional_segments else len(rank)
        if not all(optional_segments[first_optional:]):
            raise RouteError(f"route {template!r}: only the last segments may be optional")
        pattern = re.compile(f"^{regex}/?$", flags=re.IGNORECASE)
        return cls(template=template, pattern=pattern, parameters=parameters, rank=(*rank, 9))

    def match(self, path: str) -> dict[str, str] | None:
        """Route parameters when `path` ('/items/5', relative to the prefix) matches, else None."""
        found = self.pattern.match(path if path.startswith("/") or not path else f"/{path}")
        if found is None:
            return None
        values: dict[str, str] = {}
        for name, parameter in self.parameters.items():
            value = found.group(name)
            if value is None or value == "":
                if parameter.default is not None:
                    values[name] = parameter.default
                continue
            if not all(check(value) for check in parameter.checks):
                return None
            values[name] = value
        return values

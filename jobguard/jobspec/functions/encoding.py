"""Encoding functions: base64*, urlencode (go-cty-funcs), jsonencode/jsondecode, csvdecode (cty stdlib),
yamlencode/yamldecode (go-cty-yaml).

``yaml`` is imported lazily: most job files never call the YAML functions and the loader must stay fast.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from jobguard.jobspec.functions import ctyjson
from jobguard.jobspec.functions.spec import Param, fail, nfc_deep, register
from jobguard.jobspec.functions.types import STRING, CtyList, ObjectType
from jobguard.jobspec.limits import (
    MAX_NESTING_DEPTH,
    MAX_STEPS_PER_FILE,
    MAX_STRING_LENGTH,
    LimitExceeded,
    charge_slow_text,
    charge_steps,
    check_limit,
    json_limit_error,
    measure_value,
    too_deep,
)


@register("base64encode", [Param("str", STRING)])
def base64encode(s: str) -> str:
    return base64.b64encode(s.encode("utf-8", "surrogatepass")).decode("ascii")


@register("base64decode", [Param("str", STRING)])
def base64decode(s: str) -> str:
    try:
        raw = base64.b64decode(s.replace("\r", "").replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        raise fail(f"failed to decode base64 data '{s}'") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise fail("the result of decoding the the provided string is not valid UTF-8") from None


@register("urlencode", [Param("str", STRING)])
def urlencode(s: str) -> str:
    from urllib.parse import quote_plus

    return quote_plus(s, safe="")


@register("jsonencode", [Param("val", allow_null=True)])
def jsonencode(val: Any) -> str:
    measure_value(val, max_size=MAX_STRING_LENGTH)  # the printed size, before printing it
    try:
        return ctyjson.encode(val)
    except ValueError as exc:
        raise fail(str(exc)) from None


@register("jsondecode", [Param("str", STRING)])
def jsondecode(s: str) -> Any:
    over = json_limit_error(s)  # the decoder recurses per level
    if over is not None:
        raise LimitExceeded(over[3], summary=over[2])
    try:
        return nfc_deep(ctyjson.decode(s))
    except ctyjson.JSONDecodeError as exc:
        raise fail(str(exc)) from None


class _CSVError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"CSV parse error on line {line}: {message}")


def _csv_records(text: str) -> list[list[str]]:
    """Go ``encoding/csv`` Reader defaults (comma ``,``, no lazy quotes, empty lines skipped)."""
    records: list[list[str]] = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    i = 0
    while i < len(lines):
        line_no = i + 1
        line = lines[i]
        if line.endswith("\r"):
            line = line[:-1]
        if line == "":
            i += 1
            continue
        fields: list[str] = []
        pos = 0
        while True:
            if line[pos:pos + 1] == '"':
                pos += 1
                buf: list[str] = []
                while True:
                    q = line.find('"', pos)
                    if q == -1:
                        buf.append(line[pos:])
                        i += 1
                        if i >= len(lines):
                            raise _CSVError(line_no, 'extraneous or missing " in quoted-field')
                        buf.append("\n")
                        line = lines[i]
                        if line.endswith("\r"):
                            line = line[:-1]
                        pos = 0
                        continue
                    buf.append(line[pos:q])
                    pos = q + 1
                    nxt = line[pos:pos + 1]
                    if nxt == '"':
                        buf.append('"')
                        pos += 1
                        continue
                    if nxt == ",":
                        pos += 1
                        fields.append("".join(buf))
                        break
                    if nxt == "":
                        fields.append("".join(buf))
                        pos = -1
                        break
                    raise _CSVError(i + 1, 'extraneous or missing " in quoted-field')
                if pos == -1:
                    break
                continue
            comma = line.find(",", pos)
            field = line[pos:] if comma == -1 else line[pos:comma]
            if '"' in field:
                raise _CSVError(i + 1, 'bare " in non-quoted-field')
            fields.append(field)
            if comma == -1:
                break
            pos = comma + 1
        if records and len(fields) != len(records[0]):
            raise _CSVError(line_no, "wrong number of fields")
        records.append(fields)
        i += 1
    return records


@register("csvdecode", [Param("str", STRING)])
def csvdecode(s: str) -> list:
    try:
        records = _csv_records(s)
    except _CSVError as exc:
        raise fail(str(exc)) from None
    if not records:
        raise fail("missing header line")
    records = nfc_deep(records)
    header, rows = records[0], records[1:]
    out = [{name: row[i] for i, name in enumerate(header)} for row in rows]
    return CtyList(out, ObjectType({name: STRING for name in header}))


# ------------------------------------------------------------------------------------------------------------ YAML


def _yaml_events(value: Any, out: list) -> None:
    """go-cty-yaml's encoder: strings double-quoted (literal block style when multi-line), keys sorted, block style."""
    import yaml

    if value is None or isinstance(value, (bool, int, float)) and not isinstance(value, str):
        if value is None:
            text = "null"
        elif isinstance(value, bool):
            text = "true" if value else "false"
        else:
            from jobguard.jobspec.functions.numbers import format_number

            text = format_number(value)
        out.append(yaml.ScalarEvent(None, None, (True, True), text, style=None))
    elif isinstance(value, str):
        out.append(yaml.ScalarEvent(None, None, (True, True), value, style="|" if "\n" in value else '"'))
    elif isinstance(value, list):
        out.append(yaml.SequenceStartEvent(None, None, True, flow_style=False))
        for v in value:
            _yaml_events(v, out)
        out.append(yaml.SequenceEndEvent())
    else:
        out.append(yaml.MappingStartEvent(None, None, True, flow_style=False))
        for k in sorted(value, key=lambda s: s.encode("utf-8", "surrogatepass")):
            out.append(yaml.ScalarEvent(None, None, (True, True), k, style='"'))
            _yaml_events(value[k], out)
        out.append(yaml.MappingEndEvent())


@register("yamlencode", [Param("value", allow_null=True)])
def yamlencode(value: Any) -> str:
    import yaml

    charge_slow_text(measure_value(value, max_size=MAX_STRING_LENGTH))  # PyYAML emits one character at a time
    if value == "":
        return '""\n'  # PyYAML would add a "---" marker before an empty root scalar; go-cty-yaml does not
    events: list = [yaml.StreamStartEvent(), yaml.DocumentStartEvent(explicit=False)]
    _yaml_events(value, events)
    events += [yaml.DocumentEndEvent(explicit=False), yaml.StreamEndEvent()]
    return yaml.emit(events, Dumper=yaml.SafeDumper, allow_unicode=True)


_YAML_BOOLS = {**dict.fromkeys(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"], True),
               **dict.fromkeys(["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"], False)}
_YAML_NULLS = {"", "~", "null", "Null", "NULL"}


def _resolve_scalar(node: Any) -> Any:
    from jobguard.jobspec.functions.numbers import parse_number

    text = node.value
    tag = node.tag
    explicit = tag not in ("tag:yaml.org,2002:str",) or node.style not in (None, "")
    if node.style in ("'", '"', "|", ">"):
        return text
    short = tag.replace("tag:yaml.org,2002:", "!!")
    if explicit and short not in ("!!str",):
        if short == "!!null":
            return None
        if short == "!!bool":
            if text in _YAML_BOOLS:
                return _YAML_BOOLS[text]
            raise fail(f'cannot parse "{text}" as {tag}')
        if short in ("!!int", "!!float"):
            num = parse_number(text.replace("_", ""))
            if num is None:
                try:
                    num = int(text.replace("_", ""), 0)
                except ValueError:
                    raise fail(f'cannot parse "{text}" as {tag}') from None
            return num
        if short == "!!binary":
            return text
        raise fail(f'unsupported tag "{tag}"')
    if text in _YAML_BOOLS:
        return _YAML_BOOLS[text]
    if text in _YAML_NULLS:
        return None
    if text in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"):
        return float("inf")
    if text in ("-.inf", "-.Inf", "-.INF"):
        return float("-inf")
    if text in (".nan", ".NaN", ".NAN"):
        raise fail("floating point NaN is not supported")
    first = text[:1]
    if first == "." or first in "+-0123456789":
        ts = _yaml_timestamp(text)
        if ts is not None:
            return ts
        num = parse_number(text.replace("_", "") if first != "." else text)
        if num is not None:
            return num
    return text


def _yaml_timestamp(text: str) -> str | None:
    import re

    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt ](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(Z|[+-]\d\d:\d\d)?)?",
                     text)
    if not m:
        return None
    y, mo, d, h, mi, s, z = m.groups()
    if h is None:
        h = mi = s = "0"
        z = "Z"
    if z is None and "T" in text.upper() and " " not in text:
        return None
    zone = "Z" if z in (None, "Z", "+00:00", "-00:00") else z
    return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}T{int(h):02d}:{int(mi):02d}:{int(s):02d}{zone}"


def _expanded_shape(node: Any, memo: dict[int, tuple[int, int] | None], level: int = 0) -> tuple[int, int]:
    """(values, depth) of a composed document with every alias expanded, computed once per node: aliases repeat
    nodes (nine aliases of nine aliases of ... is a billion values) and nest them, so the decoded size and depth
    are known -- and refused past the limits -- before anything is built."""
    import yaml

    key = id(node)
    if key in memo:
        shape = memo[key]
        if shape is None:  # an alias inside its own anchor: expands forever
            raise too_deep("the YAML value (an anchor contains an alias of itself)")
        return shape
    if isinstance(node, yaml.ScalarNode):
        return 1, 0
    if level >= MAX_NESTING_DEPTH:  # a chain of anchors, each holding an alias of the one before
        raise too_deep("the YAML value (aliases expanded)")
    memo[key] = None
    children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
    size, depth = 1, 0
    for child in children:
        child_size, child_depth = _expanded_shape(child, memo, level + 1)
        size, depth = size + child_size, max(depth, child_depth + 1)
    if depth > MAX_NESTING_DEPTH:
        raise too_deep("the YAML value (aliases expanded)")
    check_limit(size, MAX_STEPS_PER_FILE, "the values of the YAML document (aliases expanded)")
    memo[key] = (size, depth)
    return size, depth


def _yaml_value(node: Any) -> Any:
    import yaml

    if isinstance(node, yaml.ScalarNode):
        return _resolve_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return [_yaml_value(v) for v in node.value]
    out: dict[str, Any] = {}
    for k, v in node.value:
        if k.tag == "tag:yaml.org,2002:merge" or (k.value == "<<" and k.style is None):
            merged = _yaml_value(v)
            for src in merged if isinstance(merged, list) else [merged]:
                if isinstance(src, dict):
                    for mk, mv in src.items():
                        out.setdefault(mk, mv)
            continue
        key = _yaml_value(k)
        if not isinstance(key, str):
            from jobguard.jobspec.functions.types import convert

            key = convert(key, STRING) if key is not None and not isinstance(key, (list, dict)) else key
            if not isinstance(key, str):
                raise fail("only string keys are supported")
        out[key] = _yaml_value(v)
    return out


def _yaml_error_text(exc: Exception) -> str:
    """go-cty-yaml's error wording: ``on line L, column C: PROBLEM`` with libyaml's (0-based!) marks, scanner
    errors moved to the next line and column 0, and no position when the mark is on line 0."""
    import yaml

    problem = getattr(exc, "problem", None) or "invalid YAML syntax"
    mark = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context_mark", None)
    if mark is not None and mark.line != 0:
        line, column = mark.line, mark.column
        if isinstance(exc, yaml.scanner.ScannerError):
            line, column = line + 1, 0
        return f"on line {line}, column {column}: {problem}"
    if context is not None and context.line != 0:
        return f"on line {context.line}, column {context.column}: {problem}"
    return problem


def _check_yaml_nesting(src: str) -> None:
    """Refuse YAML nested past the limit before PyYAML's composer, which recurses per level, builds it. The
    parser's event stream is flat; a syntax error is left for the composer to report, worded as before."""
    import yaml

    depth = 0
    try:
        for event in yaml.parse(src, Loader=yaml.BaseLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_NESTING_DEPTH:
                    raise too_deep("the YAML document")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return


@register("yamldecode", [Param("src", STRING)])
def yamldecode(src: str) -> Any:
    import yaml

    charge_slow_text(len(src))
    _check_yaml_nesting(src)
    try:
        nodes = list(yaml.compose_all(src, Loader=yaml.BaseLoader))
    except yaml.YAMLError as exc:
        raise fail(_yaml_error_text(exc)) from None
    if not nodes:
        return None
    if len(nodes) > 1:
        raise fail("unexpected extra content after value")
    charge_steps(_expanded_shape(nodes[0], {})[0])
    return nfc_deep(_yaml_value(nodes[0]))

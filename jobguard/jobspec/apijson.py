"""API JSON input: a job as ``nomad job run -json`` or ``POST /v1/jobs`` receives it.

Decoding follows Go's ``encoding/json`` into the api structs (see :mod:`jobguard.jobspec.apimodel`), because that
is what Nomad does with such a file and policies must see the job Nomad sees:

* ``{"Job": {...}}`` and a bare job object are both accepted (Nomad decodes into a struct that embeds ``api.Job``
  next to a ``Job`` field; the nested job wins when it is present and not null);
* object keys match struct fields case-insensitively with Go's Unicode simple folding (``Nameſpace`` sets
  ``Namespace``, see :mod:`.api.gofold`; an exact match first); unknown keys are dropped; when a
  key repeats, the later one wins (objects merge into an already-decoded struct, as Go reuses the pointer);
* ``null`` clears pointers, slices and maps and leaves value-typed fields at their zero value;
* a value of the wrong JSON type is an error shaped like Go's
  (``json: cannot unmarshal string into Go struct field Resources.Job.TaskGroups.Tasks.Resources.CPU of type int``);
  Go stops at the first one, we report all of them, each with the line:col of the offending value;
* integer fields refuse fractions and exponents (``1.0``) and out-of-range values, as Go does;
* free-form values (task ``Config``, scaling ``Policy``, ...) hold numbers as Go's float64 does.

The source map records the position of every object key (and array element) under its API path.
"""

from __future__ import annotations

import base64
import binascii
import re
import sys
from typing import Any

from jobguard.jobspec.api.gofold import fold_name
from jobguard.jobspec.api.jsonpos import JSONSyntaxError, Node, from_python, go_float, parse, to_python
from jobguard.jobspec.apimodel import FIELDS, STRUCTS, Field, complete
from jobguard.jobspec.errors import Diagnostic, JobspecError
from jobguard.jobspec.job import LoadedJob
from jobguard.jobspec.sourcemap import SourceMap

SUMMARY = "Failed to parse JSON job"

# Structs that the api package holds by value inside slices ([]ServiceCheck, []Port): only matters for error texts.
_VALUE_SLICE_STRUCTS = frozenset({"ServiceCheck", "Port"})
_INT_LITERAL = re.compile(r"-?(0|[1-9][0-9]*)$")
# Go types of int64 fields whose Go name is not the plain ``int`` we assume for 64-bit signed fields.
_INT64_FIELDS = frozenset({("Job", "SubmitTime"), ("ScalingPolicy", "Min"), ("ScalingPolicy", "Max"),
                           ("JobVersionTag", "TaggedTime")})
_FOLDED: dict[str, dict[str, Field]] = {name: {fold_name(f.name): f for f in fields}
                                        for name, fields in STRUCTS.items()}


def _go_type(f: Field, struct: str) -> str:
    """The Go type name ``encoding/json`` puts in its error message for field ``f``."""
    if f.kind == "struct":
        return f"api.{f.elem}"
    if f.kind == "list":
        if f.elem in STRUCTS:
            return f"[]api.{f.elem}" if f.elem in _VALUE_SLICE_STRUCTS else f"[]*api.{f.elem}"
        return "[]" + _scalar_go_type(f.elem or "string", f.bits)
    if f.kind == "map":
        if f.elem in STRUCTS:
            return f"map[string]*api.{f.elem}"
        if f.elem == "list:string":
            return "map[string][]string"
        return "map[string]interface {}" if f.elem == "any" else "map[string]string"
    if f.kind == "int" and (struct, f.name) in _INT64_FIELDS:
        return "int64"
    return _scalar_go_type(f.kind, f.bits)


def _scalar_go_type(kind: str, bits: int) -> str:
    if kind == "int":
        return "int" if bits == 64 else f"int{bits}"
    if kind == "uint":
        return f"uint{bits}"
    return {"duration": "time.Duration", "float": "float64", "bytes": "[]uint8", "any": "interface {}"}.get(kind, kind)


class _Decoder:
    """Decodes a :class:`Node` tree into api-struct dicts, collecting type errors and (optionally) positions."""

    def __init__(self, filename: str, source_map: SourceMap | None):
        self.filename = filename
        self.source_map = source_map
        self.errors: list[Diagnostic] = []

    # ---- bookkeeping -----------------------------------------------------------------------------------------------
    def _mark(self, path: tuple, line: int, col: int) -> None:
        if self.source_map is not None and line:
            self.source_map.add(path, line, col)

    def _type_error(self, node: Node, struct: str, gopath: list[str], go_type: str, numeric: bool = False) -> None:
        """Go names the JSON kind (string, bool, array, ...); a number is quoted only when a numeric field refused it
        (fraction, exponent or out of range)."""
        what = f"number {node.value}" if node.kind == "number" and numeric else node.kind
        self.errors.append(Diagnostic(
            self.filename, node.line, node.col, SUMMARY,
            f"json: cannot unmarshal {what} into Go struct field {struct}.{'.'.join(gopath)} of type {go_type}"))

    # ---- structs ---------------------------------------------------------------------------------------------------
    def struct(self, node: Node, struct: str, path: tuple, gopath: list[str], into: dict | None = None,
               skip_key: str | None = None) -> dict:
        """Decode an object node into ``struct`` (merging into ``into`` when given)."""
        out = into if into is not None else {}
        exact = FIELDS[struct]
        folded = _FOLDED[struct]
        for key, key_line, key_col, child in node.value:
            if skip_key is not None and key.lower() == skip_key:
                continue
            f = exact.get(key) or folded.get(fold_name(key))
            if f is None:
                continue  # unknown field: dropped, as encoding/json does
            self._mark(path + (f.name,), key_line, key_col)
            out[f.name] = self.field(f, child, struct, path + (f.name,), gopath + [f.name], out.get(f.name))
        return out

    def field(self, f: Field, node: Node, struct: str, path: tuple, gopath: list[str], current: Any) -> Any:
        if node.kind == "null":
            return current if not f.pointer and f.kind not in ("list", "map", "any", "bytes", "struct") else None
        go_type = _go_type(f, struct)
        if f.kind == "struct":
            if node.kind != "object":
                self._type_error(node, struct, gopath, go_type)
                return current
            return self.struct(node, f.elem or "", path, gopath, into=current if isinstance(current, dict) else None)
        if f.kind == "list":
            if node.kind != "array":
                self._type_error(node, struct, gopath, go_type)
                return current
            items = []
            for index, item in enumerate(node.value):
                self._mark(path + (index,), item.line, item.col)
                items.append(self.element(f.elem or "string", f.bits, item, struct, path + (index,), gopath, go_type))
            return items
        if f.kind == "map":
            if node.kind != "object":
                self._type_error(node, struct, gopath, go_type)
                return current
            out = current if isinstance(current, dict) else {}
            for key, key_line, key_col, item in node.value:
                self._mark(path + (key,), key_line, key_col)
                out[key] = self.element(f.elem or "string", f.bits, item, struct, path + (key,), gopath + [key],
                                        go_type)
            return out
        return self.scalar(f.kind, f.bits, node, struct, path, gopath, go_type, current)

    def element(self, elem: str, bits: int, node: Node, struct: str, path: tuple, gopath: list[str],
                container_type: str) -> Any:
        """One list item or map value."""
        if elem in STRUCTS:
            if node.kind == "null":
                return None if elem not in _VALUE_SLICE_STRUCTS else {}
            if node.kind != "object":
                self._type_error(node, struct, gopath, f"api.{elem}")
                return None
            return self.struct(node, elem, path, gopath)
        if elem == "list:string":
            if node.kind == "null":
                return None
            if node.kind != "array":
                self._type_error(node, struct, gopath, "[]string")
                return None
            return [self.scalar("string", 64, item, struct, path + (n,), gopath, "string", "")
                    for n, item in enumerate(node.value)]
        zero = {"string": "", "int": 0, "uint": 0, "float": 0.0, "bool": False}.get(elem)
        return self.scalar(elem, bits, node, struct, path, gopath, _scalar_go_type(elem, bits), zero)

    def scalar(self, kind: str, bits: int, node: Node, struct: str, path: tuple, gopath: list[str], go_type: str,
               current: Any) -> Any:
        if node.kind == "null":
            return current
        if kind == "any":
            self._mark_any(node, path)
            return to_python(node)
        if kind in ("string", "bytes"):
            if node.kind != "string":
                self._type_error(node, struct, gopath, go_type)
                return current
            if kind == "bytes":
                try:
                    base64.b64decode(node.value, validate=True)
                except (binascii.Error, ValueError):
                    self.errors.append(Diagnostic(self.filename, node.line, node.col, SUMMARY,
                                                  f"illegal base64 data in Go struct field {'.'.join(gopath)}"))
                    return current
            return node.value
        if kind == "bool":
            if node.kind != "bool":
                self._type_error(node, struct, gopath, go_type)
                return current
            return node.value
        if node.kind != "number":
            self._type_error(node, struct, gopath, go_type)
            return current
        if kind == "float":
            return go_float(node.value)
        if not _INT_LITERAL.match(node.value) or not _in_range(int(node.value), kind, bits):
            self._type_error(node, struct, gopath, go_type, numeric=True)
            return current
        return int(node.value)

    def _mark_any(self, node: Node, path: tuple) -> None:
        """Positions inside free-form values (``Config.image``) are worth keeping for findings too."""
        if self.source_map is None:
            return
        if node.kind == "object":
            for key, line, col, child in node.value:
                self._mark(path + (key,), line, col)
                self._mark_any(child, path + (key,))
        elif node.kind == "array":
            for index, child in enumerate(node.value):
                self._mark(path + (index,), child.line, child.col)
                self._mark_any(child, path + (index,))


def _in_range(value: int, kind: str, bits: int) -> bool:
    if kind == "uint":
        return 0 <= value < (1 << bits)
    return -(1 << (bits - 1)) <= value < (1 << (bits - 1))


def decode_api_json(text_or_obj: str | bytes | dict, filename: str = "<request>") -> tuple[dict, SourceMap]:
    """Decode API JSON (text with positions, or an already-decoded dict) into the job as Nomad prints it.

    Returns ``(job, source_map)``; ``job`` is the inner object of ``{"Job": ...}`` with every field present.
    Raises :class:`JobspecError` for invalid JSON (with line:col) and for values of the wrong type.
    """
    try:
        return _decode(text_or_obj, filename)
    except RecursionError:
        raise JobspecError([Diagnostic(filename, 0, 0, SUMMARY, "json: exceeded max depth")]) from None


def _decode(text_or_obj: str | bytes | dict, filename: str) -> tuple[dict, SourceMap]:
    with_positions = isinstance(text_or_obj, (str, bytes))
    if with_positions:
        text = text_or_obj.decode("utf-8", errors="replace") if isinstance(text_or_obj, bytes) else text_or_obj
        try:
            root = parse(text)
        except JSONSyntaxError as exc:
            summary = getattr(exc, "summary", SUMMARY)
            raise JobspecError([Diagnostic(filename, exc.line, exc.col, summary, exc.message)]) from None
    else:
        _check_depth(text_or_obj, filename)
        root = from_python(text_or_obj)
    if root.kind != "object":
        raise JobspecError([Diagnostic(filename, root.line, root.col, SUMMARY,
                                       f"json: cannot unmarshal {root.kind} into Go value of type api.Job")])

    nested = [child for key, _l, _c, child in root.value if key.lower() == "job"]
    bare_map = SourceMap(filename) if with_positions else None
    bare = _Decoder(filename, bare_map)
    bare_job = bare.struct(root, "Job", (), [], skip_key="job")
    errors = list(bare.errors)

    job, source_map = bare_job, bare_map
    envelope = nested[-1] if nested else None
    if envelope is not None and envelope.kind != "null":
        nested_map = SourceMap(filename) if with_positions else None
        decoder = _Decoder(filename, nested_map)
        if envelope.kind != "object":
            decoder._type_error(envelope, "", ["Job"], "api.Job")
            nested_job: dict = {}
        else:
            decoder._mark((), envelope.line, envelope.col)
            nested_job = decoder.struct(envelope, "Job", (), ["Job"])
        errors = decoder.errors + errors
        job, source_map = nested_job, nested_map
    elif with_positions and bare_map is not None:
        bare_map.add((), root.line, root.col)
    if errors:
        raise JobspecError(errors)
    return complete(job, "Job"), source_map if source_map is not None else SourceMap(filename)


def _check_depth(value: Any, filename: str) -> None:
    """An already-decoded job (a proxy request) nested past the limit is refused before the recursive decoder."""
    from jobguard.jobspec.limits import LimitExceeded, measure_value

    try:
        measure_value(value, max_size=sys.maxsize)
    except LimitExceeded as exc:
        raise JobspecError([Diagnostic(filename, 0, 0, exc.summary, exc.detail)]) from None


def load_api_job(job: dict, filename: str = "<request>") -> LoadedJob:
    """A job that arrived as already-decoded API JSON (the proxy's request body); the source map is empty."""
    from jobguard.jobspec.canonical import canonicalize

    if not isinstance(job, dict):
        raise JobspecError([Diagnostic(filename, 0, 0, SUMMARY,
                                       f"json: cannot unmarshal {type(job).__name__} into Go value of type api.Job")])
    decoded, source_map = decode_api_json(job, filename)
    return LoadedJob(file=filename, job=decoded, canonical=canonicalize(decoded), source_map=source_map,
                     source="", format="json")


def load_api_json_text(text: str, filename: str) -> LoadedJob:
    """A job file in API JSON; the source map points into ``text``."""
    from jobguard.jobspec.canonical import canonicalize

    decoded, source_map = decode_api_json(text, filename)
    return LoadedJob(file=filename, job=decoded, canonical=canonicalize(decoded), source_map=source_map,
                     source=text, format="json")


__all__ = ["SUMMARY", "decode_api_json", "load_api_job", "load_api_json_text"]

"""Sentinel's configuration files: ``sentinel.hcl`` policy sets and test cases (HCL, HCL-style JSON, the older JSON).

One reader for both, because Sentinel uses one format for both: ``policy``, ``module``, ``import``, ``param``,
``global``, ``mock``, ``test`` and ``sentinel`` blocks. Which blocks a file may hold depends on what it is (a test
case has no ``policy`` blocks, a policy set no ``test`` block); a block jobguard cannot honour is an error naming
the block, never silently dropped. Paths (``source``) are relative to the file that declares them; remote sources
(``git::``, ``https://``) are an error.

HCL is read with the job file front end's literal reader (:mod:`jobguard.jobspec.hcl.literal`), so every error has
file:line:col. JSON has two shapes: the HCL-equivalent one (``{"mock": {"x": {"data": {...}}}, "test": {"rules":
{...}}}``) and Sentinel's older one (``{"mock": {"x": "mock.sentinel"}, "global": {"x": 1}, "test": {"main":
true}, "modules": {"m": {"path": "m.sentinel"}}}``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobguard.jobspec.errors import Diagnostic
from jobguard.jobspec.hcl.literal import (LiteralAttribute, LiteralBlock, LiteralBody, LiteralError,
                                          read_literal_document)
from jobguard.lang.modules import ModuleImport, is_remote

LEVELS = ("advisory", "soft-mandatory", "hard-mandatory")
CASE_BLOCKS = frozenset({"module", "import", "param", "global", "mock", "test", "sentinel"})
POLICY_SET_BLOCKS = frozenset({"policy", "module", "import", "param", "global", "mock", "sentinel"})


class SentinelConfigError(LiteralError):
    """The file cannot be used (HCL errors, or blocks jobguard cannot honour); ``diagnostics`` has every problem."""


@dataclass
class PolicyBlock:
    """``policy "NAME" { source = ..., enforcement_level = ..., params = {...} }``."""

    name: str
    source: str  # resolved against the declaring file's directory
    enforcement_level: str
    params: dict[str, Any]
    line: int
    column: int


@dataclass
class MockData:
    """``mock "x" { data = {...} }``: the import is this value."""

    value: Any


@dataclass
class SentinelConfig:
    path: str
    policies: dict[str, PolicyBlock] = field(default_factory=dict)
    modules: dict[str, ModuleImport] = field(default_factory=dict)
    static: dict[str, Any] = field(default_factory=dict)  # import "static" blocks: name -> data
    plugins: dict[str, tuple[int, int]] = field(default_factory=dict)  # import "plugin" blocks: name -> position
    params: dict[str, Any] = field(default_factory=dict)
    globals: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {"value": v} or {"file": path}
    mocks: dict[str, MockData | ModuleImport] = field(default_factory=dict)
    test_rules: dict[str, Any] | None = None
    extra_blocks: list[LiteralBlock] = field(default_factory=list)  # blocks the caller asked to keep

    def imports(self) -> dict[str, Any]:
        """Import name -> source, mocks last (a mock overrides a module or static import of the same name)."""
        out: dict[str, Any] = {**self.static, **self.modules}
        for name, mock in self.mocks.items():
            out[name] = mock.value if isinstance(mock, MockData) else mock
        return out


# -- entry points -----------------------------------------------------------------------------------------------
def read_config_file(path: str | os.PathLike[str], allowed: frozenset[str],
                     keep: frozenset[str] = frozenset()) -> SentinelConfig:
    """Read a Sentinel configuration file (``.hcl`` or ``.json``). ``allowed`` are the block types it may hold;
    ``keep`` are further block types returned untouched in ``extra_blocks`` (jobguard's own, e.g. ``rule``)."""
    path = os.fspath(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SentinelConfigError([Diagnostic(path, 0, 0, "cannot read file", str(getattr(exc, "strerror", "")
                                                                                     or exc))]) from None
    return read_config_text(text, path, allowed, keep)


def read_config_text(text: str, path: str, allowed: frozenset[str],
                     keep: frozenset[str] = frozenset()) -> SentinelConfig:
    """The same from text (``path`` names it in messages, anchors relative sources and picks JSON or HCL)."""
    if path.endswith(".json"):
        return _from_json(text, path, allowed)
    try:
        body = read_literal_document(text, path)
    except LiteralError as exc:
        raise SentinelConfigError(exc.diagnostics) from None
    reader = _Reader(path, allowed, keep)
    reader.document(body)
    if reader.errors:
        raise SentinelConfigError(sorted(reader.errors, key=lambda d: (d.line, d.column)))
    return reader.config


# -- HCL ----------------------------------------------------------------------------------------------------------
class _Reader:
    def __init__(self, path: str, allowed: frozenset[str], keep: frozenset[str]):
        self.path = path
        self.base = os.path.dirname(os.path.abspath(path))
        self.allowed = allowed
        self.keep = keep
        self.config = SentinelConfig(path)
        self.errors: list[Diagnostic] = []
        self.seen: dict[tuple[str, ...], LiteralBlock] = {}

    def error(self, block: LiteralBlock | None, summary: str, detail: str = "", line: int = 0,
              column: int = 0) -> None:
        if block is not None and not line:
            line, column = block.line, block.column
        self.errors.append(Diagnostic(self.path, line, column, summary, detail))

    def document(self, body: LiteralBody) -> None:
        for name, attr in body.attributes.items():
            self.error(None, f"Unsupported argument {name!r}", "the top level takes blocks only", attr.line,
                       attr.column)
        for block in body.blocks:
            if block.type in self.keep:
                self.config.extra_blocks.append(block)
                continue
            if block.type not in self.allowed:
                self.error(block, f"Unsupported block {block.title}",
                           "expected one of: " + ", ".join(sorted(self.allowed | self.keep)))
                continue
            key = (block.type, *block.labels)
            if key in self.seen and block.type != "sentinel":
                first = self.seen[key]
                self.error(block, f"Duplicate block {block.title}",
                           f"already declared at {self.path}:{first.line}:{first.column}")
                continue
            self.seen[key] = block
            getattr(self, "b_" + block.type)(block)

    # helpers ---------------------------------------------------------------------------------------------------
    def labels(self, block: LiteralBlock, count: int, example: str) -> bool:
        if len(block.labels) != count:
            self.error(block, f"Wrong number of labels for {block.type!r}", f"expected {example}")
            return False
        return True

    def only(self, block: LiteralBlock, attrs: set[str], blocks: set[str] = frozenset(),
             required: tuple[str, ...] = ()) -> bool:
        ok = True
        for name, attr in block.body.attributes.items():
            if name not in attrs:
                self.error(None, f"Unsupported argument {name!r} in {block.title}",
                           "expected one of: " + (", ".join(sorted(attrs)) or "none"), attr.line, attr.column)
                ok = False
        for inner in block.body.blocks:
            if inner.type not in blocks:
                self.error(inner, f"Unsupported block {inner.title!r} in {block.title}",
                           "expected one of: " + (", ".join(sorted(blocks)) or "no blocks"))
                ok = False
        for name in required:
            if name not in block.body.attributes:
                self.error(block, f"Missing required argument {name!r} in {block.title}")
                ok = False
        return ok

    def source(self, block: LiteralBlock, attr_name: str = "source") -> str | None:
        attr = block.body.attributes[attr_name]
        value = attr.value
        if not isinstance(value, str) or not value:
            self.error(None, f"{block.title}: {attr_name} must be a non-empty string", "", attr.line, attr.column)
            return None
        if is_remote(value):
            self.error(None, f"{block.title}: remote sources are not supported", f"{value!r}: download the file and "
                       "point source at the local copy", attr.line, attr.column)
            return None
        return os.path.normpath(value if os.path.isabs(value) else os.path.join(self.base, value))

    def module(self, name: str, block: LiteralBlock, path: str) -> ModuleImport:
        return ModuleImport(name, path, (self.path, block.line, block.column), block.title)

    # blocks ----------------------------------------------------------------------------------------------------
    def b_policy(self, block: LiteralBlock) -> None:
        if not self.labels(block, 1, 'policy "NAME" { source = "..." }'):
            return
        if not self.only(block, {"source", "enforcement_level", "params"}, required=("source",)):
            return
        source = self.source(block)
        attrs = block.body.attributes
        level = attrs["enforcement_level"].value if "enforcement_level" in attrs else "advisory"
        if level not in LEVELS:
            a = attrs["enforcement_level"]
            self.error(None, f"{block.title}: invalid enforcement_level {level!r}",
                       "expected one of: " + ", ".join(LEVELS), a.line, a.column)
            return
        params = attrs["params"].value if "params" in attrs else {}
        if not isinstance(params, dict):
            a = attrs["params"]
            self.error(None, f"{block.title}: params must be a map", "", a.line, a.column)
            return
        if source is not None:
            self.config.policies[block.labels[0]] = PolicyBlock(block.labels[0], source, level, params,
                                                                block.line, block.column)

    def b_module(self, block: LiteralBlock) -> None:
        if self.labels(block, 1, 'module "NAME" { source = "..." }') and self.only(block, {"source"},
                                                                                    required=("source",)):
            source = self.source(block)
            if source is not None:
                self.config.modules[block.labels[0]] = self.module(block.labels[0], block, source)

    def b_import(self, block: LiteralBlock) -> None:
        if len(block.labels) != 2:
            self.error(block, f"Unsupported block {block.title}",
                       'expected import "module" "NAME", import "static" "NAME" or import "plugin" "NAME"')
            return
        kind, name = block.labels
        if kind == "module":
            if self.only(block, {"source"}, required=("source",)):
                source = self.source(block)
                if source is not None:
                    self.config.modules[name] = self.module(name, block, source)
        elif kind == "static":
            if self.only(block, {"source", "format"}, required=("source",)):
                self.static(block, name)
        elif kind == "plugin":
            # jobguard cannot start Sentinel plugin binaries; an installed jobguard plugin may provide the name
            if self.only(block, {"source", "path", "args", "config", "env"}):
                self.config.plugins[name] = (block.line, block.column)
        else:
            self.error(block, f"Unsupported block {block.title}",
                       f'unknown import kind "{kind}"; expected "module", "static" or "plugin"')

    def static(self, block: LiteralBlock, name: str) -> None:
        attrs = block.body.attributes
        fmt = attrs["format"].value if "format" in attrs else "json"
        if fmt != "json":
            a = attrs["format"]
            self.error(None, f"{block.title}: unsupported format {fmt!r}", 'the only format is "json"', a.line,
                       a.column)
            return
        source = self.source(block)
        if source is None:
            return
        try:
            self.config.static[name] = json.loads(Path(source).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            self.error(block, f"{block.title}: cannot read {source}", str(getattr(exc, "strerror", "") or exc))
        except json.JSONDecodeError as exc:
            self.error(block, f"{block.title}: {source}:{exc.lineno}:{exc.colno}: invalid JSON", exc.msg)

    def b_param(self, block: LiteralBlock) -> None:
        if self.labels(block, 1, 'param "NAME" { value = ... }') and self.only(block, {"value"},
                                                                                required=("value",)):
            self.config.params[block.labels[0]] = block.body.attributes["value"].value

    def b_global(self, block: LiteralBlock) -> None:
        if not self.labels(block, 1, 'global "NAME" { value = ... }') or not self.only(block, {"value", "file"}):
            return
        attrs = block.body.attributes
        if ("value" in attrs) == ("file" in attrs):
            self.error(block, f"{block.title} needs a value (or, jobguard's extension, a job file)")
            return
        if "value" in attrs:
            self.config.globals[block.labels[0]] = {"value": attrs["value"].value}
        else:
            file = attrs["file"].value
            if not isinstance(file, str) or not file:
                self.error(block, f"{block.title}: file must be a non-empty string")
                return
            self.config.globals[block.labels[0]] = {"file": os.path.join(self.base, file),
                                                    "at": (attrs["file"].line, attrs["file"].column)}

    def b_mock(self, block: LiteralBlock) -> None:
        if not self.labels(block, 1, 'mock "NAME" { data = {...} } or mock "NAME" { module { source = "..." } }'):
            return
        if not self.only(block, {"data"}, {"module"}):
            return
        name = block.labels[0]
        modules = block.body.blocks_of("module")
        has_data = "data" in block.body.attributes
        if has_data == bool(modules) or len(modules) > 1:
            self.error(block, f"{block.title} needs either data = {{...}} or one module {{ source = \"...\" }} block")
            return
        if has_data:
            self.config.mocks[name] = MockData(block.body.attributes["data"].value)
            return
        inner = modules[0]
        if self.only(inner, {"source"}, required=("source",)):
            source = self.source(inner)
            if source is not None:
                self.config.mocks[name] = self.module(name, block, source)

    def b_test(self, block: LiteralBlock) -> None:
        if self.labels(block, 0, "test { rules = { main = true } }") and self.only(block, {"rules"}):
            rules = block.body.attributes["rules"].value if "rules" in block.body.attributes else {}
            if not isinstance(rules, dict):
                a = block.body.attributes["rules"]
                self.error(None, "test: rules must be a map of rule name to expected value", "", a.line, a.column)
                return
            self.config.test_rules = rules

    def b_sentinel(self, block: LiteralBlock) -> None:
        # Sentinel's feature flags (e.g. features = { terraform = true }) select language versions jobguard
        # does not distinguish: accepted, no effect (documented in docs/sentinel.md)
        self.labels(block, 0, "sentinel { features = {...} }") and self.only(block, {"features"})


# -- JSON ---------------------------------------------------------------------------------------------------------
_JSON_KEYS = {"policy", "module", "modules", "import", "imports", "param", "global", "mock", "test", "sentinel"}


def _from_json(text: str, path: str, allowed: frozenset[str]) -> SentinelConfig:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SentinelConfigError([Diagnostic(path, exc.lineno, exc.colno, "invalid JSON", exc.msg)]) from None
    if not isinstance(data, dict):
        raise SentinelConfigError([Diagnostic(path, 1, 1, "a configuration file must be a JSON object")])
    errors: list[Diagnostic] = []
    for key in data:
        kind = {"modules": "module", "imports": "import"}.get(key, key)
        if key not in _JSON_KEYS or kind not in allowed:
            errors.append(Diagnostic(path, 1, 1, f"Unsupported key {key!r}",
                                     "expected one of: " + ", ".join(sorted(allowed))))
    if errors:
        raise SentinelConfigError(errors)
    return _json_config(data, text, path, allowed)


def _json_config(data: dict[str, Any], text: str, path: str, allowed: frozenset[str]) -> SentinelConfig:
    """Both JSON shapes -> the HCL reader's blocks, each at the first place its label is written (the json module
    keeps no positions)."""
    test = data.get("test") or {}
    mocks = data.get("mock") or {}
    old = (isinstance(test, dict) and bool(test) and "rules" not in test) or "modules" in data or any(
        isinstance(m, str) for m in (mocks.values() if isinstance(mocks, dict) else ()))
    blocks: list[LiteralBlock] = []

    def block(kind: str, labels: list[str], attrs: dict[str, Any], inner: list[LiteralBlock] = ()) -> None:
        line, column = _locate(text, labels[-1] if labels else kind)
        body = LiteralBody({k: LiteralAttribute(k, v, line, column) for k, v in attrs.items()}, list(inner))
        blocks.append(LiteralBlock(kind, labels, body, line, column))

    for name, spec in _entries(data, "policy"):
        block("policy", [name], spec if isinstance(spec, dict) else {"source": spec})
    for name, spec in _entries(data, "module"):
        block("module", [name], spec if isinstance(spec, dict) else {"source": spec})
    for name, spec in _entries(data, "modules"):
        if isinstance(spec, dict) and "path" in spec and "source" not in spec:
            spec = {"source": spec["path"], **{k: v for k, v in spec.items() if k != "path"}}
        block("module", [name], spec if isinstance(spec, dict) else {"source": spec})
    for kind, named in _entries(data, "import"):
        for name, spec in (named.items() if isinstance(named, dict) else ()):
            block("import", [kind, name], spec if isinstance(spec, dict) else {"source": spec})
    for name, spec in _entries(data, "imports"):  # the older plugin form: {"imports": {"name": {"path": ...}}}
        block("import", ["plugin", name], spec if isinstance(spec, dict) else {"path": spec})
    for kind in ("param", "global"):
        for name, spec in _entries(data, kind):
            new = isinstance(spec, dict) and spec and set(spec) <= ({"value", "file"} if kind == "global"
                                                                    else {"value"})
            block(kind, [name], spec if (new and not old) else {"value": spec})
    for name, spec in _entries(data, "mock"):
        if isinstance(spec, str):
            block("mock", [name], {}, [_module_block(text, name, {"source": spec})])
        elif not old and isinstance(spec, dict) and spec and set(spec) <= {"data", "module"}:
            inner = spec.get("module")
            if isinstance(inner, dict):
                block("mock", [name], {}, [_module_block(text, name, inner)])
            else:
                block("mock", [name], {k: v for k, v in spec.items() if k == "data"})
        else:
            block("mock", [name], {"data": spec})
    if "test" in data:
        rules = test if old else (test.get("rules") if isinstance(test, dict) else test)
        block("test", [], {"rules": rules} if rules is not None else {})
    reader = _Reader(path, allowed, frozenset())
    reader.document(LiteralBody({}, blocks))
    if reader.errors:
        raise SentinelConfigError(reader.errors)
    return reader.config


def _entries(data: dict[str, Any], key: str) -> list[tuple[str, Any]]:
    value = data.get(key)
    return list(value.items()) if isinstance(value, dict) else []


def _locate(text: str, label: str) -> tuple[int, int]:
    """Line and column of the first ``"label"`` in the JSON text (1:1 when it is not written literally)."""
    at = text.find(json.dumps(label))
    if at < 0:
        return 1, 1
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def _module_block(text: str, label: str, attrs: dict[str, Any]) -> LiteralBlock:
    line, column = _locate(text, label)
    body = LiteralBody({k: LiteralAttribute(k, v, line, column) for k, v in attrs.items()})
    return LiteralBlock("module", [], body, line, column)

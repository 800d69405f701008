"""``jobguard.hcl``: which policies run, how rules are configured, exceptions, and the proxy's settings.

The file is HCL like Sentinel's ``sentinel.hcl``, but only literal values are allowed (no variables, no
functions) so it means the same thing in CI, on a laptop and in the proxy. Reading happens in two steps:

1. :func:`load_config` parses the file and checks it against ``config.schema.json``, every error at
   file:line:col (all of them at once);
2. the engine then checks what the schema cannot know: that rule IDs exist, that params satisfy each rule's own
   ``params_schema``, and that policy files exist and compile.

Labelled blocks become objects keyed by their label (``rule "x" { ... }`` -> ``{"rule": {"x": {...}}}``), which
is the shape the JSON Schema describes.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobguard.engine import sources
from jobguard.engine.errors import ConfigError
from jobguard.engine.profiles import DEFAULT_PROFILE
from jobguard.engine.schema import config_schema, nearest, validate
from jobguard.jobspec.errors import Diagnostic
from jobguard.jobspec.hcl.diagnostics import HCLError, RedefinedAttribute
from jobguard.jobspec.hcl.literal import (LiteralAttribute, LiteralBlock, LiteralBody, LiteralError,
                                          read_literal_document)
from jobguard.jobspec.sourcemap import Position
from jobguard.lang.modules import ModuleImport, is_remote

CONFIG_FILENAME = "jobguard.hcl"

# block type -> number of labels it takes
_BLOCKS = {"policy": 1, "rule": 1, "exception": 1, "proxy": 0, "module": 1, "check": 0, "audit": 0}
# top-level attributes (everything else at the top level is a block)
_ATTRIBUTES = ("rules",)


@dataclass
class PolicyConfig:
    """A ``policy "name" { ... }`` block. ``source`` is resolved against the config file's directory."""

    name: str
    source: str
    enforcement_level: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    non_waivable: bool = False
    severity: str | None = None
    position: Position | None = None


@dataclass
class RuleConfig:
    """A ``rule "ID" { ... }`` block: overrides of a rule's defaults."""

    id: str
    enabled: bool = True
    enforcement_level: str | None = None
    severity: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    non_waivable: bool = False
    position: Position | None = None


@dataclass
class ExceptionConfig:
    """An ``exception "name" { ... }`` block: waive ``rules`` for jobs whose ID matches one of ``jobs`` (globs)."""

    name: str
    rules: list[str]
    jobs: list[str]
    reason: str
    expires: _dt.date | None = None
    position: Position | None = None

    def matches_job(self, job_id: str) -> bool:
        return any(fnmatch.fnmatchcase(job_id, pattern) for pattern in self.jobs)


@dataclass
class Config:
    """The parsed configuration. ``path`` is None (and everything empty) when no file was found."""

    path: str | None = None
    text: str = ""
    policies: dict[str, PolicyConfig] = field(default_factory=dict)
    rules: dict[str, RuleConfig] = field(default_factory=dict)
    exceptions: list[ExceptionConfig] = field(default_factory=list)
    proxy: dict[str, Any] = field(default_factory=dict)
    check: dict[str, Any] = field(default_factory=dict)  # the check block: settings of `jobguard check` (extensions)
    #: import name -> what it resolves to: Sentinel modules (``module`` blocks), static data and mocks (a
    #: ``sentinel.hcl`` policy set's ``import "static"`` and ``mock`` blocks); see jobguard/engine/sentinel_set.py
    imports: dict[str, Any] = field(default_factory=dict)
    plugin_imports: dict[str, Position] = field(default_factory=dict)  # import "plugin" blocks: must be provided
    global_params: dict[str, Any] = field(default_factory=dict)  # param blocks: for every policy declaring them
    globals: dict[str, Any] = field(default_factory=dict)  # global blocks of a policy set
    rules_enabled: bool = True  # False for a sentinel.hcl without rule blocks: only its policies run
    audit: dict[str, Any] | None = None
    #: ``rules = "recommended" | "all" | "none"``: which built-in rules run, and how strictly (see profiles.py)
    profile: str = DEFAULT_PROFILE
    positions: dict[tuple[Any, ...], tuple[int, int]] = field(default_factory=dict, repr=False)
    key_positions: dict[tuple[Any, ...], tuple[int, int]] = field(default_factory=dict, repr=False)

    @property
    def filename(self) -> str:
        return self.path or CONFIG_FILENAME

    def position(self, *path: Any) -> Position:
        """Where ``path`` (e.g. ``("rule", "x", "params")``) is written, or its nearest ancestor."""
        line, column = nearest(self.positions, tuple(path))
        return Position(self.filename, line, column)

    def diagnostic(self, path: tuple[Any, ...], summary: str, detail: str = "") -> Diagnostic:
        pos = self.position(*path)
        return Diagnostic(pos.file, pos.line, pos.column, summary, detail)


def find_config(start_dir: str | os.PathLike[str] = ".") -> str | None:
    """The nearest ``jobguard.hcl`` in ``start_dir`` or one of its parents (None if there is none)."""
    here = Path(start_dir).resolve()
    if here.is_file():
        here = here.parent
    for directory in (here, *here.parents):
        candidate = directory / CONFIG_FILENAME
        if candidate.is_file():
            return str(candidate)
    return None


def load_config(path: str | os.PathLike[str] | None) -> Config:
    """Read and schema-check a config file; ``None`` gives the empty default configuration."""
    if path is None:
        return Config()
    path = str(path)
    try:
        text = sources.read_text(path)
    except FileNotFoundError:
        raise ConfigError(Diagnostic(path, 0, 0, "Configuration file not found")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(Diagnostic(path, 0, 0, "Cannot read configuration file", str(exc))) from None
    from jobguard.engine import sentinel_set

    if sentinel_set.is_policy_set(path):
        return sentinel_set.parse_policy_set(text, path)
    return parse_config(text, path)


def parse_config(text: str, filename: str = CONFIG_FILENAME) -> Config:
    """Parse config text (``filename`` is used for diagnostics and to resolve relative policy sources)."""
    try:
        # newline_rules off: jobguard.hcl has always accepted several arguments on one line
        document = read_literal_document(text, filename, literals_only=True, newline_rules=False)
    except LiteralError as exc:
        raise ConfigError(_syntax_diagnostics(exc, filename)) from None
    config = Config(path=filename, text=text, positions={(): (1, 1)})
    diagnostics: list[Diagnostic] = []
    data = _read_document(document, filename, config, diagnostics)
    if diagnostics:
        raise ConfigError(sorted(diagnostics, key=lambda d: (d.line, d.column)))
    diagnostics = validate(config_schema(), data, filename, config.positions, key_positions=config.key_positions)
    if not diagnostics:
        _build(config, data, diagnostics)
    if diagnostics:
        raise ConfigError(sorted(diagnostics, key=lambda d: (d.line, d.column)))
    return config


def _syntax_diagnostics(exc: LiteralError, filename: str) -> list[Diagnostic]:
    """Config wording for what the HCL reader refused: a repeated argument, else the first syntax error.

    Values that are not literals are already worded for configuration (``literals_only``) and pass through.
    """
    if not exc.syntax_errors:
        return exc.diagnostics
    redefined = [e for e in exc.syntax_errors if isinstance(e, RedefinedAttribute)]
    if redefined and len(redefined) == len(exc.syntax_errors):
        return [Diagnostic(filename, e.rng[0], e.rng[1], f"Duplicate argument {e.name!r}",
                           f"already set at {filename}:{e.first_rng[0]}:{e.first_rng[1]}") for e in redefined]
    first: HCLError = exc.syntax_errors[0]
    detail = (first.detail or "").replace("{file}", filename)
    return [Diagnostic(filename, first.rng[0], first.rng[1], "Invalid HCL syntax",
                       f"{first.summary}: {detail}" if detail else first.summary)]


def _read_document(document: LiteralBody, filename: str, config: Config,
                   diagnostics: list[Diagnostic]) -> dict[str, Any]:
    """HCL blocks -> data in the schema's shape; structural errors (labels, duplicates, nesting) recorded."""
    data: dict[str, Any] = {}
    positions = config.positions
    for attr in document.attributes.values():
        _read_top_attribute(attr, data, config, diagnostics)
    for block in document.blocks:
        name, line, column = block.type, block.line, block.column
        if name not in _BLOCKS:
            diagnostics.append(Diagnostic(filename, line, column, f"Unsupported block type {name!r}",
                                          "expected one of: " + ", ".join(_BLOCKS)))
            continue
        want = _BLOCKS[name]
        if len(block.labels) != want:
            detail = f'a {name} block takes {"one label" if want else "no labels"}' + (
                f', e.g. {name} "NAME" {{ ... }}' if want else "")
            diagnostics.append(Diagnostic(filename, line, column, f"Wrong number of labels for {name!r}", detail))
            continue
        if want:
            label = block.labels[0]
            container = data.setdefault(name, {})
            positions.setdefault((name,), (line, column))
            if label in container:
                first = positions[(name, label)]
                diagnostics.append(Diagnostic(filename, line, column, f'Duplicate {name} block "{label}"',
                                              f"already defined at {filename}:{first[0]}:{first[1]}"))
                continue
            path: tuple[Any, ...] = (name, label)
            container[label] = _read_body(block, filename, path, config, diagnostics)
        else:
            if name in data:
                diagnostics.append(Diagnostic(filename, line, column, f"Duplicate {name} block",
                                              f"only one {name} block is allowed"))
                continue
            path = (name,)
            data[name] = _read_body(block, filename, path, config, diagnostics)
        positions[path] = (line, column)
    return data


def _read_top_attribute(attr: LiteralAttribute, data: dict[str, Any], config: Config,
                        diagnostics: list[Diagnostic]) -> None:
    """``rules = "recommended"``: the only attribute the top level takes (the schema checks its value)."""
    if attr.name not in _ATTRIBUTES:
        diagnostics.append(Diagnostic(config.filename, attr.line, attr.column, f"Unsupported argument {attr.name!r}",
                                      "the top level of jobguard.hcl takes only the rules attribute and policy, "
                                      "module, rule, exception, proxy, check and audit blocks"))
        return
    _store(attr, (), data, config)


def _read_body(block: LiteralBlock, filename: str, base: tuple[Any, ...], config: Config,
               diagnostics: list[Diagnostic]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for nested in block.body.blocks:
        diagnostics.append(Diagnostic(filename, nested.line, nested.column, f"Unsupported block type {nested.type!r}",
                                      f"{base[0]} blocks take arguments only (e.g. {nested.type} = {{ ... }})"))
    for attr in block.body.attributes.values():
        _store(attr, base, out, config)
    return out


def _store(attr: LiteralAttribute, base: tuple[Any, ...], out: dict[str, Any], config: Config) -> None:
    """One argument's value and positions: the name's for "unknown argument", each element's for its value."""
    path = base + (attr.name,)
    config.key_positions[path] = config.positions[path] = (attr.line, attr.column)
    out[attr.name] = attr.value
    for sub, pos in attr.positions.items():
        config.positions[path + sub] = pos


def _build(config: Config, data: dict[str, Any], diagnostics: list[Diagnostic]) -> None:
    """Schema-valid data -> typed config. Checks that need more than JSON Schema (real dates) happen here."""
    base_dir = Path(config.filename).parent
    for name, block in (data.get("policy") or {}).items():
        line, column = config.positions[("policy", name)]
        source = block["source"]
        resolved = source if os.path.isabs(source) else str(base_dir / source)
        config.policies[name] = PolicyConfig(
            name=name, source=os.path.normpath(resolved), enforcement_level=block.get("enforcement_level"),
            params=dict(block.get("params") or {}), enabled=block.get("enabled", True),
            non_waivable=block.get("non_waivable", False), severity=block.get("severity"),
            position=Position(config.filename, line, column))
    for rule_id, block in (data.get("rule") or {}).items():
        line, column = config.positions[("rule", rule_id)]
        config.rules[rule_id] = RuleConfig(
            id=rule_id, enabled=block.get("enabled", True), enforcement_level=block.get("enforcement_level"),
            severity=block.get("severity"), params=dict(block.get("params") or {}),
            non_waivable=block.get("non_waivable", False), position=Position(config.filename, line, column))
    for name, block in (data.get("exception") or {}).items():
        line, column = config.positions[("exception", name)]
        expires = None
        if "expires" in block:
            try:
                expires = _dt.date.fromisoformat(block["expires"])
            except ValueError:
                diagnostics.append(config.diagnostic(("exception", name, "expires"), "Invalid date",
                                                     f"{block['expires']!r} is not a calendar date (YYYY-MM-DD)"))
        config.exceptions.append(ExceptionConfig(
            name=name, rules=list(block["rules"]), jobs=list(block["jobs"]), reason=block["reason"].strip(),
            expires=expires, position=Position(config.filename, line, column)))
    config.proxy = dict(data.get("proxy") or {})
    config.check = dict(data.get("check") or {})
    config.audit = dict(data["audit"]) if "audit" in data else None
    config.profile = data.get("rules", DEFAULT_PROFILE)
    _build_modules(config, data, diagnostics)


def _build_modules(config: Config, data: dict[str, Any], diagnostics: list[Diagnostic]) -> None:
    """``module "NAME" { source = "PATH" }``: ``import "NAME"`` in any policy loads that Sentinel module."""
    base_dir = Path(config.filename).parent
    for name, block in (data.get("module") or {}).items():
        line, column = config.positions[("module", name)]
        source = block["source"]
        if is_remote(source):
            diagnostics.append(config.diagnostic(("module", name, "source"), f'module "{name}": remote sources '
                                                 "are not supported", f"{source!r}: download the file and point "
                                                 "source at the local copy"))
            continue
        resolved = os.path.normpath(source if os.path.isabs(source) else str(base_dir / source))
        config.imports[name] = ModuleImport(name, resolved, (config.filename, line, column), f'module "{name}"')

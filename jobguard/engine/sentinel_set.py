"""A Sentinel policy set (``sentinel.hcl``) as jobguard's configuration: the migration path from Nomad Enterprise.

``jobguard check --config sentinel.hcl`` (and ``jobguard serve``) read Sentinel's own file: ``policy`` blocks with
``source`` and ``enforcement_level`` (and ``params``), ``module`` and ``import "module"`` blocks, ``import
"static"`` data, ``param`` blocks (values for every policy that declares the param), ``global`` values and
``mock`` overrides. With such a file only its policies run: jobguard's built-in rules stay off unless the file
also holds jobguard's own ``rule`` blocks (``exception`` and ``proxy`` blocks are accepted too), so a policy set
behaves as it did under Sentinel until you opt in. ``import "plugin"`` blocks must name an import an installed
jobguard plugin provides; anything else jobguard cannot honour is an error naming the block.

Which file is a policy set: one named ``sentinel.hcl`` / ``sentinel.json`` or ending in ``.sentinel.hcl``.
"""

from __future__ import annotations

import os
from typing import Any

from jobguard.engine.config import Config, PolicyConfig, _build
from jobguard.engine.errors import ConfigError
from jobguard.engine.schema import config_schema, validate
from jobguard.jobspec.errors import Diagnostic
from jobguard.jobspec.hcl.literal import LiteralBlock
from jobguard.jobspec.sourcemap import Position
from jobguard.lang.sentinel_config import POLICY_SET_BLOCKS, SentinelConfigError, read_config_text

JOBGUARD_BLOCKS = frozenset({"rule", "exception", "proxy"})


def is_policy_set(path: str | os.PathLike[str]) -> bool:
    name = os.path.basename(os.fspath(path))
    return name in ("sentinel.hcl", "sentinel.json") or name.endswith(".sentinel.hcl")


def parse_policy_set(text: str, path: str) -> Config:
    """Read a policy set into a :class:`Config`; every problem at once as a :class:`ConfigError`."""
    try:
        sentinel = read_config_text(text, path, POLICY_SET_BLOCKS, keep=JOBGUARD_BLOCKS)
    except SentinelConfigError as exc:
        raise ConfigError(exc.diagnostics) from None
    config = Config(path=path, text=text, positions={(): (1, 1)})
    diagnostics: list[Diagnostic] = []
    data = _jobguard_blocks(sentinel.extra_blocks, config, diagnostics)
    if not diagnostics:
        diagnostics = validate(config_schema(), data, path, config.positions, key_positions=config.key_positions)
    if not diagnostics:
        _build(config, data, diagnostics)
    for name, block in sentinel.policies.items():
        config.positions[("policy", name)] = (block.line, block.column)
        config.policies[name] = PolicyConfig(name=name, source=block.source,
                                             enforcement_level=block.enforcement_level, params=dict(block.params),
                                             position=Position(path, block.line, block.column))
    config.imports = sentinel.imports()
    config.plugin_imports = {name: Position(path, line, col) for name, (line, col) in sentinel.plugins.items()}
    config.global_params = dict(sentinel.params)
    for name, spec in sentinel.globals.items():
        if "value" in spec:
            config.globals[name] = spec["value"]
        else:
            line, col = spec["at"]
            diagnostics.append(Diagnostic(path, line, col, f'global "{name}": file = ... is only for test cases',
                                          "in a policy set, give the global a value"))
    config.rules_enabled = bool(data.get("rule"))
    if diagnostics:
        raise ConfigError(sorted(diagnostics, key=lambda d: (d.line, d.column)))
    return config


def _jobguard_blocks(blocks: list[LiteralBlock], config: Config, diagnostics: list[Diagnostic]) -> dict[str, Any]:
    """jobguard's own blocks in a policy set -> data in jobguard.hcl's schema shape, with positions."""
    data: dict[str, Any] = {}
    for block in blocks:
        want = 0 if block.type == "proxy" else 1
        if len(block.labels) != want:
            diagnostics.append(Diagnostic(config.filename, block.line, block.column,
                                          f"Wrong number of labels for {block.type!r}"))
            continue
        path: tuple[Any, ...] = (block.type, *block.labels)
        if block.type == "proxy":
            if "proxy" in data:
                diagnostics.append(Diagnostic(config.filename, block.line, block.column, "Duplicate proxy block"))
                continue
            target = data.setdefault("proxy", {})
        else:
            container = data.setdefault(block.type, {})
            if block.labels[0] in container:
                diagnostics.append(Diagnostic(config.filename, block.line, block.column,
                                              f"Duplicate block {block.title}"))
                continue
            target = container.setdefault(block.labels[0], {})
        config.positions[path] = (block.line, block.column)
        for inner in block.body.blocks:
            diagnostics.append(Diagnostic(config.filename, inner.line, inner.column,
                                          f"Unsupported block type {inner.type!r} in {block.title}"))
        for name, attr in block.body.attributes.items():
            target[name] = attr.value
            config.positions[path + (name,)] = (attr.line, attr.column)
            config.key_positions[path + (name,)] = (attr.line, attr.column)
    return data

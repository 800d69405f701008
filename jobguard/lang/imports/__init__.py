"""Import registry: ``import "name"`` in a policy resolves here (after per-evaluation overrides such as test
mocks and plugin imports, see :func:`jobguard.lang.runtime.resolve_import`).

``BUILTIN_IMPORTS`` maps an import name to a zero-argument factory returning a
:class:`~jobguard.lang.values.SentinelObject` (a fresh one per evaluation, so ``time.now`` is per evaluation).

How to add an import: create ``jobguard/lang/imports/<name>.py`` defining ``NAME = "<import name>"`` and a
factory ``create()`` (or ``module()``) returning a SentinelObject, usually an
:class:`~jobguard.lang.imports.module.ImportModule` (see that module for how attributes and ``fn_`` methods are
exposed). Modules in this
package are discovered automatically (no table to edit). Import functions are plain Python callables taking and
returning plain values; raise ``ValueError``/``TypeError`` for bad arguments: the policy gets a runtime error at
the call's position. Policy functions passed in are Python callables too.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from jobguard.lang.values import SentinelObject

BUILTIN_IMPORTS: dict[str, Callable[[], SentinelObject]] = {}


def _discover() -> None:
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name == "module":
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        name = getattr(mod, "NAME", None)
        factory = getattr(mod, "create", None) or getattr(mod, "module", None)
        if isinstance(name, str) and callable(factory):
            BUILTIN_IMPORTS.setdefault(name, factory)


_discover()

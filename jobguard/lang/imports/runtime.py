"""``import "runtime"``: facts about the Sentinel runtime, here jobguard.

``runtime.version`` is the Sentinel version whose language and standard imports jobguard follows (policies use it
with the ``version`` import to require a minimum runtime), not jobguard's own version.
"""

from __future__ import annotations

from jobguard.lang.imports.module import ImportModule

NAME = "runtime"

SENTINEL_VERSION = "0.40.0"

_SHARED = ImportModule({"version": SENTINEL_VERSION})


def module() -> ImportModule:
    """The module (constant, so one shared instance serves every evaluation)."""
    return _SHARED

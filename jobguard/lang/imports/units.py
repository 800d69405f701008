"""The ``units`` import: base-2 byte units (``units.megabyte`` is 1048576), as Sentinel defines them."""

from __future__ import annotations

from jobguard.lang.imports.module import ImportModule

NAME = "units"


def _build() -> ImportModule:
    return ImportModule({
        "byte": 1, "kilobyte": 1024, "megabyte": 1024 ** 2, "gigabyte": 1024 ** 3, "terabyte": 1024 ** 4,
        "petabyte": 1024 ** 5,
    })


_SHARED = _build()


def module() -> ImportModule:
    """The module (stateless, so one shared instance serves every evaluation)."""
    return _SHARED

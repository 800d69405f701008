"""``import "types"``: the type of a value as a string (bool, int, float, string, list, map, null, undefined, ...)."""

from __future__ import annotations

from typing import Any

from jobguard.lang.imports.module import ImportModule, type_name

NAME = "types"


class TypesImport(ImportModule):
    def fn_type_of(self, value: Any) -> str:
        return type_name(value)


def create() -> TypesImport:
    return TypesImport()

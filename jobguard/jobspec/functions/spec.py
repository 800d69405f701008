"""The calling convention of an HCL function: parameters, argument checks and conversions, error wording.

Why: HCL checks the argument count, converts every argument to its parameter's type, and cty then rejects nulls
before the implementation runs -- each step with its own message. Implementations here therefore receive
arguments that already conform, exactly like cty's ``Impl`` functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jobguard.jobspec.functions.errors import (
    ArgumentError,
    ConversionError,
    FunctionError,
    HclFunctionError,
    ImplArgError,
)
from jobguard.jobspec.functions.types import ANY, CtyType, convert
from jobguard.jobspec.limits import charge_steps, charge_text, check_string_length


@dataclass(frozen=True)
class Param:
    """One parameter: its name (used in messages), its type (``ANY`` = no conversion) and whether null is allowed."""

    name: str
    type: CtyType = ANY
    allow_null: bool = False


class HclFunction:
    """A callable HCL function. ``fn(*args)`` runs HCL's full call protocol on already-evaluated arguments."""

    def __init__(self, name: str, params: list[Param], impl: Callable[..., Any], var_param: Param | None = None,
                 lazy: bool = False) -> None:
        self.name = name
        self.params = params
        self.var_param = var_param
        self.impl = impl
        self.lazy = lazy

    def __repr__(self) -> str:
        return f"<HCL function {self.name}>"

    def __call__(self, *args: Any) -> Any:
        return self.call(list(args))

    def call(self, args: list[Any]) -> Any:
        self.check_count(len(args))
        if self.lazy:
            converted = args
        else:
            converted = [self._convert_arg(i, v) for i, v in enumerate(args)]
            for i, v in enumerate(converted):
                if v is None and not self.param_for(i).allow_null:
                    raise self.arg_error(i, "argument must not be null")
        try:
            result = self.impl(*converted)
        except ImplArgError as exc:
            raise self.arg_error(exc.index, exc.message) from None
        except FunctionError as exc:
            exc.function_name = self.name
            raise
        if isinstance(result, str):
            check_string_length(len(result))
            charge_text(len(result))
            if not result.isascii():
                return nfc(result)
        elif isinstance(result, (list, dict)):
            charge_steps(len(result))
        return result

    def param_for(self, index: int) -> Param:
        if index < len(self.params):
            return self.params[index]
        assert self.var_param is not None
        return self.var_param

    def check_count(self, count: int) -> None:
        """HCL's "Not enough/Too many function arguments" checks."""
        if count < len(self.params):
            qual = " at least" if self.var_param is not None else ""
            missing = self.params[count].name
            raise ArgumentError(
                "Not enough function arguments",
                f'Function "{self.name}" expects{qual} {len(self.params)} argument(s). Missing value for "{missing}".',
                None)
        if self.var_param is None and count > len(self.params):
            raise ArgumentError(
                "Too many function arguments",
                f'Function "{self.name}" expects only {len(self.params)} argument(s).',
                len(self.params))

    def arg_error(self, index: int, message: str) -> HclFunctionError:
        """HCL's wording for an argument the function (or the conversion) rejected.

        An index past every declared parameter degrades to a plain call error, as HCL does.
        """
        if index >= len(self.params) and self.var_param is None:
            return FunctionError(message, self.name)
        name = self.param_for(index).name
        return ArgumentError("Invalid function argument", f'Invalid value for "{name}" parameter: {message}.', index)

    def _convert_arg(self, index: int, value: Any) -> Any:
        param = self.param_for(index)
        try:
            return convert(value, param.type)
        except ConversionError as exc:
            raise self.arg_error(index, str(exc)) from None


def nfc(text: str) -> str:
    """cty normalizes every string value to Unicode NFC (``cty.StringVal``); so do string results here."""
    import unicodedata

    return unicodedata.normalize("NFC", text)


def nfc_deep(value: Any) -> Any:
    """:func:`nfc` applied to every string (and object key) inside a freshly decoded value."""
    if isinstance(value, str):
        return value if value.isascii() else nfc(value)
    if isinstance(value, list):
        return [nfc_deep(v) for v in value]
    if isinstance(value, dict):
        return {nfc_deep(k): nfc_deep(v) for k, v in value.items()}
    return value


REGISTRY: dict[str, HclFunction] = {}


def register(names: str | tuple[str, ...], params: list[Param], var_param: Param | None = None,
             lazy: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: register an implementation under one or more HCL names."""
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        for name in (names,) if isinstance(names, str) else names:
            REGISTRY[name] = HclFunction(name, params, fn, var_param, lazy)
        return fn
    return deco


def fail(message: str) -> FunctionError:
    """Shorthand for implementations: ``raise fail("...")`` -> "Call to function ... failed: ..."."""
    return FunctionError(message)


def arg_fail(index: int, message: str) -> ImplArgError:
    """Shorthand for implementations: blame argument ``index`` (cty's ``NewArgErrorf``)."""
    return ImplArgError(index, message)

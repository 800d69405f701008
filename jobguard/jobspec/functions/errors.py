"""Errors raised by HCL function calls, shaped like the diagnostics HCL itself produces.

Why three kinds: HCL reports a failed call in three different ways, and the expression evaluator (H1) needs to know
which one to build a diagnostic with the right summary *and* the right source range:

* :class:`ArgumentError` -- "Not enough function arguments", "Too many function arguments", "Invalid function
  argument", "Invalid expanding argument value": HCL points at one argument (``arg_index``) or at the closing
  parenthesis (``arg_index is None``).
* :class:`FunctionError` -- "Error in function call"; HCL points at the function name and prints
  ``Call to function "NAME" failed: MESSAGE.`` (:attr:`FunctionError.detail`).
* :class:`UnknownFunctionError` -- "Call to unknown function", pointing at the name.

All three derive from :class:`HclFunctionError`, so a caller may catch just that.
"""

from __future__ import annotations


class HclFunctionError(Exception):
    """Base class: every error a function call can raise carries an HCL summary and detail."""

    summary: str = "Error in function call"
    arg_index: int | None = None

    @property
    def detail(self) -> str:  # pragma: no cover - overridden
        return str(self)


class FunctionError(HclFunctionError):
    """A failure inside the function itself.

    ``message`` is exactly what Nomad prints after ``Call to function "NAME" failed: `` (Nomad then adds a ``.``).
    ``function_name`` is filled in by :func:`jobguard.jobspec.functions.call_function`.
    """

    summary = "Error in function call"

    def __init__(self, message: str, function_name: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.function_name = function_name

    @property
    def detail(self) -> str:
        return f'Call to function "{self.function_name}" failed: {self.message}.'


class ArgumentError(HclFunctionError):
    """A problem with one argument (or with the argument count), as HCL words it.

    ``arg_index`` is the 0-based index of the offending argument in the call *after* expansion of a final ``...``
    argument; ``None`` means "the call as a whole" (HCL then points at the closing parenthesis).
    """

    def __init__(self, summary: str, detail: str, arg_index: int | None = None) -> None:
        super().__init__(f"{summary}; {detail}")
        self.summary = summary
        self._detail = detail
        self.arg_index = arg_index

    @property
    def detail(self) -> str:
        return self._detail


class UnknownFunctionError(HclFunctionError):
    """A call to a name that is not in Nomad's function table."""

    summary = "Call to unknown function"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self._detail = detail

    @property
    def detail(self) -> str:
        return self._detail


class ConversionError(ValueError):
    """A value that does not conform to a cty type; the message is cty's (e.g. ``a number is required``)."""


class TypeSpecError(ValueError):
    """An invalid type expression (``list`` without an argument, an unknown keyword, ...), as HCL's typeexpr says it.

    ``summary`` is "Invalid type specification" (or "Invalid default value for optional attribute"); ``detail`` is
    typeexpr's sentence.
    """

    def __init__(self, detail: str, summary: str = "Invalid type specification") -> None:
        super().__init__(detail)
        self.detail = detail
        self.summary = summary


class ImplArgError(Exception):
    """Internal: raised by implementations to blame argument ``index`` (cty's ``function.NewArgErrorf``)."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message

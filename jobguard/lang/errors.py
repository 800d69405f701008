"""Errors of the policy language.

Why two kinds: a syntax error stops a policy from loading at all (the engine reports it as a config error, exit 2,
with *every* problem of the file), while a runtime error belongs to one evaluation (one job) and is reported as a
finding with the position of the expression that failed.
"""

from __future__ import annotations

from jobguard.jobspec.errors import Diagnostic


class PolicySyntaxError(Exception):
    """A policy that does not parse (or fails a static check). Carries all diagnostics of the file."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class PolicyRuntimeError(Exception):
    """An evaluation that cannot continue: type error, error() call, failed import call, budget exhausted."""

    def __init__(self, message: str, file: str = "", line: int = 0, column: int = 0):
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}: " if self.line else (f"{self.file}: " if self.file else "")
        return where + self.message

    def to_diagnostic(self) -> Diagnostic:
        return Diagnostic(self.file, self.line, self.column, self.message)


class RuntimeFault(Exception):
    """Raised by runtime helpers that do not know the source position; the compiler adds it (see compiler)."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)

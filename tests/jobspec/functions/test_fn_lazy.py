"""``try``, ``can`` (thunk arguments) and ``convert`` (type-expression argument)."""

from dataclasses import dataclass

import pytest

from jobguard.jobspec.functions import ArgumentError, FunctionError, call_function
from jobguard.jobspec.functions.types import NUMBER, STRING, ListType, type_from_name


@dataclass
class FakeDiag:
    summary: str
    detail: str
    subject: str | None = None


class EvalFailure(Exception):
    def __init__(self, *diagnostics):
        super().__init__("evaluation failed")
        self.diagnostics = list(diagnostics)


def failing(*diags):
    def thunk():
        raise EvalFailure(*diags)
    return thunk


def test_try_returns_first_success():
    assert call_function("try", [failing(FakeDiag("x", "y")), lambda: "ok", lambda: "later"]) == "ok"
    assert call_function("try", [lambda: None]) is None


def test_try_reports_every_failure_like_hcl():
    with pytest.raises(FunctionError) as exc:
        call_function("try", [
            failing(FakeDiag("Unsupported attribute", 'This object does not have an attribute named "x".',
                             "job.nomad.hcl:3,14-16")),
            failing(FakeDiag("Invalid index", "The given key does not identify an element.")),
        ])
    assert exc.value.message == (
        "no expression succeeded:\n"
        '- Unsupported attribute (at job.nomad.hcl:3,14-16)\n  This object does not have an attribute named "x".\n'
        "- Invalid index\n  The given key does not identify an element.\n"
        "\nAt least one expression must produce a successful result")


def test_try_includes_nested_function_errors():
    def nested():
        return call_function("element", [[], 0])

    with pytest.raises(FunctionError) as exc:
        call_function("try", [nested])
    assert "- Error in function call\n  Call to function \"element\" failed: cannot use element function with an " \
           "empty list.\n" in exc.value.message


def test_try_needs_an_argument():
    with pytest.raises(FunctionError) as exc:
        call_function("try", [])
    assert exc.value.message == "at least one argument is required"


def test_can():
    assert call_function("can", [lambda: 1]) is True
    assert call_function("can", [failing(FakeDiag("a", "b"))]) is False
    with pytest.raises(ArgumentError):
        call_function("can", [])


def test_convert():
    assert call_function("convert", [{"www": "80"}, type_from_name("map", [STRING])]) == {"www": "80"}
    assert call_function("length", [call_function("convert", [{"www": "80"}, type_from_name("map", [STRING])])]) == 1
    assert call_function("convert", [["1", 2], ListType(NUMBER)]) == [1, 2]
    assert call_function("convert", [None, NUMBER]) is None
    with pytest.raises(ArgumentError) as exc:
        call_function("convert", ["abc", NUMBER])
    assert exc.value.arg_index == 0
    assert exc.value.detail == 'Invalid value for "value" parameter: a number is required.'


@dataclass
class RangedError(Exception):
    summary: str
    detail: str
    rng: tuple = (0, 0, 0, 0)


def test_try_renders_ranges_with_the_call_filename():
    def bad():
        raise RangedError("Unsupported attribute", "No x.", (3, 14, 3, 16))

    def worse():
        raise RangedError("Invalid index", "Out of range.", (4, 2, 5, 1))

    with pytest.raises(FunctionError) as exc:
        call_function("try", [bad, worse], filename="job.nomad.hcl")
    assert exc.value.message == (
        "no expression succeeded:\n- Unsupported attribute (at job.nomad.hcl:3,14-16)\n  No x.\n"
        "- Invalid index (at job.nomad.hcl:4,2-5,1)\n  Out of range.\n\n"
        "At least one expression must produce a successful result")

"""``import "version"``: attributes, comparisons, compare and go-version constraints, inside policies."""

from __future__ import annotations

import pytest

from jobguard.lang import UNDEFINED

from .policy_eval import error_of, value_of

V = 'version.new("1.0.0-alpha.1+001")'


@pytest.mark.parametrize("expr,expected", [
    (f"{V}.major", 1), (f"{V}.minor", 0), (f"{V}.patch", 0), (f"{V}.prerelease", "alpha.1"), (f"{V}.metadata", "001"),
    (f"{V}.version", "1.0.0-alpha.1+001"), ('version.new("v1.2").version', "1.2.0"),
    ('version.new("1.2.3beta1").prerelease', "beta1"),
    (f'{V}.greater_than("0.12.0-alpha.1+001")', True), (f'{V}.gt("1.0.1-alpha.1+001")', False),
    (f'{V}.greater_than_or_equals("1.0.0-alpha.1+001")', True), (f'{V}.gte("1.0.1-alpha.1+001")', False),
    (f'{V}.less_than("1.0.1-alpha.1+001")', True), (f'{V}.lt("0.12.0-alpha.1+001")', False),
    (f'{V}.less_than_or_equals("1.0.0-alpha.1+001")', True), (f'{V}.lte("0.12.0-alpha.1+001")', False),
    (f'{V}.equals("1.0.0-alpha.1+001")', True), (f'{V}.eq("0.12.0-alpha.1+001")', False),
    (f'{V}.equals("1.0.0-alpha.1+999")', True),  # metadata never counts
    (f'{V}.less_than("1.0.0")', True),  # a prerelease sorts before its release
    ('version.new("1.0.0-alpha.2").gt("1.0.0-alpha.10")', False),  # numeric parts compare as numbers
    ('version.new("1.0.0-beta").gt("1.0.0-alpha.1")', True), ('version.new("1.2.3.4").gt("1.2.3")', True),
    # compare: -1/0/1 as the version is less than, equal to or greater than the argument
    (f'{V}.compare("0.12.0-alpha.1+001")', 1), (f'{V}.compare("1.0.0-alpha.1+001")', 0),
    ('version.new("0.12.0-alpha.1+001").cmp("1.0.0-alpha.1+001")', -1),
    (f'{V}.satisfies("> 1.0.0-alpha.1+001")', False), (f'{V}.satisfies(">= 1.0.0-alpha.1+001")', True),
    (f'{V}.satisfies(">= 1.0.0-alpha.1+001, < 1.0.0-beta+001")', True),
    ('version.new("1.0.0").sat("= 1.0.0")', True), ('version.new("0.12.7").sat("~> 0.12.0")', True),
    ("version.new(undefined)", UNDEFINED), (f"{V}.gt(undefined)", UNDEFINED), (f"{V}.satisfies(undefined)", UNDEFINED),
])
def test_values(expr, expected):
    assert value_of(expr, "version") == expected


@pytest.mark.parametrize("ver,constraint,ok", [
    ("1.2.5", "~> 1.2.3", True), ("1.3.0", "~> 1.2.3", False), ("1.2.2", "~> 1.2.3", False),
    ("1.9.0", "~> 1.2", True), ("2.0.0", "~> 1.2", False), ("5.0.0", "~> 1", True), ("0.9.0", "~> 1", False),
    ("1.5.0", ">= 1.0, < 2.0", True), ("2.0.0", ">= 1.0, < 2.0", False), ("1.0.0", "!= 1.0.0", False),
    ("1.0.0", "1.0.0", True), ("1.0.0", "=1.0.0", True), ("1.0.1", "> 1.0.0", True), ("1.0.0", "<= 1.0.0", True),
    # prereleases: a constraint without one never matches a prerelease, one with a prerelease only its own version
    ("1.1.0-beta", ">= 1.0.0", False), ("1.1.0-beta", ">= 1.1.0-alpha", True), ("1.2.0-beta", ">= 1.1.0-alpha", False),
    ("1.0.0-beta", "!= 1.0.0", True), ("1.0.0-beta", "= 1.0.0-beta", True), ("1.1.0", "~> 1.1.0-beta", False),
    ("1.1.0-rc", "~> 1.1.0-beta", True),
    ("1.1.0-rc", "~> 1.1.0", False),
])
def test_constraints(ver, constraint, ok):
    assert value_of(f'version.new("{ver}").satisfies("{constraint}")', "version") is ok


@pytest.mark.parametrize("expr,message", [
    ('version.new("one.two")', "version.new: malformed version: 'one.two'"),
    ('version.new("1.0.0").satisfies(">= ")', "version.satisfies: malformed constraint"),
    ('version.new("1.0.0").satisfies("=> 1.0")', "malformed constraint"), ("version.new(1)", "must be a string"),
    ('version.new("1.0.0").gt("x")', "version.greater_than: malformed version"),
])
def test_errors(expr, message):
    assert message in error_of(expr, "version").message

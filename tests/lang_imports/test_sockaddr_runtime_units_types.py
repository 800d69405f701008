"""The small standard imports: sockaddr, runtime, units and types, inside policies."""

from __future__ import annotations

import pytest

from jobguard.lang import UNDEFINED
from jobguard.lang.imports import BUILTIN_IMPORTS

from .policy_eval import error_of, value_of


@pytest.mark.parametrize("expr,expected", [
    ('sockaddr.is_contained("192.168.0.0/24", "192.168.0.32")', True),
    ('sockaddr.is_contained("192.168.0.0/24", "192.174.1.1")', False),
    ('sockaddr.is_contained("10.0.0.0/8", "10.1.0.0/16")', True),
    ('sockaddr.is_contained("10.1.0.0/16", "10.0.0.0/8")', False),
    ('sockaddr.is_contained("2001:db8::/32", "2001:db8::1")', True),
    ('sockaddr.is_contained("10.0.0.0/8", "::1")', False),
    ('sockaddr.is_contained("10.0.0.1", "10.0.0.1")', True),
    ('sockaddr.is_equal("192.168.12.24", "192.168.12.24")', True),
    ('sockaddr.is_equal("192.168.12.24", "192.168.12.25")', False),
    ('sockaddr.is_equal("10.0.0.1", "10.0.0.1/32")', True),
    ('sockaddr.is_equal("10.0.0.1:80", "10.0.0.1:8080")', False),
    ('sockaddr.is_equal("[::1]:80", "[::1]:80")', True),
    ('sockaddr.is_ipv4("192.168.12.24")', True), ('sockaddr.is_ipv4("2001:0db8:85a3:0000:0000:8a2e:0370:7334")', False),
    ('sockaddr.is_ipv6("2001:0db8:85a3:0000:0000:8a2e:0370:7334")', True), ('sockaddr.is_ipv6("10.0.0.0/8")', False),
    ('sockaddr.is_ipv4("not an address")', False), ("sockaddr.is_ipv4(undefined)", UNDEFINED),
])
def test_sockaddr(expr, expected):
    assert value_of(expr, "sockaddr") == expected


@pytest.mark.parametrize("expr,message", [
    ('sockaddr.is_contained("nope", "10.0.0.1")', "sockaddr.is_contained: 'nope' is not an IP address"),
    ('sockaddr.is_equal("10.0.0.1:99999", "10.0.0.1")', "port out of range"),
    ("sockaddr.is_ipv4(1)", "must be a string"),
])
def test_sockaddr_errors(expr, message):
    assert message in error_of(expr, "sockaddr").message


def test_runtime_version_is_a_version():
    text = value_of("runtime.version", "runtime")
    assert value_of(f'version.new("{text}").gte("0.16.0")', "version") is True


@pytest.mark.parametrize("name,size", [
    ("kilobyte", 1024), ("megabyte", 1048576), ("gigabyte", 1073741824), ("terabyte", 1099511627776),
    ("petabyte", 1125899906842624), ("byte", 1),
])
def test_units(name, size):
    assert value_of(f"units.{name}", "units") == size


@pytest.mark.parametrize("expr,name", [
    ("true", "bool"), ('"Hello!"', "string"), ("42", "int"), ("42.123", "float"), ("null", "null"),
    ("undefined", "undefined"), ("[1]", "list"), ('{"a": 1}', "map"), ("func() { return 1 }", "func"),
])
def test_types_type_of(expr, name):
    assert value_of(f"types.type_of({expr})", "types") == name


def test_every_standard_import_is_registered():
    assert {"base64", "collection", "collection/lists", "collection/maps", "decimal", "json", "runtime", "sockaddr",
            "strings", "time", "types", "units", "version"} <= set(BUILTIN_IMPORTS)

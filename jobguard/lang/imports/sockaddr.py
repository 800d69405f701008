"""``import "sockaddr"``: IP address checks, as Sentinel's ``sockaddr`` import (HashiCorp go-sockaddr) offers them.

Addresses are IPv4 or IPv6 text, optionally with a prefix (``10.0.0.0/8``, ``2001:db8::/32``) or a port
(``10.0.0.1:8080``, ``[::1]:8080``); a bare address is a /32 (IPv4) or /128 (IPv6).

* ``is_contained(outer, inner)``: whether every address of ``inner`` lies within ``outer``.
* ``is_equal(a, b)``: same address, prefix length and port.
* ``is_ipv4(addr)`` / ``is_ipv6(addr)``: the kind of address (false for text that is no address at all).

``is_contained`` and ``is_equal`` refuse text that is no address with an error naming it; ``undefined`` in gives
``undefined`` out.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from jobguard.lang.imports._support import exports, named
from jobguard.lang.imports.module import ImportModule, require_string
from jobguard.lang.values import UNDEFINED

NAME = "sockaddr"

_Interface = ipaddress.IPv4Interface | ipaddress.IPv6Interface
_V4_PORT = re.compile(r"(\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?):(\d{1,5})", re.ASCII)
_V6_PORT = re.compile(r"\[([0-9A-Fa-f:.]+(?:/\d{1,3})?)\]:(\d{1,5})", re.ASCII)


def parse(text: str) -> tuple[_Interface, int | None]:
    """(interface, port) of an address; ValueError when ``text`` is not one."""
    port = None
    m = _V4_PORT.fullmatch(text) or _V6_PORT.fullmatch(text)
    if m:
        text, port = m.group(1), int(m.group(2))
        if port > 65535:
            raise ValueError(f"port out of range in {text!r}")
    try:
        return ipaddress.ip_interface(text), port
    except ValueError:
        raise ValueError(f"{text!r} is not an IP address or network") from None


def _arg(value: Any) -> tuple[_Interface, int | None]:
    return parse(require_string(value, "the address"))


@named("sockaddr.is_contained")
def is_contained(outer: Any, inner: Any) -> Any:
    if outer is UNDEFINED or inner is UNDEFINED:
        return UNDEFINED
    (o, _), (i, _) = _arg(outer), _arg(inner)
    return o.version == i.version and i.network.subnet_of(o.network)  # type: ignore[arg-type]


@named("sockaddr.is_equal")
def is_equal(a: Any, b: Any) -> Any:
    if a is UNDEFINED or b is UNDEFINED:
        return UNDEFINED
    (x, xp), (y, yp) = _arg(a), _arg(b)
    return x.version == y.version and x.ip == y.ip and x.network.prefixlen == y.network.prefixlen and xp == yp


def _kind(addr: Any, version: int) -> Any:
    if addr is UNDEFINED:
        return UNDEFINED
    try:
        parsed, _ = parse(require_string(addr, "the address"))
    except ValueError:
        return False
    return parsed.version == version


@named("sockaddr.is_ipv4")
def is_ipv4(addr: Any) -> Any:
    return _kind(addr, 4)


@named("sockaddr.is_ipv6")
def is_ipv6(addr: Any) -> Any:
    return _kind(addr, 6)


_SHARED = ImportModule(exports(is_contained, is_equal, is_ipv4, is_ipv6))


def module() -> ImportModule:
    """The module (stateless, so one shared instance serves every evaluation)."""
    return _SHARED

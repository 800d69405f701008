"""CIDR functions (go-cty-funcs ``cidr``, built on apparentlymart/go-cidr and Go's ``net`` package).

Addresses are handled as integers of 32 or 128 bits; parsing and printing follow Go's ``net.ParseCIDR`` and
``IP.String`` (IPv4-mapped IPv6 addresses print dotted, like Go).
"""

from __future__ import annotations

import re

from jobguard.jobspec.functions.numbers import to_bigint, to_int
from jobguard.jobspec.functions.spec import Param, arg_fail, fail, register
from jobguard.jobspec.functions.types import NUMBER, STRING, CtyList

_MASK_RE = re.compile(r"[0-9]+\Z")


class _Net:
    """A parsed network: masked address ``ip`` (int), prefix length, address width in bits."""

    def __init__(self, ip: int, prefix: int, bits: int) -> None:
        self.ip = ip
        self.prefix = prefix
        self.bits = bits

    def mask(self, prefix: int | None = None) -> int:
        p = self.prefix if prefix is None else prefix
        return ((1 << p) - 1) << (self.bits - p) if p else 0

    def last(self) -> int:
        return self.ip | (~self.mask() & ((1 << self.bits) - 1))

    def __str__(self) -> str:
        return f"{ip_string(self.ip, self.bits)}/{self.prefix}"


def ip_string(value: int, bits: int) -> str:
    """Go ``net.IP.String``."""
    import ipaddress

    if bits == 32:
        return str(ipaddress.IPv4Address(value))
    addr = ipaddress.IPv6Address(value)
    if addr.ipv4_mapped is not None:
        return str(addr.ipv4_mapped)
    return str(addr)


def parse_cidr(text: str) -> _Net:
    """Go ``net.ParseCIDR`` -> the network; ``ValueError("invalid CIDR address: ...")`` otherwise."""
    import ipaddress

    addr, sep, mask = text.partition("/")
    if not sep or not _MASK_RE.match(mask) or "%" in addr:
        raise ValueError(f"invalid CIDR address: {text}")
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        raise ValueError(f"invalid CIDR address: {text}") from None
    bits = 32 if ip.version == 4 else 128
    prefix = int(mask)
    if prefix > bits:
        raise ValueError(f"invalid CIDR address: {text}")
    net = _Net(int(ip), prefix, bits)
    net.ip &= net.mask()
    return net


def _parse(text: str, blame: int | None = None) -> _Net:
    try:
        return parse_cidr(text)
    except ValueError as exc:
        if blame is not None:
            raise arg_fail(blame, f"invalid CIDR expression: {exc}") from None
        raise fail(f"invalid CIDR expression: {exc}") from None


@register("cidrhost", [Param("prefix", STRING), Param("hostnum", NUMBER)])
def cidrhost(prefix: str, hostnum: int | float) -> str:
    try:
        num = to_bigint(hostnum)
    except ValueError as exc:
        raise fail(str(exc)) from None
    net = _parse(prefix)
    host_len = net.bits - net.prefix
    max_host = (1 << host_len) - 1
    if num < 0:
        shown = -num - 1
        num = max_host - shown
    else:
        shown = num & ((1 << 64) - 1)
    if shown > max_host:
        raise fail(f"prefix of {net.prefix} does not accommodate a host numbered {shown}")
    return ip_string(net.ip | (num & ((1 << net.bits) - 1)), net.bits)


@register("cidrnetmask", [Param("prefix", STRING)])
def cidrnetmask(prefix: str) -> str:
    net = _parse(prefix)
    return ip_string(net.mask(), net.bits)


@register("cidrsubnet", [Param("prefix", STRING), Param("newbits", NUMBER), Param("netnum", NUMBER)])
def cidrsubnet(prefix: str, newbits: int | float, netnum: int | float) -> str:
    try:
        nb = to_int(newbits)
        num = to_bigint(netnum)
    except ValueError as exc:
        raise fail(str(exc)) from None
    net = _parse(prefix)
    new_len = net.prefix + nb
    if new_len > net.bits:
        raise fail(f"insufficient address space to extend prefix of {net.prefix} by {nb}")
    max_num = (1 << nb) - 1 if nb >= 0 else 0
    if (abs(num) & ((1 << 64) - 1)) > max_num:
        raise fail(f"prefix extension of {nb} does not accommodate a subnet numbered {num}")
    shifted = (num << (net.bits - new_len)) & ((1 << net.bits) - 1)
    return str(_Net(net.ip | shifted, new_len, net.bits))


@register("cidrsubnets", [Param("prefix", STRING)], var_param=Param("newbits", NUMBER))
def cidrsubnets(prefix: str, *newbits: int | float) -> list:
    net = _parse(prefix, blame=0)
    if not newbits:
        return CtyList([], STRING)
    try:
        first = to_int(newbits[0]) + net.prefix
    except ValueError as exc:
        raise arg_fail(1, str(exc)) from None
    full = (1 << net.bits) - 1
    # go-cidr PreviousSubnet: the subnet of the given length just before the base address.
    prev_ip = (net.ip - 1) & full
    current = _Net(prev_ip, min(max(first, 0), net.bits), net.bits)  # an out-of-range first length fails below
    current.ip &= current.mask()
    out = []
    for i, raw in enumerate(newbits):
        try:
            length = to_int(raw)
        except ValueError as exc:
            raise arg_fail(i + 1, str(exc)) from None
        if length < 1:
            raise arg_fail(i + 1, "must extend prefix by at least one bit")
        if length > 32:
            raise arg_fail(i + 1, "may not extend prefix by more than 32 bits")
        length += net.prefix
        if length > net.bits:
            protocol = "IPv4" if net.bits == 32 else "IPv6"
            raise arg_fail(i + 1, f"would extend prefix to {length} bits, which is too long for an {protocol} "
                                  f"address")
        # go-cidr NextSubnet
        candidate = _Net(current.last(), length, net.bits)
        candidate.ip &= candidate.mask()
        last = (candidate.last() + 1) & full
        rollover = last == 0
        nxt = _Net(last, length, net.bits)
        nxt.ip &= nxt.mask()
        if rollover or (nxt.ip & net.mask()) != net.ip:
            raise arg_fail(i + 1, f"not enough remaining address space for a subnet with a prefix of {length} bits "
                                  f"after {current}")
        current = nxt
        out.append(str(current))
    return CtyList(out, STRING)

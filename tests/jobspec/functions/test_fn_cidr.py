"""CIDR functions on IPv4 and IPv6 (go-cidr arithmetic, Go ``net`` parsing and printing)."""

import pytest

from jobguard.jobspec.functions import ArgumentError, FunctionError, call_function


def call(name, *args):
    return call_function(name, list(args))


@pytest.mark.parametrize(("args", "expected"), [
    (("10.12.112.0/20", 16), "10.12.112.16"),
    (("10.12.112.0/20", 268), "10.12.113.12"),
    (("10.12.112.0/20", -1), "10.12.127.255"),
    (("192.168.1.0/24", 0), "192.168.1.0"),
    (("fd00:fd12:3456:7890:00a2::/72", 34), "fd00:fd12:3456:7890::22"),
    (("10.12.112.5/20", "3"), "10.12.112.3"),
])
def test_cidrhost(args, expected):
    assert call("cidrhost", *args) == expected


def test_cidrhost_errors():
    with pytest.raises(FunctionError) as exc:
        call("cidrhost", "192.168.1.0/24", 256)
    assert exc.value.message == "prefix of 24 does not accommodate a host numbered 256"
    with pytest.raises(FunctionError) as exc:
        call("cidrhost", "192.168.1.0", 1)
    assert exc.value.message == "invalid CIDR expression: invalid CIDR address: 192.168.1.0"
    with pytest.raises(FunctionError) as exc:
        call("cidrhost", "192.168.1.0/24", 1.5)
    assert exc.value.message == "value must be a whole number"


def test_cidrnetmask():
    assert call("cidrnetmask", "172.16.0.0/12") == "255.240.0.0"
    assert call("cidrnetmask", "10.0.0.0/32") == "255.255.255.255"
    assert call("cidrnetmask", "::/64") == "ffff:ffff:ffff:ffff::"
    with pytest.raises(FunctionError):
        call("cidrnetmask", "10.0.0.0/33")


@pytest.mark.parametrize(("args", "expected"), [
    (("172.16.0.0/12", 4, 2), "172.18.0.0/16"),
    (("10.1.2.0/24", 4, 15), "10.1.2.240/28"),
    (("fd00:fd12:3456:7890::/56", 16, 162), "fd00:fd12:3456:7800:a200::/72"),
    (("10.0.0.0/8", 0, 0), "10.0.0.0/8"),
])
def test_cidrsubnet(args, expected):
    assert call("cidrsubnet", *args) == expected


def test_cidrsubnet_errors():
    with pytest.raises(FunctionError) as exc:
        call("cidrsubnet", "10.0.0.0/30", 4, 0)
    assert exc.value.message == "insufficient address space to extend prefix of 30 by 4"
    with pytest.raises(FunctionError) as exc:
        call("cidrsubnet", "10.0.0.0/8", 2, 4)
    assert exc.value.message == "prefix extension of 2 does not accommodate a subnet numbered 4"


def test_cidrsubnets():
    assert call("cidrsubnets", "10.1.0.0/16", 4, 4, 8, 4) == ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24",
                                                                "10.1.48.0/20"]
    assert call("cidrsubnets", "fd00:fd12:3456:7890::/56", 16, 16, 16, 32) == [
        "fd00:fd12:3456:7800::/72", "fd00:fd12:3456:7800:100::/72", "fd00:fd12:3456:7800:200::/72",
        "fd00:fd12:3456:7800:300::/88"]
    assert call("cidrsubnets", "10.0.0.0/8") == []


def test_cidrsubnets_errors():
    with pytest.raises(ArgumentError) as exc:
        call("cidrsubnets", "10.0.0.0/30", 1, 1, 1)
    assert exc.value.arg_index == 3
    assert exc.value.detail == ('Invalid value for "newbits" parameter: not enough remaining address space for a '
                                "subnet with a prefix of 31 bits after 10.0.0.2/31.")
    with pytest.raises(ArgumentError) as exc:
        call("cidrsubnets", "10.0.0.0/8", 0)
    assert exc.value.detail.endswith("must extend prefix by at least one bit.")
    with pytest.raises(ArgumentError) as exc:
        call("cidrsubnets", "10.0.0.0/24", 9)
    assert exc.value.detail.endswith("would extend prefix to 33 bits, which is too long for an IPv4 address.")
    with pytest.raises(ArgumentError) as exc:
        call("cidrsubnets", "nope", 1)
    assert exc.value.arg_index == 0
    assert exc.value.detail == ('Invalid value for "prefix" parameter: invalid CIDR expression: invalid CIDR address: '
                                "nope.")

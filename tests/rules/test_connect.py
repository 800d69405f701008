"""Consul Connect rules: bridge/CNI networking, lowercase names, upstream binds, exposed checks."""

from __future__ import annotations

import pytest


def sidecar_service(name="api", upstreams=None, checks=None):
    proxy = {"Upstreams": upstreams} if upstreams is not None else None
    return {"Name": name, "PortLabel": "9090", "Checks": checks or [{"Name": "c", "Type": "http", "Path": "/h",
                                                                      "PortLabel": "http"}],
            "Connect": {"Native": False, "Gateway": None, "SidecarService": {"Port": "", "Proxy": proxy}}}


def upstream(name, port, address=""):
    return {"DestinationName": name, "LocalBindPort": port, "LocalBindAddress": address, "LocalBindSocketPath": ""}


class TestConnectRequiresBridge:
    RULE = "connect-requires-bridge"

    @pytest.mark.parametrize("mode", ["bridge", "cni/calico"])
    def test_sidecar_in_bridge_or_cni_passes(self, run, job, group, mode):
        group["Networks"][0]["Mode"] = mode
        group["Services"] = [sidecar_service()]
        assert run(self.RULE, job) == []

    def test_sidecar_in_host_mode(self, run, job, group):
        group["Networks"][0]["Mode"] = "host"
        group["Services"] = [sidecar_service()]
        out = run(self.RULE, job)
        assert [v.path for v in out] == [("TaskGroups", 0, "Networks", 0, "Mode")]
        assert "sidecars" in out[0].message and "'host'" in out[0].message and "'web'" in out[0].message

    def test_empty_mode_means_host(self, run, job, group):
        group["Networks"][0]["Mode"] = ""
        group["Services"] = [sidecar_service()]
        assert len(run(self.RULE, job)) == 1

    @pytest.mark.parametrize("count", [0, 2])
    def test_sidecar_needs_exactly_one_network(self, run, job, group, count):
        group["Networks"] = [{"Mode": "bridge"}] * count
        group["Services"] = [sidecar_service()]
        out = run(self.RULE, job)
        assert len(out) == 1 and f"exactly 1 network, found {count}" in out[0].message

    def test_native_service_in_host_mode(self, run, job, group):
        group["Networks"][0]["Mode"] = "host"
        group["Services"] = [{"Name": "native", "PortLabel": "http", "Connect": {"Native": True}}]
        out = run(self.RULE, job)
        assert len(out) == 1 and "native services" in out[0].message
        assert run(self.RULE, job, {"native_requires_bridge": False}) == []

    def test_gateway_may_use_host(self, run, job, group):
        group["Networks"][0]["Mode"] = "host"
        group["Services"] = [{"Name": "ingress", "PortLabel": "8080",
                              "Connect": {"Native": False, "SidecarService": None, "Gateway": {"Ingress": {}}}}]
        assert run(self.RULE, job) == []
        group["Networks"][0]["Mode"] = "none"
        out = run(self.RULE, job)
        assert len(out) == 1 and "gateways" in out[0].message

    def test_plain_service_in_host_mode_is_not_connect(self, run, job, group):
        group["Networks"][0]["Mode"] = "host"
        group["Services"] = [{"Name": "web", "PortLabel": "http", "Connect": None}]
        assert run(self.RULE, job) == []


class TestConnectServiceNameLowercase:
    RULE = "connect-service-name-lowercase"

    def test_uppercase_service_and_group(self, run, job, group):
        group["Name"] = "Web"
        group["Services"] = [sidecar_service(name="Payments")]
        out = run(self.RULE, job)
        assert [v.path[-1] for v in out] == ["Name", "Name"]
        assert "'Payments'" in out[0].message and "'Web'" in out[1].message

    def test_lowercase_and_non_connect_uppercase_pass(self, run, job, group):
        group["Services"] = [sidecar_service(name="payments"), {"Name": "Legacy-UI", "PortLabel": "http"}]
        assert run(self.RULE, job) == []


class TestConnectUniqueUpstreamBinds:
    RULE = "connect-unique-upstream-binds"

    def test_duplicate_across_services(self, run, job, group):
        group["Services"] = [sidecar_service("a", [upstream("db", 5432)]),
                             sidecar_service("b", [upstream("cache", 5432)])]
        out = run(self.RULE, job)
        assert len(out) == 1 and "'b' and 'a'" in out[0].message and ":5432" in out[0].message
        assert out[0].path[-2:] == ("Upstreams", 0) and out[0].path[3] == 1

    def test_distinct_ports_or_addresses_pass(self, run, job, group):
        group["Services"] = [sidecar_service("a", [upstream("db", 5432), upstream("cache", 6379)]),
                             sidecar_service("b", [upstream("db2", 5432, "127.0.0.2")])]
        assert run(self.RULE, job) == []


class TestExposeChecksNeedSidecar:
    RULE = "expose-checks-need-sidecar"

    def test_expose_without_sidecar(self, run, job, group):
        group["Services"] = [{"Name": "api", "PortLabel": "http", "Connect": None,
                              "Checks": [{"Name": "h", "Type": "http", "Path": "/h", "Expose": True}]}]
        out = run(self.RULE, job)
        assert len(out) == 1 and out[0].path[-1] == "Expose" and "api->h" in out[0].message

    def test_expose_tcp_check_with_sidecar(self, run, job, group):
        group["Services"] = [sidecar_service(checks=[{"Name": "t", "Type": "tcp", "Expose": True}])]
        out = run(self.RULE, job)
        assert len(out) == 1 and "not http or grpc" in out[0].message

    def test_expose_http_with_sidecar_passes(self, run, job, group):
        group["Services"] = [sidecar_service(checks=[{"Name": "h", "Type": "http", "Path": "/h", "Expose": True}])]
        assert run(self.RULE, job) == []

"""Tests for the Sentinel-style snake_case view of a job."""

from __future__ import annotations

import pytest

from jobguard.jobspec import canonicalize, snake_view
from jobguard.jobspec.apimodel import complete
from jobguard.jobspec.snake import snake_case


@pytest.mark.parametrize("name,expected", [
    ("TaskGroups", "task_groups"), ("MemoryMB", "memory_mb"), ("CPU", "cpu"), ("ID", "id"), ("SizeMB", "size_mb"),
    ("DNS", "dns"), ("MBits", "mbits"), ("ReservedPorts", "reserved_ports"), ("KillTimeout", "kill_timeout"),
    ("LTarget", "l_target"), ("RTarget", "r_target"), ("ParentID", "parent_id"), ("GRPCUseTLS", "grpc_use_tls"),
    ("TLSSkipVerify", "tls_skip_verify"), ("ExcludeOutboundCIDRs", "exclude_outbound_cidrs"),
    ("ExcludeUIDs", "exclude_uids"), ("SELinuxLabel", "selinux_label"), ("CSIPluginConfig", "csi_plugin_config"),
    ("MaxFileSizeMB", "max_file_size_mb"), ("IOPS", "iops"), ("NomadTokenID", "nomad_token_id"),
    ("GetterSource", "getter_source"), ("EnvoyDNSDiscoveryType", "envoy_dns_discovery_type"), ("Uid", "uid"),
])
def test_snake_case(name, expected):
    assert snake_case(name) == expected


def _job() -> dict:
    return canonicalize(complete({
        "ID": "web",
        "Meta": {"OwnerTeam": "Platform"},
        "Constraints": [{"LTarget": "${attr.kernel.name}", "RTarget": "Linux", "Operand": "="}],
        "TaskGroups": [{
            "Name": "g",
            "Volumes": {"CertData": {"Name": "CertData", "Type": "host", "ReadOnly": True}},
            "Networks": [{"MBits": 10, "DynamicPorts": [{"Label": "HTTP"}]}],
            "Services": [{"Name": "api", "Tags": ["UpperTag"], "Checks": [{"Header": {"X-Token": ["a"]}}],
                          "Connect": {"SidecarService": {"Proxy": {"Config": {"EnvoyStat": 1}}}}}],
            "Tasks": [{
                "Name": "t", "Driver": "docker",
                "Config": {"image": "nginx", "PortMap": {"HTTP": 80}},
                "Env": {"DB_PASSWORD": "x"},
                "Artifacts": [{"GetterSource": "s", "GetterOptions": {"Checksum": "md5:1"}}],
                "Templates": [{"EmbeddedTmpl": "{{ key \"A\" }}"}],
            }],
        }],
    }))


def test_struct_keys_snake_cased():
    view = snake_view(_job())
    task = view["task_groups"][0]["tasks"][0]
    assert task["resources"]["memory_mb"] == 300
    assert task["resources"]["cpu"] == 100
    assert task["kill_timeout"] == 5_000_000_000
    assert view["constraints"][0] == {"l_target": "${attr.kernel.name}", "r_target": "Linux", "operand": "="}
    assert view["task_groups"][0]["networks"][0]["mbits"] == 10
    assert view["task_groups"][0]["networks"][0]["dynamic_ports"][0]["label"] == "HTTP"
    assert task["templates"][0]["embedded_tmpl"] == '{{ key "A" }}'


def test_user_maps_keep_their_keys():
    view = snake_view(_job())
    group = view["task_groups"][0]
    task = group["tasks"][0]
    assert view["meta"] == {"OwnerTeam": "Platform"}
    assert task["config"] == {"image": "nginx", "PortMap": {"HTTP": 80}}
    assert task["env"] == {"DB_PASSWORD": "x"}
    assert task["artifacts"][0]["getter_options"] == {"Checksum": "md5:1"}
    service = group["services"][0]
    assert service["tags"] == ["UpperTag"]
    assert service["checks"][0]["header"] == {"X-Token": ["a"]}
    assert service["connect"]["sidecar_service"]["proxy"]["config"] == {"EnvoyStat": 1}
    # maps of structs: user keys kept, struct values converted
    assert group["volumes"]["CertData"]["read_only"] is True


def test_view_is_a_copy():
    job = _job()
    view = snake_view(job)
    view["task_groups"][0]["tasks"][0]["config"]["image"] = "changed"
    assert job["TaskGroups"][0]["Tasks"][0]["Config"]["image"] == "nginx"


def test_every_field_converted_and_no_pascal_case_left():
    view = snake_view(_job())

    def struct_keys(obj, user=False):
        if isinstance(obj, dict):
            for key, value in obj.items():
                if not user:
                    yield key
                yield from struct_keys(value, user=user or key in {"meta", "config", "env", "getter_options", "header"})
        elif isinstance(obj, list):
            for item in obj:
                yield from struct_keys(item)

    keys = [k for k in struct_keys(view) if k not in {"CertData"}]
    assert all(k == k.lower() for k in keys), [k for k in keys if k != k.lower()]

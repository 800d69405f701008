"""A declarative model of the Nomad ``api`` package structs that make up a job (Nomad 2.0.x).

Why a table and not classes: every later stage (HCL decoding, API-JSON decoding, ``Canonicalize()``, the snake view)
needs the same facts about a field -- its JSON name, Go kind, whether Go prints ``null`` (pointer, slice, map) or a
zero value when it is unset, and its ``hcl:"..."`` tag. Keeping them in one table means the job we print has exactly
the fields, order and null-vs-zero shape of ``nomad job run -output``.

Field order is Go declaration order, which is the order ``encoding/json`` prints.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

# Scalar kinds. "duration" is a Go time.Duration: int64 nanoseconds in JSON.
SCALAR_KINDS = frozenset({"string", "int", "uint", "float", "bool", "duration", "bytes", "any"})


@dataclass(frozen=True)
class Field:
    """One Go struct field as ``encoding/json`` sees it.

    ``kind``      "string" | "int" | "uint" | "float" | "bool" | "duration" | "bytes" | "any" (scalars and free-form),
                  "struct" | "list" | "map"
    ``pointer``   nil-able (pointer, slice, map, interface): printed as ``null`` when unset. Value types print zero.
    ``elem``      struct name (kind struct, or list/map of struct) or the element kind of a list/map of scalars;
                  ``"list:string"`` for ``map[string][]string``.
    ``hcl``       the ``hcl:"..."`` tag name (None = not settable from HCL2).
    ``hcl_kind``  "attr" | "block" | "label" | None.
    ``bits``      integer width (8, 16, 32, 64) for range checks of int/uint kinds.
    ``omitempty`` ``json:",omitempty"``: left out of the output when empty.
    ``required``  an HCL attribute whose tag lacks ``,optional`` (gohcl reports it missing when absent).
    """

    name: str
    kind: str
    pointer: bool = False
    elem: str | None = None
    hcl: str | None = None
    hcl_kind: str | None = None
    bits: int = 64
    omitempty: bool = False
    required: bool = False

    def zero(self) -> Any:
        """What Go prints for this field when it was never set."""
        if self.pointer or self.kind in ("list", "map", "any", "bytes"):
            return None
        if self.kind == "struct":  # value struct (not used by the job model, kept for completeness)
            return complete({}, self.elem or "")
        return _SCALAR_ZERO[self.kind]


_SCALAR_ZERO: dict[str, Any] = {"string": "", "int": 0, "uint": 0, "float": 0.0, "bool": False, "duration": 0}


# ---- compact constructors (private): keep the table below readable ----------------------------------------------

def _h(hcl: str | None, default_kind: str) -> tuple[str | None, str | None]:
    if hcl is None:
        return None, None
    if hcl.startswith("@"):  # "@name" marks a block label
        return hcl[1:], "label"
    return hcl, default_kind


def _s(name, hcl=None, p=False, **kw) -> Field:
    """string (``p``: *string)."""
    h, hk = _h(hcl, "attr")
    return Field(name, "string", p, None, h, hk, **kw)


def _i(name, hcl=None, p=False, bits=64, **kw) -> Field:
    h, hk = _h(hcl, "attr")
    return Field(name, "int", p, None, h, hk, bits, **kw)


def _u(name, hcl=None, p=False, bits=64, **kw) -> Field:
    h, hk = _h(hcl, "attr")
    return Field(name, "uint", p, None, h, hk, bits, **kw)


def _b(name, hcl=None, p=False, **kw) -> Field:
    h, hk = _h(hcl, "attr")
    return Field(name, "bool", p, None, h, hk, **kw)


def _d(name, hcl=None, p=False, **kw) -> Field:
    """time.Duration."""
    h, hk = _h(hcl, "attr")
    return Field(name, "duration", p, None, h, hk, **kw)


def _st(name, struct, hcl=None, **kw) -> Field:
    """*Struct (a block)."""
    return Field(name, "struct", True, struct, hcl, "block" if hcl else None, **kw)


def _ls(name, struct, hcl=None, **kw) -> Field:
    """[]*Struct (repeated block)."""
    return Field(name, "list", True, struct, hcl, "block" if hcl else None, **kw)


def _lv(name, elem="string", hcl=None, bits=64, **kw) -> Field:
    """[]scalar (an attribute)."""
    return Field(name, "list", True, elem, hcl, "attr" if hcl else None, bits, **kw)


def _mp(name, elem="string", hcl=None, kind="block", **kw) -> Field:
    """map[string]elem; written as a block in HCL (``meta { ... }``), or an attribute when ``kind="attr"``."""
    return Field(name, "map", True, elem, hcl, kind if hcl else None, **kw)


def _anyf(name, hcl=None, **kw) -> Field:
    h, hk = _h(hcl, "attr")
    return Field(name, "any", True, None, h, hk, **kw)


# ---- the structs reachable from api.Job (Nomad 2.0.x) ------------------------------------------------------------

STRUCTS: dict[str, tuple[Field, ...]] = {
    "Job": (
        _s("Region", "region", p=True), _s("Namespace", "namespace", p=True), _s("ID", "id", p=True),
        _s("Name", "@name", p=True), _s("Type", "type", p=True), _i("Priority", "priority", p=True),
        _b("AllAtOnce", "all_at_once", p=True), _lv("Datacenters", hcl="datacenters"),
        _s("NodePool", "node_pool", p=True),
        _ls("Constraints", "Constraint", "constraint"), _ls("Affinities", "Affinity", "affinity"),
        _ls("TaskGroups", "TaskGroup", "group"), _st("Update", "UpdateStrategy", "update"),
        _st("Multiregion", "Multiregion", "multiregion"), _ls("Spreads", "Spread", "spread"),
        _st("Periodic", "PeriodicConfig", "periodic"),
        _st("ParameterizedJob", "ParameterizedJobConfig", "parameterized"),
        _st("Reschedule", "ReschedulePolicy", "reschedule"), _st("Migrate", "MigrateStrategy", "migrate"),
        _mp("Meta", hcl="meta"), _st("UI", "JobUIConfig", "ui"),
        _b("Stop", p=True), _s("ParentID", p=True), _b("Dispatched"), _s("DispatchIdempotencyToken", p=True),
        Field("Payload", "bytes", True), _s("ConsulNamespace", p=True), _s("VaultNamespace", p=True),
        _s("NomadTokenID", p=True), _s("Status", p=True), _s("StatusDescription", p=True), _b("Stable", p=True),
        _u("Version", p=True), _i("SubmitTime", p=True), _u("CreateIndex", p=True), _u("ModifyIndex", p=True),
        _u("JobModifyIndex", p=True), _st("VersionTag", "JobVersionTag"),
    ),
    "JobVersionTag": (_s("Name"), _s("Description"), _i("TaggedTime")),
    "JobUIConfig": (_s("Description", "description"), _ls("Links", "JobUILink", "link")),
    "JobUILink": (_s("Label", "label"), _s("URL", "url")),
    "Constraint": (_s("LTarget", "attribute"), _s("RTarget", "value"), _s("Operand", "operator")),
    "Affinity": (_s("LTarget", "attribute"), _s("RTarget", "value"), _s("Operand", "operator"),
                 _i("Weight", "weight", p=True, bits=8)),
    "Spread": (_s("Attribute", "attribute"), _i("Weight", "weight", p=True, bits=8),
               _ls("SpreadTarget", "SpreadTarget", "target")),
    "SpreadTarget": (_s("Value", "@value"), _u("Percent", "percent", bits=8)),
    "UpdateStrategy": (
        _d("Stagger", "stagger", p=True), _i("MaxParallel", "max_parallel", p=True),
        _s("HealthCheck", "health_check", p=True), _d("MinHealthyTime", "min_healthy_time", p=True),
        _d("HealthyDeadline", "healthy_deadline", p=True), _d("ProgressDeadline", "progress_deadline", p=True),
        _i("Canary", "canary", p=True), _b("AutoRevert", "auto_revert", p=True),
        _b("AutoPromote", "auto_promote", p=True),
    ),
    "Multiregion": (_st("Strategy", "MultiregionStrategy", "strategy"),
                    _ls("Regions", "MultiregionRegion", "region")),
    "MultiregionStrategy": (_i("MaxParallel", "max_parallel", p=True), _s("OnFailure", "on_failure", p=True)),
    "MultiregionRegion": (_s("Name", "@name"), _i("Count", "count", p=True), _lv("Datacenters", hcl="datacenters"),
                          _s("NodePool", "node_pool"), _mp("Meta", hcl="meta")),
    "PeriodicConfig": (
        _b("Enabled", "enabled", p=True), _anyf("Spec", "cron"), _lv("Specs", hcl="crons"), _s("SpecType", p=True),
        _b("ProhibitOverlap", "prohibit_overlap", p=True), _s("TimeZone", "time_zone", p=True),
    ),
    "ParameterizedJobConfig": (_s("Payload", "payload"), _lv("MetaRequired", hcl="meta_required"),
                               _lv("MetaOptional", hcl="meta_optional")),
    "ReschedulePolicy": (
        _i("Attempts", "attempts", p=True), _d("Interval", "interval", p=True), _d("Delay", "delay", p=True),
        _s("DelayFunction", "delay_function", p=True), _d("MaxDelay", "max_delay", p=True),
        _b("Unlimited", "unlimited", p=True),
    ),
    "MigrateStrategy": (
        _i("MaxParallel", "max_parallel", p=True), _s("HealthCheck", "health_check", p=True),
        _d("MinHealthyTime", "min_healthy_time", p=True), _d("HealthyDeadline", "healthy_deadline", p=True),
    ),
    "TaskGroup": (
        _s("Name", "@name", p=True), _i("Count", "count", p=True),
        _ls("Constraints", "Constraint", "constraint"), _ls("Affinities", "Affinity", "affinity"),
        _ls("Tasks", "Task", "task"), _ls("Spreads", "Spread", "spread"),
        Field("Volumes", "map", True, "VolumeRequest", "volume", "block"),
        _st("RestartPolicy", "RestartPolicy", "restart"), _st("Disconnect", "DisconnectStrategy", "disconnect"),
        _st("ReschedulePolicy", "ReschedulePolicy", "reschedule"),
        _st("EphemeralDisk", "EphemeralDisk", "ephemeral_disk"),
        _st("Update", "UpdateStrategy", "update"), _st("Migrate", "MigrateStrategy", "migrate"),
        _ls("Networks", "NetworkResource", "network"), _mp("Meta", hcl="meta"), _ls("Services", "Service", "service"),
        _d("ShutdownDelay", "shutdown_delay", p=True), _d("MaxRunDuration", "max_run_duration", p=True),
        _d("StopAfterClientDisconnect", "stop_after_client_disconnect", p=True),
        _d("MaxClientDisconnect", "max_client_disconnect", p=True), _st("Scaling", "ScalingPolicy", "scaling"),
        _st("Consul", "Consul", "consul"), _b("PreventRescheduleOnLost", "prevent_reschedule_on_lost", p=True),
    ),
    "VolumeRequest": (
        _s("Name", "@name"), _s("Type", "type"), _s("Source", "source"), _b("ReadOnly", "read_only"),
        _b("Sticky", "sticky"), _s("AccessMode", "access_mode"), _s("AttachmentMode", "attachment_mode"),
        _st("MountOptions", "CSIMountOptions", "mount_options"), _b("PerAlloc", "per_alloc"),
    ),
    "CSIMountOptions": (_s("FSType", "fs_type"), _lv("MountFlags", hcl="mount_flags")),
    "RestartPolicy": (
        _d("Interval", "interval", p=True), _i("Attempts", "attempts", p=True), _d("Delay", "delay", p=True),
        _s("Mode", "mode", p=True), _b("RenderTemplates", "render_templates", p=True),
    ),
    "DisconnectStrategy": (
        _d("LostAfter", "lost_after", p=True), _d("StopOnClientAfter", "stop_on_client_after", p=True),
        _b("Replace", "replace", p=True), _s("Reconcile", "reconcile", p=True),
    ),
    "EphemeralDisk": (_b("Sticky", "sticky", p=True), _b("Migrate", "migrate", p=True), _i("SizeMB", "size", p=True)),
    "NetworkResource": (
        _s("Mode", "mode"), _s("Device", "device"), _s("CIDR", "cidr"), _s("IP", "ip"), _st("DNS", "DNSConfig", "dns"),
        _ls("ReservedPorts", "Port", "reserved_ports"), _ls("DynamicPorts", "Port", "port"),
        _s("Hostname", "hostname"), _i("MBits", "mbits", p=True), _st("CNI", "CNIConfig", "cni"),
    ),
    "DNSConfig": (_lv("Servers", hcl="servers"), _lv("Searches", hcl="searches"), _lv("Options", hcl="options")),
    "CNIConfig": (_mp("Args", hcl="args", kind="attr"),),
    "Port": (_s("Label", "@label"), _i("Value", "static"), _i("To", "to"), _s("HostNetwork", "host_network"),
             _b("IgnoreCollision", "ignore_collision")),
    "Service": (
        _s("Name", "name"), _lv("Tags", hcl="tags"), _lv("CanaryTags", hcl="canary_tags"),
        _b("EnableTagOverride", "enable_tag_override"), _s("PortLabel", "port"), _s("AddressMode", "address_mode"),
        _s("Address", "address"), _ls("Checks", "ServiceCheck", "check"),
        _st("CheckRestart", "CheckRestart", "check_restart"), _st("Connect", "ConsulConnect", "connect"),
        _mp("Meta", hcl="meta"), _mp("CanaryMeta", hcl="canary_meta"), _mp("TaggedAddresses", hcl="tagged_addresses"),
        _s("TaskName", "task"), _s("OnUpdate", "on_update"), _st("Identity", "WorkloadIdentity", "identity"),
        _st("Weights", "ServiceWeights", "weights"), _s("Provider", "provider"), _s("Cluster", "cluster"),
        _s("Kind", "kind"),
    ),
    "ServiceWeights": (_i("Passing", "passing"), _i("Warning", "warning")),
    "ServiceCheck": (
        _s("Name", "name"), _s("Type", "type"), _s("Command", "command"), _lv("Args", hcl="args"), _s("Path", "path"),
        _s("Protocol", "protocol"), _s("PortLabel", "port"), _b("Expose", "expose"), _s("AddressMode", "address_mode"),
        _s("Advertise", "advertise"), _d("Interval", "interval"), _d("Timeout", "timeout"),
        _s("InitialStatus", "initial_status"), _s("Notes", "notes"), _s("TLSServerName", "tls_server_name"),
        _b("TLSSkipVerify", "tls_skip_verify"), _mp("Header", "list:string", hcl="header"), _s("Method", "method"),
        _st("CheckRestart", "CheckRestart", "check_restart"), _s("GRPCService", "grpc_service"),
        _b("GRPCUseTLS", "grpc_use_tls"), _s("TaskName", "task"),
        _i("SuccessBeforePassing", "success_before_passing"), _i("FailuresBeforeCritical", "failures_before_critical"),
        _i("FailuresBeforeWarning", "failures_before_warning"), _s("Body", "body"), _s("OnUpdate", "on_update"),
    ),
    "CheckRestart": (_i("Limit", "limit"), _d("Grace", "grace", p=True), _b("IgnoreWarnings", "ignore_warnings")),
    "ConsulConnect": (
        _b("Native", "native"), _st("Gateway", "ConsulGateway", "gateway"),
        _st("SidecarService", "ConsulSidecarService", "sidecar_service"),
        _st("SidecarTask", "SidecarTask", "sidecar_task"),
    ),
    "ConsulSidecarService": (
        _lv("Tags", hcl="tags"), _s("Port", "port"), _st("Proxy", "ConsulProxy", "proxy"),
        _b("DisableDefaultTCPCheck", "disable_default_tcp_check"), _mp("Meta", hcl="meta"),
    ),
    "SidecarTask": (
        _s("Name", "name"), _s("Driver", "driver"), _s("User", "user"), _mp("Config", "any", hcl="config"),
        _mp("Env", hcl="env"), _st("Resources", "Resources", "resources"), _mp("Meta", hcl="meta"),
        _d("KillTimeout", "kill_timeout", p=True), _st("LogConfig", "LogConfig", "logs"),
        _d("ShutdownDelay", "shutdown_delay", p=True), _s("KillSignal", "kill_signal"),
        _ls("VolumeMounts", "VolumeMount", "volume_mount"), _ls("Identities", "WorkloadIdentity", "identity"),
    ),
    "ConsulProxy": (
        _s("LocalServiceAddress", "local_service_address"), _i("LocalServicePort", "local_service_port"),
        _st("Expose", "ConsulExposeConfig", "expose"), _st("ExposeConfig", "ConsulExposeConfig"),
        _ls("Upstreams", "ConsulUpstream", "upstreams"),
        _st("TransparentProxy", "ConsulTransparentProxy", "transparent_proxy"), _mp("Config", "any", hcl="config"),
    ),
    "ConsulExposeConfig": (_ls("Paths", "ConsulExposePath", "path"), _ls("Path", "ConsulExposePath")),
    "ConsulExposePath": (_s("Path", "path"), _s("Protocol", "protocol"), _i("LocalPathPort", "local_path_port"),
                         _s("ListenerPort", "listener_port")),
    "ConsulUpstream": (
        _s("DestinationName", "destination_name"), _s("DestinationNamespace", "destination_namespace"),
        _s("DestinationPeer", "destination_peer"), _s("DestinationPartition", "destination_partition"),
        _s("DestinationType", "destination_type"), _i("LocalBindPort", "local_bind_port"),
        _s("Datacenter", "datacenter"), _s("LocalBindAddress", "local_bind_address"),
        _s("LocalBindSocketPath", "local_bind_socket_path"), _s("LocalBindSocketMode", "local_bind_socket_mode"),
        _st("MeshGateway", "ConsulMeshGateway", "mesh_gateway"), _mp("Config", "any", hcl="config"),
    ),
    "ConsulMeshGateway": (_s("Mode", "mode"),),
    "ConsulTransparentProxy": (
        _s("UID", "uid"), _u("OutboundPort", "outbound_port", bits=16),
        _lv("ExcludeInboundPorts", hcl="exclude_inbound_ports"),
        _lv("ExcludeOutboundPorts", "uint", hcl="exclude_outbound_ports", bits=16),
        _lv("ExcludeOutboundCIDRs", hcl="exclude_outbound_cidrs"), _lv("ExcludeUIDs", hcl="exclude_uids"),
        _b("NoDNS", "no_dns"),
    ),
    "ConsulGateway": (
        _st("Proxy", "ConsulGatewayProxy", "proxy"), _st("Ingress", "ConsulIngressConfigEntry", "ingress"),
        _st("Terminating", "ConsulTerminatingConfigEntry", "terminating"),
        _st("Mesh", "ConsulMeshConfigEntry", "mesh"),
    ),
    "ConsulGatewayProxy": (
        _d("ConnectTimeout", "connect_timeout", p=True),
        _b("EnvoyGatewayBindTaggedAddresses", "envoy_gateway_bind_tagged_addresses"),
        Field("EnvoyGatewayBindAddresses", "map", True, "ConsulGatewayBindAddress",
              "envoy_gateway_bind_addresses", "block"),
        _b("EnvoyGatewayNoDefaultBind", "envoy_gateway_no_default_bind"),
        _s("EnvoyDNSDiscoveryType", "envoy_dns_discovery_type"), _mp("Config", "any", hcl="config"),
    ),
    "ConsulGatewayBindAddress": (_s("Name", "@name"), _s("Address", "address"), _i("Port", "port")),
    "ConsulIngressConfigEntry": (_st("TLS", "ConsulGatewayTLSConfig", "tls"),
                                 _ls("Listeners", "ConsulIngressListener", "listener")),
    "ConsulGatewayTLSConfig": (
        _b("Enabled", "enabled"), _s("TLSMinVersion", "tls_min_version"), _s("TLSMaxVersion", "tls_max_version"),
        _lv("CipherSuites", hcl="cipher_suites"), _st("SDS", "ConsulGatewayTLSSDSConfig", "sds"),
    ),
    "ConsulGatewayTLSSDSConfig": (_s("ClusterName", "cluster_name"), _s("CertResource", "cert_resource")),
    "ConsulIngressListener": (_i("Port", "port"), _s("Protocol", "protocol"),
                              _ls("Services", "ConsulIngressService", "service")),
    "ConsulIngressService": (
        _s("Name", "name"), _lv("Hosts", hcl="hosts"), _st("TLS", "ConsulGatewayTLSConfig", "tls"),
        _st("RequestHeaders", "ConsulHTTPHeaderModifiers", "request_headers"),
        _st("ResponseHeaders", "ConsulHTTPHeaderModifiers", "response_headers"),
        _u("MaxConnections", "max_connections", p=True, bits=32),
        _u("MaxPendingRequests", "max_pending_requests", p=True, bits=32),
        _u("MaxConcurrentRequests", "max_concurrent_requests", p=True, bits=32),
    ),
    "ConsulHTTPHeaderModifiers": (_mp("Add", hcl="add"), _mp("Set", hcl="set"), _lv("Remove", hcl="remove")),
    "ConsulTerminatingConfigEntry": (_ls("Services", "ConsulLinkedService", "service"),),
    "ConsulLinkedService": (_s("Name", "name"), _s("CAFile", "ca_file"), _s("CertFile", "cert_file"),
                            _s("KeyFile", "key_file"), _s("SNI", "sni")),
    "ConsulMeshConfigEntry": (),
    "ScalingPolicy": (
        _i("Min", "min", p=True), _i("Max", "max", p=True), _mp("Policy", "any", hcl="policy"),
        _b("Enabled", "enabled", p=True), _s("Type", "type"), _s("ID"), _s("Namespace"), _mp("Target"),
        _u("CreateIndex"), _u("ModifyIndex"),
    ),
    "Consul": (_s("Namespace", "namespace"), _s("Cluster", "cluster"), _s("Partition", "partition")),
    "Task": (
        _s("Name", "@name"), _s("Driver", "driver"), _s("User", "user"), _st("Lifecycle", "TaskLifecycle", "lifecycle"),
        _mp("Config", "any", hcl="config"), _ls("Constraints", "Constraint", "constraint"),
        _ls("Affinities", "Affinity", "affinity"), _mp("Env", hcl="env"), _ls("Services", "Service", "service"),
        _st("Resources", "Resources", "resources"), _st("RestartPolicy", "RestartPolicy", "restart"),
        _mp("Meta", hcl="meta"), _d("KillTimeout", "kill_timeout", p=True), _st("LogConfig", "LogConfig", "logs"),
        _ls("Artifacts", "TaskArtifact", "artifact"), _st("Vault", "Vault", "vault"), _st("Consul", "Consul", "consul"),
        _ls("Templates", "Template", "template"), _st("DispatchPayload", "DispatchPayloadConfig", "dispatch_payload"),
        _ls("VolumeMounts", "VolumeMount", "volume_mount"),
        _st("CSIPluginConfig", "TaskCSIPluginConfig", "csi_plugin", omitempty=True),
        _b("Leader", "leader"), _d("ShutdownDelay", "shutdown_delay"), _s("KillSignal", "kill_signal"),
        _s("Kind", "kind"), _ls("ScalingPolicies", "ScalingPolicy", "scaling"), _ls("Secrets", "Secret", "secret"),
        _st("Identity", "WorkloadIdentity"), _ls("Identities", "WorkloadIdentity", "identity"),
        _ls("Actions", "Action", "action"), _st("Schedule", "TaskSchedule", "schedule"),
    ),
    "TaskLifecycle": (_s("Hook", "hook", required=True), _b("Sidecar", "sidecar")),
    "Resources": (
        _i("CPU", "cpu", p=True), _i("Cores", "cores", p=True), _i("MemoryMB", "memory", p=True),
        _i("MemoryMaxMB", "memory_max", p=True), _i("DiskMB", "disk", p=True),
        _ls("Networks", "NetworkResource", "network"), _ls("Devices", "RequestedDevice", "device"),
        _st("NUMA", "NUMAResource", "numa"), _i("SecretsMB", "secrets", p=True), _i("IOPS", "iops", p=True),
    ),
    "RequestedDevice": (_s("Name", "@name"), _u("Count", "count", p=True),
                        _ls("Constraints", "Constraint", "constraint"), _ls("Affinities", "Affinity", "affinity")),
    "NUMAResource": (_s("Affinity", "affinity"), _lv("Devices", hcl="devices")),
    "LogConfig": (_i("MaxFiles", "max_files", p=True), _i("MaxFileSizeMB", "max_file_size", p=True),
                  _b("Enabled", "enabled", p=True), _b("Disabled", "disabled", p=True)),
    "TaskArtifact": (
        _s("GetterSource", "source", p=True), _mp("GetterOptions", hcl="options"), _mp("GetterHeaders", hcl="headers"),
        _s("GetterMode", "mode", p=True), _b("GetterInsecure", "insecure", p=True),
        _s("RelativeDest", "destination", p=True), _b("Chown", "chown"),
    ),
    "Vault": (
        _lv("Policies", hcl="policies"), _s("Role", "role"), _s("Namespace", "namespace", p=True),
        _s("Cluster", "cluster"), _b("Env", "env", p=True), _b("DisableFile", "disable_file", p=True),
        _s("ChangeMode", "change_mode", p=True), _s("ChangeSignal", "change_signal", p=True),
        _b("AllowTokenExpiration", "allow_token_expiration", p=True),
    ),
    "Template": (
        _s("SourcePath", "source", p=True), _s("DestPath", "destination", p=True), _s("EmbeddedTmpl", "data", p=True),
        _s("ChangeMode", "change_mode", p=True), _st("ChangeScript", "ChangeScript", "change_script"),
        _s("ChangeSignal", "change_signal", p=True), _b("Once", "once", p=True), _d("Splay", "splay", p=True),
        _s("Perms", "perms", p=True), _i("Uid", "uid", p=True), _i("Gid", "gid", p=True),
        _s("LeftDelim", "left_delimiter", p=True), _s("RightDelim", "right_delimiter", p=True),
        _b("Envvars", "env", p=True), _d("VaultGrace", "vault_grace", p=True), _st("Wait", "WaitConfig", "wait"),
        _b("ErrMissingKey", "error_on_missing_key", p=True),
    ),
    "ChangeScript": (
        _s("Command", "command", p=True, required=True), _lv("Args", hcl="args"), _d("Timeout", "timeout", p=True),
        _b("FailOnError", "fail_on_error", p=True, required=True),
        _b("RunOnFirstRender", "run_on_first_render", p=True),
    ),
    "WaitConfig": (_d("Min", "min", p=True, required=True), _d("Max", "max", p=True, required=True)),
    "DispatchPayloadConfig": (_s("File", "file"),),
    "VolumeMount": (
        _s("Volume", "volume", p=True), _s("Destination", "destination", p=True), _b("ReadOnly", "read_only", p=True),
        _s("PropagationMode", "propagation_mode", p=True), _s("SELinuxLabel", "selinux_label", p=True),
    ),
    "TaskCSIPluginConfig": (_s("ID", "id"), _s("Type", "type"), _s("MountDir", "mount_dir"),
                            _s("StagePublishBaseDir", "stage_publish_base_dir"),
                            _d("HealthTimeout", "health_timeout")),
    "Secret": (_s("Name", "@name"), _s("Provider", "provider"), _s("Path", "path"), _mp("Config", "any", hcl="config"),
               _mp("Env", hcl="env")),
    "WorkloadIdentity": (
        _s("Name", "name"), _lv("Audience", hcl="aud"), _s("ChangeMode", "change_mode"),
        _s("ChangeSignal", "change_signal"), _b("Env", "env"), _b("File", "file"), _s("Filepath", "filepath"),
        _s("ServiceName", "service_name"), _d("TTL", "ttl"), _lv("ExtraClaims", hcl="extra_claims"),
    ),
    "Action": (_s("Name", "@name"), _s("Command", "command", required=True), _lv("Args", hcl="args")),
    "TaskSchedule": (_st("Cron", "TaskScheduleCron", "cron"),),
    "TaskScheduleCron": (_s("Start", "start"), _s("End", "end"), _s("Timezone", "timezone")),
}

# name -> Field, per struct (for decoders that look fields up by name).
FIELDS: dict[str, dict[str, Field]] = {name: {f.name: f for f in fields} for name, fields in STRUCTS.items()}


def fields_of(struct: str) -> tuple[Field, ...]:
    """The fields of ``struct`` in declaration order (KeyError for an unknown struct name)."""
    return STRUCTS[struct]


def field(struct: str, name: str) -> Field | None:
    """One field by its exact Go/JSON name."""
    return FIELDS[struct].get(name)


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == 0 or value is False or value == [] or value == {}


def complete(obj: dict | None, struct: str = "Job") -> dict:
    """A new dict with every field of ``struct`` present, in Go order, as ``encoding/json`` would print it.

    Missing fields become ``null`` (pointers, slices, maps) or the Go zero value (value types); nested structs,
    lists of structs and maps of structs are completed recursively. Keys that are not fields are dropped. User
    data (maps of scalars/any, ``Config``) is copied unchanged. ``omitempty`` fields are left out when empty.
    """
    obj = obj or {}
    out: dict[str, Any] = {}
    for f in STRUCTS[struct]:
        if f.name in obj:
            value = _complete_value(f, obj[f.name])
        else:
            value = f.zero()
        if f.omitempty and _is_empty(value):
            continue
        out[f.name] = value
    return out


def _complete_value(f: Field, value: Any) -> Any:
    if value is None:
        return f.zero()
    elem_is_struct = f.elem in STRUCTS
    if f.kind == "struct":
        return complete(value, f.elem or "")
    if f.kind == "list" and elem_is_struct and isinstance(value, list):
        return [None if v is None else complete(v, f.elem or "") for v in value]
    if f.kind == "map" and elem_is_struct and isinstance(value, dict):
        return {k: None if v is None else complete(v, f.elem or "") for k, v in sorted(value.items())}
    return _sorted_copy(value)


#: JSON scalars: immutable, so a copy of a JSON tree may share them
_JSON_ATOMS = frozenset({str, int, float, bool, type(None)})


def json_copy(value: Any) -> Any:
    """A deep copy of a JSON value: new dicts and lists at every level, the immutable scalars shared, anything
    else (a subclass, an unexpected type) through :func:`copy.deepcopy`. The same result as ``deepcopy`` on a
    JSON tree, several times faster (jobs are copied on every evaluation: the proxy's latency, ``check``'s time).
    """
    kind = type(value)
    if kind is dict:
        return {k: json_copy(v) for k, v in value.items()}
    if kind is list:
        return [json_copy(v) for v in value]
    if kind in _JSON_ATOMS:
        return value
    return copy.deepcopy(value)


def _sorted_copy(value: Any) -> Any:
    """``go_sorted(copy.deepcopy(value))`` in one pass (go_sorted makes new dicts and lists anyway)."""
    if isinstance(value, dict):
        return {k: _sorted_copy(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_sorted_copy(v) for v in value]
    if type(value) in _JSON_ATOMS:
        return value
    return copy.deepcopy(value)


def go_sorted(value: Any) -> Any:
    """``value`` with every map's keys in the order ``encoding/json`` prints them (sorted byte-wise).

    Go marshals maps with sorted keys, so user maps (``Meta``, ``Env``, task ``Config`` at any depth) come out
    sorted whatever order the job file used. Code-point order of ``str`` equals UTF-8 byte order.
    """
    if isinstance(value, dict):
        return {k: go_sorted(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [go_sorted(v) for v in value]
    return value


__all__ = ["FIELDS", "SCALAR_KINDS", "STRUCTS", "Field", "complete", "field", "fields_of", "go_sorted", "json_copy"]

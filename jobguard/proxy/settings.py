"""Proxy settings: the ``proxy { }`` block of jobguard.hcl, overridden by ``jobguard serve`` flags."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

DEFAULT_LISTEN = "127.0.0.1:4647"
#: The threshold the proxy judges findings at (``Finding.status``): like Nomad's Sentinel, soft-mandatory failures
#: deny unless the request sets ``PolicyOverride``, advisory ones only warn.
PROXY_FAIL_ON = "soft-mandatory"
DEFAULT_MAX_BODY = 16 * 1024 * 1024  # job bodies with an HCL Submission attached stay well below this


@dataclass(frozen=True)
class ProxySettings:
    """Everything ``jobguard serve`` needs besides the engine.

    ``header_timeout``  seconds a client may take to send complete request headers (and idle keep-alive time).
    ``read_timeout``    seconds between two chunks of a request body before the proxy gives up (408).
    ``token_cache_s``   how long an ``/v1/acl/token/self`` answer is reused (keyed by a hash, never the token).
    ``reload_interval`` seconds between two checks of the config and policy files for changes (0: SIGHUP only).
    ``upstream_server_name`` name expected in Nomad's certificate when it differs from the upstream host
                        (Nomad's own certificates name ``server.<region>.nomad``, like ``NOMAD_TLS_SERVER_NAME``).
    ``submission``      what happens to a registration's ``Submission`` (the source Nomad stores for display):
                        ``keep``, ``strip`` or ``verify`` (see :mod:`jobguard.proxy.submission`).
    ``eval_timeout``    hard deadline (seconds) for evaluating one request's job, waiting for a free worker
                        included; past it the worker is killed and the request fails closed (or open).
    ``workers``         evaluation worker processes (0: one per CPU, at least 2).
    ``write_timeout``   seconds Nomad may take to accept a request body the proxy sends it and, for requests with
                        a body, to start its answer; 0 disables (see docs/proxy.md).
    ``shutdown_grace``  seconds from SIGTERM/SIGINT to exit, in-flight requests included; the process exits
                        then even if something is stuck.
    ``probe_jobs``      job files (HCL or JSON) every new policy set must allow before a reload swaps it in.
    """

    upstream: str = "http://127.0.0.1:4646"
    listen: str = DEFAULT_LISTEN
    config_path: str | None = None
    override_acl_policies: tuple[str, ...] = ()
    dry_run: bool = False
    fail_open: bool = False
    max_body_bytes: int = DEFAULT_MAX_BODY
    decision_log: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    tls_client_ca: str | None = None
    upstream_ca: str | None = None
    upstream_client_cert: str | None = None
    upstream_client_key: str | None = None
    upstream_server_name: str | None = None
    header_timeout: float = 60.0
    read_timeout: float = 60.0
    connect_timeout: float = 10.0
    token_cache_s: float = 5.0
    reload_interval: float = 2.0
    eval_timeout: float = 6.0
    workers: int = 0
    write_timeout: float = 30.0
    shutdown_grace: float = 5.0
    probe_jobs: tuple[str, ...] = ()
    extra_policies: tuple[str, ...] = field(default_factory=tuple)
    submission: str = "keep"

    @property
    def host_port(self) -> tuple[str, int]:
        """``listen`` split into host and port (``[::1]:4647`` and ``:4647`` accepted)."""
        host, _, port = self.listen.rpartition(":")
        host = host.strip("[]") or "0.0.0.0"
        return host, int(port)

    def merged(self, config_block: dict[str, Any] | None, overrides: dict[str, Any]) -> ProxySettings:
        """These defaults, then the config's ``proxy`` block, then flags (``None``/empty values do not override)."""
        names = {f.name for f in fields(self)}
        values: dict[str, Any] = {}
        for source in (config_block or {}, overrides):
            for key, value in source.items():
                if key not in names or value is None or (isinstance(value, (tuple, list)) and not value):
                    continue
                if key == "dry_run" or key == "fail_open":
                    value = bool(value) or bool(values.get(key))
                values[key] = tuple(value) if isinstance(value, list) else value
        return replace(self, **values)

    def validate(self) -> list[str]:
        """Problems that make these settings unusable, as human sentences."""
        problems = []
        if not self.upstream.startswith(("http://", "https://")):
            problems.append(f"upstream {self.upstream!r} must start with http:// or https://")
        try:
            host, port = self.host_port
            if not 0 <= port <= 65535:
                raise ValueError
        except ValueError:
            problems.append(f"listen {self.listen!r} must be HOST:PORT")
        if bool(self.tls_cert) != bool(self.tls_key):
            problems.append("tls_cert and tls_key must be given together")
        if self.tls_client_ca and not self.tls_cert:
            problems.append("tls_client_ca (mTLS) needs tls_cert and tls_key")
        if bool(self.upstream_client_cert) != bool(self.upstream_client_key):
            problems.append("upstream_client_cert and upstream_client_key must be given together")
        if self.max_body_bytes < 1:
            problems.append("max_body_bytes must be at least 1")
        if self.submission not in ("keep", "strip", "verify"):
            problems.append(f'submission {self.submission!r} must be "keep", "strip" or "verify"')
        if self.eval_timeout <= 0:
            problems.append("eval_timeout must be more than 0 seconds")
        if self.workers < 0:
            problems.append("workers must be 0 (one per CPU) or more")
        if self.write_timeout < 0 or self.shutdown_grace <= 0:
            problems.append("write_timeout must be 0 (off) or more, shutdown_grace more than 0 seconds")
        return problems

"""Where the Nomad cluster is and how to reach it, resolved the way the ``nomad`` CLI does.

Precedence, for every setting: the flag, then the ``NOMAD_*`` environment variable the nomad CLI reads, then the
``audit { }`` block of ``jobguard.hcl`` (namespace, region, include_stopped, concurrency, change_log only: a
config file committed to git never holds an address or a token), then the default.

Secrets (the ACL token, and HTTP basic-auth credentials given in the address or ``NOMAD_HTTP_AUTH``) are kept out
of ``repr`` and of every message: :meth:`AuditSettings.scrub` replaces them in any text before it is printed or
logged, and the address is only ever shown without its user-info part.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

DEFAULT_ADDRESS = "http://127.0.0.1:4646"
DEFAULT_NAMESPACE = "*"
DEFAULT_CONCURRENCY = 8
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_RETRIES = 3
MIN_SECRET_LEN = 4  # shorter strings would mask ordinary words; Nomad tokens are 36-character UUIDs

# strconv.ParseBool, which the nomad CLI uses for NOMAD_SKIP_VERIFY
_GO_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_GO_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


class SettingsError(ValueError):
    """A setting that cannot work (bad address, unreadable TLS file): a usage error, exit 2."""


@dataclass(frozen=True)
class TLSSettings:
    """TLS to the Nomad API, as ``NOMAD_CACERT``/``NOMAD_CAPATH``/``NOMAD_CLIENT_CERT``/``NOMAD_CLIENT_KEY``/
    ``NOMAD_TLS_SERVER_NAME``/``NOMAD_SKIP_VERIFY`` configure the nomad CLI."""

    ca_cert: str = ""
    ca_path: str = ""
    client_cert: str = ""
    client_key: str = ""
    server_name: str = ""
    skip_verify: bool = False


@dataclass(frozen=True)
class AuditSettings:
    """Everything an audit needs to reach the cluster and choose what to read."""

    address: str = DEFAULT_ADDRESS  # scheme://host:port[/prefix], never with user info
    token: str = field(default="", repr=False)
    http_auth: tuple[str, str] | None = field(default=None, repr=False)
    namespace: str = DEFAULT_NAMESPACE
    region: str = ""
    tls: TLSSettings = TLSSettings()
    include_stopped: bool = False
    concurrency: int = DEFAULT_CONCURRENCY
    timeout_s: float = DEFAULT_TIMEOUT_S
    retries: int = DEFAULT_RETRIES
    change_log: str = ""

    @property
    def secrets(self) -> list[str]:
        """Every secret value, longest first (a password inside a longer user-info string is masked whole)."""
        values = [self.token]
        if self.http_auth:
            values += [self.http_auth[1], f"{self.http_auth[0]}:{self.http_auth[1]}"]
        found = {v for v in values if len(v) >= MIN_SECRET_LEN}
        found |= {quote(v, safe="") for v in found}
        return sorted(found, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        """``text`` with every secret replaced by ``****`` (errors from libraries may quote a URL or header)."""
        for secret in self.secrets:
            text = text.replace(secret, "****")
        return text

    @property
    def host(self) -> str:
        """``host:port[/prefix]`` of the API, used in finding locations (``nomad://host:port/v1/job/...``)."""
        return self.address.split("://", 1)[1]


class ScrubFilter(logging.Filter):
    """Masks the audit's secrets in every log record that passes (aiohttp's included, on a handler)."""

    def __init__(self, settings: AuditSettings) -> None:
        super().__init__()
        self.settings = settings

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.settings.scrub(record.getMessage()), ()
        if record.exc_info:
            record.exc_text = self.settings.scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def go_bool(text: str) -> bool | None:
    """A boolean environment variable as Go's ``strconv.ParseBool`` reads it; None when unset or unreadable (the
    nomad CLI ignores an unreadable value too, so does jobguard, with a warning from the caller)."""
    if text in _GO_TRUE:
        return True
    if text in _GO_FALSE:
        return False
    return None


def parse_address(raw: str) -> tuple[str, tuple[str, str] | None]:
    """``http(s)://[user:pass@]host[:port][/prefix]`` -> (address without user info, basic-auth pair or None).

    Errors never quote the user-info part of the URL: it may hold a password.
    """
    shown = _without_userinfo(raw)
    try:
        parts = urlsplit(raw.strip())
        port = parts.port
    except ValueError as exc:
        raise SettingsError(f"invalid Nomad address {shown!r}: {_without_userinfo(str(exc))}") from None
    if parts.scheme not in ("http", "https"):
        raise SettingsError(f"invalid Nomad address {shown!r}: expected an http:// or https:// URL "
                            "(like NOMAD_ADDR, e.g. http://127.0.0.1:4646)")
    if not parts.hostname:
        raise SettingsError(f"invalid Nomad address {shown!r}: no host")
    if parts.query or parts.fragment:
        raise SettingsError(f"invalid Nomad address {shown!r}: a query or fragment is not allowed")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = host + (f":{port}" if port is not None else "")
    auth = (parts.username or "", parts.password or "") if parts.username or parts.password else None
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}", auth


def _without_userinfo(text: str) -> str:
    """Mask ``user:pass@`` in anything URL-like."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        return text
    authority, slash, tail = rest.partition("/")
    if "@" in authority:
        authority = "****@" + authority.rsplit("@", 1)[1]
    return f"{scheme}{sep}{authority}{slash}{tail}"


def resolve(flags: Mapping[str, Any], env: Mapping[str, str] | None = None,
            block: Mapping[str, Any] | None = None, warn: Any = None) -> AuditSettings:
    """Settings from CLI ``flags`` (None = not given), the environment and the ``audit`` block.

    ``warn(message)`` is told about ignored environment values (an unreadable ``NOMAD_SKIP_VERIFY``).
    """
    env = os.environ if env is None else env
    block = block or {}

    def pick(flag: str, var: str | None, key: str | None, default: Any) -> Any:
        if flags.get(flag) is not None:
            return flags[flag]
        if var and env.get(var):
            return env[var]
        if key and block.get(key) is not None:
            return block[key]
        return default

    address, auth = parse_address(pick("address", "NOMAD_ADDR", None, DEFAULT_ADDRESS))
    if auth is None and env.get("NOMAD_HTTP_AUTH"):
        user, _, password = env["NOMAD_HTTP_AUTH"].partition(":")
        auth = (user, password)
    skip_verify = flags.get("tls_skip_verify")
    if skip_verify is None and env.get("NOMAD_SKIP_VERIFY"):
        skip_verify = go_bool(env["NOMAD_SKIP_VERIFY"])
        if skip_verify is None and warn is not None:
            warn(f"ignoring NOMAD_SKIP_VERIFY={env['NOMAD_SKIP_VERIFY']!r}: not a boolean")
    tls = TLSSettings(ca_cert=pick("ca_cert", "NOMAD_CACERT", None, ""),
                      ca_path=pick("ca_path", "NOMAD_CAPATH", None, ""),
                      client_cert=pick("client_cert", "NOMAD_CLIENT_CERT", None, ""),
                      client_key=pick("client_key", "NOMAD_CLIENT_KEY", None, ""),
                      server_name=pick("tls_server_name", "NOMAD_TLS_SERVER_NAME", None, ""),
                      skip_verify=bool(skip_verify))
    if bool(tls.client_cert) != bool(tls.client_key):
        raise SettingsError("a client certificate needs its key and a key needs its certificate "
                            "(--client-cert/NOMAD_CLIENT_CERT with --client-key/NOMAD_CLIENT_KEY)")
    return AuditSettings(
        address=address, token=pick("token", "NOMAD_TOKEN", None, ""), http_auth=auth,
        namespace=pick("namespace", "NOMAD_NAMESPACE", "namespace", DEFAULT_NAMESPACE),
        region=pick("region", "NOMAD_REGION", "region", ""), tls=tls,
        include_stopped=bool(pick("include_stopped", None, "include_stopped", False)),
        concurrency=int(pick("concurrency", None, "concurrency", DEFAULT_CONCURRENCY)),
        timeout_s=float(pick("timeout", None, None, DEFAULT_TIMEOUT_S)),
        retries=int(pick("retries", None, None, DEFAULT_RETRIES)),
        change_log=pick("change_log", None, "change_log", ""),
    )

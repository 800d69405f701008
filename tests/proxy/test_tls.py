"""TLS on the listener (optionally mTLS) and towards an https:// Nomad."""

from __future__ import annotations

import json
import ssl
import urllib.error

import pytest

from jobguard.proxy.settings import ProxySettings

from .conftest import Stack, make_job
from .nomad_double import NomadDouble


def client_context(certs: dict[str, str], with_cert: bool) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=certs["ca"])
    if with_cert:
        ctx.load_cert_chain(certs["client"], certs["client_key"])
    return ctx


def test_tls_listener_with_mtls(certs: dict[str, str]) -> None:
    settings = ProxySettings(listen="127.0.0.1:0", reload_interval=0, tls_cert=certs["server"],
                             tls_key=certs["server_key"], tls_client_ca=certs["ca"])
    s = Stack(NomadDouble(), settings, None).start()
    try:
        status, _, body = s.http("GET", "/v1/jobguard/health", context=client_context(certs, True))
        assert status == 200 and json.loads(body)["status"] == "ok"
        with pytest.raises((ssl.SSLError, urllib.error.URLError, ConnectionError)):
            s.http("GET", "/v1/jobguard/health", context=client_context(certs, False))
        with pytest.raises((urllib.error.URLError, ConnectionError)):
            s.http("GET", "/v1/jobguard/health", base=s.url.replace("https://", "http://"))
    finally:
        s.stop()


def test_tls_to_upstream_with_client_certificate(certs: dict[str, str], engine) -> None:
    upstream_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    upstream_ctx.load_cert_chain(certs["server"], certs["server_key"])
    upstream_ctx.load_verify_locations(certs["ca"])
    upstream_ctx.verify_mode = ssl.CERT_REQUIRED  # like Nomad with verify_https_client = true
    settings = ProxySettings(listen="127.0.0.1:0", reload_interval=0, upstream_ca=certs["ca"],
                             upstream_client_cert=certs["client"], upstream_client_key=certs["client_key"])
    s = Stack(NomadDouble(), settings, engine).start(upstream_ssl=upstream_ctx)
    try:
        assert s.proxy.upstream.base.startswith("https://")
        assert s.http("PUT", "/v1/jobs", {"Job": make_job()})[0] == 200
        assert s.http("PUT", "/v1/jobs", {"Job": make_job(count=9)})[0] == 403
        status, _, body = s.http("GET", "/v1/job/web")
        assert status == 200 and json.loads(body)["ID"] == "web"
    finally:
        s.stop()


def test_upstream_with_unknown_ca_is_502(certs: dict[str, str]) -> None:
    upstream_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    upstream_ctx.load_cert_chain(certs["server"], certs["server_key"])
    s = Stack(NomadDouble(), ProxySettings(listen="127.0.0.1:0", reload_interval=0), None)
    s.start(upstream_ssl=upstream_ctx)
    try:
        status, _, body = s.http("GET", "/v1/jobs")
        assert status == 502 and b"CERTIFICATE_VERIFY_FAILED" in body
    finally:
        s.stop()


def test_settings_validation() -> None:
    bad = ProxySettings(upstream="ftp://x", listen="nope", tls_cert="c", tls_client_ca="ca",
                        upstream_client_cert="c", max_body_bytes=0)
    problems = " | ".join(bad.validate())
    for text in ("must start with http://", "must be HOST:PORT", "tls_cert and tls_key",
                 "upstream_client_cert and upstream_client_key", "max_body_bytes"):
        assert text in problems
    merged = ProxySettings().merged({"upstream": "http://a:1", "override_acl_policies": ["ops"], "dry_run": True},
                                   {"upstream": "http://b:2", "dry_run": None, "override_acl_policies": ()})
    assert (merged.upstream, merged.override_acl_policies, merged.dry_run) == ("http://b:2", ("ops",), True)


@pytest.mark.parametrize("name, status", [("localhost", 200), ("server.global.nomad", 502)])
def test_upstream_server_name_is_checked(certs: dict[str, str], name: str, status: int) -> None:
    upstream_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    upstream_ctx.load_cert_chain(certs["server"], certs["server_key"])
    settings = ProxySettings(listen="127.0.0.1:0", reload_interval=0, upstream_ca=certs["ca"],
                             upstream_server_name=name)
    s = Stack(NomadDouble(), settings, None).start(upstream_ssl=upstream_ctx)
    try:
        got, _, body = s.http("GET", "/v1/jobs")
        assert got == status, body
    finally:
        s.stop()

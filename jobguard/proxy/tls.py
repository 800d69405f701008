"""TLS for both sides of the proxy: the listener (optionally requiring client certificates) and the upstream."""

from __future__ import annotations

import ssl

from jobguard.proxy.settings import ProxySettings


def server_context(settings: ProxySettings) -> ssl.SSLContext | None:
    """The listener's context, or None for plain HTTP. With ``tls_client_ca`` every client must present a
    certificate signed by that CA (mTLS), which is how Nomad agents protect their own HTTP API."""
    if not settings.tls_cert:
        return None
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(settings.tls_cert, settings.tls_key)
    if settings.tls_client_ca:
        ctx.load_verify_locations(settings.tls_client_ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def upstream_context(settings: ProxySettings) -> ssl.SSLContext | None:
    """Context for an ``https://`` upstream: system CAs or ``upstream_ca``, and an optional client certificate
    (Nomad with ``verify_https_client = true`` requires one)."""
    if not settings.upstream.startswith("https://"):
        return None
    ctx = ssl.create_default_context(cafile=settings.upstream_ca) if settings.upstream_ca \
        else ssl.create_default_context()
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if settings.upstream_client_cert:
        ctx.load_cert_chain(settings.upstream_client_cert, settings.upstream_client_key)
    return ctx

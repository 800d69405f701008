"""Fixtures: a Nomad API double and ``jobguard serve`` in front of it, both on loopback in a background loop.

The servers run in their own thread and event loop so that tests can drive them with blocking clients
(python-nomad, urllib, curl) as well as with aiohttp (``stack.run(coro)`` runs a coroutine in a fresh loop).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from jobguard.proxy.app import Proxy, start
from jobguard.proxy.reload import EngineState, load_engine
from jobguard.proxy.settings import ProxySettings

from .nomad_double import NomadDouble, start_double

# A small real configuration: one Sentinel policy per enforcement level, evaluated by the real engine.
POLICIES = {
    "max-count.sentinel": """
main = rule {
    all job.task_groups as tg {
        tg.count <= 5
    }
}
""",
    "no-latest.sentinel": """
main = rule {
    all job.task_groups as tg {
        all tg.tasks as t {
            t.config.image not matches ":latest$"
        }
    }
}
""",
    "has-owner.sentinel": """
main = rule {
    job.meta is not null and "owner" in keys(job.meta)
}
""",
}

CONFIG = """
policy "max-count" {
  source            = "./policies/max-count.sentinel"
  enforcement_level = "hard-mandatory"
}

policy "no-latest" {
  source            = "./policies/no-latest.sentinel"
  enforcement_level = "soft-mandatory"
}

policy "has-owner" {
  source            = "./policies/has-owner.sentinel"
  enforcement_level = "advisory"
}
"""


# Only the policies above: built-in rules keep evolving and must not change these tests' verdicts.
ONLY = ("max-count", "no-latest", "has-owner")


def write_config(root: Path, config: str = CONFIG, policies: dict[str, str] | None = None) -> Path:
    (root / "policies").mkdir(parents=True, exist_ok=True)
    for name, text in (policies or POLICIES).items():
        (root / "policies" / name).write_text(text)
    path = root / "jobguard.hcl"
    path.write_text(config)
    return path


def make_job(job_id: str = "web", count: int = 1, image: str = "nginx:1.27", owner: str | None = "team-a",
             **extra: Any) -> dict[str, Any]:
    """A minimal API job (what ``nomad job run -output`` would send, reduced to what the tests need)."""
    job: dict[str, Any] = {
        "ID": job_id, "Name": job_id, "Type": "service", "Datacenters": ["dc1"],
        "TaskGroups": [{"Name": "app", "Count": count, "Tasks": [{
            "Name": "server", "Driver": "docker", "Config": {"image": image},
            "Resources": {"CPU": 100, "MemoryMB": 128}}]}],
    }
    if owner is not None:
        job["Meta"] = {"owner": owner}
    job.update(extra)
    return job


class Stack:
    """Double + proxy running in a background event loop."""

    def __init__(self, double: NomadDouble, settings: ProxySettings, engine: Any, loader: Any = None) -> None:
        self.double = double
        self.settings = settings
        self.engine = engine
        self.loader = loader or (lambda: engine)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.proxy: Proxy | None = None
        self.double_port = 0
        self.port = 0

    def call(self, coro: Any, timeout: float = 30) -> Any:
        """Run ``coro`` on the servers' loop."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call_soon(self, coro: Any) -> None:
        """Schedule ``coro`` on the servers' loop without waiting for it."""
        asyncio.run_coroutine_threadsafe(coro, self.loop)

    def start(self, upstream_ssl: Any = None) -> Stack:
        self.thread.start()

        async def boot() -> None:
            self._double_runner, self.double_port = await start_double(self.double, ssl_context=upstream_ssl)
            scheme = "https" if upstream_ssl else "http"
            settings = replace(self.settings, upstream=f"{scheme}://127.0.0.1:{self.double_port}")
            self.state = EngineState(self.engine, settings, {}, self.loader)
            self.proxy = Proxy(self.state)
            self._runner, bound = await start(self.proxy)
            self.port = bound[0][1]

        self.call(boot())
        return self

    def stop(self) -> None:
        async def down() -> None:
            await self._runner.cleanup()
            await self._double_runner.cleanup()

        try:
            self.call(down())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)

    @property
    def url(self) -> str:
        scheme = "https" if self.settings.tls_cert else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    @property
    def direct_url(self) -> str:
        return f"http://127.0.0.1:{self.double_port}"

    def http(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
             base: str | None = None, raw: bytes | None = None, context: Any = None) -> tuple[int, dict, bytes]:
        """A blocking HTTP call (urllib): (status, headers, body)."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request((base or self.url) + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30, context=context) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()


@pytest.fixture(scope="session")
def policy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("jobguard-config")
    write_config(root)
    return root


@pytest.fixture(scope="session")
def engine(policy_dir: Path) -> Any:
    """The real engine on the small config (skips until the engine package is importable)."""
    try:
        from jobguard.engine import Engine  # noqa: F401
    except ImportError as exc:  # pragma: no cover - only while the engine is being written
        pytest.skip(f"engine not available yet: {exc}")
    return load_engine(str(policy_dir / "jobguard.hcl"), only=ONLY)


def _stack(request: pytest.FixtureRequest, engine: Any, double: dict[str, Any] | None = None,
           **settings: Any) -> Stack:
    """Start a stack for one test; ``double`` are NomadDouble fields (default: the test's indirect param)."""
    double = NomadDouble(**(double if double is not None else getattr(request, "param", {})))
    base = ProxySettings(listen="127.0.0.1:0", reload_interval=0, token_cache_s=0, workers=1)
    stack = Stack(double, replace(base, **settings), engine).start()
    request.addfinalizer(stack.stop)
    return stack


@pytest.fixture
def passthrough_stack(request: pytest.FixtureRequest) -> Stack:
    """Proxy without an engine: for pass-through behaviour only (nothing is intercepted in those tests)."""
    return _stack(request, None)


@pytest.fixture
def stack(request: pytest.FixtureRequest, engine: Any) -> Stack:
    return _stack(request, engine, override_acl_policies=("ops",))


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A throwaway CA with a server certificate for 127.0.0.1 and a client certificate (EC keys: fast)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    import ipaddress

    root = tmp_path_factory.mktemp("certs")
    now = dt.datetime.now(dt.timezone.utc)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("test CA")).issuer_name(name("test CA"))
          .public_key(ca_key.public_key()).serial_number(1).not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    out = {"ca": str(root / "ca.pem")}
    (root / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for who, usage in (("server", ExtendedKeyUsageOID.SERVER_AUTH), ("client", ExtendedKeyUsageOID.CLIENT_AUTH)):
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (x509.CertificateBuilder().subject_name(name(who)).issuer_name(ca.subject)
                   .public_key(key.public_key()).serial_number(2 if who == "server" else 3)
                   .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
                   .add_extension(x509.ExtendedKeyUsage([usage]), critical=False))
        if who == "server":
            builder = builder.add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]), critical=False)
        cert = builder.sign(ca_key, hashes.SHA256())
        (root / f"{who}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        (root / f"{who}-key.pem").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        out[who], out[f"{who}_key"] = str(root / f"{who}.pem"), str(root / f"{who}-key.pem")
    return out

"""TLS to the Nomad API configured like the nomad CLI: NOMAD_CACERT / NOMAD_CAPATH, NOMAD_CLIENT_CERT and
NOMAD_CLIENT_KEY (mTLS), NOMAD_TLS_SERVER_NAME, NOMAD_SKIP_VERIFY, or the matching flags."""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess

import pytest
from click.testing import CliRunner

from jobguard.cli import cli

from .cluster_double import ClusterDouble
from .conftest import Cluster, seed_small


@pytest.fixture
def https_cluster(request, certs):
    """A cluster double behind TLS that requires a client certificate signed by the test CA."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(certs["server"], certs["server_key"])
    ctx.load_verify_locations(certs["ca"])
    ctx.verify_mode = ssl.CERT_REQUIRED
    cluster = Cluster(ClusterDouble()).start(ssl_context=ctx)
    request.addfinalizer(cluster.stop)
    seed_small(cluster.double)
    return cluster


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for key in [k for k in os.environ if k.startswith("NOMAD_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def run(cluster, env: dict[str, str], *args: str):
    return CliRunner().invoke(cli, ["audit", "--address", cluster.url, "--retries", "0", "--namespace", "team-a",
                                    *args], env=env, catch_exceptions=False)


def client_env(certs) -> dict[str, str]:
    return {"NOMAD_CLIENT_CERT": certs["client"], "NOMAD_CLIENT_KEY": certs["client_key"]}


def test_ca_and_client_certificate_from_the_environment(https_cluster, certs):
    result = run(https_cluster, {"NOMAD_CACERT": certs["ca"], **client_env(certs)}, "--format", "json")
    assert result.exit_code == 1 and "team-a/billing" in result.stdout


def test_ca_path_directory(https_cluster, certs, tmp_path):
    cas = tmp_path / "cas"
    cas.mkdir()
    shutil.copy(certs["ca"], cas / "ca.pem")
    subprocess.run(["openssl", "rehash", str(cas)], check=False, capture_output=True)
    if not any(p.name.endswith(".0") for p in cas.iterdir()):
        pytest.skip("openssl rehash is not available to index the CA directory")
    assert run(https_cluster, {"NOMAD_CAPATH": str(cas), **client_env(certs)}).exit_code == 1


def test_unknown_ca_is_a_clear_exit_2(https_cluster, certs):
    result = run(https_cluster, client_env(certs))
    assert result.exit_code == 2
    assert "TLS handshake with Nomad at https://127.0.0.1:" in result.stderr and "certificate" in result.stderr


def test_skip_verify(https_cluster, certs):
    assert run(https_cluster, {"NOMAD_SKIP_VERIFY": "true", **client_env(certs)}).exit_code == 1
    assert run(https_cluster, client_env(certs), "--tls-skip-verify").exit_code == 1


def test_server_name(https_cluster, certs):
    env = {"NOMAD_CACERT": certs["ca"], **client_env(certs)}
    assert run(https_cluster, {**env, "NOMAD_TLS_SERVER_NAME": "localhost"}).exit_code == 1
    result = run(https_cluster, {**env, "NOMAD_TLS_SERVER_NAME": "server.global.nomad"})
    assert result.exit_code == 2 and "TLS handshake" in result.stderr


def test_missing_client_certificate_is_refused(https_cluster, certs):
    result = run(https_cluster, {"NOMAD_CACERT": certs["ca"]})
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "if Nomad requires client certificates (verify_https_client), set NOMAD_CLIENT_CERT" in result.stderr


def test_unreadable_tls_files_are_exit_2(https_cluster, tmp_path):
    result = run(https_cluster, {"NOMAD_CACERT": str(tmp_path / "missing.pem")})
    assert result.exit_code == 2 and "cannot load the TLS files" in result.stderr
    assert str(tmp_path / "missing.pem") in result.stderr

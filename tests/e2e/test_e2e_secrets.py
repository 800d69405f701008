"""Secret values never leave jobguard: not in any report format, the baseline, the cache, nor in the proxy's deny
text, warnings, validate/NACP answers, decision log, metrics or its own log. The caller's ACL token neither.

The job carries five kinds of secret (GitHub token, AWS access key, Vault token, a password in an artifact URL, a
private key in a template) and a fixture policy prints the env and args of a rejected task, the way people debug
policies. The secrets are generated at test time so that the repository holds nothing a scanner would flag.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from e2e_support import CONFIG, OPS_TOKEN, cli_env, http, read_decisions, run_jobguard, wait_for_decision

FORMATS = ("text", "json", "sarif", "junit", "github", "markdown")


def _b64(seed: str, length: int) -> str:
    raw = b"".join(hashlib.sha256(f"{seed}-{i}".encode()).digest() for i in range(8))
    return base64.b64encode(raw).decode().translate(str.maketrans("", "", "+/="))[:length]


GITHUB = "ghp_" + _b64("github", 36)
AWS = "AKIA" + base64.b32encode(hashlib.sha256(b"aws").digest()).decode()[:16]
VAULT = "hvs." + _b64("vault", 28)
URL_PASSWORD = "Zq" + _b64("password", 14)
KEY_LINES = [_b64(f"key-{i}", 64) for i in range(4)]
SECRETS = {"github": GITHUB, "aws": AWS, "vault": VAULT, "url-password": URL_PASSWORD,
           **{f"private-key-line-{i}": line for i, line in enumerate(KEY_LINES)}}
# Redaction may keep a well-known prefix (ghp_, AKIA, hvs.); what follows must never show, not even in part.
FRAGMENTS = {name: value.split("_", 1)[-1].split(".", 1)[-1] for name, value in SECRETS.items()}
FRAGMENTS["aws"] = AWS[4:]

JOB_ID = "e2e-secrets"
SECRET_JOB = f'''job "{JOB_ID}" {{
  datacenters = ["dc1"]
  namespace   = "payments"

  meta {{
    owner       = "alice"
    team        = "payments"
    vault_token = "{VAULT}"
  }}

  group "api" {{
    task "api" {{
      driver = "docker"

      config {{
        image = "docker.io/acme/api:1.4.2"
        args  = ["--github-token", "{GITHUB}"]
      }}

      env {{
        AWS_ACCESS_KEY_ID = "{AWS}"
        GITHUB_TOKEN      = "{GITHUB}"
      }}

      artifact {{
        source = "https://deploy:{URL_PASSWORD}@releases.example.com/tools/sync.tgz"
      }}

      template {{
        data        = <<EOT
-----BEGIN RSA PRIVATE KEY-----
{chr(10).join(KEY_LINES)}
-----END RSA PRIVATE KEY-----
EOT
        destination = "secrets/key.pem"
      }}

      resources {{
        cpu    = 100
        memory = 128
      }}
    }}
  }}
}}
'''


def leaks(text: str) -> list[str]:
    """Names of the secrets any 12-character window of which appears in ``text``."""
    found = []
    for name, fragment in FRAGMENTS.items():
        windows = {fragment[i:i + 12] for i in range(0, max(1, len(fragment) - 11))}
        if any(w in text for w in windows):
            found.append(name)
    return found


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("secrets")
    (root / "secrets.nomad.hcl").write_text(SECRET_JOB)
    return root


@pytest.fixture(scope="module")
def cli_run(workdir: Path) -> dict[str, Any]:
    """One check writing every format (stdout text, the others with --output) and filling the cache, then one
    that writes a baseline (a baseline run accepts its findings, so it cannot be the run whose reports we read)."""
    outputs = [arg for fmt in FORMATS[1:] for arg in ("--output", f"{fmt}=report.{fmt}")]
    env = cli_env(cache_dir=workdir / "cache")
    proc = run_jobguard("check", "--config", str(CONFIG), "--format", "text", *outputs, "secrets.nomad.hcl",
                        cwd=workdir, env=env)
    baseline = run_jobguard("check", "--config", str(CONFIG), "--format", "json", "--create-baseline",
                            "baseline.json", "secrets.nomad.hcl", cwd=workdir, env=env)
    return {"proc": proc, "baseline": baseline,
            "files": {fmt: (workdir / f"report.{fmt}").read_text() for fmt in FORMATS[1:]}}


def test_the_job_is_caught_for_every_secret(cli_run: dict[str, Any]) -> None:
    """Guard for the tests below: the secrets are really there and recognised, so "not shown" means redacted."""
    assert SECRET_JOB.count(GITHUB) == 2 and not leaks("") and len(leaks(SECRET_JOB)) == len(SECRETS)
    report = json.loads(cli_run["files"]["json"])
    paths = {f["path"] for f in report["findings"] if f["rule"] == "no-inline-secrets"}
    assert {"Meta.vault_token", "TaskGroups[0].Tasks[0].Config.args[1]", "TaskGroups[0].Tasks[0].Env.AWS_ACCESS_KEY_ID",
            "TaskGroups[0].Tasks[0].Env.GITHUB_TOKEN", "TaskGroups[0].Tasks[0].Artifacts[0].GetterSource",
            "TaskGroups[0].Tasks[0].Templates[0].EmbeddedTmpl"} <= paths
    printed = [f for f in report["findings"] if f["rule"] == "approved-images"]
    assert printed and "rejected task api" in printed[0]["message"]  # the policy's print output is reported
    assert cli_run["proc"].returncode == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_secret_in_any_report_format(fmt: str, cli_run: dict[str, Any]) -> None:
    text = cli_run["proc"].stdout + cli_run["proc"].stderr if fmt == "text" else cli_run["files"][fmt]
    assert text.strip()
    assert leaks(text) == []


def test_no_secret_in_baseline_or_cache(cli_run: dict[str, Any], workdir: Path) -> None:
    assert cli_run["baseline"].returncode == 0, cli_run["baseline"].stderr
    assert leaks(cli_run["baseline"].stdout) == []
    baseline = (workdir / "baseline.json").read_text()
    assert "no-inline-secrets" in baseline and leaks(baseline) == []
    cached = [p for p in (workdir / "cache").rglob("*") if p.is_file()]
    assert cached, "the run was expected to fill the cache"
    for path in cached:
        assert leaks(path.read_bytes().decode("utf-8", "replace")) == [], path


def test_no_secret_through_the_proxy(proxy_stack: Any, workdir: Path) -> None:
    parsed = run_jobguard("parse", "secrets.nomad.hcl", cwd=workdir)
    assert parsed.returncode == 0, parsed.stderr
    job = json.loads(parsed.stdout)["Job"]
    assert len(leaks(json.dumps(job))) == len(SECRETS)  # the request itself carries them all
    headers = {"X-Nomad-Token": OPS_TOKEN}
    url = proxy_stack.serve.url
    log_before = len(read_decisions(proxy_stack.decision_log))

    status, _, denied = http("PUT", f"{url}/v1/job/{JOB_ID}", {"Job": job}, headers=headers)
    assert status == 403 and b"no-inline-secrets" in denied
    _, _, planned = http("PUT", f"{url}/v1/job/{JOB_ID}/plan", {"Job": job}, headers=headers)
    status, _, validated = http("PUT", f"{url}/v1/validate/job", {"Job": job}, headers=headers)
    assert status == 200 and b"no-inline-secrets" in validated
    status, _, nacp = http("POST", f"{url}/v1/jobguard/nacp", {"job": job, "context": {}}, headers=headers)
    assert status == 200 and b"no-inline-secrets" in nacp
    decision = wait_for_decision(proxy_stack.decision_log, JOB_ID, after=log_before)
    assert any(f["rule"] == "no-inline-secrets" for f in decision["findings"])
    _, _, metrics = http("GET", f"{url}/v1/jobguard/metrics")
    assert b"jobguard_decisions_total" in metrics
    # denied register and plan never reach Nomad (validate does: Nomad validates it too, and answers 200)
    assert not [r for r in proxy_stack.double.double.writes_to() if JOB_ID.encode() in r.body
                and not r.path.startswith("/v1/validate/")]

    seen = {"deny": denied.decode(), "plan": planned.decode(), "validate": validated.decode(),
            "nacp": nacp.decode(), "decision log": proxy_stack.decision_log.read_text(),
            "metrics": metrics.decode(), "proxy log": proxy_stack.serve.stderr}
    for where, text in seen.items():
        assert leaks(text) == [], where
        assert OPS_TOKEN not in text, where

"""Bad input at every subcommand: the documented exit code (2 for input, usage and configuration errors), a
``FILE:LINE:COL:`` message wherever the problem has a position, and never a Python traceback.

The bad files are written at test time (binary garbage and invalid UTF-8 do not belong in the repository). All
commands run concurrently once per module; each case then checks its own result.
"""

from __future__ import annotations

import re
import socket
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from e2e_support import CONFIG, JOBS, cli_env, run_jobguard


@dataclass(frozen=True)
class Case:
    """``jobguard ARGS`` in the bad-input directory must exit ``code``; ``expect`` (a regex) must match its
    stdout or stderr, e.g. the ``FILE:LINE:COL:`` of the problem."""

    name: str
    args: tuple[str, ...]
    code: int
    expect: str
    stdin: str = ""  # name of an input file fed on stdin (for `-`)


def _c(name: str, args: str | tuple[str, ...], code: int, expect: str, stdin: str = "") -> Case:
    return Case(name, tuple(args.split()) if isinstance(args, str) else args, code, expect, stdin)


GOOD = str(JOBS / "good.nomad.hcl")
CFG = str(CONFIG)

CASES = [
    # parse
    _c("parse-missing-file", "parse missing.nomad", 2, r"missing\.nomad: .*(No such file|not found)"),
    _c("parse-directory", "parse adir", 2, r"adir: "),
    _c("parse-binary-garbage", "parse garbage.nomad", 2, r"garbage\.nomad:1:\d+: Invalid character encoding"),
    _c("parse-empty-file", "parse empty.nomad.hcl", 2, r"empty\.nomad\.hcl: .*job"),
    _c("parse-invalid-utf8", "parse badutf8.nomad.hcl", 2, r"badutf8\.nomad\.hcl:2:\d+: "),
    _c("parse-syntax-error", "parse syntax.nomad.hcl", 2, r"syntax\.nomad\.hcl:3:13: "),
    _c("parse-terraform", "parse main.tf", 2, r"main\.tf:1:1: .*resource"),
    _c("parse-bad-var-syntax", ("parse", "--var", "novalue", GOOD), 2, r"novalue"),
    _c("parse-broken-var-file", ("parse", "--var-file", "badvars.hcl", GOOD), 2, r"badvars\.hcl:1:5: "),
    _c("parse-no-argument", "parse", 2, r"Missing argument"),
    _c("parse-stdin-invalid-utf8", "parse -", 2, r"-:2:\d+: ", stdin="badutf8.nomad.hcl"),
    # check
    _c("check-missing-file", "check --no-cache missing.nomad", 2, r"missing\.nomad"),
    _c("check-binary-garbage", "check --no-cache --format json garbage.nomad", 2, r'"file": "garbage\.nomad"'),
    _c("check-empty-file", "check --no-cache --format json empty.nomad.hcl", 2, r'"file": "empty\.nomad\.hcl"'),
    _c("check-invalid-utf8", "check --no-cache --format json badutf8.nomad.hcl", 2,
       r'"file": "badutf8\.nomad\.hcl",\s*"line": 2,'),
    _c("check-syntax-error-json", "check --no-cache --format json syntax.nomad.hcl", 2,
       r'"file": "syntax\.nomad\.hcl",\s*"line": 3,\s*"column": 13,'),
    _c("check-syntax-error-github", "check --no-cache --format github syntax.nomad.hcl", 2,
       r"::error file=syntax\.nomad\.hcl,line=3,col=13,"),
    _c("check-terraform-file-named", "check --no-cache --format json main.tf", 2,
       r'"file": "main\.tf",\s*"line": 1,\s*"column": 1,'),
    _c("check-terraform-skipped-in-walk", ("check", "--no-cache", "--format", "json", "--config", CFG, "walk"), 0,
       r'"files": 1,'),
    _c("check-broken-config", ("check", "--no-cache", "--config", "broken-config.hcl", GOOD), 2,
       r"broken-config\.hcl:2:12: "),
    _c("check-config-is-directory", ("check", "--no-cache", "--config", "adir", GOOD), 2, r"adir"),
    _c("check-config-binary", ("check", "--no-cache", "--config", "garbage.nomad", GOOD), 2, r"garbage\.nomad"),
    _c("check-config-unknown-rule", ("check", "--no-cache", "--config", "unknown-rule-config.hcl", GOOD), 2,
       r"unknown-rule-config\.hcl:1:1: .*no-such-rule"),
    _c("check-config-bad-param", ("check", "--no-cache", "--config", "badparam.hcl", GOOD), 2,
       r"badparam\.hcl:2:\d+: "),
    _c("check-unknown-rule-only", ("check", "--no-cache", "--config", CFG, "--only", "no-such-rule", GOOD), 2,
       r"no-such-rule"),
    _c("check-bad-fail-on", ("check", "--no-cache", "--fail-on", "sometimes", GOOD), 2, r"--fail-on"),
    _c("check-bad-var", ("check", "--no-cache", "--var", "novalue", GOOD), 2, r"--var"),
    _c("check-bad-format", ("check", "--no-cache", "--format", "yaml", GOOD), 2, r"yaml"),
    _c("check-policy-syntax", ("check", "--no-cache", "--config", CFG, "--policy", "bad.sentinel", GOOD), 2,
       r"bad\.sentinel:3:1: "),
    _c("check-baseline-not-json", ("check", "--no-cache", "--config", CFG, "--baseline", "bad.json", GOOD), 2,
       r"bad\.json:1:2: "),
    _c("check-baseline-binary", ("check", "--no-cache", "--config", CFG, "--baseline", "garbage.nomad", GOOD), 2,
       r"garbage\.nomad"),
    _c("check-stdin-invalid-utf8", "check --no-cache --format json -", 2, r'"file": "-",\s*"line": 2,',
       stdin="badutf8.nomad.hcl"),
    _c("check-glob-matches-nothing", ("check", "--no-cache", "nomatch/*.nomad.hcl"), 2, r"nomatch"),
    # apply
    _c("apply-missing-policy", ("apply", "missing.sentinel", "--job", GOOD), 2, r"missing\.sentinel"),
    _c("apply-policy-is-directory", ("apply", "adir", "--job", GOOD), 2, r"adir"),
    _c("apply-binary-policy", ("apply", "garbage.nomad", "--job", GOOD), 2, r"garbage\.nomad"),
    _c("apply-policy-syntax", ("apply", "bad.sentinel", "--job", GOOD), 2, r"bad\.sentinel:3:1: "),
    _c("apply-missing-job", "apply ok.sentinel --job missing.nomad", 2, r"missing\.nomad"),
    _c("apply-empty-job", "apply ok.sentinel --job empty.nomad.hcl", 2, r"empty\.nomad\.hcl"),
    _c("apply-job-syntax", "apply ok.sentinel --job syntax.nomad.hcl", 2, r"syntax\.nomad\.hcl:3:13: "),
    _c("apply-job-terraform", "apply ok.sentinel --job main.tf", 2, r"main\.tf:1:1: "),
    _c("apply-bad-global", ("apply", "ok.sentinel", "--job", GOOD, "--global", "x=notjson"), 2, r"--global"),
    # test
    _c("test-missing-dir", "test missing", 2, r"missing"),
    _c("test-no-policies", "test adir", 2, r"adir"),
    _c("test-policy-syntax", "test tdir", 2, r"tdir/bad\.sentinel:3:1: "),
    # fmt
    _c("fmt-missing-file", "fmt missing.sentinel", 2, r"missing\.sentinel"),
    _c("fmt-directory", "fmt adir", 2, r"adir"),
    _c("fmt-binary", "fmt garbage.nomad", 2, r"garbage\.nomad"),
    _c("fmt-invalid-utf8", "fmt badutf8.nomad.hcl", 2, r"badutf8\.nomad\.hcl"),
    _c("fmt-syntax", "fmt --check bad.sentinel", 2, r"bad\.sentinel:3:1: "),
    # rules
    _c("rules-unknown-id", "rules no-such-rule", 2, r"no-such-rule"),
    _c("rules-bad-format", "rules --format yaml", 2, r"yaml"),
    _c("rules-broken-config", "rules --config broken-config.hcl", 2, r"broken-config\.hcl:2:12: "),
    # init
    _c("init-target-is-file", "init empty.nomad.hcl", 2, r"empty\.nomad\.hcl"),
    _c("init-refuses-overwrite", "init existing", 2, r"--force"),
    # serve (configuration is checked before anything listens)
    _c("serve-help", "serve --help", 0, r"--upstream"),
    _c("serve-broken-config", "serve --listen 127.0.0.1:0 --config broken-config.hcl", 2,
       r"broken-config\.hcl:2:12: "),
    _c("serve-missing-config", "serve --listen 127.0.0.1:0 --config missing.hcl", 2, r"missing\.hcl"),
    _c("serve-config-is-directory", "serve --listen 127.0.0.1:0 --config adir", 2, r"adir"),
    _c("serve-config-unknown-rule", "serve --listen 127.0.0.1:0 --config unknown-rule-config.hcl", 2,
       r"unknown-rule-config\.hcl:1:1: "),
    _c("serve-bad-upstream", ("serve", "--listen", "127.0.0.1:0", "--config", CFG, "--upstream", "notaurl"), 2,
       r"notaurl"),
    _c("serve-port-in-use", ("serve", "--listen", "127.0.0.1:{busy}", "--config", CFG), 2, r"in use"),
    _c("serve-unknown-only", ("serve", "--listen", "127.0.0.1:0", "--config", CFG, "--only", "no-such-rule"), 2,
       r"no-such-rule"),
]


def _write_inputs(root: Path) -> None:
    """The bad (and a few good) inputs every case refers to by relative name."""
    (root / "adir").mkdir()
    (root / "garbage.nomad").write_bytes(b"\x00\x01\x02\xff\xfe garbage \x89PNG\r\n\x1a\n" + bytes(range(256)))
    (root / "empty.nomad.hcl").write_bytes(b"")
    (root / "badutf8.nomad.hcl").write_bytes(b'job "x" {\n  datacenters = ["dc1\xff\xfe"]\n}\n')
    (root / "syntax.nomad.hcl").write_text('job "x" {\n  group "g" {\n    count = = 2\n  }\n}\n')
    terraform = 'resource "aws_instance" "web" {\n  ami = "ami-123"\n}\n'
    (root / "main.tf").write_text(terraform)
    (root / "badvars.hcl").write_text("x = \n")
    (root / "bad.json").write_text("{not json")
    (root / "broken-config.hcl").write_text('policy "p" {\n  source = \n}\n')
    (root / "unknown-rule-config.hcl").write_text('rule "no-such-rule" {\n  enabled = false\n}\n')
    (root / "badparam.hcl").write_text('rule "approved-artifact-sources" {\n  params = { allowed = "x" }\n}\n')
    (root / "bad.sentinel").write_text("main = rule {\n  1 +\n}\n")
    (root / "ok.sentinel").write_text("main = rule { true }\n")
    (root / "tdir" / "test" / "bad").mkdir(parents=True)
    (root / "tdir" / "bad.sentinel").write_text("main = rule {\n  1 +\n}\n")
    (root / "tdir" / "test" / "bad" / "pass.hcl").write_text("test {\n  rules = { main = true }\n}\n")
    (root / "existing").mkdir()
    (root / "existing" / "jobguard.hcl").write_text("# keep me\n")
    walk = root / "walk"
    walk.mkdir()
    (walk / "main.tf").write_text(terraform)
    (walk / "network.hcl").write_text(terraform)  # .hcl, but not a job: skipped by content
    (walk / "agent.hcl").write_text('client {\n  enabled = true\n}\n')
    (walk / "good.nomad.hcl").write_text((JOBS / "good.nomad.hcl").read_text())


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str]]:
    root = tmp_path_factory.mktemp("bad-input")
    _write_inputs(root)
    env = cli_env(cache_dir=root / ".cache")
    busy = socket.socket()  # a loopback port that is taken while the cases run
    busy.bind(("127.0.0.1", 0))
    busy.listen()

    def one(case: Case) -> tuple[int, str]:
        stdin = (root / case.stdin).read_bytes() if case.stdin else b""
        args = [a.replace("{busy}", str(busy.getsockname()[1])) for a in case.args]
        proc = run_jobguard(*args, cwd=root, env=env, stdin=stdin)
        return proc.returncode, proc.stdout + "\n" + proc.stderr

    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            return dict(zip((c.name for c in CASES), pool.map(one, CASES), strict=True))
    finally:
        busy.close()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input_exit_code_and_message(case: Case, results: dict[str, tuple[int, str]]) -> None:
    code, output = results[case.name]
    assert "Traceback" not in output, output
    assert "internal error" not in output, output
    assert code == case.code, output
    assert re.search(case.expect, output), f"{case.expect!r} not in:\n{output}"

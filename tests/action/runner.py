"""A simulated GitHub Actions runner for ``action.yml``.

It runs the action's own ``run:`` steps, unchanged, with bash the way a runner does (``bash --noprofile --norc
-eo pipefail``), after evaluating the ``${{ }}`` expressions in their ``env:`` blocks. It provides the files and
variables a runner provides (GITHUB_OUTPUT per step, GITHUB_STEP_SUMMARY, GITHUB_WORKSPACE, RUNNER_TEMP,
GITHUB_ACTION_PATH). The only step it does not run is ``actions/setup-python``: it stands in for it by reporting
the current interpreter as ``python-path``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def lookup(ctx: dict[str, Any], dotted: str) -> Any:
    value: Any = ctx
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return ""
        value = value[part]
    return value


def evaluate(expr: str, ctx: dict[str, Any]) -> str:
    """The subset of GitHub's expression language the action uses: dotted look-ups joined by ``||``."""
    for operand in expr.split("||"):
        operand = operand.strip()
        if operand.startswith("'") and operand.endswith("'"):
            value: Any = operand[1:-1]
        else:
            value = lookup(ctx, operand)
        if value not in ("", None, False):
            return str(value)
    return ""


def interpolate(text: str, ctx: dict[str, Any]) -> str:
    return EXPR.sub(lambda m: evaluate(m.group(1), ctx), text)


def parse_output_file(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    lines = path.read_text().splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and "=" not in line.split("<<", 1)[0]:
            key, delim = line.split("<<", 1)
            body = []
            i += 1
            while lines[i] != delim:
                body.append(lines[i])
                i += 1
            out[key] = "\n".join(body)
        elif "=" in line:
            key, value = line.split("=", 1)
            out[key] = value
        i += 1
    return out


@dataclass
class RunResult:
    outputs: dict[str, str]
    steps: dict[str, dict[str, str]]
    stdout: str
    stderr: str
    summary: str
    failed_step: str | None = None
    exit_codes: dict[str, int] = field(default_factory=dict)

    def annotations(self, level: str | None = None) -> list[str]:
        return [line for line in self.stdout.splitlines()
                if line.startswith("::") and (level is None or line.startswith(f"::{level} "))]


def run_action(workspace: Path, runner_temp: Path, inputs: dict[str, str] | None = None,
               event: dict[str, Any] | None = None, skip: tuple[str, ...] = (),
               preset_steps: dict[str, dict[str, str]] | None = None) -> RunResult:
    """Run action.yml's steps in order; ``skip`` names step ids already run (their outputs in ``preset_steps``)."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    defaults = {name: str(spec.get("default", "")) for name, spec in action.get("inputs", {}).items()}
    ctx: dict[str, Any] = {
        "inputs": {**defaults, **(inputs or {})},
        "steps": {k: {"outputs": v} for k, v in (preset_steps or {}).items()},
        "github": {"event": event or {}, "workspace": str(workspace)},
        "runner": {"temp": str(runner_temp)},
    }
    summary = runner_temp / "step_summary.md"
    summary.touch()
    stdout, stderr, codes = [], [], {}
    failed = None
    for index, step in enumerate(action["runs"]["steps"]):
        sid = step.get("id", f"step{index}")
        if sid in skip:
            continue
        if "uses" in step:
            assert step["uses"].startswith("actions/setup-python@"), step["uses"]
            ctx["steps"][sid] = {"outputs": {"python-path": sys.executable}}
            continue
        out_file = runner_temp / f"output_{sid}"
        out_file.write_text("")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "RUNNER_"))}
        env.update({
            "GITHUB_OUTPUT": str(out_file), "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_WORKSPACE": str(workspace), "RUNNER_TEMP": str(runner_temp),
            "GITHUB_ACTION_PATH": str(ROOT), "GITHUB_ACTIONS": "true", "CI": "true",
        })
        for key, value in (step.get("env") or {}).items():
            env[key] = interpolate(str(value), ctx)
        script = runner_temp / f"script_{sid}.sh"
        script.write_text(step["run"])
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=workspace, env=env, capture_output=True, text=True, timeout=600)
        stdout.append(proc.stdout)
        stderr.append(proc.stderr)
        codes[sid] = proc.returncode
        ctx["steps"][sid] = {"outputs": parse_output_file(out_file)}
        if proc.returncode != 0:
            failed = sid
            break
    outputs = {name: interpolate(str(spec["value"]), ctx) for name, spec in action.get("outputs", {}).items()}
    return RunResult(outputs, {k: v["outputs"] for k, v in ctx["steps"].items()}, "".join(stdout),
                     "".join(stderr), summary.read_text(), failed, codes)

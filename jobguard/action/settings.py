"""The action's inputs, read from the environment that ``action.yml`` sets."""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field
from collections.abc import Mapping

FAIL_ON_LEVELS = ("advisory", "soft-mandatory", "hard-mandatory")


class InputError(ValueError):
    """An action input that cannot be used; reported as a workflow error, exit code 2."""


def _words(value: str) -> list[str]:
    return shlex.split(value.replace("\n", " ")) if value.strip() else []


@dataclass
class Settings:
    paths: list[str] = field(default_factory=lambda: ["."])
    config: str = ""
    policies: list[str] = field(default_factory=list)
    fail_on: str = "soft-mandatory"
    only_changed: bool = False
    sarif_file: str = "jobguard.sarif"
    args: list[str] = field(default_factory=list)
    base_sha: str = ""
    workspace: str = "."
    output_file: str = ""
    summary_file: str = ""
    runner_temp: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        fail_on = env.get("INPUT_FAIL_ON", "").strip() or "soft-mandatory"
        if fail_on not in FAIL_ON_LEVELS:
            raise InputError(f"input fail-on: {fail_on!r} is not one of {', '.join(FAIL_ON_LEVELS)}")
        only_changed = env.get("INPUT_ONLY_CHANGED", "false").strip().lower()
        if only_changed not in ("true", "false", ""):
            raise InputError(f"input only-changed: {only_changed!r} is not true or false")
        try:
            args = _words(env.get("INPUT_ARGS", ""))
            paths = _words(env.get("INPUT_PATHS", "")) or ["."]
            policies = _words(env.get("INPUT_POLICIES", ""))
        except ValueError as exc:
            raise InputError(f"inputs: cannot split into words: {exc}") from None
        sarif_file = env.get("INPUT_SARIF_FILE", "").strip() or "jobguard.sarif"
        if any(c in sarif_file for c in "\r\n\0"):
            raise InputError("input sarif-file: a file name cannot contain line breaks")  # it goes to GITHUB_OUTPUT
        return cls(
            paths=paths,
            config=env.get("INPUT_CONFIG", "").strip(),
            policies=policies,
            fail_on=fail_on,
            only_changed=only_changed == "true",
            sarif_file=sarif_file,
            args=args,
            base_sha=env.get("BASE_SHA", "").strip(),
            workspace=env.get("GITHUB_WORKSPACE", "") or os.getcwd(),
            output_file=env.get("GITHUB_OUTPUT", ""),
            summary_file=env.get("GITHUB_STEP_SUMMARY", ""),
            runner_temp=env.get("RUNNER_TEMP", "") or env.get("TMPDIR", "/tmp"),
        )

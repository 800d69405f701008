"""The ``jobguard`` command. Each subcommand lives in its own module and is imported only when used, so that
``jobguard check one.nomad.hcl`` starts fast (no aiohttp, no policy compiler unless needed).

Exit codes shared by all subcommands: 0 ok, 1 a guardrail failed, 2 usage/config/input error, 3 internal error.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from typing import NoReturn

import click

from jobguard import __version__

# name -> (module, attribute, short help). Modules are owned by their stage; this table is the only shared spot.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "check": ("jobguard.cli.check", "check", "Check job files against policies and rules."),
    "parse": ("jobguard.cli.parse", "parse", "Print a job file as Nomad's API JSON."),
    "apply": ("jobguard.cli.lang", "apply", "Evaluate one policy (like `sentinel apply`)."),
    "test": ("jobguard.cli.lang", "test", "Run policy test cases (Sentinel's test layout)."),
    "fmt": ("jobguard.cli.lang", "fmt", "Format policy files."),
    "rules": ("jobguard.cli.rules", "rules", "List rules or show one rule's documentation."),
    "init": ("jobguard.cli.check", "init", "Write a starter jobguard.hcl and an example policy."),
    "serve": ("jobguard.cli.serve", "serve", "Run the admission proxy in front of the Nomad API."),
    "audit": ("jobguard.cli.audit", "audit", "Check the jobs running on a Nomad cluster (once or --watch)."),
}


def exit_with_diagnostics(diagnostics: Iterable[object], prefix: str = "") -> NoReturn:
    """Print every diagnostic (``FILE:LINE:COL: message``) on stderr and exit 2: bad input, usage or config."""
    for diagnostic in diagnostics:
        click.echo(f"{prefix}{diagnostic}", err=True)
    sys.exit(2)


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jobguard")
def cli() -> None:
    """jobguard: policy-as-code guardrails for HashiCorp Nomad jobs."""


def main() -> None:
    """Console entry point: never lets a traceback reach the user (exit 3 on an internal error)."""
    try:
        cli.main(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # pragma: no cover - last resort
        click.echo(f"jobguard: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(3)

"""``jobguard apply``, ``jobguard test`` and ``jobguard fmt``: the policy-language commands, shaped like Sentinel's
``sentinel apply``, ``sentinel test`` and ``sentinel fmt``.

Exit codes:

* apply: 0 pass, 1 fail, 2 undefined result or bad input (syntax error, unreadable job, bad --global), 3 runtime
  error in the policy;
* test: 0 all cases pass, 1 a case failed, 2 bad input (no policies found, a policy does not parse, a case file
  that cannot be used: bad HCL/JSON, unknown import, missing or unparsable module, module import cycle);
* fmt: 0 ok (or nothing to change with --check), 1 --check found files to reformat, 2 syntax error / unreadable.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from jobguard.cli import exit_with_diagnostics


def _fail_input(message: str) -> None:
    click.echo(f"jobguard: {message}", err=True)
    sys.exit(2)


def _plugin_imports() -> dict[str, Any]:
    """Imports registered by installed plugins (their import names shadow built-in ones)."""
    # deferred: `fmt` and --help start without the engine and plugins
    from jobguard.engine.errors import ConfigError
    from jobguard.plugins import discover_policy_imports

    try:
        return dict(discover_policy_imports())
    except ConfigError as exc:
        exit_with_diagnostics(exc.diagnostics, prefix="jobguard: ")


def _parse_value(text: str) -> Any:
    """A --param/--global value: JSON when it parses as JSON, otherwise the plain string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _pairs(items: tuple[str, ...], what: str, json_only: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            _fail_input(f"{what} must be NAME=VALUE, got {item!r}")
        if json_only:
            try:
                out[name] = json.loads(value)
            except json.JSONDecodeError as exc:
                _fail_input(f"{what} {name}: invalid JSON: {exc.msg} (column {exc.colno})")
        else:
            out[name] = _parse_value(value)
    return out


def _job_globals(job_file: str | None) -> dict[str, Any]:
    """The Nomad globals ``jobguard check`` gives a policy, for ``job_file`` (or no job) submitted as new."""
    # deferred: only `apply` needs the engine (`fmt` and --help start without it)
    from jobguard.engine.engine import EvalContext, policy_globals

    if not job_file:
        return policy_globals(None, EvalContext())
    # deferred: only `apply` with a job file needs the loader
    from jobguard.jobspec import JobspecError, load_file

    try:
        loaded = load_file(job_file)
    except JobspecError as exc:
        exit_with_diagnostics(exc.diagnostics, prefix="jobguard: ")
    except OSError as exc:
        _fail_input(f"{job_file}: {exc.strerror or exc}")
    return policy_globals(loaded, EvalContext(namespace=str(loaded.canonical.get("Namespace") or "default")))


def _read_policy(path: str):
    # deferred: the compiler loads when a policy is read, not for --help
    from jobguard.lang import PolicySyntaxError, compile_policy

    try:
        source = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail_input(f"{path}: cannot read policy: {getattr(exc, 'strerror', None) or exc}")
    try:
        return compile_policy(source, filename=path)
    except PolicySyntaxError as exc:
        exit_with_diagnostics(exc.diagnostics)


@click.command("apply")
@click.argument("policy", type=click.Path(dir_okay=False))
@click.option("--job", "job_file", type=click.Path(dir_okay=False), help="Job file (HCL or JSON) to evaluate.")
@click.option("--global", "globals_", multiple=True, metavar="NAME=JSON", help="Set a global (repeatable).")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Set a policy param; VALUE is JSON or a plain string (repeatable).")
@click.option("--trace", is_flag=True, help="Print the trace even when the policy passes.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable result on stdout.")
def apply(policy: str, job_file: str | None, globals_: tuple[str, ...], params: tuple[str, ...], trace: bool,
          as_json: bool) -> None:
    """Evaluate one policy, like `sentinel apply`. Exit 0 pass, 1 fail, 2 undefined or bad input, 3 error."""
    # deferred: the runtime loads when `apply` runs, not for `fmt` or --help
    from jobguard.lang import UNDEFINED
    from jobguard.lang.runtime import show

    compiled = _read_policy(policy)
    values = _job_globals(job_file)
    values.update(_pairs(globals_, "--global", json_only=True))
    res = compiled.evaluate(globals=values, params=_pairs(params, "--param", json_only=False),
                            imports=_plugin_imports(), trace=trace)
    if res.error is not None:
        code, status = 3, "error"
    elif res.result is True:
        code, status = 0, "pass"
    elif res.result is UNDEFINED:
        code, status = 2, "undefined"
    else:
        code, status = 1, "fail"
    if as_json:
        click.echo(json.dumps({
            "policy": policy, "result": status, "value": None if res.result is UNDEFINED else res.result,
            "error": None if res.error is None else res.error.to_diagnostic().to_dict(),
            "prints": res.prints, "rules": {k: show(v, False) if not isinstance(v, bool) else v
                                            for k, v in res.rules.items()},
            "trace": res.trace or None,
        }, indent=2))
    else:
        headline = {"pass": "Pass", "fail": "Fail", "undefined": "Fail (undefined)", "error": "Error"}[status]
        if res.trace:
            click.echo(res.trace.rstrip("\n"))
        else:
            click.echo(f"{headline} - {Path(policy).name}")
            for line in res.prints:
                click.echo(line)
        if res.error is not None:
            click.echo(f"jobguard: {res.error}", err=True)
    sys.exit(code)


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-run", "--run", "run", metavar="REGEX",
              help="Only run matching cases: POLICY_REGEX/CASE_REGEX, or one REGEX for policy or case names.")
@click.option("-verbose", "--verbose", "-v", "verbose", is_flag=True, help="Show traces and prints of every case.")
@click.option("--json", "-json", "as_json", is_flag=True, help="Machine-readable results on stdout.")
@click.option("--config", "config", type=click.Path(dir_okay=False), metavar="FILE",
              help="Test the policies of a Sentinel policy set (sentinel.hcl); also accepted as a PATH.")
def test(paths: tuple[str, ...], run: str | None, verbose: bool, as_json: bool, config: str | None) -> None:
    """Run policy test cases in Sentinel's layout, like `sentinel test [PATH...]`: PATHs are policy files,
    folders (their top-level *.sentinel files) or sentinel.hcl policy sets; each policy's cases are
    <dir>/test/<policy>/*.hcl|json. Without a PATH: the policies the nearest jobguard.hcl names (as written by
    `jobguard init`), else the current folder."""
    import re

    # deferred: the test runner loads when `test` runs, not for `fmt` or --help
    from jobguard.lang.testing import find_policies, run_filter, run_policy_tests

    if run:
        try:
            run_filter(run)
        except re.error as exc:
            _fail_input(f"-run: invalid regular expression: {exc}")
    roots = [Path(p) for p in (paths or (() if config else _configured_policies()))]
    for root in roots:
        if not root.exists():
            _fail_input(f"{root}: no such file or directory")
    roots = _expand_policy_sets([*roots, *([Path(config)] if config else [])])
    policies = find_policies(roots)
    if not policies:
        _fail_input("no *.sentinel policies found in " + ", ".join(str(r) for r in roots))
    plugin_imports = _plugin_imports()
    results = [run_policy_tests(p, run=run, extra_imports=plugin_imports) for p in policies]
    broken = any(r.broken for r in results)
    failed = any(not r.passed for r in results)
    if as_json:
        click.echo(json.dumps([{
            "policy": str(r.policy_path), "passed": r.passed, "error": r.error or None,
            "cases": [{"case": str(c.path), "passed": c.passed, "messages": c.messages, "prints": c.prints}
                      for c in r.cases],
        } for r in results], indent=2))
    else:
        _print_results([r for r in results if r.cases or r.error or not run], verbose)
    sys.exit(2 if broken else (1 if failed else 0))


def _configured_policies() -> tuple[str, ...]:
    """What ``jobguard test`` tests by default: the policy files of the nearest ``jobguard.hcl`` (so that ``init``
    then ``test`` agree wherever the config keeps its policies), else the current folder, as ``sentinel test``."""
    import os

    # deferred: only `test` without paths reads the configuration
    from jobguard.engine.config import find_config, load_config
    from jobguard.engine.errors import ConfigError

    path = find_config(".")
    if path is None:
        return (".",)
    try:
        config = load_config(path)
    except ConfigError as exc:
        exit_with_diagnostics(exc.diagnostics, prefix="jobguard: ")
    sources = [p.source for p in config.policies.values() if p.enabled]
    here = os.getcwd()
    shown = [os.path.relpath(src, here) if os.path.abspath(src).startswith(here + os.sep) else src
             for src in sources]
    return tuple(dict.fromkeys(shown)) or (".",)


def _expand_policy_sets(paths: list[Path]) -> list[Path]:
    """A sentinel.hcl among the paths stands for the policy files its policy blocks name."""
    # deferred: only `test` given a sentinel.hcl reads policy sets
    from jobguard.engine.sentinel_set import JOBGUARD_BLOCKS, is_policy_set
    from jobguard.lang.sentinel_config import POLICY_SET_BLOCKS, SentinelConfigError, read_config_file

    out: list[Path] = []
    for path in paths:
        if not (path.is_file() and is_policy_set(path)):
            out.append(path)
            continue
        try:
            policy_set = read_config_file(path, POLICY_SET_BLOCKS, keep=JOBGUARD_BLOCKS)
        except SentinelConfigError as exc:
            exit_with_diagnostics(exc.diagnostics, prefix="jobguard: ")
        for block in policy_set.policies.values():
            if not Path(block.source).is_file():
                _fail_input(f"{path}:{block.line}:{block.column}: policy \"{block.name}\": file not found: "
                            f"{block.source}")
            out.append(Path(block.source))
    return out


def _print_results(results, verbose: bool) -> None:
    total = passed = 0
    for r in results:
        click.echo(f"{'PASS' if r.passed else 'FAIL'} - {r.policy_path}")
        if r.error:
            for line in r.error.splitlines():
                click.echo(f"  {line}")
            continue
        if not r.cases:
            click.echo("  no test cases found")
        for c in r.cases:
            total += 1
            passed += c.passed
            click.echo(f"  {'PASS' if c.passed else 'FAIL'} - {c.path.relative_to(r.policy_path.parent)}")
            for m in c.messages:
                click.echo(f"    {m}")
            if verbose or not c.passed:
                if c.trace:
                    click.echo("")
                    for line in c.trace.rstrip("\n").splitlines():
                        click.echo(f"    {line}" if line else "")
                    click.echo("")
                elif c.prints:
                    for line in c.prints:
                        click.echo(f"    {line}")
    click.echo(f"\n{passed}/{total} test cases passed")


@click.command("fmt")
@click.argument("files", nargs=-1, required=True)
@click.option("--check", is_flag=True, help="Do not write; exit 1 when a file is not formatted.")
def fmt(files: tuple[str, ...], check: bool) -> None:
    """Format policy files in place (`-` reads stdin and writes stdout)."""
    # deferred: `fmt` loads the parser and formatter only, not the engine
    from jobguard.lang import PolicySyntaxError
    from jobguard.lang.formatter import FormatError, format_source

    status = 0
    for name in files:
        stdin = name == "-"
        try:
            source = sys.stdin.read() if stdin else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            click.echo(f"jobguard: {name}: cannot read: {getattr(exc, 'strerror', None) or exc}", err=True)
            status = 2
            continue
        try:
            out = format_source(source, "<stdin>" if stdin else name)
        except PolicySyntaxError as exc:
            for d in exc.diagnostics:
                click.echo(str(d), err=True)
            status = 2
            continue
        except FormatError as exc:
            click.echo(f"jobguard: {name}: {exc}", err=True)
            status = 2
            continue
        if stdin:
            if not check:
                click.echo(out, nl=False)
            elif out != source:
                status = max(status, 1)
            continue
        if out != source:
            if check:
                click.echo(name)
                status = max(status, 1)
            else:
                Path(name).write_text(out, encoding="utf-8")
    sys.exit(status)

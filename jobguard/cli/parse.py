"""``jobguard parse``: print a job file as Nomad's API JSON, like ``nomad job run -output``.

Exit codes: 0 printed, 2 the file is invalid (diagnostics on stderr as ``FILE:LINE:COL: summary; detail``) or a
flag is malformed.
"""

from __future__ import annotations

import json

import click

from jobguard.cli import exit_with_diagnostics


def _parse_var(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        if "=" not in item:
            raise click.BadParameter(f"{item!r} is not K=V", param_hint="--var")
        key, value = item.split("=", 1)
        out[key] = value
    return out


@click.command("parse")
@click.option("--canonical", is_flag=True, help="Print the job after Job.Canonicalize() defaults.")
@click.option("--var", "var", multiple=True, metavar="K=V", help="Set an HCL2 input variable (repeatable).")
@click.option("--var-file", "var_files", multiple=True, metavar="FILE", help="HCL2 variable file (repeatable).")
@click.argument("file")
def parse(canonical: bool, var: tuple[str, ...], var_files: tuple[str, ...], file: str) -> None:
    """Print FILE ("-" for stdin) as {"Job": ...} JSON with 4-space indentation.

    HCL2 (native or JSON syntax) and API JSON are recognised by content. Exit status: 0 printed; 2 the file is
    invalid (every diagnostic on stderr as FILE:LINE:COL: summary; detail) or an option is malformed.
    """
    # deferred (fast `parse --help`): the loader loads when the command runs
    from jobguard.jobspec import JobspecError, load_file

    variables = _parse_var(var)
    try:
        loaded = load_file(file, variables=variables, var_files=var_files)
    except JobspecError as exc:
        exit_with_diagnostics(exc.diagnostics)
    job = loaded.canonical if canonical else loaded.job
    click.echo(go_json({"Job": job}))


_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def go_json(value: object) -> str:
    """JSON as Go's ``json.MarshalIndent(v, "", "    ")`` prints it: UTF-8 kept, HTML characters escaped."""
    text = json.dumps(value, indent=4, ensure_ascii=False)
    for char, escaped in _GO_ESCAPES.items():
        if char in text:
            text = text.replace(char, escaped)
    return text

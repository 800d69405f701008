"""``Submission``: the job source ``nomad job run`` attaches to a registration, which Nomad stores for display.

Nomad schedules only ``Job``; ``Submission.Source`` (the HCL, with ``Variables`` and ``VariableFlags``) is kept so
the UI and ``nomad job inspect`` can show it. jobguard judges ``Job``. A source that disagrees with it runs nothing,
but it misleads whoever reviews the job later, and the UI offers to edit and resubmit it. The proxy setting
``submission`` decides what happens to it:

* ``keep`` (default): forwarded as sent; only ``Job`` is judged;
* ``strip``: removed before forwarding, so what Nomad shows is never a source jobguard did not judge;
* ``verify``: Nomad's own parser (``PUT /v1/jobs/parse``, which never reads files) parses the source with the
  submission's variables and the caller's token; a registration whose source does not produce the judged job
  (fields the CLI sets from flags or the environment excepted), or cannot be parsed that way, is refused (400).

jobguard never parses the source itself: a request can never make the proxy read files on its own host.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from jobguard.jobspec import JobspecError, canonicalize, load_api_job
from jobguard.jobspec.apijson import load_api_json_text
from jobguard.proxy import routing
from jobguard.proxy.upstream import UpstreamError

if TYPE_CHECKING:
    from jobguard.proxy.admission import Decision
    from jobguard.proxy.nomadrequest import NomadRequest
    from jobguard.proxy.upstream import Upstream

MODES = ("keep", "strip", "verify")
# Set by ``nomad job run`` from flags or the environment, not from the source.
_CLI_FIELDS = ("VaultToken", "VaultNamespace", "ConsulToken", "ConsulNamespace", "NomadTokenID")


async def check(upstream: Upstream, mode: str, req: NomadRequest, decision: Decision) -> str | None:
    """Why the registration's source must be refused, or None (always None unless ``mode`` is ``verify``)."""
    if mode != "verify" or req.kind != routing.REGISTER or decision.forward_job is None:
        return None
    sub = req.fields.get("Submission")
    if not sub or not sub.get("Source"):
        return None  # nothing is shown, so nothing can disagree
    fmt = (sub.get("Format") or "hcl2").lower()
    try:
        if fmt == "json":
            parsed = _json_source(sub["Source"])
        elif fmt == "hcl2":
            parsed = await _nomad_parse(upstream, req, sub)
        else:
            return f"Submission.Source could not be verified: format {fmt!r} is not hcl2 or json"
    except _Unverifiable as exc:
        return f"Submission.Source could not be verified: {exc}"
    where = first_difference(_comparable(parsed), _comparable(decision.forward_job))
    if where is None:
        return None
    return (f"Submission.Source does not describe the submitted job (they differ at {where or 'the top'}); "
            "jobguard judges the job, and refuses a source that says otherwise")


class _Unverifiable(Exception):
    pass


def _json_source(source: str) -> dict[str, Any]:
    try:
        return load_api_json_text(source, "Submission.Source").job
    except JobspecError as exc:
        raise _Unverifiable(str(exc)) from None


async def _nomad_parse(upstream: Upstream, req: NomadRequest, sub: dict[str, Any]) -> dict[str, Any]:
    body = {"JobHCL": sub["Source"], "Variables": render_variables(sub.get("Variables") or "",
                                                                     sub.get("VariableFlags") or {}),
            "Canonicalize": False}
    try:
        reply = await upstream.call("PUT", "/v1/jobs/parse", {"namespace": req.namespace, "region": req.region},
                                    req.token, body)
    except UpstreamError as exc:
        raise _Unverifiable(f"Nomad's parser is unreachable: {exc}") from None
    if reply.status != 200 or not isinstance(reply.data, dict):
        raise _Unverifiable(f"Nomad's parser answered {reply.status}: {reply.text.strip()[:300]}")
    try:
        return load_api_job({"Job": reply.data}).job
    except JobspecError as exc:
        raise _Unverifiable(str(exc)) from None


def render_variables(content: str, flags: dict[str, str]) -> str:
    """Var-file content for Nomad's parse endpoint: the submission's var files, then its ``-var`` flags (a value
    that reads as a list or object is an HCL expression, anything else a string, as the CLI treats them)."""
    lines = [content.rstrip("\n")] if content.strip() else []
    for name, value in flags.items():
        literal = value if value.lstrip().startswith(("[", "{")) else json.dumps(value)
        lines.append(f"{name} = {literal}")
    return "\n".join(lines) + ("\n" if lines else "")


def _comparable(job: dict[str, Any]) -> dict[str, Any]:
    out = canonicalize(job)
    for name in _CLI_FIELDS:
        out.pop(name, None)
    return out


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """The API path of the first place ``a`` and ``b`` differ ("" for the top), or None when they are equal."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            found = first_difference(a.get(key), b.get(key), f"{path}.{key}" if path else key)
            if found is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{index}]")
            if found is not None:
                return found
        return None
    return None if a == b else path

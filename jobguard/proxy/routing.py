"""Which requests are job submissions: classify a request the way Nomad's agent routes it.

Why mirror Nomad exactly: the proxy is only a guardrail if every request that Nomad would treat as a job
registration is also treated as one here. Nomad matches ``/v1/jobs`` and ``/v1/validate/job`` exactly and routes
everything under ``/v1/job/`` by *suffix* of the URL-decoded path (``/plan``, ``/scale``, ...), the remainder being
the job ID; so ``/v1/job/a%2Fb/plan`` plans job ``a/b`` and ``/v1/job/x%2Fplan`` plans job ``x``. Go's ServeMux
answers a non-canonical path (``//``, ``.``, ``..``) with a 301 to the cleaned path, which :func:`clean_path`
reproduces so that such paths are never forwarded at all.

The path classified is Go's ``URL.Path`` of the raw request target (:func:`classify_target`, see :mod:`.query`),
not the one aiohttp decodes: Go keeps ``#...`` in the path or query and refuses a bad ``%`` escape outright
(``INVALID`` for a write: answered 400 by the proxy, like Nomad's own server would).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from jobguard.proxy.query import Target, TargetError, parse_target

REGISTER = "register"
PLAN = "plan"
VALIDATE = "validate"
SCALE = "scale"
REVERT = "revert"
DISPATCH = "dispatch"
PASS = "pass"
INVALID = "invalid"  # a target Go's server refuses with 400 before routing

WRITE_METHODS = ("PUT", "POST")

# Suffixes in the order Nomad's JobSpecificRequest tests them; the first match wins.
_JOB_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("/evaluate", PASS),
    ("/allocations", PASS),
    ("/evaluations", PASS),
    ("/periodic/force", PASS),
    ("/plan", PLAN),
    ("/summary", PASS),
    ("/dispatch", DISPATCH),
    ("/versions", PASS),
    ("/revert", REVERT),
    ("/deployments", PASS),
    ("/deployment", PASS),
    ("/stable", PASS),
    ("/scale", SCALE),
    ("/services", PASS),
    ("/submission", PASS),
    ("/actions", PASS),
    ("/action", PASS),
)


@dataclass(frozen=True)
class Route:
    """What a request is: ``kind`` (one of the constants above) and the job ID taken from the path."""

    kind: str
    job_id: str = ""
    target: Target | None = field(default=None, compare=False)

    @property
    def intercepted(self) -> bool:
        return self.kind != PASS


def clean_path(path: str) -> str:
    """Go's ``path.Clean`` as ServeMux applies it (a trailing slash is kept)."""
    if not path:
        return "/"
    if not path.startswith("/"):
        path = "/" + path
    cleaned = posixpath.normpath(path)
    if cleaned.startswith("//"):  # posixpath keeps a leading double slash; Go does not
        cleaned = "/" + cleaned.lstrip("/")
    if path.endswith("/") and cleaned != "/":
        cleaned += "/"
    return cleaned


def classify(method: str, path: str) -> Route:
    """Classify a request by method and *decoded* path. Methods are compared case-insensitively (stricter than Go)."""
    write = method.upper() in WRITE_METHODS
    if not write:
        return Route(PASS)
    if path == "/v1/jobs":
        return Route(REGISTER, "")
    if path == "/v1/validate/job":
        return Route(VALIDATE, "")
    if path.startswith("/v1/job/"):
        rest = path[len("/v1/job/"):]
        for suffix, kind in _JOB_SUFFIXES:
            if rest.endswith(suffix):
                return Route(kind, rest[: -len(suffix)])
        return Route(REGISTER, rest)
    return Route(PASS)


def classify_target(method: str, raw_target: str) -> Route:
    """Classify a request by method and raw target (``request.raw_path``), routing on Go's decoded path; the
    parsed :class:`~jobguard.proxy.query.Target` rides along for the request parser. Reads are relayed whatever
    their target (no job changes; Nomad refuses a target it cannot parse), so they skip the parsing."""
    if method.upper() not in WRITE_METHODS:
        return Route(PASS)
    try:
        target = parse_target(raw_target)
    except TargetError:
        return Route(INVALID)
    route = classify(method, target.path)
    return Route(route.kind, route.job_id, target)

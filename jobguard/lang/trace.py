"""Sentinel-format traces: why a policy passed or failed.

Format (as ``sentinel apply -trace`` prints it)::

    FALSE - restrict-images.sentinel:48:1 - Rule "main"
      FALSE - restrict-images.sentinel:49:3 - restrict_images

    FALSE - restrict-images.sentinel:40:1 - Rule "restrict_images"
      FALSE - restrict-images.sentinel:41:3 - all job.task_groups as tg { ... }

Each evaluated rule is one block (main first); under it, the sub-expressions that decided the value: the
operands of ``and``/``or``/``xor``, nested, and ``all``/``any`` quantifiers, each with its value and position.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jobguard.lang.values import UNDEFINED

if TYPE_CHECKING:  # pragma: no cover
    from jobguard.lang.compiler import TraceEntry, Tracer


def _value(v: Any) -> str:
    if v is True:
        return "TRUE"
    if v is False:
        return "FALSE"
    if v is UNDEFINED:
        return "UNDEFINED"
    from jobguard.lang.runtime import show

    return show(v, top=False)


def _short(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def format_trace(policy, res, tracer: Tracer) -> str:
    base = policy.filename.replace("\\", "/").rsplit("/", 1)[-1]
    out: list[str] = []
    status = "Pass" if res.error is None and res.result is True else "Fail"
    out.append(f"{status} - {base}")
    if policy.description:
        out.append("")
        out.append("Description:")
        out.extend("  " + line for line in policy.description.splitlines())
    if res.prints:
        out.append("")
        out.append("Print messages:")
        out.append("")
        out.extend(res.prints)
    if res.error is not None:
        out.append("")
        out.append(f"Error: {res.error}")
    rules = sorted(tracer.rules, key=lambda r: (r[0].name != "main",))
    for rule, value, kids in rules:
        out.append("")
        out.append(f'{_value(value)} - {base}:{rule.line}:{rule.col} - Rule "{rule.name or "<anonymous>"}"')
        _entries(out, base, kids, 1)
    return "\n".join(out).rstrip() + "\n"


def _entries(out: list[str], base: str, entries: list[TraceEntry], depth: int) -> None:
    for e in entries:
        out.append(f"{'  ' * depth}{_value(e.value)} - {base}:{e.line}:{e.col} - {_short(e.text)}")
        _entries(out, base, e.children, depth + 1)

"""Keep secret values out of policy output.

Rules redact their own messages, but a policy is user code: ``print(task.env)`` or an ``error()`` message can echo
a password from the job into a finding, a CI log or the proxy's response. Before policy text leaves the engine,
every string in the job that the secret scanner (:mod:`jobguard.secretscan`, shared with the rules and the
report snippets) classifies as a secret is replaced by its redacted form.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jobguard.contract import redact
from jobguard.secretscan import secret_kind

MIN_LENGTH = 4  # shorter "secrets" would redact ordinary words all over the message


def secret_values(job: Any) -> list[str]:
    """Secret string values anywhere in ``job`` (longest first, so overlapping secrets redact fully)."""
    found = {value for key, value in _strings(job, "") if len(value) >= MIN_LENGTH and secret_kind(value, key)}
    return sorted(found, key=lambda v: (-len(v), v))


def _strings(value: Any, key: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, str(k))
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, key)


def scrub(text: str, secrets: list[str]) -> str:
    """``text`` with every secret in ``secrets`` replaced by ``****``."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, redact(secret))
    return text

""""Did you mean ...?" hints for mistyped names, shared by every layer that reports an unknown name.

Two matchers, because the messages they reproduce differ:

* :func:`nearest` is HCL's ``nameSuggestion`` rule (edit distance below 3), used where jobguard mirrors Nomad's
  own error text (unknown HCL functions, attributes, blocks). HCL returns the first match in Go map order, i.e.
  arbitrarily; this returns the closest one, ties broken alphabetically (or by the caller's order, when that is
  deterministic), so the hint is deterministic.
* :func:`close_matches` / :func:`did_you_mean` use :mod:`difflib` similarity for jobguard's own names (rule and
  policy IDs in config, suppressions and CLI flags), where a longer ID with a small typo should still be found.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def levenshtein(a: str, b: str) -> int:
    """Edit distance between two strings (insert, delete, substitute; rune-based like agext/levenshtein)."""
    if a == b:
        return 0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def nearest(given: str, names: Iterable[str], max_distance: int = 2, *, keep_order: bool = False) -> str:
    """The name closest to ``given`` within ``max_distance`` edits (HCL's rule), else ``""``.

    Ties go alphabetically, so the hint is deterministic whatever order ``names`` come in; with ``keep_order`` they
    go to the name listed first instead, for callers whose candidate order is itself deterministic and meaningful
    (the HCL loader lists a schema's names in declaration order, as HCL does).
    """
    best = ""
    best_dist = max_distance + 1
    for name in names if keep_order else sorted(names):
        dist = levenshtein(given, name)
        if dist < best_dist:
            best, best_dist = name, dist
    return best


def close_matches(given: str, names: Iterable[str], n: int = 1) -> list[str]:
    """Up to ``n`` known names similar to ``given`` (difflib ratio >= 0.6), best first."""
    return difflib.get_close_matches(given, sorted(names), n=n)


def did_you_mean(given: str, names: Iterable[str]) -> str:
    """``did you mean 'x'?`` for the most similar known name, or ``""`` when nothing is close."""
    hint = close_matches(given, names)
    return f"did you mean {hint[0]!r}?" if hint else ""

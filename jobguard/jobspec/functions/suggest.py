"""HCL's "Did you mean ...?" hint for unknown function names (``hclsyntax.nameSuggestion``).

HCL returns the first name within Levenshtein distance 2 in Go map order (i.e. arbitrarily); this returns the
closest one, ties broken alphabetically, so the hint is deterministic.
"""

from __future__ import annotations


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


def name_suggestion(given: str, names: list[str]) -> str:
    """The known name closest to ``given`` if its distance is below 3, else ``""``."""
    best = ""
    best_dist = 3
    for name in sorted(names):
        dist = levenshtein(given, name)
        if dist < best_dist:
            best, best_dist = name, dist
    return best

"""Go's ``encoding/json`` key folding: which JSON object keys set which struct field.

Go matches a key to a struct field by exact name first, then with ``bytes.EqualFold`` (its ``foldName`` maps every
rune to the smallest rune of its Unicode simple-folding orbit). Simple folding is wider than ASCII case: ``ſ``
(U+017F LATIN SMALL LETTER LONG S) folds with ``s``/``S`` and ``K`` (U+212A KELVIN SIGN) with ``k``/``K``, so
``{"Nameſpace": "prod"}`` sets ``Namespace`` in Nomad. ``str.lower()`` misses both, and ``str.casefold()`` is *full*
folding (``ß`` -> ``ss``), which Go does not do; hence this module.

Every Nomad struct field name is ASCII. Under simple folding only U+017F and U+212A share an orbit with an ASCII
letter, so every other non-ASCII rune can never make a key match an ASCII field name; it is kept as it is.
"""

from __future__ import annotations

# Non-ASCII runes whose simple-fold orbit contains an ASCII letter, mapped to that orbit's smallest rune.
_TO_ASCII = {"\u017f": "S", "\u212a": "K"}


def fold_name(name: str) -> str:
    """The folded form of a JSON key or ASCII field name: equal folded forms <=> Go's ``bytes.EqualFold``."""
    if name.isascii():
        return name.upper()
    return "".join(_TO_ASCII.get(ch, ch) if not ch.isascii() else ch.upper() for ch in name)


__all__ = ["fold_name"]

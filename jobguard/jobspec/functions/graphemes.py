"""Grapheme clusters, the unit cty's string functions count in (``strlen``, ``substr``, ``strrev``, format widths).

Why not code points: cty uses Unicode text segmentation, so ``strlen("é")`` is 1 whether the accent is combined or
not, and an emoji with a skin-tone modifier is one character. This is a compact implementation of the extended
grapheme cluster rules that matter in practice: CR LF, combining marks and spacing marks, zero-width joiner
sequences, variation selectors, emoji modifiers, regional-indicator pairs and Hangul syllable sequences.
"""

from __future__ import annotations

import unicodedata

from jobguard.jobspec.limits import charge_slow_text


def _is_extend(ch: str) -> bool:
    code = ord(ch)
    if code == 0x200D or 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F:
        return True
    if 0xE0100 <= code <= 0xE01EF:
        return True
    return unicodedata.category(ch) in ("Mn", "Me", "Mc")


def _is_regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _hangul_kind(ch: str) -> str:
    code = ord(ch)
    if 0x1100 <= code <= 0x115F or 0xA960 <= code <= 0xA97C:
        return "L"
    if 0x1160 <= code <= 0x11A7 or 0xD7B0 <= code <= 0xD7C6:
        return "V"
    if 0x11A8 <= code <= 0x11FF or 0xD7CB <= code <= 0xD7FB:
        return "T"
    if 0xAC00 <= code <= 0xD7A3:
        return "LV" if (code - 0xAC00) % 28 == 0 else "LVT"
    return ""


def _joins(prev: str, ch: str, ri_run: int) -> bool:
    if prev == "\r" and ch == "\n":
        return True
    if prev in "\r\n" or ch in "\r\n":
        return False
    if _is_extend(ch):
        return True
    if prev == "\u200d":
        return True
    if _is_regional(prev) and _is_regional(ch):
        return ri_run % 2 == 1
    hp, hc = _hangul_kind(prev), _hangul_kind(ch)
    if hp == "L" and hc in ("L", "V", "LV", "LVT"):
        return True
    if hp in ("LV", "V") and hc in ("V", "T"):
        return True
    return hp in ("LVT", "T") and hc == "T"


def graphemes(text: str) -> list[str]:
    """Split ``text`` into grapheme clusters."""
    if text.isascii() and "\r" not in text:
        return list(text)
    charge_slow_text(len(text))  # about a microsecond a character: counted against the file's budget
    out: list[str] = []
    ri_run = 0
    for ch in text:
        if out and _joins(out[-1][-1], ch, ri_run):
            out[-1] += ch
        else:
            out.append(ch)
        ri_run = ri_run + 1 if _is_regional(ch) else 0
    return out


def grapheme_len(text: str) -> int:
    """Number of grapheme clusters in ``text``."""
    if text.isascii() and "\r" not in text:
        return len(text)
    return len(graphemes(text))

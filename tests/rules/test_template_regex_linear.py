"""Template scanning (gotemplate, secretscan) matches Go-template actions with RE2: the text and the delimiters
come from the job, and Python's backtracking engine took seconds on a template of many unclosed ``{{``."""

import time

from jobguard.rules.gotemplate import analyze
from jobguard.secretscan import mask_actions, without_dynamic


def test_unclosed_actions_are_scanned_in_linear_time():
    start = time.perf_counter()
    analyze("{{" * 50_000)
    analyze("[[ x" * 50_000, "[[", "]]")
    mask_actions("{{ /*" * 50_000)
    mask_actions("<% /*" * 50_000, "<%", "%>")
    without_dynamic("{{" * 50_000 + "x")
    assert time.perf_counter() - start < 1.0


def test_actions_are_still_found_with_custom_delimiters():
    assert mask_actions("a {{ .x }} b {{/* c }} */}} d") == "a {{}} b {{}} d"
    assert mask_actions("a [[ .x ]] b [[/* ]] */]] c", "[[", "]]") == "a {{}} b {{}} c"
    assert mask_actions("x (.y.) z", "(.", ".)") == "x {{}} z"  # delimiters with regex metacharacters
    assert analyze('{{ with secret "kv/x" }}{{ .Data.p }}{{ end }}').sources == {"vault"}
    assert without_dynamic("pre {{ .a }} post") == "pre   post"

"""``Finding.status``: the one place a finding's state in a run is decided."""

import pytest

from jobguard.engine.findings import STATUSES, Finding


def _finding(**kw) -> Finding:
    return Finding(**{"rule": "r", "kind": "rule", "enforcement_level": "soft-mandatory", "severity": "low",
                      "message": "m", "file": "f", **kw})


@pytest.mark.parametrize(("kw", "fail_on", "expected"), [
    ({}, "soft-mandatory", "blocking"),
    ({}, "hard-mandatory", "advisory"),
    ({"enforcement_level": "advisory"}, "advisory", "blocking"),
    ({"enforcement_level": "advisory"}, "soft-mandatory", "advisory"),
    ({"enforcement_level": "hard-mandatory", "overridden": True}, "advisory", "overridden"),
    ({"overridden": True, "suppressed": True}, "advisory", "suppressed"),  # a waiver wins over an override
])
def test_status(kw: dict, fail_on: str, expected: str) -> None:
    finding = _finding(**kw)
    assert finding.status(fail_on) == expected in STATUSES
    assert finding.blocking(fail_on) == (expected == "blocking")


def test_unknown_threshold_is_an_error() -> None:
    with pytest.raises(ValueError):
        _finding().status("warn")

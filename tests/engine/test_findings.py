"""``Finding``: the one place a finding's state in a run is decided (``status``), its path as a tuple that only
reports format (``path_text``), and its published form (``to_dict``/``from_dict``)."""

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


def test_path_is_a_tuple_and_reports_read_its_text() -> None:
    finding = _finding(path=("TaskGroups", 0, "Tasks", 1, "Env", "A.B"))
    assert finding.path == ("TaskGroups", 0, "Tasks", 1, "Env", "A.B")
    assert finding.path_text == 'TaskGroups[0].Tasks[1].Env["A.B"]'
    assert _finding().path == () and _finding().path_text == ""


def test_text_or_list_paths_become_the_tuple() -> None:
    assert _finding(path="TaskGroups[0].Env.DB_PASSWORD").path == ("TaskGroups", 0, "Env", "DB_PASSWORD")
    assert _finding(path=["TaskGroups", 0]).path == ("TaskGroups", 0)
    with pytest.raises(ValueError):
        _finding(path="TaskGroups..Env")


def test_to_dict_publishes_the_text_and_round_trips() -> None:
    finding = _finding(path=("Meta", "jobguard.ignore"), redact_value=True, extra={"category": "secrets"})
    data = finding.to_dict()
    assert data["path"] == 'Meta["jobguard.ignore"]' and "redact_value" not in data
    assert list(data) == ["rule", "kind", "enforcement_level", "severity", "message", "file", "line", "column",
                          "job", "path", "suppressed", "overridden", "suppression", "title", "help_uri", "trace",
                          "extra"]
    again = Finding.from_dict(data)
    assert again.path == finding.path and not again.redact_value
    assert Finding.from_dict({**data, "path": list(finding.path), "redact_value": True}) == finding

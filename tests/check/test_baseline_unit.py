import json

import pytest

from jobguard.check.baseline import (BaselineError, apply_baseline, fingerprint, read_baseline, value_hash,
                                     write_baseline)
from jobguard.engine.findings import Finding


def _f(fp, **kw):
    base = dict(rule="no-latest-tag", kind="rule", enforcement_level="soft-mandatory", severity="medium",
                message="m", file="a.nomad", job="web", path="TaskGroups[0].Tasks[0].Config.image",
                extra={"fingerprint": fp})
    base.update(kw)
    return Finding(**base)


def test_value_hash_normalises_and_skips_blocks():
    assert value_hash(" nginx:latest ") == value_hash("nginx:latest") != value_hash("nginx:1.27")
    assert value_hash({"a": 1}) == "" and value_hash(None) == "" and value_hash([{"a": 1}]) == ""
    assert value_hash(["a", "b"]) and value_hash(80) != value_hash("80")
    assert "nginx" not in value_hash("nginx:latest")


def test_fingerprint_depends_on_each_part():
    base = fingerprint("r", "job", "TaskGroups[web]", "h")
    others = [fingerprint("r2", "job", "TaskGroups[web]", "h"), fingerprint("r", "job2", "TaskGroups[web]", "h"),
              fingerprint("r", "job", "TaskGroups[api]", "h"), fingerprint("r", "job", "TaskGroups[web]", "h2")]
    assert len({base, *others}) == 5


def test_write_read_apply_counts_duplicates(tmp_path):
    path = str(tmp_path / "sub" / "baseline.json")
    findings = [_f("a"), _f("a"), _f("b"), _f("c", suppressed=True)]
    assert write_baseline(path, findings) == 3
    with open(path) as fh:
        doc = json.load(fh)
    assert doc["version"] == 1 and [e["fingerprint"] for e in doc["findings"]] == ["a", "a", "b"]
    accepted = read_baseline(path)
    later = [_f("a"), _f("a"), _f("a"), _f("b"), _f("new")]
    out = apply_baseline(later, accepted, path)
    assert [f.suppressed for f in out] == [True, True, False, True, False]
    assert out[0].suppression == {"kind": "baseline", "reason": f"accepted in baseline {path}"}


def test_bad_baselines_are_clear_errors(tmp_path):
    with pytest.raises(BaselineError, match="cannot read baseline"):
        read_baseline(str(tmp_path / "none.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  oops")
    with pytest.raises(BaselineError, match=r"bad.json:2:3: baseline is not valid JSON"):
        read_baseline(str(bad))
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\x00\xff\xfe")
    with pytest.raises(BaselineError, match="not UTF-8"):
        read_baseline(str(binary))
    other = tmp_path / "other.json"
    other.write_text('{"version": 7}')
    with pytest.raises(BaselineError, match="not a jobguard baseline"):
        read_baseline(str(other))

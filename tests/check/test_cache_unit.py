import os

from jobguard.check.cache import CACHE_FORMAT, ResultCache, default_cache_dir, referenced_files
from jobguard.engine.findings import Finding
from jobguard.report.base import FileResult


def _key(**kw):
    args = dict(engine_fingerprint="e1", version="0.1.0", variables={}, var_files=[], only=None, skip=None,
                policy_override=False, environ={})
    args.update(kw)
    return ResultCache.make_run_key(**args)


def test_run_key_changes_with_every_input(tmp_path):
    vf = tmp_path / "prod.vars"
    vf.write_text('image = "a"')
    keys = {_key(), _key(engine_fingerprint="e2"), _key(version="0.2.0"), _key(variables={"a": "1"}),
            _key(var_files=[str(vf)]), _key(only=["x"]), _key(skip=["x"]), _key(policy_override=True),
            _key(environ={"NOMAD_VAR_image": "b"}), _key(today="2030-01-01")}
    assert len(keys) == 10
    before = _key(var_files=[str(vf)])
    vf.write_text('image = "b"')
    assert _key(var_files=[str(vf)]) != before
    assert _key(environ={"HOME": "/x"}) == _key()


def test_file_key_follows_content_path_and_read_files(tmp_path):
    cache = ResultCache(str(tmp_path / "c"), "run")
    (tmp_path / "t.tpl").write_text("v1")
    job = b'job "x" { group "g" { task "t" { template { data = file("t.tpl") } } } }'
    k1 = cache.key("a.nomad", job, str(tmp_path))
    assert k1 == cache.key("a.nomad", job, str(tmp_path))
    assert k1 != cache.key("b.nomad", job, str(tmp_path))
    assert k1 != cache.key("a.nomad", job + b"\n", str(tmp_path))
    (tmp_path / "t.tpl").write_text("v2")
    assert k1 != cache.key("a.nomad", job, str(tmp_path))
    assert cache.key("a.nomad", b'x = file(var.path)', str(tmp_path)) is None  # computed: never cached


def test_referenced_files(tmp_path):
    assert referenced_files('a = file("x")\nb = templatefile("y.tpl", {})', "/nonexistent") == [
        ("x", "missing"), ("y.tpl", "missing")]
    absent = referenced_files('count = fileexists("scale-up") ? 9 : 2', str(tmp_path))
    (tmp_path / "scale-up").write_text("")
    assert absent != referenced_files('count = fileexists("scale-up") ? 9 : 2', str(tmp_path))
    for computed in ('a = file("${path}/x")', "a = file(var.x)", 'a = fileset(".", "*.tpl")',
                     'a = file(pathexpand("~/x"))'):
        assert referenced_files(computed, "/") is None, computed


def test_put_get_round_trip_and_corrupt_entries(tmp_path):
    cache = ResultCache(str(tmp_path / "c"), "run")
    result = FileResult(file="a.nomad", jobs=["a"], lines={3: "x"},
                        findings=[Finding(rule="r", kind="rule", enforcement_level="advisory", severity="low",
                                          message="m", file="a.nomad", line=3, extra={"fingerprint": "f"})])
    cache.put("ab" * 32, result)
    got = cache.get("ab" * 32)
    assert got.cached and got.to_dict() == result.to_dict()
    assert cache.get("cd" * 32) is None and cache.get(None) is None
    with open(os.path.join(str(tmp_path / "c"), "ab", "ab" * 31 + ".json"), "w") as fh:
        fh.write("{broken")
    assert cache.get("ab" * 32) is None


def test_cached_findings_keep_their_path_tuple_and_redact_flag(tmp_path):
    """The cache stores a path as its key list (the text form is not always read back exactly, e.g. a key with a
    dot) and the finding's redact_value, which the report form leaves out."""
    cache = ResultCache(str(tmp_path / "c"), "run")
    path = ("TaskGroups", 0, "Tasks", 0, "Env", "A.B_PASSWORD")
    finding = Finding(rule="r", kind="rule", enforcement_level="advisory", severity="low", message="m",
                      file="a.nomad", path=path, redact_value=True)
    cache.put("ef" * 32, FileResult(file="a.nomad", findings=[finding]))
    got = cache.get("ef" * 32).findings[0]
    assert got.path == path and got.redact_value and got == finding


def test_the_format_is_part_of_the_run_key(monkeypatch):
    """Entries of an older format (a finding's path stored as text) are never read as this format's."""
    key = _key()
    monkeypatch.setattr("jobguard.check.cache.CACHE_FORMAT", str(int(CACHE_FORMAT) - 1))
    assert _key() != key


def test_cache_location_is_the_user_cache_dir_not_the_project(monkeypatch, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home)}
    assert default_cache_dir("/proj", env, "linux") == str(home / ".cache" / "jobguard")
    assert default_cache_dir("/proj", env, "darwin") == str(home / "Library" / "Caches" / "jobguard")
    assert default_cache_dir("/proj", {"LOCALAPPDATA": "C:\\Users\\a\\AppData\\Local"}, "win32").endswith(
        os.path.join("jobguard", "Cache"))
    assert default_cache_dir("/proj", {**env, "XDG_CACHE_HOME": "/xdg"}, "linux") == "/xdg/jobguard"
    assert default_cache_dir("/proj", {**env, "XDG_CACHE_HOME": "relative"}, "linux").startswith(str(home))
    assert default_cache_dir("/proj", {**env, "JOBGUARD_CACHE_DIR": "/explicit"}, "linux") == "/explicit"
    # no usable home (a container user): only then the project, and that directory ignores itself
    assert default_cache_dir("/proj", {}, "linux") == "/proj/.jobguard-cache"
    assert default_cache_dir("/proj", {"HOME": "/"}, "linux") == "/proj/.jobguard-cache"
    monkeypatch.delenv("JOBGUARD_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(home))
    assert default_cache_dir("/proj") == str(home / ".cache" / "jobguard")


def test_a_cache_directory_ignores_itself(tmp_path):
    cache = ResultCache(str(tmp_path / "c"), "run")
    cache.put("ab" * 32, FileResult(file="x.nomad"))
    assert (tmp_path / "c" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (tmp_path / "c" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    (tmp_path / "c" / ".gitignore").write_text("*\n# mine\n")
    ResultCache(str(tmp_path / "c"), "run").put("cd" * 32, FileResult(file="y.nomad"))
    assert (tmp_path / "c" / ".gitignore").read_text() == "*\n# mine\n"  # never overwritten

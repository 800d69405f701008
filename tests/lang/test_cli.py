"""jobguard apply / test / fmt through click (in-process)."""

import json
from pathlib import Path

from click.testing import CliRunner

from jobguard.cli import cli

SUITE = Path(__file__).parent / "fixtures" / "suite"
JOB = Path(__file__).parent / "fixtures" / "jobs" / "web.nomad.hcl"


def invoke(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_apply_exit_codes(tmp_path):
    assert invoke("apply", write(tmp_path, "a.sentinel", "main = rule { true }")).exit_code == 0
    assert invoke("apply", write(tmp_path, "b.sentinel", "main = rule { false }")).exit_code == 1
    assert invoke("apply", write(tmp_path, "c.sentinel", "main = rule { undefined }")).exit_code == 2
    res = invoke("apply", write(tmp_path, "d.sentinel", "main = rule { 1 / 0 }"))
    assert res.exit_code == 3 and "d.sentinel:1:15: division by zero" in res.output


def test_apply_globals_params_and_json(tmp_path):
    pol = write(tmp_path, "p.sentinel", 'param who\nmain = rule { print(who) and job.n == 2 }')
    res = invoke("apply", pol, "--global", 'job={"n": 2}', "--param", "who=world", "--json")
    out = json.loads(res.output)
    assert res.exit_code == 0 and out["result"] == "pass" and out["prints"] == ["world"]
    assert out["rules"] == {"main": True}
    res = invoke("apply", pol, "--global", "job={bad", "--param", "who=x")
    assert res.exit_code == 2 and "invalid JSON" in res.output


def test_apply_trace_and_syntax_error(tmp_path):
    res = invoke("apply", write(tmp_path, "t.sentinel", "main = rule { true }"), "--trace")
    assert res.exit_code == 0 and 'TRUE - t.sentinel:1:1 - Rule "main"' in res.output
    res = invoke("apply", write(tmp_path, "s.sentinel", "main = rule {"))
    assert res.exit_code == 2 and "s.sentinel:1:14: unexpected end of file" in res.output
    res = invoke("apply", str(tmp_path / "missing.sentinel"))
    assert res.exit_code == 2 and "cannot read policy" in res.output


def test_apply_with_job_file(tmp_path):
    pol = write(tmp_path, "j.sentinel", 'main = rule { job.task_groups[0].tasks[0].driver is "docker" }')
    res = invoke("apply", pol, "--job", str(JOB))
    assert res.exit_code == 0, res.output


def test_test_command():
    res = invoke("test", str(SUITE))
    assert res.exit_code == 1
    assert "FAIL - test/clock/expects-wrong.hcl" in res.output and "4/5 test cases passed" in res.output
    res = invoke("test", str(SUITE), "-run", "weekday|pass")
    assert res.exit_code == 0 and "2/2 test cases passed" in res.output
    res = invoke("test", str(SUITE / "images.sentinel"), "--json")
    assert res.exit_code == 0 and json.loads(res.output)[0]["passed"] is True


def test_test_command_bad_input(tmp_path):
    assert invoke("test", str(tmp_path / "nope")).exit_code == 2
    assert invoke("test", str(tmp_path)).exit_code == 2
    assert invoke("test", str(SUITE), "-run", "(").exit_code == 2


def test_test_command_broken_case_file_is_an_input_error(tmp_path):
    """A case file that is not HCL is bad input (exit 2, with a position), not a failed expectation (exit 1)."""
    write(tmp_path, "p.sentinel", "main = rule { true }")
    case = tmp_path / "test" / "p" / "pass.hcl"
    case.parent.mkdir(parents=True)
    case.write_text('mock "x" {\n  data = \n}\n')
    res = invoke("test", str(tmp_path))
    assert res.exit_code == 2
    assert f"{case}:2:10: Argument or block definition required" in res.output and "Token(" not in res.output
    case.write_bytes(b"\xff\xfe")
    assert invoke("test", str(tmp_path)).exit_code == 2


def test_fmt(tmp_path):
    p = write(tmp_path, "f.sentinel", "main=rule{true}\n")
    assert invoke("fmt", "--check", p).exit_code == 1
    assert invoke("fmt", p).exit_code == 0
    assert Path(p).read_text() == "main = rule { true }\n"
    assert invoke("fmt", "--check", p).exit_code == 0
    res = invoke("fmt", "-", input="x=1")
    assert res.exit_code == 0 and res.output == "x = 1\n"
    bad = write(tmp_path, "bad.sentinel", "x = (\n")
    res = invoke("fmt", bad)
    assert res.exit_code == 2 and "bad.sentinel:2:1" in res.output
    assert Path(bad).read_text() == "x = (\n"


def test_test_command_takes_files_folders_and_policy_sets(tmp_path):
    """Like `sentinel test PATH...`: policy files and folders (each policy once), and a sentinel.hcl's policies."""
    write(tmp_path, "a.sentinel", "main = rule { true }")
    write(tmp_path, "b.sentinel", "main = rule { false }")
    (tmp_path / "test" / "b").mkdir(parents=True)
    write(tmp_path, "test/b/fail.hcl", "test {\n  rules = { main = false }\n}\n")
    res = invoke("test", str(tmp_path / "b.sentinel"), str(tmp_path), "--json")
    assert [Path(r["policy"]).name for r in json.loads(res.output)] == ["b.sentinel", "a.sentinel"]
    assert res.exit_code == 0
    policy_set = write(tmp_path, "sentinel.hcl", 'policy "b" {\n  source = "./b.sentinel"\n}\n')
    res = invoke("test", policy_set, "--json")
    out = json.loads(res.output)
    assert res.exit_code == 0 and [(Path(r["policy"]).name, [c["passed"] for c in r["cases"]]) for r in out] == [
        ("b.sentinel", [True])]
    assert invoke("test", "--config", policy_set).exit_code == 0
    write(tmp_path, "sentinel.hcl", 'policy "c" {\n  source = "./c.sentinel"\n}\n')
    res = invoke("test", policy_set)
    assert res.exit_code == 2 and f"{policy_set}:1:1: policy \"c\": file not found" in res.output


def test_test_command_run_filter_splits_policy_and_case(tmp_path):
    for name in ("a", "b"):
        write(tmp_path, f"{name}.sentinel", "main = rule { true }")
        (tmp_path / "test" / name).mkdir(parents=True)
        for case in ("pass", "other"):
            write(tmp_path, f"test/{name}/{case}.hcl", "")
    res = invoke("test", str(tmp_path), "-run", "^b$/pass", "--json")
    assert [(Path(r["policy"]).name, [Path(c["case"]).name for c in r["cases"]]) for r in json.loads(res.output)] == [
        ("a.sentinel", []), ("b.sentinel", ["pass.hcl"])]


def test_test_command_module_problems_are_input_errors(tmp_path):
    write(tmp_path, "p.sentinel", 'import "m"\nmain = rule { m.ok }')
    (tmp_path / "test" / "p").mkdir(parents=True)
    write(tmp_path, "test/p/c.hcl", 'module "m" {\n  source = "m.sentinel"\n}\n')
    write(tmp_path, "test/p/m.sentinel", "ok = \n")
    res = invoke("test", str(tmp_path))
    assert res.exit_code == 2 and f'{tmp_path}/test/p/m.sentinel:2:1: module "m":' in res.output
    write(tmp_path, "test/p/m.sentinel", "ok = true\n")
    assert invoke("test", str(tmp_path)).exit_code == 0

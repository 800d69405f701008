from jobguard.report.base import FileResult, RunResult, finding_status

from .conftest import make_finding


def test_status_of_each_state():
    assert finding_status(make_finding(), "soft-mandatory") == "blocking"
    assert finding_status(make_finding(enforcement_level="advisory"), "soft-mandatory") == "advisory"
    assert finding_status(make_finding(enforcement_level="advisory"), "advisory") == "blocking"
    assert finding_status(make_finding(enforcement_level="soft-mandatory"), "hard-mandatory") == "advisory"
    assert finding_status(make_finding(overridden=True), "advisory") == "overridden"
    assert finding_status(make_finding(suppressed=True), "advisory") == "suppressed"


def test_summary_counts_and_exit_code(sample_run):
    s = sample_run.summary()
    assert (s["files"], s["jobs"], s["findings"]) == (3, 2, 5)
    assert (s["blocking"], s["advisory"], s["overridden"], s["suppressed"]) == (2, 1, 1, 1)
    assert s["errors"] == 2
    assert s["by_enforcement_level"] == {"advisory": 1, "soft-mandatory": 2, "hard-mandatory": 1}
    assert sample_run.exit_code() == 2  # input errors win over blocking findings


def test_exit_codes_without_input_errors(sample_run, clean_run):
    sample_run.errors = []
    sample_run.files = sample_run.files[:2]
    assert sample_run.exit_code() == 1
    sample_run.fail_on = "hard-mandatory"
    assert sample_run.exit_code() == 1  # the secret is hard-mandatory
    assert clean_run.exit_code() == 0
    clean_run.files[0].failed_closed = True  # a policy hit a runtime error
    assert clean_run.exit_code() == 1
    clean_run.files.append(FileResult(file="x", internal_error=True))
    assert clean_run.exit_code() == 3


def test_file_result_round_trips_through_dict(sample_run):
    for fr in sample_run.files:
        again = FileResult.from_dict(fr.to_dict())
        assert again.to_dict() == fr.to_dict()


def test_bad_fail_on_is_rejected():
    import pytest

    with pytest.raises(ValueError):
        RunResult(fail_on="strict")

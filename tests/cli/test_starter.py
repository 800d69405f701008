import pytest

from jobguard.cli.starter import STARTER_CONFIG, STARTER_POLICY, StarterExistsError, write_starter


def test_starter_refuses_to_overwrite(tmp_path):
    written = write_starter(str(tmp_path))
    assert [p[len(str(tmp_path)) + 1:] for p in written] == ["jobguard.hcl", "policies/example.sentinel",
                                                             "policies/test/example/pass.hcl",
                                                             "policies/test/example/fail.hcl"]
    assert (tmp_path / "jobguard.hcl").read_text() == STARTER_CONFIG
    assert (tmp_path / "policies" / "example.sentinel").read_text() == STARTER_POLICY
    (tmp_path / "jobguard.hcl").write_text("# mine")
    with pytest.raises(StarterExistsError, match="jobguard.hcl"):
        write_starter(str(tmp_path))
    assert (tmp_path / "jobguard.hcl").read_text() == "# mine"
    write_starter(str(tmp_path), force=True)
    assert (tmp_path / "jobguard.hcl").read_text() == STARTER_CONFIG


def test_starter_picks_the_recommended_profile(tmp_path):
    from jobguard.engine import Engine

    write_starter(str(tmp_path))
    assert '\nrules = "recommended"\n' in STARTER_CONFIG
    engine = Engine.load(config_path=str(tmp_path / "jobguard.hcl"))
    assert engine.config.profile == "recommended"
    levels = {active.id: active.enforcement_level for active in engine.rules}
    assert levels["resources-declared"] == "advisory" and levels["no-privileged-containers"] == "hard-mandatory"

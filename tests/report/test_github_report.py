from jobguard.report.github import GithubReporter, command, escape_data, escape_property


def test_escaping_follows_the_actions_toolkit():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_command_leaves_out_empty_properties():
    assert command("error", "boom", file="a.nomad", line=0, col=0, title="") == "::error file=a.nomad::boom"


def test_findings_become_annotations(sample_run):
    lines = GithubReporter().render(sample_run).splitlines()
    assert lines[0] == "::error file=missing/,title=jobguard%3A invalid input::no such file or directory"
    assert lines[1].startswith("::error file=jobs/broken.nomad,line=4,col=3,")
    secret = next(line for line in lines if "no-inline-secrets" in line)
    assert secret.startswith("::error file=jobs/web.nomad.hcl,line=12,col=9,title=no-inline-secrets (hard-mandatory)::")
    assert any(line.startswith("::notice ") and "restrict-images" in line for line in lines)
    assert not any("host networking" in line for line in lines)  # suppressed: no annotation


def test_multiline_messages_and_odd_file_names_stay_one_command(sample_run):
    lines = GithubReporter().render(sample_run).splitlines()
    redis = next(line for line in lines if "redis" in line)
    assert redis.startswith("::warning file=jobs/api%3Av2%2Cnew.nomad,line=3,col=7,")
    assert "[overridden]" in redis
    assert "has no tag%0Asecond line, with comma: yes 100%25" in redis
    assert len(lines) == 6


def test_quiet_keeps_errors_and_blocking_only(sample_run):
    lines = GithubReporter(quiet=True).render(sample_run).splitlines()
    assert all(line.startswith("::error ") for line in lines) and len(lines) == 4

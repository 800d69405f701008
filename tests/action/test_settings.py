"""The action's inputs as the scripts receive them (environment variables set by action.yml)."""

import pytest

from jobguard.action.settings import InputError, Settings


def test_defaults_and_word_splitting():
    s = Settings.from_env({"INPUT_PATHS": "jobs/\n 'more jobs'", "INPUT_ARGS": "--var env=prod --skip x",
                           "INPUT_ONLY_CHANGED": "true", "GITHUB_WORKSPACE": "/ws"})
    assert s.paths == ["jobs/", "more jobs"]
    assert s.args == ["--var", "env=prod", "--skip", "x"]
    assert s.only_changed and s.fail_on == "soft-mandatory" and s.sarif_file == "jobguard.sarif"


@pytest.mark.parametrize("env,message", [
    ({"INPUT_FAIL_ON": "sometimes"}, "fail-on"),
    ({"INPUT_ONLY_CHANGED": "yes"}, "only-changed"),
    ({"INPUT_ARGS": "--var 'unterminated"}, "cannot split"),
    ({"INPUT_SARIF_FILE": "a.sarif\nfindings=0"}, "line breaks"),
])
def test_bad_inputs_are_clear_errors(env, message):
    with pytest.raises(InputError, match=message):
        Settings.from_env(env)

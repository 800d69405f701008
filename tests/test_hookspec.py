"""Every hook spec is typed and documented: plugin authors read hookspec.py as the API reference."""

import inspect

from jobguard import hookspec


def _specs():
    return [obj for name, obj in vars(hookspec).items()
            if name.startswith("jobguard_") and inspect.isfunction(obj)]


def test_every_hook_is_typed_and_documented() -> None:
    specs = _specs()
    assert {s.__name__ for s in specs} == {"jobguard_rules", "jobguard_policy_imports", "jobguard_reporters"}
    for spec in specs:
        assert inspect.signature(spec).return_annotation is not inspect.Signature.empty, spec.__name__
        assert ":return:" in (spec.__doc__ or "") and "Called" in spec.__doc__, spec.__name__

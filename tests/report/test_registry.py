import pluggy
import pytest

from jobguard import hookspec
from jobguard.report.base import Reporter
from jobguard.report.registry import BUILTIN_FORMATS, UnknownFormatError, available_formats, get_reporter


class CountReporter(Reporter):
    name = "count"

    def render(self, results):
        return f"{len(results.findings)} findings\n"


class Plugin:
    @hookspec.hookimpl
    def jobguard_reporters(self):
        return {"count": CountReporter, "json": CountReporter}  # a plugin cannot replace a built-in


def _pm():
    pm = pluggy.PluginManager(hookspec.PROJECT)
    pm.add_hookspecs(hookspec)
    pm.register(Plugin())
    return pm


def test_every_builtin_format_loads():
    for name in BUILTIN_FORMATS:
        reporter = get_reporter(name)
        assert reporter.name == name and isinstance(reporter, Reporter)


def test_plugin_formats_are_found(sample_run):
    pm = _pm()
    assert available_formats(pm) == [*BUILTIN_FORMATS, "count"]
    assert get_reporter("count", plugin_manager=pm).render(sample_run) == "5 findings\n"
    assert get_reporter("json", plugin_manager=pm).__class__.__name__ == "JsonReporter"


def test_unknown_format_names_the_choices():
    with pytest.raises(UnknownFormatError, match="unknown format 'yaml' \\(available: text, json, sarif"):
        get_reporter("yaml", plugin_manager=_pm())

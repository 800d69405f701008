"""Report formats for ``jobguard check``: one module per format, all implementing :class:`Reporter`.

Built-ins: text, json, sarif, junit, github, markdown. Plugins add formats through the ``jobguard_reporters`` hook
(see :mod:`jobguard.hookspec`); :func:`get_reporter` finds both.
"""

from jobguard.report.base import FileResult, Reporter, RunResult, finding_status
from jobguard.report.registry import available_formats, get_reporter

__all__ = ["FileResult", "Reporter", "RunResult", "available_formats", "finding_status", "get_reporter"]

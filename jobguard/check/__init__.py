"""The run orchestration behind ``jobguard check``: discovery, parallel evaluation, cache and baseline.

Used by the CLI and by other fronts that check files (the GitHub Action)::

    from jobguard.check import CheckOptions, Runner
    result = Runner(CheckOptions(paths=["jobs/"], jobs=2)).run()   # -> jobguard.report.RunResult
    result.exit_code()
"""

from jobguard.check.runner import CheckOptions, Runner

__all__ = ["CheckOptions", "Runner"]

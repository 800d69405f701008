"""The loaded job: what every later stage (engine, reports, proxy) receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jobguard.jobspec.sourcemap import SourceMap


@dataclass
class LoadedJob:
    """A job as Nomad builds it, plus where each part came from.

    ``job``        the API job exactly as ``nomad job run -output`` prints it (the object under "Job": PascalCase,
                   every field, nulls included).
    ``canonical``  the same job after the api package's ``Job.Canonicalize()`` (what ``POST /v1/jobs/parse``
                   with ``Canonicalize: true`` returns). Policies and rules look at this one.
    ``source_map`` API path -> file:line:col (empty for jobs that arrived over HTTP without a file).
    ``file``       the path as the user gave it ("-" for stdin, "<request>" in the proxy).
    ``source``     the text it was loaded from (for showing offending lines and reading suppression comments).
    ``format``     "hcl2" or "json".
    ``variables``  the HCL2 input variables after defaults/--var/--var-file/NOMAD_VAR_* (values as loaded), used by
                   rules that follow secrets through variable defaults.
    ``variable_sources`` name -> where its effective value was set ("default", "cli", "file", "env").
    """

    file: str
    job: dict[str, Any]
    canonical: dict[str, Any]
    source_map: SourceMap
    source: str = ""
    format: str = "hcl2"
    variables: dict[str, Any] = field(default_factory=dict)
    variable_sources: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.canonical.get("ID") or self.job.get("ID") or "")

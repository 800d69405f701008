"""``no-inline-secrets``: secret values written into the job itself.

Whatever is in a job spec is stored in Nomad's state, shown by ``nomad job inspect``, kept in git and printed in CI
logs; a secret there is a leaked secret. The rule looks everywhere a value can hide (env, meta at every level,
inline templates, driver config, artifact URLs/options/headers, check headers) and follows HCL variable defaults
into the job. It reports *where* and *what kind*, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from jobguard.jobspec.sourcemap import Path, format_path
from jobguard.rules import walk
from jobguard.rules.base import Rule, RuleContext, Violation
from jobguard.secretscan import (
    is_credential_key,
    is_path,
    is_trivial,
    literal_credential,
    scan_text,
    secret_kind,
    url_credentials,
)

_MIN_VARIABLE_SECRET = 4
_FLAG = re.compile(r"^--?([A-Za-z][A-Za-z0-9_.-]*)(?:\s+(\S.*))?$")


def job_strings(job: dict[str, Any]) -> Iterator[tuple[Path, str, str, str]]:
    """``(path, key, value, where)`` for every place of a job where a secret may be written inline.

    ``where`` is a short human label ("env", "meta", "driver config", ...). Template data is yielded whole (its
    lines are scanned separately)."""
    for mpath, meta in walk.metas(job):
        for path, key, value in walk.strings(meta, mpath):
            yield path, key, value, "meta"
    for tpath, _group, task in walk.tasks(job):
        for path, key, value in walk.strings(walk.as_dict(task.get("Env")), tpath + ("Env",)):
            yield path, key, value, "env"
        for path, key, value in walk.strings(walk.as_dict(task.get("Config")), tpath + ("Config",)):
            yield path, key, value, "driver config"
    for spath, _group, _task, svc in walk.services(job):
        for field in ("Meta", "CanaryMeta"):
            for path, key, value in walk.strings(walk.as_dict(svc.get(field)), spath + (field,)):
                yield path, key, value, "service meta"
    for cpath, _group, _task, _svc, check in walk.checks(job):
        for path, key, value in walk.strings(walk.as_dict(check.get("Header")), cpath + ("Header",)):
            yield path, key, value, "check header"
        for field in ("Path", "Body"):
            if isinstance(check.get(field), str):
                yield cpath + (field,), field, check[field], "check " + field.lower()
    for apath, _group, _task, art in walk.artifacts(job):
        if isinstance(art.get("GetterSource"), str):
            yield apath + ("GetterSource",), "source", art["GetterSource"], "artifact source"
        for field in ("GetterOptions", "GetterHeaders"):
            label = "artifact " + ("options" if field == "GetterOptions" else "headers")
            for path, key, value in walk.strings(walk.as_dict(art.get(field)), apath + (field,)):
                yield path, key, value, label


class NoInlineSecrets(Rule):
    id = "no-inline-secrets"
    title = "No secret values written into the job"
    severity = "critical"
    enforcement_level = "hard-mandatory"
    category = "secrets"
    redact_value = True  # its findings point at the secret: reports mask those lines
    rationale = ("A job spec is stored in Nomad's state, returned by `nomad job inspect` to anyone with read-job, "
                 "committed to git and printed in CI logs. A secret written into it is a leaked secret.")
    remediation = ("Read the secret at runtime with a `template` block from Vault (`secret`) or Nomad Variables "
                   "(`nomadVar`), render it under `secrets/` and, if the application wants it in the environment, "
                   "set `env = true` on the template.")
    docs = """\
Finds secret values written into the job: task `env`, `meta` (job, group, task, service), inline template
`data`, driver `config` (recursively: `args`, `command`, `auth`, `labels`, ...), artifact sources with credentials
(`https://user:pass@host/...`), artifact `options` and `headers`, service check `header`s, and HCL variable
defaults whose value ends up in the job.

A value is a secret when detect-secrets recognises it (AWS/GitHub/Slack/Stripe/... token formats, private keys,
JWTs, URLs with a password, high-entropy strings), when it is a HashiCorp token (`hvs.`, `hvb.`, legacy `s.`
Vault tokens; a UUID under a token/secret-named key, i.e. a Nomad or Consul secret ID), or when a key named like a
credential (`DB_PASSWORD`, `apiKey`, `client_secret`, ...) holds a literal. Not secrets: runtime interpolations
`${...}`, Go-template calls `{{ ... }}`, paths, digests and checksums, image references, URLs without credentials.
The finding names the place and the kind of secret, never the value.

Bad:
```hcl
task "api" {
  env {
    DB_PASSWORD = "hunter2-prod"
  }
}
```

Good:
```hcl
task "api" {
  vault {}
  template {
    data        = <<EOT
DB_PASSWORD={{ with secret "kv/data/api" }}{{ .Data.data.db_password }}{{ end }}
EOT
    destination = "secrets/db.env"
    perms       = "0400"
    env         = true
  }
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        job = ctx.job
        reported: set[Path] = set()
        var_secrets = _variable_secrets(ctx)
        flagged_args = _values_after_credential_flags(job)
        for path, key, value, where in job_strings(job):
            message = None
            if path in flagged_args and literal_credential(_FLAG.sub(lambda m: m.group(2) or "", value)):
                message = f"{where} {format_path(path)} holds an inline secret (value of a credential flag)"
            for var_name, var_value in var_secrets:
                if var_value in value:
                    message = (f"the default of variable {var_name!r} is a secret and reaches the job's {where} at "
                               f"{format_path(path)}; do not give secret variables a default in the job file")
                    break
            if message is None:
                kind = _kind_at(key, value, where)
                if kind:
                    message = f"{where} {format_path(path)} holds an inline secret ({kind})"
            if message and path not in reported:
                reported.add(path)
                yield Violation(message, path)
        for tpath, _group, _task, tmpl in walk.templates(job):
            text = tmpl.get("EmbeddedTmpl")
            if not isinstance(text, str) or not text:
                continue
            path = tpath + ("EmbeddedTmpl",)
            delims = (str(tmpl.get("LeftDelim") or "{{"), str(tmpl.get("RightDelim") or "}}"))
            lines = [f"{lineno} ({kind})" for lineno, kind in scan_text(text, *delims)]
            for var_name, var_value in var_secrets:
                if var_value in text:
                    lines.append(f"default of variable {var_name!r}")
            if lines:
                yield Violation(f"template data {format_path(path)} holds inline secrets on line "
                                f"{', '.join(lines)}", path)


def _kind_at(key: str, value: str, where: str) -> str | None:
    if where == "artifact source":
        return url_credentials(value)
    if where in ("check path", "check body"):
        return url_credentials(value) or (secret_kind(value) if "=" in value else None)
    if where == "driver config" and key in ("args", "command", "entrypoint"):
        # argument lists: `--password=x`, `-e DB_PASSWORD=x`, or a token format anywhere
        hits = list(scan_text(value))
        return hits[0][1] if hits else secret_kind(value)
    return secret_kind(value, key)


def _values_after_credential_flags(job: dict[str, Any]) -> set[Path]:
    """Paths of ``args`` items holding the value of a credential flag: the item after ``"--password"``, or an item
    ``"--token VALUE"`` written as one string."""
    out: set[Path] = set()
    for tpath, _group, task in walk.tasks(job):
        args = walk.as_list(walk.as_dict(task.get("Config")).get("args"))
        for i, arg in enumerate(args):
            if not isinstance(arg, str):
                continue
            m = _FLAG.match(arg.strip())
            if not m or not is_credential_key(m.group(1)):
                continue
            if m.group(2):
                out.add(tpath + ("Config", "args", i))
            elif i + 1 < len(args) and not str(args[i + 1]).startswith("-"):
                out.add(tpath + ("Config", "args", i + 1))
    return out


def _variable_secrets(ctx: RuleContext) -> list[tuple[str, str]]:
    """(name, value) of HCL variables whose *default* (written in the job file) is a secret."""
    loaded = ctx.loaded
    out: list[tuple[str, str]] = []
    for name, value in (loaded.variables or {}).items():
        if (loaded.variable_sources or {}).get(name) != "default":
            continue
        for _path, _key, text in walk.strings(value, (), name):
            text = text.strip()
            if len(text) < _MIN_VARIABLE_SECRET or is_trivial(text) or is_path(text):
                continue
            if (is_credential_key(name) and literal_credential(text)) or secret_kind(text, name):
                out.append((name, text))
    return out

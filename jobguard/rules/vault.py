"""``vault-templates-required``: credentials reach tasks through Vault or Nomad Variables templates only.

Where ``no-inline-secrets`` looks at *values*, this rule looks at *names*: anything called like a credential
(``DB_PASSWORD``, ``API_KEY``, ``client_secret``) in env, meta or driver config must be rendered at runtime from a
secret store with access control and audit (Vault, Nomad Variables), not typed in, passed as an HCL variable (which
lands in the job in plain text) or read from Consul KV (not a secret store: no encryption at rest, broad ACLs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from jobguard.jobspec.sourcemap import Path, format_path
from jobguard.rules import walk
from jobguard.rules.base import Rule, RuleContext, Violation
from jobguard.rules.gotemplate import CONSUL_KV, SECRET_SOURCES, VAULT, TemplateInfo, normalize_dest, template_info
from jobguard.secretscan import (
    is_credential_key,
    is_digest,
    is_path,
    is_pointer_key,
    is_trivial,
    literal_credential,
    text_assignments,
)

_REF = re.compile(r"\$\{(?:env\.)?([A-Za-z_][A-Za-z0-9_]*)\}")


class _TaskTemplates:
    """What a task's templates provide: env vars (with where their values come from) and rendered files."""

    def __init__(self, tpath: Path, task: dict[str, Any]):
        self.items: list[tuple[Path, dict[str, Any], TemplateInfo]] = []
        self.env: dict[str, tuple[Path, int, set[str], bool, str]] = {}
        self.dests: dict[str, set[str]] = {}
        for i, tmpl in enumerate(walk.as_list(task.get("Templates"))):
            if not isinstance(tmpl, dict):
                continue
            path = tpath + ("Templates", i)
            info = template_info(tmpl)
            self.items.append((path, tmpl, info))
            if isinstance(tmpl.get("DestPath"), str):
                self.dests[normalize_dest(tmpl["DestPath"])] = info.sources
            if tmpl.get("Envvars"):
                for name, (lineno, line, value) in info.env_vars().items():
                    self.env.setdefault(name, (path, lineno, line.sources, line.has_actions, value))

    def dest_sources(self, value: str) -> set[str] | None:
        target = normalize_dest(value)
        for dest, sources in self.dests.items():
            if target == dest or target.endswith("/" + dest) or dest.endswith("/" + target):
                return sources
        return None


class VaultTemplatesRequired(Rule):
    id = "vault-templates-required"
    title = "Credentials come from Vault or Nomad Variables templates"
    severity = "high"
    enforcement_level = "soft-mandatory"
    category = "secrets"
    rationale = ("Credentials belong in a secret store with access control, audit and rotation. A literal, an HCL "
                 "variable (rendered into the job in plain text) or Consul KV (no encryption, broad ACLs) is not "
                 "one. A template that reads Vault also needs a `vault` block, or the task gets no token.")
    remediation = ("Render the credential with a `template` that reads Vault (`secret`, `pkiCert`) or Nomad "
                   "Variables (`nomadVar`), into `secrets/`, with `env = true` or a `*_FILE` variable pointing at "
                   "the file; add a `vault` block to the task, group or job when the template reads Vault.")
    docs = """\
Every key named like a credential (PASSWORD, PASSWD, SECRET, TOKEN, API_KEY, APIKEY, PRIVATE_KEY, CREDENTIALS,
ACCESS_KEY, ... as a word of the name, any case; not `*_TTL`, `*_PATH`, ... which describe a credential) in task
`env`, `meta` (job, group, task) or driver `config` must get its value through a `template` that reads Vault
(`secret`, `secrets`, `pkiCert`) or Nomad Variables (`nomadVar`): an env var set by such a template with
`env = true`, a `${VAR}` interpolation of one, or a `*_FILE` key pointing at its rendered file. Reported: literals,
values that come from HCL variables, credentials read from Consul KV (`key`, `keyOrDefault`, `tree`, `ls`) in any
template, and templates that read Vault in a task without a `vault` block (on the task, group or job).

Bad:
```hcl
task "api" {
  env { API_TOKEN = var.api_token }
  template {
    data        = "DB_PASSWORD={{ key \\"app/db/password\\" }}"
    destination = "secrets/db.env"
    env         = true
  }
}
```

Good:
```hcl
task "api" {
  vault {}
  template {
    data        = <<EOT
{{ with secret "kv/data/api" }}API_TOKEN={{ .Data.data.token }}{{ end }}
DB_PASSWORD={{ with nomadVar "nomad/jobs/api" }}{{ .db_password }}{{ end }}
EOT
    destination = "secrets/app.env"
    perms       = "0400"
    env         = true
  }
  env { TLS_KEY_FILE = "${NOMAD_SECRETS_DIR}/tls.key" }
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        job = ctx.job
        variables = _variable_values(ctx)
        for mpath, meta in walk.metas(job):
            for path, key, value in walk.strings(meta, mpath):
                if is_credential_key(key):
                    problem = _literal_problem(value, variables, key)
                    if problem:
                        yield Violation(f"meta {format_path(path)} is a credential {problem}; meta is not a secret "
                                        "channel: render it from Vault or Nomad Variables in a template", path)
        for tpath, group, task in walk.tasks(job):
            yield from self._check_task(job, group, task, tpath, variables)

    def _check_task(self, job, group, task, tpath: Path, variables: dict[str, str]) -> Iterator[Violation]:
        tt = _TaskTemplates(tpath, task)
        has_vault = walk.task_vault(job, group, task) is not None
        for path, _tmpl, info in tt.items:
            if VAULT in info.sources and not has_vault:
                yield Violation(f"template {format_path(path)} reads Vault but task {task.get('Name')!r} has no "
                                "vault block (task, group or job), so it gets no Vault token", path)
            yield from _consul_kv_credentials(path, info)
        for name, (path, lineno, _sources, has_actions, value) in tt.env.items():
            if not is_credential_key(name):
                continue
            if not has_actions and literal_credential(value.strip("\"'")):
                yield Violation(f"env var {name} is set to a literal on line {lineno} of template "
                                f"{format_path(path)}; read it from Vault or Nomad Variables", path)
        for field, label in (("Env", "env"), ("Config", "driver config")):
            for path, key, value in walk.strings(walk.as_dict(task.get(field)), tpath + (field,)):
                message = self._check_value(key, value, tt, variables)
                if message:
                    yield Violation(f"{label} {format_path(path)} {message}", path)

    @staticmethod
    def _check_value(key: str, value: str, tt: _TaskTemplates, variables: dict[str, str]) -> str | None:
        if is_pointer_key(key):
            if not is_path(value) and "${" not in value:
                return None
            sources = tt.dest_sources(value)
            if sources is not None and not sources & SECRET_SOURCES:
                origin = "Consul KV" if CONSUL_KV in sources else "a template that reads no secret store"
                return f"points at a file rendered from {origin}; render it from Vault or Nomad Variables"
            return None
        if not is_credential_key(key):
            return None
        refs = _REF.findall(value)
        if refs:
            for ref in refs:
                if ref in tt.env:
                    tpath, _lineno, sources, has_actions, _v = tt.env[ref]
                    if sources & SECRET_SOURCES or (has_actions and CONSUL_KV not in sources):
                        continue  # read from a secret store, or passed through from elsewhere at runtime
                    origin = "Consul KV" if CONSUL_KV in sources else "a literal"
                    return (f"is a credential taken from ${{{ref}}}, which template {format_path(tpath)} sets from "
                            f"{origin}")
            return None
        return _literal_problem(value, variables, key)


def _literal_problem(value: str, variables: dict[str, str], key: str = "") -> str | None:
    """Why a credential-named value is not acceptable (no value in the text), or None. A digest of a credential
    (``ADMIN_PASSWORD_SHA256``) is not the credential."""
    if "${" in value or "{{" in value or is_trivial(value) or is_digest(value.strip(), key):
        return None
    stripped = value.strip()
    for name, var_value in variables.items():
        if stripped == var_value:
            return (f"set from HCL variable {name!r}; variables are written into the job in plain text "
                    "(visible in `nomad job inspect`)")
    if literal_credential(value):
        return "written as a literal"
    return None


def _consul_kv_credentials(path: Path, info: TemplateInfo) -> Iterator[Violation]:
    for lineno, line in enumerate(info.lines, 1):
        if CONSUL_KV not in line.sources or line.sources & SECRET_SOURCES:
            continue
        for _l, name, _value in text_assignments(line.masked):
            if is_credential_key(name):
                yield Violation(f"template {format_path(path)} reads credential {name} from Consul KV on line "
                                f"{lineno}; Consul KV is not a secret store: use Vault or Nomad Variables", path)
                break


def _variable_values(ctx: RuleContext) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in (ctx.loaded.variables or {}).items():
        if isinstance(value, str) and value.strip() and not is_trivial(value):
            out[name] = value.strip()
    return out

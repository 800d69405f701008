"""Rules about where rendered secrets land: the task's ``secrets/`` directory, readable by the task only.

``secrets/`` is a per-task in-memory (tmpfs/ramfs) directory that other tasks of the allocation and
``nomad alloc fs`` cannot read; ``local/`` and ``alloc/`` are on disk and browsable. A template that renders
Vault or Nomad Variables data belongs there, with permissions that do not let every user of the task read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from jobguard.jobspec.sourcemap import Path, format_path
from jobguard.rules import walk
from jobguard.rules.base import Rule, RuleContext, Violation
from jobguard.rules.gotemplate import normalize_dest, template_info


def secret_templates(job: dict) -> Iterator[tuple[Path, dict, dict]]:
    """(path, task, template) of templates that render Vault or Nomad Variables data."""
    for path, _group, task, tmpl in walk.templates(job):
        if template_info(tmpl).reads_secrets:
            yield path, task, tmpl


class SecretTemplatesInSecretsDir(Rule):
    id = "secret-templates-in-secrets-dir"
    title = "Templates with secrets render into secrets/"
    severity = "high"
    enforcement_level = "soft-mandatory"
    category = "secrets"
    rationale = ("Files under `local/` or `alloc/` are on the client's disk and readable with `nomad alloc fs`; "
                 "`secrets/` is in memory and private to the task.")
    remediation = "Set `destination = \"secrets/<file>\"` (or `${NOMAD_SECRETS_DIR}/<file>`)."
    docs = """\
A template that reads Vault (`secret`, `pkiCert`) or Nomad Variables (`nomadVar`) must have its destination under
`secrets/` (env templates too: the rendered file stays on disk).

Bad:
```hcl
template {
  data        = "{{ with secret \\"kv/data/db\\" }}{{ .Data.data.password }}{{ end }}"
  destination = "local/db-password"
}
```

Good:
```hcl
vault {}
template {
  data        = "{{ with secret \\"kv/data/db\\" }}{{ .Data.data.password }}{{ end }}"
  destination = "secrets/db-password"
  perms       = "0400"
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for path, task, tmpl in secret_templates(ctx.job):
            dest = normalize_dest(str(tmpl.get("DestPath") or ""))
            if not dest.startswith("secrets/"):
                yield Violation(f"template {format_path(path)} of task {task.get('Name')!r} renders secrets outside "
                                "secrets/", path + ("DestPath",))


class SecretTemplatesNotWorldReadable(Rule):
    id = "secret-templates-not-world-readable"
    title = "Templates with secrets are not world-readable"
    severity = "medium"
    enforcement_level = "soft-mandatory"
    category = "secrets"
    rationale = ("Templates default to `perms = \"644\"`: any user inside the task (and any process sharing the "
                 "mount) can read the rendered secret.")
    remediation = "Set `perms = \"0400\"` or `\"0440\"` (with `uid`/`gid` of the process that needs it)."
    docs = """\
A template that reads Vault or Nomad Variables must set `perms` without any permission for "other"
(the last octal digit is 0). Nomad's default is 0644.

Bad:
```hcl
template {
  data        = "{{ with nomadVar \\"nomad/jobs/api\\" }}{{ .token }}{{ end }}"
  destination = "secrets/token"
}
```

Good:
```hcl
template {
  data        = "{{ with nomadVar \\"nomad/jobs/api\\" }}{{ .token }}{{ end }}"
  destination = "secrets/token"
  perms       = "0400"
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for path, task, tmpl in secret_templates(ctx.job):
            perms = str(tmpl.get("Perms") or "0644").strip()
            try:
                mode = int(perms, 8)
            except ValueError:
                continue
            if mode & 0o007:
                yield Violation(f"template {format_path(path)} of task {task.get('Name')!r} renders secrets with "
                                f"perms {perms}, readable by other users", path + ("Perms",))

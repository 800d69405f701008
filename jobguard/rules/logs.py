"""Logging rule: task logs stay collected."""

from __future__ import annotations

from collections.abc import Iterable

from jobguard.rules import walk
from jobguard.rules.base import Rule, RuleContext, Violation


class LogsEnabled(Rule):
    id = "logs-enabled"
    title = "Task log collection is not disabled"
    severity = "low"
    enforcement_level = "advisory"
    category = "observability"
    rationale = ("With `logs { disabled = true }` Nomad's logmon does not collect stdout/stderr: `nomad alloc logs` "
                 "and log shippers see nothing when the task misbehaves.")
    remediation = "Remove `disabled = true` (or `enabled = false`) from the task's `logs` block."
    docs = """\
A task's `logs` block must not disable log collection (`disabled = true`, or the deprecated `enabled = false`).

Bad:
```hcl
logs {
  disabled = true
}
```

Good:
```hcl
logs {
  max_files     = 5
  max_file_size = 20
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for tpath, _group, task in walk.tasks(ctx.job):
            logs = walk.as_dict(task.get("LogConfig"))
            if logs.get("Disabled") or logs.get("Enabled") is False:
                key = "Disabled" if logs.get("Disabled") else "Enabled"
                yield Violation(f"task {task.get('Name')!r} disables log collection", tpath + ("LogConfig", key))

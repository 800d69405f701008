"""Job metadata rules: the keys a platform needs to know who owns a job and how to reach them."""

from __future__ import annotations

from collections.abc import Iterable

from jobguard.rules import walk
from jobguard.rules.base import Rule, RuleContext, Violation, params_object, string_list


class RequiredMetaKeys(Rule):
    id = "required-meta-keys"
    title = "Jobs carry the required meta keys"
    severity = "low"
    enforcement_level = "advisory"
    category = "metadata"
    rationale = ("Ownership and contact metadata (`owner`, `team`, `runbook`, ...) is what lets an on-call engineer "
                 "act on an alert about a job they did not write.")
    remediation = "Add the missing keys to the job's `meta` block."
    params_schema = params_object(
        keys={**string_list("Meta keys every job must set (non-empty)."), "uniqueItems": True},
        allow_group_level={"type": "boolean",
                           "description": "A key also counts when every group sets it in its own meta."},
    )
    default_params = {"keys": ["owner"], "allow_group_level": True}
    docs = """\
The job's `meta` must set every key in `keys` (default: `owner`) to a non-empty value. With
`allow_group_level` (default true) a key set in every group's `meta` counts too.

Bad:
```hcl
job "api" {
  meta { version = "2" }
}
```

Good:
```hcl
job "api" {
  meta {
    owner = "team-payments"
  }
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        params = self.effective_params(ctx)
        job = ctx.job
        job_meta = walk.as_dict(job.get("Meta"))
        group_metas = [walk.as_dict(g.get("Meta")) for _, g in walk.groups(job)]
        for key in params.get("keys") or []:
            if str(job_meta.get(key) or "").strip():
                continue
            if params.get("allow_group_level") and group_metas and all(str(m.get(key) or "").strip()
                                                                       for m in group_metas):
                continue
            yield Violation(f"job meta is missing required key {key!r}", ("Meta",))

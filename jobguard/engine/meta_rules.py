"""Rules about suppressions themselves, registered like any plugin rule.

These findings come from the engine's suppression pass (:mod:`jobguard.engine.suppressions`), not from looking at
the job, because only the engine knows the configured rules, ``non_waivable`` settings and config exceptions. They
are declared as rules anyway so they can be listed (``jobguard rules``), documented, given an enforcement level
in ``jobguard.hcl`` and described in SARIF like every other finding.
"""

from __future__ import annotations

from collections.abc import Iterable

from jobguard.hookspec import hookimpl
from jobguard.contract import Rule, RuleContext, Violation


class EngineRule(Rule):
    """A rule whose findings the engine produces; :meth:`check` has nothing to look at on its own."""

    produced_by_engine = True
    category = "suppressions"

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        return ()


class InvalidSuppression(EngineRule):
    id = "invalid-suppression"
    title = "Suppression is malformed or not allowed"
    severity = "medium"
    enforcement_level = "soft-mandatory"
    rationale = ("A waiver must say why it exists, name a real rule and not target a non-waivable rule; otherwise it "
                 "hides problems without an audit trail. Such a suppression has no effect.")
    remediation = 'Write `# jobguard:ignore RULE-ID reason="why" [expires=YYYY-MM-DD]`, or remove the comment.'
    docs = """\
Reported where a suppression is written when it does not apply:

* no reason: `# jobguard:ignore no-inline-secrets` (needs `reason="..."`), or a `jobguard.ignore` meta entry
  without `RULE-ID: reason`;
* an unknown rule ID or policy name;
* an unreadable `expires` date;
* a comment that is not followed by a block or attribute;
* a rule configured `non_waivable = true` in `jobguard.hcl`.

Good:

```hcl
# jobguard:ignore no-inline-secrets reason="public demo key" expires=2027-01-31
env { DEMO_KEY = "..." }
```

Bad:

```hcl
# jobguard:ignore no-inline-secrets
env { DEMO_KEY = "..." }
```
"""


class ExpiredSuppression(EngineRule):
    id = "expired-suppression"
    title = "Suppression has expired"
    severity = "low"
    enforcement_level = "advisory"
    rationale = "Waivers are temporary by design; once expired they stop working so the original finding returns."
    remediation = "Fix the underlying finding and remove the suppression, or extend `expires` with a new reason."
    docs = """\
A comment suppression, a `jobguard.ignore` meta entry or a config `exception` whose `expires` date has passed.
The suppression no longer applies (the finding it used to waive is reported again) and this finding says where
the stale waiver is.

```hcl
# jobguard:ignore no-latest-tag reason="migrating" expires=2020-01-01   <- expired: no longer applies
```
"""


@hookimpl
def jobguard_rules() -> list[Rule]:
    return [InvalidSuppression(), ExpiredSuppression()]

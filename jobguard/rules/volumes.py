"""Volume rules: CSI volumes shared for writing by many nodes."""

from __future__ import annotations

from collections.abc import Iterable

from jobguard.rules import walk
from jobguard.rules.base import Rule, RuleContext, Violation


class CsiSingleWriter(Rule):
    id = "csi-single-writer"
    title = "CSI volumes are not claimed multi-node-multi-writer"
    severity = "medium"
    enforcement_level = "advisory"
    category = "storage"
    rationale = ("`multi-node-multi-writer` lets every allocation on every node write the same volume at once; "
                 "unless the application coordinates writers, data gets corrupted.")
    remediation = ("Use `single-node-writer` (one writer) or `multi-node-single-writer`, or mount read-only "
                   "(`read_only = true` with a reader access mode).")
    docs = """\
Group `volume` blocks of type `csi` must not request `access_mode = "multi-node-multi-writer"` unless they are
read-only.

Bad:
```hcl
volume "data" {
  type        = "csi"
  source      = "shared-data"
  access_mode = "multi-node-multi-writer"
}
```

Good:
```hcl
volume "data" {
  type        = "csi"
  source      = "db-data"
  access_mode = "single-node-writer"
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for gpath, group in walk.groups(ctx.job):
            for name, vol in walk.as_dict(group.get("Volumes")).items():
                vol = walk.as_dict(vol)
                if vol.get("Type") != "csi" or vol.get("ReadOnly"):
                    continue
                if vol.get("AccessMode") == "multi-node-multi-writer":
                    yield Violation(f"CSI volume {name!r} of group {group.get('Name')!r} is claimed "
                                    "multi-node-multi-writer", gpath + ("Volumes", name, "AccessMode"))

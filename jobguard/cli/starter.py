"""What ``jobguard init`` writes: a starter ``jobguard.hcl`` and a first policy to edit.

The starter is meant to be read: every block says what it does, it picks the ``recommended`` rule profile (the one a
team can adopt on day one, see :mod:`jobguard.engine.profiles`), and it only uses the seed rules and a policy that
works on any job, so ``jobguard check`` runs right after ``init``.
"""

from __future__ import annotations

import os

CONFIG_NAME = "jobguard.hcl"
POLICY_PATH = os.path.join("policies", "example.sentinel")
# Sentinel's test layout (<policy dir>/test/<policy>/*.hcl): `jobguard test` right after `init` runs these
TEST_DIR = os.path.join("policies", "test", "example")

STARTER_CONFIG = """\
# jobguard configuration: which policies and rules run, and how strictly.
# Enforcement levels (as in Sentinel): advisory (report only), soft-mandatory (fails unless --policy-override),
# hard-mandatory (always fails). `jobguard rules` lists every rule; `jobguard rules ID` shows one.

# Rule profile. "recommended": the mission rules (no inline secrets, Vault templates, Connect networking, approved
# artifact sources) and critical security rules (privileged containers, host namespaces and mounts, dangerous
# capabilities, raw_exec) block; every other built-in rule is advisory. "all": every rule at its own level.
# "none": only the rules that have a rule block below run (like Sentinel: nothing you did not ask for).
rules = "recommended"

# A Sentinel policy: source is relative to this file; params are the policy's `param` declarations.
policy "example" {
  source            = "./policies/example.sentinel"
  enforcement_level = "soft-mandatory"
  params            = { max_memory_mb = 4096 }
}

# A rule block sets a rule's level whatever the profile says; tighten or relax rules one by one.
rule "no-inline-secrets" {
  enforcement_level = "hard-mandatory"
}

rule "connect-requires-bridge" {
  enforcement_level = "hard-mandatory"
}

rule "approved-artifact-sources" {
  enforcement_level = "soft-mandatory"
  params = {
    allowed = ["https://releases.hashicorp.com/"]
  }
}

# Turn a rule off entirely:
# rule "vault-templates-required" { enabled = false }

# Waive rules for some jobs, with a reason and an end date:
# exception "legacy-batch" {
#   rules   = ["no-inline-secrets"]
#   jobs    = ["legacy-*"]
#   reason  = "moving to Vault by Q1"
#   expires = "2027-03-31"
# }
"""

STARTER_POLICY = """\
# Every task must keep its memory reservation at or below max_memory_mb.
# Edit me: policies see the job as `job` (snake_case keys, like Nomad's Sentinel integration).

param max_memory_mb default 4096

memory_within_limit = rule {
  all job.task_groups as tg {
    all tg.tasks as t {
      t.resources.memory_mb <= max_memory_mb
    }
  }
}

main = rule {
  memory_within_limit
}
"""


STARTER_TEST_PASS = """\
# A job whose tasks stay within max_memory_mb: main is true. Run with `jobguard test`.
global "job" {
  value = {
    task_groups = [{ tasks = [{ resources = { memory_mb = 256 } }] }]
  }
}

test {
  rules = {
    main = true
  }
}
"""

STARTER_TEST_FAIL = """\
# A task above max_memory_mb (4096 by default): main is false.
global "job" {
  value = {
    task_groups = [{ tasks = [{ resources = { memory_mb = 256 } }, { resources = { memory_mb = 8192 } }] }]
  }
}

test {
  rules = {
    main = false
  }
}
"""


class StarterExistsError(FileExistsError):
    """A file ``init`` would write already exists and ``--force`` was not given."""


def write_starter(directory: str, force: bool = False) -> list[str]:
    """Write the starter files into ``directory``; returns their paths. Checks both before writing either."""
    targets = [(os.path.normpath(os.path.join(directory, CONFIG_NAME)), STARTER_CONFIG),
               (os.path.normpath(os.path.join(directory, POLICY_PATH)), STARTER_POLICY),
               (os.path.normpath(os.path.join(directory, TEST_DIR, "pass.hcl")), STARTER_TEST_PASS),
               (os.path.normpath(os.path.join(directory, TEST_DIR, "fail.hcl")), STARTER_TEST_FAIL)]
    if not force:
        existing = [path for path, _ in targets if os.path.exists(path)]
        if existing:
            raise StarterExistsError(f"{', '.join(existing)} already exists")
    for path, text in targets:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    return [path for path, _ in targets]

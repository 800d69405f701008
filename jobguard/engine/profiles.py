"""Rule profiles: ``rules = "recommended" | "all" | "none"`` at the top of ``jobguard.hcl``.

Why profiles: the built-in rule pack mixes guardrails a platform team must enforce from day one (a secret in the
job, a privileged container) with hygiene a team adopts over time (health checks, resources, ``auto_revert``).
Running all of them at their own levels denied plain, harmless jobs at the proxy, so teams switched jobguard off
instead of adopting it. A profile picks a level for every rule that has no ``rule`` block:

* ``recommended`` (the default): the rules in :data:`RECOMMENDED_BLOCKING` keep their own (blocking) level,
  every other built-in rule is reported as ``advisory``. Rules from installed plugins keep their own level: a
  team installed them on purpose.
* ``all``: every rule at its own level (jobguard's behaviour before profiles existed).
* ``none``: only the rules that have a ``rule`` block (or that ``--only`` names) run, at their own level unless
  the block sets one; policies run as configured. This is what a Sentinel user expects: nothing is checked that
  was not asked for.

A ``rule`` block's ``enforcement_level`` always wins over the profile. docs/configuration.md justifies the list.
"""

from __future__ import annotations

PROFILES = ("recommended", "all", "none")
DEFAULT_PROFILE = "recommended"

#: Built-in rules that keep their blocking level under ``recommended``: the mission rules (secrets stay out of job
#: specs and come from Vault, Connect networking that works, artifacts from approved places) and the security rules
#: whose violation hands a workload the node or lets a third party swap the code it runs.
RECOMMENDED_BLOCKING = frozenset({
    # mission: secrets
    "no-inline-secrets",
    "vault-templates-required",
    # mission: Consul Connect networking (Nomad itself rejects most of these at submit time)
    "connect-requires-bridge",
    "connect-service-name-lowercase",
    "connect-unique-upstream-binds",
    "expose-checks-need-sidecar",
    # mission: approved artifact sources, fetched over verified TLS
    "approved-artifact-sources",
    "artifact-transport-secure",
    # critical security: root on the node or an escape from isolation
    "no-privileged-containers",
    "no-sensitive-host-mounts",
    "no-host-namespaces",
    "no-dangerous-capabilities",
    "no-raw-exec",
})

#: Plugins whose rules are jobguard's own (the profile applies to them; other plugins keep their levels).
BUILTIN_PLUGINS = frozenset({"builtin-rules", "jobguard.rules", "jobguard.engine.meta_rules"})


def runs(profile: str, configured: bool) -> bool:
    """Does a rule run under ``profile``? ``configured``: it has a ``rule`` block or ``--only`` names it.
    (``enabled = false`` in its block is checked by the caller: it wins everywhere.)"""
    return configured or profile != "none"


def default_level(profile: str, rule_id: str, own_level: str, plugin: str) -> str:
    """The level of a rule whose ``rule`` block (if any) sets no ``enforcement_level``."""
    if profile != "recommended" or plugin not in BUILTIN_PLUGINS or rule_id in RECOMMENDED_BLOCKING:
        return own_level
    return "advisory"

"""The e2e suite's Nomad job files: one compliant base job and a table of small variations of it.

Each variation is the base job with its own header comment, job ID and a few edits, each edit the one deliberate
difference the tests look for. ``write_jobs(dest)`` renders them all into ``dest/<name>.nomad.hcl``;
``e2e_support`` does that once per test session into a temporary copy of ``fixtures/``.

An edit is ``(old, new)``: ``old`` is literal text or a compiled pattern (see ``span``) that must match the text
exactly once, so that a change to ``BASE`` cannot silently turn an edit into a no-op.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# GOOD: the compliant skeleton every other job is derived from (its first line is replaced by each header).
BASE = ('''\
# GOOD: meets every guardrail of ../jobguard.hcl.
job "e2e-good" {
  datacenters = ["dc1"]
  namespace   = "payments"

  meta {
    owner = "alice"
    team  = "payments"
  }

  update {
    max_parallel = 1
    auto_revert  = true
  }

  group "api" {
    count = 2

    constraint {
      operator = "distinct_hosts"
      value    = "true"
    }

    network {
      port "http" {
        to = 8080
      }
    }

    service {
      name = "e2e-good"
      port = "http"

      check {
        type     = "http"
        path     = "/healthz"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "api" {
      driver = "docker"

      config {
        image          = "registry.example.com/payments/api:1.4.2@sha256:'''  # one line in the file
    '''0f3c2a1b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"
        ports          = ["http"]
        readonly_rootfs = true
      }

      artifact {
        source = "https://releases.example.com/tools/migrate/1.0.0/migrate.tgz"
        options {
          checksum = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
        }
      }

      resources {
        cpu    = 200
        memory = 256
      }
    }
  }
}
''')
BASE_JOB_ID = "e2e-good"

Edit = tuple["str | re.Pattern[str]", str]


def after(anchor: str, added: str) -> Edit:
    """Insert ``added`` right after ``anchor``."""
    return anchor, anchor + added


def before(anchor: str, added: str) -> Edit:
    """Insert ``added`` right before ``anchor``."""
    return anchor, added + anchor


def span(first: str, last: str) -> re.Pattern[str]:
    """From ``first`` up to and including the nearest following ``last``."""
    return re.compile(re.escape(first) + ".*?" + re.escape(last), re.S)


PRIVILEGED = after("        readonly_rootfs = true\n", "        privileged      = true\n")


@dataclass(frozen=True)
class Variant:
    header: str  # the first line, without "# "
    edits: tuple[Edit, ...] = ()
    job_id: str | None = None  # default: "e2e-<name>"


VARIANTS: dict[str, Variant] = {
    "good": Variant("GOOD: meets every guardrail of ../jobguard.hcl."),
    "advisory": Variant(
        "ADVISORY ONLY: runs in the default namespace (advisory policy + advisory rule); exit 0.",
        (('  namespace   = "payments"\n', ""),),
    ),
    "artifact": Variant(
        "BAD: an artifact from a look-alike host that is not on the allow-list.",
        (("https://releases.example.com/tools/", "https://releases.example.com.evil.net/tools/"),),
    ),
    "commented": Variant(
        "SUPPRESSED BY COMMENT: an HCL comment waives the privileged flag (the comment exists only in the file).",
        (after("        readonly_rootfs = true\n",
               '        # jobguard:ignore no-privileged-containers reason="vendor appliance, reviewed by secops"\n'
               "        privileged      = true\n"),),
    ),
    "connect-host": Variant(
        "BAD: a Consul Connect sidecar in a group whose network is in host mode.",
        (after("    network {\n", '      mode = "host"\n'),
         after('      port = "http"\n', "\n      connect {\n        sidecar_service {}\n      }\n")),
    ),
    "expired": Variant(
        "EXPIRED: a task-level waiver (meta block form) that expired: the finding blocks again and the expiry is "
        "reported.",
        (before("      config {\n",
                "      meta {\n"
                '        jobguard_ignore = "no-privileged-containers: vendor appliance expires=2020-01-31"\n'
                "      }\n\n"),
         PRIVILEGED),
    ),
    "group-waiver": Variant(
        "GROUP WAIVER: group-level meta waives the privileged flag for every task of the group.",
        (before("    constraint {\n",
                "    meta = {\n"
                '      "jobguard.ignore" = "no-privileged-containers: PCI appliance, reviewed by secops (SEC-991) '
                'expires=2099-01-01"\n'
                "    }\n\n"),
         PRIVILEGED),
    ),
    "inline-secret": Variant(
        "BAD: a database password written into the job (hard-mandatory rule no-inline-secrets).",
        (before("\n      resources {\n",
                '\n      env {\n        DB_PASSWORD = "Tr0ub4dor&3-correct-horse-battery"\n      }\n'),),
    ),
    "legacy": Variant(
        "EXCEPTION: raw_exec is waived for legacy-* jobs by the config's exception block.",
        (after('  namespace   = "payments"\n', '  type        = "batch"\n'),
         (span("  update {\n", '      driver = "docker"\n'),
          '  group "report" {\n    task "report" {\n      driver = "raw_exec"\n'),
         (span("        image ", "        }\n      }\n"), '        command = "/usr/local/bin/report"\n      }\n'),
         ("cpu    = 200\n        memory = 256\n", "cpu    = 100\n        memory = 128\n")),
        job_id="legacy-report",
    ),
    "policy": Variant(
        "BAD: count 6 exceeds the max-count policy (hard-mandatory, param max = 4).",
        (("count = 2\n", "count = 6\n"),),
    ),
    "privileged": Variant(
        "BAD: a privileged docker container (hard-mandatory rule).",
        (PRIVILEGED,),
    ),
    "soft": Variant(
        "SOFT: image outside the company registry (soft-mandatory policy); passes with --policy-override.",
        (("registry.example.com/payments/", "registry.example.com.mirror.io/payments/"),),
    ),
    "suppressed": Variant(
        "SUPPRESSED: privileged, waived through the jobguard.ignore meta key (survives into API JSON).",
        (('  meta {\n    owner = "alice"\n    team  = "payments"\n',
          '  meta = {\n    owner             = "alice"\n    team              = "payments"\n'
          '    "jobguard.ignore" = "no-privileged-containers: needs raw sockets for the PCI appliance"\n'),
         PRIVILEGED),
    ),
}


def _apply(text: str, old: str | re.Pattern[str], new: str, name: str) -> str:
    pattern = old if isinstance(old, re.Pattern) else re.compile(re.escape(old))
    matches = len(pattern.findall(text))
    if matches != 1:
        raise ValueError(f"job variant {name!r}: edit {pattern.pattern!r} matches {matches} times, not once")
    return pattern.sub(lambda _m: new, text)


def render(name: str) -> str:
    """The text of ``<name>.nomad.hcl``."""
    variant = VARIANTS[name]
    text = BASE
    for old, new in variant.edits:
        text = _apply(text, old, new, name)
    text = f"# {variant.header}\n" + text.split("\n", 1)[1]
    return text.replace(f'"{BASE_JOB_ID}"', f'"{variant.job_id or "e2e-" + name}"')


def write_jobs(dest: Path) -> list[Path]:
    """Write every variant to ``dest/<name>.nomad.hcl`` (creating ``dest``); returns the paths written."""
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name in VARIANTS:
        path = dest / f"{name}.nomad.hcl"
        path.write_text(render(name), encoding="utf-8", newline="\n")
        written.append(path)
    return written

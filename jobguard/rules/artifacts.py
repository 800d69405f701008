"""Artifact rules: where tasks download code from, and whether the download is verified.

An ``artifact`` is code the client fetches and runs with the task's privileges; its source is as sensitive as the
image. Sources are parsed the way go-getter reads them (forced getter ``git::``, scheme, host, path; schemeless
GitHub/Bitbucket/S3/GCS shorthands) so that an allow-list entry means exactly what it says.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from jobguard.jobspec.sourcemap import format_path
from jobguard.rules import walk
from jobguard.rules.base import Rule, RuleContext, Violation, allow_list_hint, params_object, string_list

_FORCED = re.compile(r"^([A-Za-z0-9]+)::(.*)$", re.S)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", re.S)
_SCP_GIT = re.compile(r"^([A-Za-z0-9._-]+)@([A-Za-z0-9.-]+):(.*)$")
_DEFAULT_PORTS = {"http": "80", "https": "443", "ssh": "22", "git": "9418"}
_SHORTHANDS = (  # go-getter's detectors for schemeless sources
    (re.compile(r"^(github\.com|bitbucket\.org)/"), "git", "https"),
    (re.compile(r"^([A-Za-z0-9.-]*\.)?s3[.-][A-Za-z0-9.-]*amazonaws\.com/|^s3\.amazonaws\.com/"), "s3", "https"),
    (re.compile(r"^www\.googleapis\.com/storage/"), "gcs", "https"),
)


class SourceError(ValueError):
    """A source that cannot be judged safely (ambiguous host, traversal, encoded tricks, ...)."""


@dataclass(frozen=True)
class Source:
    """A normalised artifact source or allow-list entry. ``local`` sources have only a path."""

    getter: str        # forced getter ("git", "s3", ...) or "" for the scheme's default
    scheme: str        # "https", "ssh", "file", ... ("" for a local path)
    host: str          # lowercase, no userinfo
    port: str          # explicit or the scheme's default
    path: str          # decoded, starts with "/" for URLs
    local: bool = False
    has_userinfo: bool = False

    def describe(self) -> str:
        if self.local:
            return f"local path {self.path}"
        port = f":{self.port}" if self.port and self.port != _DEFAULT_PORTS.get(self.scheme) else ""
        return (f"{self.getter}::" if self.getter else "") + f"{self.scheme}://{self.host}{port}{self.path}"


def _clean_path(raw: str) -> str:
    """Decode percent-encoding once and refuse anything that could mean a different path than it shows."""
    if "\\" in raw:
        raise SourceError("backslash in path")
    decoded = unquote(raw)
    if "%" in decoded and re.search(r"%[0-9A-Fa-f]{2}", decoded):
        raise SourceError("double percent-encoding")
    if re.search(r"%2f|%5c|%2e", raw, re.I):
        raise SourceError("percent-encoded separator or dot")
    if any(seg == ".." for seg in decoded.split("/")):
        raise SourceError("'..' path traversal")
    return decoded


def parse_source(text: str, entry: bool = False) -> Source:
    """Parse an artifact source (or, with ``entry``, an allow-list entry, whose host may be ``*.domain``) the way
    go-getter would route it."""
    src = text.strip()
    getter = ""
    m = _FORCED.match(src)
    if m:
        getter, src = m.group(1).lower(), m.group(2)
    src = src.split("#", 1)[0]
    m = _SCHEME.match(src)
    if not m:
        scp = _SCP_GIT.match(src)
        if scp and "/" not in scp.group(1):
            return _build(getter or "git", "ssh", scp.group(2), "/" + scp.group(3), entry)
        for rx, forced, scheme in _SHORTHANDS:
            if rx.match(src):
                host, _, rest = src.partition("/")
                return _build(getter or forced, scheme, host, "/" + rest, entry)
        path = src.split("?", 1)[0]
        if path.startswith("file://"):
            path = path[len("file://"):]
        return Source(getter, "", "", "", _normalize_local(_clean_path(path)), local=True)
    scheme, rest = m.group(1).lower(), m.group(2)
    if scheme == "file":
        return Source(getter, "", "", "", _normalize_local(_clean_path(rest.split("?", 1)[0])), local=True)
    authority, _, path = rest.partition("/")
    authority = authority.split("?", 1)[0]
    return _build(getter, scheme, authority, "/" + path, entry)


def _build(getter: str, scheme: str, authority: str, path: str, entry: bool = False) -> Source:
    userinfo = "@" in authority
    hostport = authority.rsplit("@", 1)[-1]
    if "%" in hostport or "\\" in hostport or "${" in hostport or not hostport:
        raise SourceError("host is missing, encoded or interpolated")
    host, port = hostport, ""
    if hostport.startswith("["):
        host, _, port = hostport[1:].partition("]")
        port = port.lstrip(":")
    elif ":" in hostport:
        host, port = hostport.rsplit(":", 1)
    host = host.lower().rstrip(".")
    if entry and host.startswith("*."):
        host = "*." + host[2:]
    elif not re.fullmatch(r"[a-z0-9.:-]+", host):
        raise SourceError("host has unexpected characters")
    port = port or _DEFAULT_PORTS.get(scheme, "")
    return Source(getter, scheme, host, port, _clean_path(path.split("?", 1)[0]), has_userinfo=userinfo)


def _normalize_local(path: str) -> str:
    return posixpath.normpath(path) if path else path


def _path_within(path: str, prefix: str) -> bool:
    """Path-segment aware prefix test: ``/org`` and ``/org/`` contain ``/org/x`` but not ``/org-evil/x``."""
    if prefix in ("", "/"):
        return True
    base = prefix.rstrip("/")
    return path == base or path.startswith(base + "/")


def _host_matches(host: str, pattern: str) -> bool:
    """Exact host, or ``*.example.com`` for any subdomain (not ``example.com`` itself, never a suffix trick)."""
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and host != pattern[2:]
    return host == pattern


def source_allowed(src: Source, entry: Source) -> bool:
    if src.local != entry.local:
        return False
    if src.local:
        return _path_within(src.path, entry.path)
    return (src.getter == entry.getter and src.scheme == entry.scheme and _host_matches(src.host, entry.host)
            and src.port == entry.port and _path_within(src.path, entry.path))


class ApprovedArtifactSources(Rule):
    id = "approved-artifact-sources"
    title = "Artifacts come from approved sources only"
    severity = "high"
    enforcement_level = "hard-mandatory"
    category = "supply-chain"
    rationale = ("An artifact is code the client downloads and runs; a source outside the approved locations (or a "
                 "URL crafted to look like one) is an open door for supply-chain attacks.")
    remediation = ("Publish the artifact to an approved location, or add its scheme://host/path prefix to the "
                   "rule's `allowed` list in jobguard.hcl.")
    params_schema = params_object(allowed=string_list(
        "Approved source prefixes: 'https://releases.example.com/tools/', 'git::https://github.com/example-org/', "
        "'s3::https://s3.amazonaws.com/bucket/', '*.example.com' subdomain wildcards in the host, or a local path "
        "prefix '/opt/art/'."))
    default_params = {"allowed": []}
    docs = """\
Every artifact `source` must match an entry of `allowed` by forced getter, scheme, host, port and path prefix.
Path prefixes are segment aware (`/org/` allows `/org/x`, not `/org-evil/x`); a host matches exactly (or
`*.example.com` matches its subdomains). Forced getters (`git::`, `s3::`, `gcs::`, `hg::`) and go-getter's shorthands
(`github.com/org/repo` is `git::https://github.com/org/repo`) must be allowed explicitly with the same getter.
Never allowed: user info in the URL (`https://user:pass@host`, `https://releases.example.com@evil.net`), `..`
segments, percent-encoded separators or dots, double encoding, interpolated hosts.

**Default: `allowed = []` approves nothing**, local paths included: an allow-list that has not been configured
fails closed. Configure it in jobguard.hcl:

```hcl
rule "approved-artifact-sources" {
  params = { allowed = ["https://releases.example.com/", "git::https://github.com/example-org/"] }
}
```

Bad (with the configuration above):
```hcl
artifact { source = "https://releases.example.com.evil.net/tool.tgz" }
artifact { source = "git::https://github.com/someone-else/tool" }
```

Good:
```hcl
artifact {
  source  = "https://releases.example.com/tool/1.2.0/tool.tgz"
  options { checksum = "sha256:0f2c4e...e91a" }
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        entries = []
        for text in self.effective_params(ctx).get("allowed") or []:
            try:
                entries.append(parse_source(text, entry=True))
            except SourceError:
                continue  # an unusable entry approves nothing
        for apath, _group, _task, art in walk.artifacts(ctx.job):
            raw = art.get("GetterSource")
            if not isinstance(raw, str) or not raw:
                continue
            path = apath + ("GetterSource",)
            where = format_path(path)
            try:
                src = parse_source(raw)
            except SourceError as err:
                yield Violation(f"artifact source {where} cannot be approved: {err}", path)
                continue
            if src.has_userinfo:
                yield Violation(f"artifact source {where} carries user info (credentials or a disguised host) in "
                                "its URL and is not approved", path)
                continue
            if not any(source_allowed(src, entry) for entry in entries):
                yield Violation(f"artifact source {where} ({src.describe()}) is not in the approved sources"
                                f"{allow_list_hint(entries)}", path)


def _is_http(art: dict[str, Any]) -> tuple[bool, str]:
    raw = str(art.get("GetterSource") or "")
    try:
        src = parse_source(raw)
    except SourceError:
        return raw.lower().startswith(("http://", "https://")), raw.split(":", 1)[0].lower()
    return (src.scheme in ("http", "https") and src.getter in ("", "http", "https")), src.scheme


class ArtifactChecksumRequired(Rule):
    id = "artifact-checksum-required"
    title = "HTTP(S) artifacts are verified with a checksum"
    severity = "medium"
    enforcement_level = "soft-mandatory"
    category = "supply-chain"
    rationale = ("Without a checksum the client runs whatever the server returns today: a compromised or "
                 "re-tagged release goes unnoticed. (git sources are pinned by `ref`, S3/GCS by object version.)")
    remediation = 'Add `options { checksum = "sha256:<hex>" }` to the artifact (or `?checksum=` to its URL).'
    docs = """\
Artifacts fetched over http(s) must set a `checksum` option (or a `checksum=` query parameter).

Bad:
```hcl
artifact { source = "https://releases.example.com/tool/1.2.0/tool.tgz" }
```

Good:
```hcl
artifact {
  source  = "https://releases.example.com/tool/1.2.0/tool.tgz"
  options { checksum = "sha256:0f2c4e...e91a" }
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for apath, _group, _task, art in walk.artifacts(ctx.job):
            http, _scheme = _is_http(art)
            if not http:
                continue
            options = walk.as_dict(art.get("GetterOptions"))
            raw = str(art.get("GetterSource") or "")
            query = raw.split("?", 1)[1] if "?" in raw else ""
            if options.get("checksum") or re.search(r"(^|&)checksum=[^&]+", query):
                continue
            yield Violation(f"http(s) artifact {format_path(apath)} has no checksum", apath + ("GetterSource",))


class ArtifactTransportSecure(Rule):
    id = "artifact-transport-secure"
    title = "Artifacts are downloaded over verified TLS"
    severity = "high"
    enforcement_level = "soft-mandatory"
    category = "supply-chain"
    rationale = ("Plain http or `insecure = true` (TLS verification off) lets anyone on the path replace the "
                 "artifact the task will execute.")
    remediation = "Use an https source and remove `insecure = true`."
    docs = """\
Artifact sources must not use plain `http://` and must not disable TLS verification (`insecure = true`).
Credentials in the URL are reported by `no-inline-secrets`.

Bad:
```hcl
artifact {
  source   = "http://releases.example.com/tool.tgz"
  insecure = true
}
```

Good:
```hcl
artifact {
  source  = "https://releases.example.com/tool.tgz"
  options { checksum = "sha256:0f2c4e...e91a" }
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for apath, _group, _task, art in walk.artifacts(ctx.job):
            if art.get("GetterInsecure"):
                yield Violation(f"artifact {format_path(apath)} disables TLS verification (insecure = true)",
                                apath + ("GetterInsecure",))
            http, scheme = _is_http(art)
            if http and scheme == "http":
                yield Violation(f"artifact {format_path(apath)} is downloaded over plain http",
                                apath + ("GetterSource",))


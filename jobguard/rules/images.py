"""Container image rules: what runs must be a known, immutable image from an approved registry.

Image references are parsed once, the way Docker's reference grammar reads them
(``[registry[:port]/]repository[:tag][@digest]``, where the first component is a registry only if it contains a
``.`` or ``:`` or is ``localhost``), so ``registry:5000/app`` is an untagged image and not a tag ``5000/app``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from jobguard.jobspec.sourcemap import Path
from jobguard.rules import walk
from jobguard.rules.base import Rule, RuleContext, Violation, allow_list_hint, params_object, string_list

DOCKER_HUB = "docker.io"
_HUB_ALIASES = {"index.docker.io", "registry-1.docker.io", "registry.hub.docker.com", "docker.io"}


@dataclass(frozen=True)
class ImageRef:
    registry: str
    repository: str
    tag: str
    digest: str

    @property
    def name(self) -> str:
        """Fully qualified ``registry/repository`` (Docker Hub official images get ``library/``)."""
        return f"{self.registry}/{self.repository}"


def parse_image(ref: str) -> ImageRef:
    ref = ref.strip()
    for scheme in ("docker://", "https://", "http://"):
        if ref.startswith(scheme):
            ref = ref[len(scheme):]
    digest = ""
    if "@" in ref:
        ref, digest = ref.split("@", 1)
    first, sep, rest = ref.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, remainder = first.lower(), rest
    else:
        registry, remainder = DOCKER_HUB, ref
    if registry in _HUB_ALIASES:
        registry = DOCKER_HUB
    tag = ""
    last_slash = remainder.rfind("/")
    colon = remainder.rfind(":")
    if colon > last_slash:
        remainder, tag = remainder[:colon], remainder[colon + 1:]
    if registry == DOCKER_HUB and "/" not in remainder:
        remainder = "library/" + remainder
    return ImageRef(registry, remainder, tag, digest)


def images(job: dict) -> Iterator[tuple[Path, dict, str]]:
    """(path, task, image) for container tasks with a literal image (runtime-interpolated ones are unknowable)."""
    for tpath, _group, task, config in walk.container_tasks(job):
        image = config.get("image")
        if isinstance(image, str) and image.strip() and "${" not in image:
            yield tpath + ("Config", "image"), task, image


class NoLatestTag(Rule):
    id = "no-latest-tag"
    title = "Images name a version, not :latest or no tag"
    severity = "medium"
    enforcement_level = "soft-mandatory"
    category = "supply-chain"
    rationale = ("`:latest` (or no tag, which means latest) changes under you: two allocations of one job version "
                 "can run different code, and a rollback does not roll back.")
    remediation = "Use an explicit version tag (`nginx:1.27.3`) or a digest."
    docs = """\
Container images must have a tag other than `latest`, or a digest.

Bad:
```hcl
config { image = "nginx:latest" }
config { image = "registry.example.com:5000/team/api" }
```

Good:
```hcl
config { image = "nginx:1.27.3" }
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for path, task, image in images(ctx.job):
            ref = parse_image(image)
            if ref.digest:
                continue
            if not ref.tag:
                yield Violation(f"task {task.get('Name')!r} image {image!r} has no tag (means :latest)", path)
            elif ref.tag.lower() == "latest":
                yield Violation(f"task {task.get('Name')!r} image {image!r} uses the :latest tag", path)


class ImagePinnedByDigest(Rule):
    id = "image-pinned-by-digest"
    title = "Images are pinned by digest"
    severity = "low"
    enforcement_level = "advisory"
    category = "supply-chain"
    rationale = "Tags are mutable: only a digest guarantees the bytes that were reviewed are the bytes that run."
    remediation = "Append the digest: `image = \"nginx:1.27.3@sha256:<digest>\"`."
    docs = """\
Container images should carry an `@sha256:` digest.

Bad:
```hcl
config { image = "nginx:1.27.3" }
```

Good:
```hcl
config { image = "nginx:1.27.3@sha256:0d5b3d5e3ab0a9e6a2b1f7a6bd9b8a21e3e3f0d2c6b5a4f3e2d1c0b9a8f7e6d5c" }
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for path, task, image in images(ctx.job):
            if not parse_image(image).digest.startswith("sha256:"):
                yield Violation(f"task {task.get('Name')!r} image {image!r} is not pinned by digest", path)


class ApprovedRegistries(Rule):
    id = "approved-registries"
    title = "Images come from approved registries"
    severity = "high"
    enforcement_level = "advisory"
    category = "supply-chain"
    rationale = ("Pulling from arbitrary registries (or Docker Hub user namespaces) bypasses image scanning and "
                 "provenance controls.")
    remediation = "Mirror the image into an approved registry, or add its prefix to the rule's `allowed` list."
    params_schema = params_object(allowed=string_list(
        "Approved `registry[/namespace]` prefixes, e.g. 'registry.example.com', 'ghcr.io/example-org', "
        "'docker.io/library' (official Docker Hub images)."))
    default_params = {"allowed": []}
    docs = """\
Every container image must come from a registry (and optional namespace) in `allowed`. Images without a registry
are Docker Hub's: `nginx` is `docker.io/library/nginx`, `grafana/grafana` is `docker.io/grafana/grafana`. Prefixes
are matched per path segment (`ghcr.io/example` does not approve `ghcr.io/example-evil/x`). Default: empty, so
every image is reported until an allow-list is configured (advisory by default). Configure it in jobguard.hcl:

```hcl
rule "approved-registries" {
  params = { allowed = ["registry.example.com"] }
}
```

Bad (with the configuration above):
```hcl
config { image = "docker.io/someone/tool:1.0" }
```

Good:
```hcl
config { image = "registry.example.com/team/api:2.4.1" }
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        allowed = [a.strip().lower().rstrip("/") for a in self.effective_params(ctx).get("allowed") or []]
        for path, task, image in images(ctx.job):
            name = parse_image(image).name.lower()
            if not any(name == a or name.startswith(a + "/") for a in allowed):
                yield Violation(f"task {task.get('Name')!r} image {image!r} is not from an approved registry"
                                f"{allow_list_hint(allowed)}", path)

"""Image rules: tags, digests, registries."""

from __future__ import annotations

import pytest

from jobguard.rules.images import parse_image

from .conftest import DIGEST


@pytest.mark.parametrize("image,reg,repo,tag", [
    ("nginx", "docker.io", "library/nginx", ""),
    ("nginx:1.27", "docker.io", "library/nginx", "1.27"),
    ("grafana/grafana:10.1.0", "docker.io", "grafana/grafana", "10.1.0"),
    ("registry.example.com:5000/team/api", "registry.example.com:5000", "team/api", ""),
    ("localhost/app:dev", "localhost", "app", "dev"),
    ("index.docker.io/library/redis:7", "docker.io", "library/redis", "7"),
])
def test_parse_image(image, reg, repo, tag):
    ref = parse_image(image)
    assert (ref.registry, ref.repository, ref.tag) == (reg, repo, tag)


@pytest.mark.parametrize("image,bad", [
    ("nginx", True), ("nginx:latest", True), ("registry.example.com:5000/team/api", True),
    ("nginx:1.27.3", False), (f"nginx@{DIGEST}", False), ("registry.example.com:5000/team/api:2.0", False),
    ("example/app:${NOMAD_META_version}", False),
])
def test_no_latest_tag(run, job, task, image, bad):
    task["Config"]["image"] = image
    assert len(run("no-latest-tag", job)) == (1 if bad else 0)


def test_no_latest_tag_message_and_path(run, job, task):
    task["Config"]["image"] = "redis"
    (v,) = run("no-latest-tag", job)
    assert v.path[-2:] == ("Config", "image") and "no tag" in v.message


def test_pinned_by_digest(run, job, task):
    task["Config"]["image"] = "nginx:1.27.3"
    assert len(run("image-pinned-by-digest", job)) == 1
    task["Config"]["image"] = f"nginx:1.27.3@{DIGEST}"
    assert run("image-pinned-by-digest", job) == []


def test_approved_registries(run, job, task):
    params = {"allowed": ["registry.example.com", "docker.io/library", "ghcr.io/example"]}
    for image, ok in [("nginx:1", True), ("registry.example.com/x/y:1", True), ("ghcr.io/example/app:1", True),
                      ("ghcr.io/example-evil/app:1", False), ("grafana/grafana:10", False),
                      ("registry.example.com.evil.io/x:1", False)]:
        task["Config"]["image"] = image
        assert (run("approved-registries", job, params) == []) is ok, image


def test_approved_registries_default_reports(run, job):
    (v,) = run("approved-registries", job)
    assert "no allow-list configured" in v.message

"""Artifact rules: approved sources (allow-list matching and its traps), checksums, transport security."""

from __future__ import annotations

import pytest

from jobguard.rules.artifacts import SourceError, parse_source

ALLOWED = {"allowed": ["https://releases.example.com/tools/", "git::https://github.com/example-org/",
                       "s3::https://s3.amazonaws.com/example-artifacts", "https://*.cdn.example.net/",
                       "/opt/artifacts/"]}


def with_sources(task, *sources, options=None):
    task["Artifacts"] = [{"GetterSource": s, "GetterOptions": options, "GetterHeaders": None, "GetterMode": "any",
                          "GetterInsecure": False, "RelativeDest": "local/"} for s in sources]


class TestApprovedArtifactSources:
    RULE = "approved-artifact-sources"

    @pytest.mark.parametrize("source", [
        "https://releases.example.com/tools/app/1.2.0/app.tgz",
        "https://releases.example.com/tools",
        "HTTPS://Releases.Example.com:443/tools/app.tgz?checksum=sha256:abc",
        "git::https://github.com/example-org/app.git?ref=v1.2.0",
        "github.com/example-org/app",                        # go-getter shorthand for git::https://github.com/...
        "s3::https://s3.amazonaws.com/example-artifacts/app.zip",
        "https://eu.cdn.example.net/app.tgz",
        "https://releases.example.com/tools/app-${NOMAD_META_version}.tgz",
        "/opt/artifacts/app.tgz",
    ])
    def test_allowed(self, run, job, task, source):
        with_sources(task, source)
        assert run(self.RULE, job, ALLOWED) == []

    @pytest.mark.parametrize("source,why", [
        ("https://releases.example.com.evil.net/tools/app.tgz", "not in the approved"),       # look-alike host
        ("https://releases.example.com@evil.net/tools/app.tgz", "user info"),                 # userinfo trick
        ("https://deploy:pw@releases.example.com/tools/app.tgz", "user info"),                # credentials
        ("https://releases.example.com/tools-evil/app.tgz", "not in the approved"),           # segment-aware prefix
        ("https://releases.example.com/tools/../admin/app.tgz", "traversal"),
        ("https://releases.example.com/tools/%2e%2e/admin/app.tgz", "percent-encoded"),
        ("https://releases.example.com/tools/%252e%252e/x", "double percent-encoding"),
        ("https://releases.example.com/tools%2fadmin/x", "percent-encoded"),
        ("http://releases.example.com/tools/app.tgz", "not in the approved"),                 # scheme differs
        ("https://releases.example.com:8443/tools/app.tgz", "not in the approved"),          # port differs
        ("https://github.com/example-org/app/archive/v1.zip", "not in the approved"),        # allowed only as git::
        ("git::https://github.com/example-org-evil/app", "not in the approved"),
        ("github.com/someone-else/app", "not in the approved"),
        ("hg::https://releases.example.com/tools/repo", "not in the approved"),              # forced getter
        ("s3::https://s3.amazonaws.com/example-artifacts-evil/x", "not in the approved"),
        ("https://cdn.example.net/app.tgz", "not in the approved"),                          # wildcard needs sub
        ("https://${NOMAD_META_host}/tools/app.tgz", "interpolated"),
        ("/etc/passwd", "not in the approved"),
        ("/opt/artifacts/../../etc/shadow", "traversal"),
    ])
    def test_denied(self, run, job, task, source, why):
        with_sources(task, source)
        out = run(self.RULE, job, ALLOWED)
        assert len(out) == 1 and why in out[0].message
        assert out[0].path == ("TaskGroups", 0, "Tasks", 0, "Artifacts", 0, "GetterSource")
        assert "pw@" not in out[0].message

    def test_default_allow_list_approves_nothing(self, run, job, task):
        with_sources(task, "https://releases.example.com/tools/app.tgz", "local/app.tgz")
        out = run(self.RULE, job)
        assert len(out) == 2 and all("no allow-list configured" in v.message for v in out)

    def test_no_artifacts_no_findings(self, run, job):
        assert run(self.RULE, job) == []

    def test_parse_source_shorthands(self):
        assert parse_source("git@github.com:example-org/app.git").describe() == \
            "git::ssh://github.com/example-org/app.git"
        assert parse_source("bucket.s3.amazonaws.com/key").getter == "s3"
        assert parse_source("https://h:8443/x").describe() == "https://h:8443/x"
        with pytest.raises(SourceError):
            parse_source("https://h/a\\..\\b")


class TestArtifactChecksumRequired:
    RULE = "artifact-checksum-required"

    def test_http_without_checksum(self, run, job, task):
        with_sources(task, "https://releases.example.com/app.tgz")
        out = run(self.RULE, job)
        assert len(out) == 1 and "no checksum" in out[0].message

    def test_checksum_option_query_or_non_http(self, run, job, task):
        with_sources(task, "https://releases.example.com/app.tgz", options={"checksum": "sha256:" + "a" * 64})
        assert run(self.RULE, job) == []
        with_sources(task, "https://releases.example.com/app.tgz?archive=false&checksum=md5:" + "b" * 32,
                     "git::https://github.com/example-org/app?ref=v1", "s3::https://s3.amazonaws.com/b/k")
        assert run(self.RULE, job) == []


class TestArtifactTransportSecure:
    RULE = "artifact-transport-secure"

    def test_plain_http_and_insecure(self, run, job, task):
        with_sources(task, "http://releases.example.com/app.tgz")
        task["Artifacts"][0]["GetterInsecure"] = True
        out = run(self.RULE, job)
        assert sorted(v.path[-1] for v in out) == ["GetterInsecure", "GetterSource"]

    def test_https_passes(self, run, job, task):
        with_sources(task, "https://releases.example.com/app.tgz")
        assert run(self.RULE, job) == []

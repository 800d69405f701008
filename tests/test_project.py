"""The one project URL (jobguard/project.py): every snippet and output that names the repository follows it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jobguard import project

ROOT = Path(__file__).resolve().parent.parent
SNIPPET_FILES = ["README.md", "action.yml", ".pre-commit-hooks.yaml", "docs/github-action.md", "docs/cli.md"]


def test_no_placeholder_owner_anywhere():
    for name in SNIPPET_FILES:
        text = (ROOT / name).read_text(encoding="utf-8")
        assert "<owner>" not in text, name


def test_action_and_pre_commit_snippets_name_the_project():
    slug = project.repository_slug(project.PROJECT_URL)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"uses: {re.escape(slug)}@[0-9a-f<]", readme)
    assert f"uses: {slug}@" in (ROOT / "docs/github-action.md").read_text(encoding="utf-8")
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert f"repo: {project.PROJECT_URL}\n" in hooks
    assert f"repo: {project.PROJECT_URL}\n" in (ROOT / "docs/github-action.md").read_text(encoding="utf-8")
    assert project.PROJECT_URL in (ROOT / "action.yml").read_text(encoding="utf-8")
    assert project.PROJECT_URL in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_the_constant_is_documented():
    text = (ROOT / "docs/cli.md").read_text(encoding="utf-8")
    assert project.PROJECT_URL in text and project.PROJECT_URL_ENV in text


def test_rule_help_uri_points_at_the_generated_rule_section():
    assert project.rule_help_uri("no-inline-secrets") == (
        f"{project.PROJECT_URL}/blob/main/docs/rules.md#no-inline-secrets")
    rules_md = (ROOT / "docs/rules.md").read_text(encoding="utf-8")
    assert "### `no-inline-secrets`" in rules_md
    assert project.heading_anchor("`no-inline-secrets`") == "no-inline-secrets"


def test_override_for_forks_and_mirrors(monkeypatch):
    monkeypatch.setenv(project.PROJECT_URL_ENV, "https://git.example.com/platform/jobguard/")
    monkeypatch.setenv(project.DOCS_REF_ENV, "v1.2.0")
    assert project.project_url() == "https://git.example.com/platform/jobguard"
    assert project.repository_slug() == "platform/jobguard"
    assert project.rule_help_uri("no-raw-exec") == "https://git.example.com/platform/jobguard/blob/v1.2.0/docs/rules.md#no-raw-exec"


@pytest.mark.parametrize("bad", ["not a url", "ftp://x/y", "https://user:token@example.com/x", "/local/path"])
def test_an_unusable_override_is_ignored(monkeypatch, bad):
    monkeypatch.setenv(project.PROJECT_URL_ENV, bad)
    assert project.project_url() == project.PROJECT_URL

"""The docs a deployment needs live in the repository: no link points outside it or nowhere."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
PATH_IN_BACKTICKS = re.compile(r"`(\.\./[^`]+)`")


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_every_relative_link_resolves_inside_the_repository() -> None:
    for document in documents():
        text = document.read_text()
        for target in LINK.findall(text):
            if "://" in target or target.startswith("mailto:"):
                continue
            resolved = (document.parent / target).resolve()
            assert resolved.is_relative_to(ROOT), (document.name, target)
            assert resolved.exists(), (document.name, target)
        assert not PATH_IN_BACKTICKS.findall(text), (document.name, "points outside the repo")


def test_the_design_and_threat_model_are_in_docs() -> None:
    design = (ROOT / "docs" / "design.md").read_text()
    assert "## 6. Threat model" in design and "## 2. Invariants" in design
    retention = (ROOT / "docs" / "retention.md").read_text()
    assert "purged when ZDR turns on" in retention

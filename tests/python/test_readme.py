"""The README is a landing page (what it is, the two commands, the flow, links); reference and
dated figures live in docs/, and every link between them resolves."""

from __future__ import annotations

import re

from conftest import PROJECT

README = PROJECT / "README.md"
LINK = re.compile(r"\]\(([^)#]+\.md)(?:#[^)]*)?\)")


def test_the_readme_is_a_landing_page():
    text = README.read_text()
    assert len(text.splitlines()) <= 150
    assert "make demo" in text and "make test" in text  # the two commands CI and a new user run
    assert "make test " in (PROJECT / ".ci" / "run").read_text()  # CI runs the README's test command


def test_every_docs_link_resolves():
    pages = [README, *(PROJECT / "docs").glob("*.md")]
    assert len(pages) >= 8
    broken = [
        f"{page.name} -> {target}"
        for page in pages
        for target in LINK.findall(page.read_text())
        if not target.startswith("http") and not (page.parent / target).exists()
    ]
    assert not broken, broken

"""Every relative link in the repository's documentation leads to a file of the repository.

A clone has nothing beside it: a link out of the repository (`../shared/...`) is broken for
every reader. Links to a heading (`file.md#anchor`) must name a heading that exists.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted(
    {ROOT / "README.md", ROOT / "CHANGELOG.md", ROOT / "bench" / "README.md"}
    | set((ROOT / "docs").glob("*.md"))
)
FENCED = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def prose(text: str) -> str:
    """The text without code, where a bracket is not a link."""
    return INLINE_CODE.sub("", FENCED.sub("", text))


def links(path: Path) -> list[str]:
    text = prose(path.read_text(encoding="utf-8"))
    return INLINE_LINK.findall(text) + REFERENCE.findall(text)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    plain = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", plain).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    for line in prose(path.read_text(encoding="utf-8")).splitlines():
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        base = slug(match.group(1))
        name, n = base, 0
        while name in found:  # a repeated heading gets -1, -2, ...
            n += 1
            name = f"{base}-{n}"
        found.add(name)
    return found


def broken(document: Path, root: Path = ROOT) -> list[str]:
    problems = []
    for target in links(document):
        if SCHEME.match(target) or target.startswith("//"):
            continue  # a web address, not a file
        file_part, _, anchor = target.partition("#")
        resolved = (document.parent / file_part).resolve() if file_part else document
        if not resolved.is_relative_to(root):
            problems.append(f"{target}: outside the repository")
        elif not resolved.exists():
            problems.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            problems.append(f"{target}: no heading #{anchor}")
    return problems


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve_inside_the_repository(document: Path) -> None:
    assert document.exists()
    assert broken(document) == []


def test_the_documentation_is_there_and_linked_from_the_readme() -> None:
    readme = set(links(ROOT / "README.md"))
    for name in ("docs/api.md", "docs/mind.md", "docs/operations.md", "bench/README.md"):
        assert (ROOT / name).is_file(), name
        assert name in readme, f"README does not link {name}"


def test_the_checker_finds_what_it_must(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# Read me\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    page = tmp_path / "docs" / "page.md"
    page.write_text(
        "# Title\n[up](../../shared/spec/api-v1.md) [gone](missing.md) [ok](../README.md)\n"
        "[anchor](#title) [there](../README.md#read-me) [bad anchor](#nowhere) [web](https://example.com/x)\n"
        "`[code](../../nowhere.md)`\n```\n[fenced](../../nowhere.md)\n```\n",
        encoding="utf-8",
    )
    assert broken(page, tmp_path) == [
        "../../shared/spec/api-v1.md: outside the repository",
        "missing.md: no such file",
        "#nowhere: no heading #nowhere",
    ]

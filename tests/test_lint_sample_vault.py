"""``vaultbot lint sample_vault`` reports exactly the deliberate problems, and bare paper links.

The deliberate problems are pinned by tests/data/sample_vault_expected.toml (written by
the tool that built the sample vault); the bare paper links are counted independently
with a plain regex over the notes (the sample vault holds no paper URL in code).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from vaultbot.cli import cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
EXPECTED = tomllib.loads(
    (REPO / "tests" / "data" / "sample_vault_expected.toml").read_text(encoding="utf-8")
)
BARE_PAPER_URL = re.compile(
    r"(?<![(\[])https?://(?:www\.)?(?:arxiv\.org/(?:abs|pdf|html)|huggingface\.co/papers)/\d{4}\.\d{4,5}"
)


def lint_sample(tmp_path: Path) -> list[dict]:
    vault = tmp_path / "sample_vault"
    shutil.copytree(REPO / "sample_vault", vault)
    result = CliRunner().invoke(
        cli, ["lint", str(vault), "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code == 1  # the deliberately missing images are errors
    return json.loads(result.stdout)


def test_exactly_the_deliberately_missing_images(tmp_path: Path) -> None:
    found = lint_sample(tmp_path)
    missing = sorted((d["path"], d["line"]) for d in found if d["rule"] == "missing-asset")
    assert missing == sorted((m["note"], m["line"]) for m in EXPECTED["missing"])
    for diag in (d for d in found if d["rule"] == "missing-asset"):
        assert diag["message"].startswith("'asset/")


def test_case_mismatch_and_orphan_are_the_pinned_ones(tmp_path: Path) -> None:
    found = lint_sample(tmp_path)
    assert [(d["path"], d["line"]) for d in found if d["rule"] == "case-mismatch"] == [
        (m["note"], m["line"]) for m in EXPECTED.get("case_mismatch", [])
    ]
    assert [d["path"] for d in found if d["rule"] == "orphan-asset"] == [
        o["path"] for o in EXPECTED.get("orphan", [])
    ]


def test_everything_else_is_a_bare_paper_link(tmp_path: Path) -> None:
    found = lint_sample(tmp_path)
    others = {d["rule"] for d in found} - {"missing-asset", "case-mismatch", "orphan-asset"}
    assert others == {"bare-paper-link"}
    lines: Counter[tuple[str, int]] = Counter()
    for note in sorted((REPO / "sample_vault").rglob("*.md")):
        text = note.read_text(encoding="utf-8")
        for match in BARE_PAPER_URL.finditer(text):
            lines[
                (
                    note.relative_to(REPO / "sample_vault").as_posix(),
                    text.count("\n", 0, match.start()) + 1,
                )
            ] += 1
    assert Counter((d["path"], d["line"]) for d in found if d["rule"] == "bare-paper-link") == lines
    assert all(d["severity"] == "warning" for d in found if d["rule"] == "bare-paper-link")

"""Formatters: ruff-style text with a summary, JSON, GitHub Actions annotations."""

from __future__ import annotations

import json

from vaultbot.diagnostics import Diagnostic, Edit
from vaultbot.report import FORMATTERS, Summary, render, summary_line

FIX = (Edit("daily/2026-01.md", 10, 20, "asset/a.png", "img/a.png"),)
DIAGS = [
    Diagnostic("daily/2026-01.md", 20, 5, "missing-asset", "error", "'asset/x.png' not found", FIX),
    Diagnostic(
        "daily/2025-12.md",
        7,
        3,
        "bare-paper-link",
        "warning",
        "bare paper link https://arxiv.org/abs/1",
    ),
    Diagnostic("daily/2025-12.md", 7, 3, "a-rule", "info", "note: 50%, a,b\nnext"),
    Diagnostic("asset/x.png", 1, 1, "orphan-asset", "warning", "unused"),
]


def test_formatters_registry() -> None:
    assert sorted(FORMATTERS) == ["github", "json", "text"]


def test_text_is_sorted_ruff_style_with_summary() -> None:
    assert render("text", DIAGS) == (
        "asset/x.png:1:1: orphan-asset unused\n"
        "daily/2025-12.md:7:3: a-rule note: 50%, a,b\nnext\n"
        "daily/2025-12.md:7:3: bare-paper-link bare paper link https://arxiv.org/abs/1\n"
        "daily/2026-01.md:20:5: missing-asset [*] 'asset/x.png' not found\n"
        "Found 1 error, 2 warnings, 1 info in 3 files (1 fixable with --fix).\n"
    )


def test_text_uses_the_display_path_and_colour_only_when_asked() -> None:
    out = render("text", DIAGS[:1], lambda d: "vault/" + d.path, colour=True)
    assert out.splitlines()[0] == (
        "\x1b[1mvault/daily/2026-01.md:20:5:\x1b[0m \x1b[31mmissing-asset\x1b[0m [*] 'asset/x.png' not found"
    )
    assert "\x1b[" not in render("text", DIAGS)


def test_summary_lines() -> None:
    assert summary_line(Summary.of([])) == "All checks passed."
    assert summary_line(Summary.of(DIAGS[1:2])) == "Found 0 errors, 1 warning in 1 file."
    assert (
        summary_line(Summary.of(DIAGS[1:2], fixed=2))
        == "Fixed 2 problems. Found 0 errors, 1 warning in 1 file."
    )
    assert summary_line(Summary.of([], fixed=1)) == "Fixed 1 problem. All checks passed."


def test_json_is_a_sorted_list_with_vault_paths() -> None:
    data = json.loads(render("json", DIAGS, lambda d: "ignored/" + d.path))
    assert [d["path"] for d in data] == [
        "asset/x.png",
        "daily/2025-12.md",
        "daily/2025-12.md",
        "daily/2026-01.md",
    ]
    assert data[-1] == {
        "path": "daily/2026-01.md",
        "line": 20,
        "column": 5,
        "rule": "missing-asset",
        "severity": "error",
        "message": "'asset/x.png' not found",
        "fixable": True,
    }
    assert json.loads(render("json", [])) == []


def test_github_annotations_are_escaped() -> None:
    assert render("github", DIAGS) == (
        "::warning file=asset/x.png,line=1,col=1,title=orphan-asset::unused\n"
        "::notice file=daily/2025-12.md,line=7,col=3,title=a-rule::note: 50%25, a,b%0Anext\n"
        "::warning file=daily/2025-12.md,line=7,col=3,title=bare-paper-link::bare paper link https://arxiv.org/abs/1\n"
        "::error file=daily/2026-01.md,line=20,col=5,title=missing-asset::'asset/x.png' not found\n"
    )
    odd = Diagnostic("a,b:c.md", 1, 1, "r", "error", "m")
    assert render("github", [odd]) == "::error file=a%2Cb%3Ac.md,line=1,col=1,title=r::m\n"

"""``vaultbot graph`` as users run it, on a copy of the sample vault: files, stdout, filters."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from arxiv_server import ReplayServer, arxiv_server, isolated_state
from click.testing import CliRunner
from test_export_canvas import canvas_problems
from test_resolve import make_vault, snapshot

from vaultbot.cli import cli
from vaultbot.exporters import FORMATS, ExportOptions, paper_date
from vaultbot.topic_map import export_vault

__all__ = ["arxiv_server", "isolated_state"]
pytestmark = pytest.mark.usefixtures("isolated_state")
SAMPLE = Path(__file__).parent.parent / "sample_vault"
SUFFIX = {"canvas": ".canvas", "mermaid": ".md", "html": ".html", "graphml": ".graphml", "gexf": ".gexf",
          "json": ".json", "dot": ".dot"}  # fmt: skip


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "sample_vault"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("cache.sqlite-*"))
    return root


def run(*args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(cli, ["graph", *args], catch_exceptions=False)
    return result.exit_code, result.stdout_bytes, result.stderr


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and "cache.sqlite-" not in p.name}  # fmt: skip


def test_canvas_of_the_sample_vault(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "topics.canvas"
    code, stdout, stderr = run(str(vault), "--format", "canvas", "-o", str(out))
    expected = export_vault(vault, "canvas", io.BytesIO())[1]
    papers, links = expected.graph.number_of_nodes(), expected.graph.number_of_edges()
    assert code == 0 and stdout == b""
    assert stderr.startswith(f"graph: wrote canvas to {out}: {papers} papers, {links} links, ")
    doc = json.loads(out.read_text("utf-8"))
    assert canvas_problems(doc) == []
    assert sum(n["id"].startswith("paper-") for n in doc["nodes"]) == papers > 50
    texts = "\n".join(n.get("text", "") for n in doc["nodes"])
    assert "**mHC: Manifold\\-Constrained Hyper\\-Connections**" not in texts  # "-" is not escaped
    assert "**mHC: Manifold-Constrained Hyper-Connections**" in texts
    assert "[[daily/2026-01|2026-01]]" in texts or "[[daily/2026-01#^arxiv-2512-24880|2026-01]]" in texts


def test_canvas_links_point_at_blocks_that_link_wrote(vault: Path, tmp_path: Path) -> None:
    from vaultbot.sync import run_link

    run_link(vault)
    out = tmp_path / "topics.canvas"
    assert run(str(vault), "-o", str(out))[0] == 0
    texts = "\n".join(n.get("text", "") for n in json.loads(out.read_text("utf-8"))["nodes"])
    targets = re.findall(r"\[\[([^|\]]+)\|", texts)
    with_block = [t for t in targets if "#^" in t]
    assert len(targets) >= 100 and len(with_block) > len(targets) // 2
    for target in with_block:
        path, block = target.split("#^")
        assert re.search(rf" \^{re.escape(block)}$", (vault / f"{path}.md").read_text("utf-8"), re.MULTILINE), target


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_to_stdout_equals_the_file_and_leaves_the_vault_alone(vault: Path, tmp_path: Path, fmt: str) -> None:
    before = _tree(vault)
    out = tmp_path / f"map{SUFFIX[fmt]}"
    code, _, _ = run(str(vault), "-o", str(out))  # format from the suffix
    assert code == 0
    code, stdout, stderr = run(str(vault), "--format", fmt, "-o", "-")
    assert code == 0 and stdout == out.read_bytes() and "to stdout" in stderr
    assert _tree(vault) == before


def test_second_run_gives_the_same_bytes(vault: Path, tmp_path: Path) -> None:
    for fmt in ("canvas", "html"):
        first = run(str(vault), "-f", fmt, "-o", "-")[1]
        assert run(str(vault), "-f", fmt, "-o", "-")[1] == first


def test_same_bytes_across_processes_with_different_hash_seeds(vault: Path) -> None:
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "vaultbot", "graph", str(vault), "-f", "json", "-o", "-"],
                              capture_output=True, env=env, check=True, timeout=120)  # fmt: skip
        outputs.add(done.stdout)
    assert len(outputs) == 1 and b'"links"' in outputs.pop()


def test_unknown_suffix_is_a_usage_error(vault: Path, tmp_path: Path) -> None:
    code, _, stderr = run(str(vault), "-o", str(tmp_path / "map.txt"))
    assert code == 2 and "cannot tell the format from" in stderr and "--format" in stderr


def test_output_into_a_missing_folder_or_onto_a_folder_is_a_usage_error(vault: Path, tmp_path: Path) -> None:
    code, _, stderr = run(str(vault), "-o", str(tmp_path / "nope" / "map.canvas"))
    assert code == 2 and f"{tmp_path / 'nope'} does not exist" in stderr
    code, _, stderr = run(str(vault), "-f", "json", "-o", str(tmp_path))
    assert code == 2 and "is a folder" in stderr


def test_refuses_to_overwrite_a_file_it_did_not_write(vault: Path) -> None:
    note = vault / "daily" / "2025-12.md"
    original = note.read_bytes()
    code, _, stderr = run(str(vault), "-f", "mermaid", "-o", str(note))
    assert code == 2 and note.read_bytes() == original
    assert stderr == f"Error: {note} exists and was not written by vaultbot graph; pass --force to overwrite it\n"
    mine = vault / "topics.md"
    assert run(str(vault), "-o", str(mine))[0] == 0
    assert run(str(vault), "-o", str(mine), "--max-nodes", "5")[0] == 0  # its own file: replaced
    assert "5 papers" in mine.read_text("utf-8")
    assert run(str(vault), "-f", "mermaid", "-o", str(note), "--force")[0] == 0


def _json_graph(*args: str) -> tuple[nx.Graph, dict]:
    code, stdout, stderr = run(*args, "-f", "json", "-o", "-")
    assert code == 0, stderr
    data = json.loads(stdout)
    return nx.node_link_graph(data, edges="links"), data


def test_filters_tag_topic_dates_and_cap(vault: Path) -> None:
    whole, _ = _json_graph(str(vault))
    tag = min(t for _, d in whole.nodes(data=True) for t in d["tags"])
    tagged, _ = _json_graph(str(vault), "--tag", tag)
    assert set(tagged) == {n for n, d in whole.nodes(data=True) if tag in d["tags"]} != set()
    label = whole.nodes[min(whole)]["topic_label"]
    topical, _ = _json_graph(str(vault), "--topic", label)
    assert {d["topic_label"] for _, d in topical.nodes(data=True)} == {label}
    dated, _ = _json_graph(str(vault), "--since", "2026-02-01", "--until", "2026-02-28")
    dates = {paper_date(d) for _, d in dated.nodes(data=True)}
    assert dated.number_of_nodes() > 0 and all(d and d.year == 2026 and d.month == 2 for d in dates)
    capped, data = _json_graph(str(vault), "--max-nodes", "10")
    assert capped.number_of_nodes() == 10 and data["graph"]["left_out"] == whole.number_of_nodes() - 10


def test_dates_come_from_day_headings_and_report_dates(vault: Path) -> None:
    # daily/2026-01.md: "## 1.2" holds mHC, "## 1.4" three more; none is mentioned earlier.
    window, _ = _json_graph(str(vault), "--since", "2026-01-02", "--until", "2026-01-04")
    assert sorted(window) == ["2512.22905", "2512.24601", "2512.24873", "2512.24880"]
    assert window.nodes["2512.24880"]["date"] == "2026-01-02"
    report_day, _ = _json_graph(str(vault), "--since", "2025-12-25", "--until", "2025-12-25")
    assert report_day.number_of_nodes() > 0
    assert all(any("2025-12-25" in n for n in d["notes"]) for _, d in report_day.nodes(data=True))


def test_offline_uses_the_cache_and_online_fetches_what_it_lacks(tmp_path: Path, arxiv_server: ReplayServer) -> None:
    root = make_vault(tmp_path, arxiv_server.url)
    notes = snapshot(root)
    offline, _ = _json_graph(str(root))
    assert arxiv_server.count == 0 and offline.nodes["1605.08386"]["title"] == ""
    online, _ = _json_graph(str(root), "--online")
    assert arxiv_server.count > 0
    assert online.nodes["1605.08386"]["title"] == "Heat-bath random walks with Markov bases"
    assert snapshot(root) == notes  # --online fills the cache, never the notes
    again, _ = _json_graph(str(root))
    assert again.nodes["1605.08386"]["title"] == "Heat-bath random walks with Markov bases"


def test_library_entry_takes_options(vault: Path) -> None:
    stream = io.BytesIO()
    loaded, selection = export_vault(vault, "dot", stream, ExportOptions(max_nodes=3, title="Mine"))
    assert selection.graph.number_of_nodes() == 3 and loaded.root == vault.resolve()
    assert stream.getvalue().decode("utf-8").splitlines()[2].startswith('  graph [label="Mine\\n3 papers')

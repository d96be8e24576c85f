"""The committed sample vault and the benchmark vault generator (issue 4).

``sample_vault/`` is built from ``../shared/seeds`` by ``tools/build_sample_vault.py`` and its
deliberate problems are pinned in ``tests/data/sample_vault_expected.toml``; these tests keep
the three in step.  Image references are checked here with a deliberately simple scan
(``asset/<decoded name>`` must be in ``sample_vault/asset/``), independent of vaultbot's resolver.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from urllib.parse import unquote

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
VAULT = REPO / "sample_vault"
EXPECTED = REPO / "tests" / "data" / "sample_vault_expected.toml"
SEEDS = REPO.parent / "shared" / "seeds"
GENERATOR = REPO / "bench" / "generate_vault.py"
# Every image form the seeds use: ![alt](dest) with a %20-encoded destination, and ![[name]].
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)|!\[\[([^\]|#]+)")
DAY_HEADING = re.compile(r"^## (\d{1,2})\.(\d{1,2})$", re.M)


def load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_sample_vault",
                                                  REPO / "tools" / "build_sample_vault.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def expected() -> dict:
    return tomllib.loads(EXPECTED.read_text(encoding="utf-8"))


def notes() -> list[Path]:
    return sorted(VAULT.rglob("*.md"))


def image_refs() -> list[tuple[str, int, str]]:
    """Return (note vault path, line, destination as written) for every image reference."""
    refs = []
    for note in notes():
        lines = note.read_text(encoding="utf-8").split("\n")
        for number, line in enumerate(lines, 1):
            for match in IMAGE.finditer(line):
                refs.append((note.relative_to(VAULT).as_posix(), number,
                             match.group(1) or match.group(2)))
    return refs


def asset_names() -> set[str]:
    """Names in sample_vault/asset exactly as stored (listdir: case-exact on every OS)."""
    return set(os.listdir(VAULT / "asset"))


def vault_tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside this checkout")
def test_committed_vault_is_what_the_builder_makes_from_the_seeds() -> None:
    builder = load_builder()
    built = builder.vault_files(SEEDS)
    owned = {p: d for p, d in vault_tree(VAULT).items()
             if p.split("/")[0] in builder.OWNED or p == ".obsidian/app.json"}
    assert owned == built
    assert EXPECTED.read_text(encoding="utf-8") == builder.expected_toml(SEEDS)


def test_vault_layout_and_obsidian_settings() -> None:
    import json

    names = [p.relative_to(VAULT).as_posix() for p in notes()]
    assert names == ["daily/2025-12.md", "daily/2026-01.md", "reports/HF Daily 2025-12-25.md",
                     "reports/HF Daily 2026-02-07.md", "reports/HF Daily 2026-02-27.md"]
    app = json.loads((VAULT / ".obsidian" / "app.json").read_text(encoding="utf-8"))
    assert app["attachmentFolderPath"] == "asset"


def test_every_note_is_utf8_with_its_links_still_bare() -> None:
    for note in notes():
        text = note.read_bytes().decode("utf-8")  # raises on any invalid byte
        assert "\r" not in text and not text.startswith("\ufeff")
    january = (VAULT / "daily" / "2026-01.md").read_text(encoding="utf-8")
    assert "- https://arxiv.org/pdf/2601.10355\n" in january  # pasted bare, never titled here


def test_dated_note_day_headings_are_in_the_file_name_month() -> None:
    for note in (VAULT / "daily").glob("*.md"):
        months = {int(m) for m, _ in DAY_HEADING.findall(note.read_text(encoding="utf-8"))}
        assert months == {int(note.stem[-2:])}, note.name


def test_each_expected_missing_image_is_referenced_there_and_absent() -> None:
    missing = expected()["missing"]
    assert 3 <= len(missing) <= 4
    refs = image_refs()
    for item in missing:
        assert (item["note"], item["line"], item["target"]) in refs
        assert unquote(item["target"]).removeprefix("asset/") not in asset_names()


def test_every_other_image_reference_has_its_file_in_asset() -> None:
    data = expected()
    broken = {(m["note"], m["line"], m["target"]) for m in data["missing"]}
    case_only = {(c["note"], c["line"], c["target"]) for c in data["case_mismatch"]}
    refs = image_refs()
    assert len(refs) > 30 and all(target.startswith("asset/") for _, _, target in refs)
    for ref in refs:
        if ref not in broken | case_only:
            assert unquote(ref[2]).removeprefix("asset/") in asset_names(), ref


def test_case_mismatch_image_exists_only_in_another_letter_case() -> None:
    for item in expected()["case_mismatch"]:
        assert (item["note"], item["line"], item["target"]) in image_refs()
        written = unquote(item["target"]).removeprefix("asset/")
        on_disk = item["on_disk"].removeprefix("asset/")
        assert written not in asset_names() and on_disk in asset_names()
        assert written != on_disk and written.casefold() == on_disk.casefold()


def test_orphan_image_is_in_asset_and_referenced_by_no_note() -> None:
    referenced = {unquote(target).casefold() for _, _, target in image_refs()}
    orphans = [item["path"] for item in expected()["orphan"]]
    assert orphans
    for path in orphans:
        assert path.removeprefix("asset/") in asset_names()
        assert path.casefold() not in referenced
    unreferenced = {f"asset/{n}" for n in asset_names() if f"asset/{n}".casefold() not in referenced}
    assert unreferenced == set(orphans)


def test_generated_pngs_are_valid() -> None:
    import struct
    import zlib

    for image in (VAULT / "asset").iterdir():
        data = image.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", image.name
        width, height = struct.unpack(">II", data[16:24])
        idat_len = struct.unpack(">I", data[33:37])[0]
        raw = zlib.decompress(data[41:41 + idat_len])
        assert len(raw) == height * (1 + 3 * width), image.name


def generate(out: Path, notes: int, seed: int, attachments: str = "folder") -> dict[str, bytes]:
    subprocess.run([sys.executable, str(GENERATOR), str(out), "--notes", str(notes),
                    "--seed", str(seed), "--attachments", attachments],
                   check=True, capture_output=True)
    return vault_tree(out)


def test_generator_is_deterministic_per_seed(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", 60, seed=7)
    assert first == generate(tmp_path / "b", 60, seed=7)
    assert first != generate(tmp_path / "c", 60, seed=8)


@pytest.mark.parametrize("attachments", ["folder", "root"])
def test_generator_makes_seeds_like_notes(tmp_path: Path, attachments: str) -> None:
    tree = generate(tmp_path / "v", 60, seed=1, attachments=attachments)
    notes = {p: d.decode("utf-8") for p, d in tree.items() if p.endswith(".md")}
    assert len(notes) == 60 and sum(p.startswith("reports/HF Daily ") for p in notes) == 3
    sizes = [len(d.encode()) for d in notes.values()]
    assert 6000 < sum(sizes) / len(sizes) < 11000
    dated = [t for p, t in notes.items() if p.startswith("daily/")]
    assert all(DAY_HEADING.search(t) for t in dated)
    assert any("```" in t for t in dated) and any(t.startswith("---\n") for t in dated)
    refs = [(p, m.group(1) or m.group(2)) for p, t in notes.items() for m in IMAGE.finditer(t)]
    folder = {"folder": lambda note: note.rsplit("/", 1)[0] + "/", "root": lambda note: ""}
    present = [p for p, target in refs
               if f"{folder[attachments](p)}asset/{unquote(target).removeprefix('asset/')}" in tree]
    assert 0.9 < len(present) / len(refs) < 1.0


def test_generator_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "keep.md").write_text("mine\n", encoding="utf-8")
    result = subprocess.run([sys.executable, str(GENERATOR), str(tmp_path), "--notes", "3"],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "not empty" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["keep.md"]

"""Build ``sample_vault/`` from the real seed notes in ``../shared/seeds/`` (issue 4).

The built vault is committed, so a clone needs no ``../shared``; this script exists so the
vault is reproducible and a test can prove the committed copy is exactly what the seeds give.

Layout (Obsidian "new link format: absolute path in vault", attachments in ``asset/``):

    .obsidian/app.json        attachmentFolderPath "asset", markdown links, absolute paths
    daily/YYYY-MM.md          the dated notes, byte-for-byte as the user wrote them
    reports/HF Daily D.md     the Hugging Face Daily Papers reports, byte-for-byte
    asset/*.png               tiny generated PNGs for the referenced images

The notes write ``asset/Pasted%20image%20….png``; from ``daily/2026-01.md`` Obsidian finds that
by its exact-path-from-vault-root rule, so a checker that only looks next to the note
(``daily/asset/…``) is wrong here.  The deliberate problems below are written to
``tests/data/sample_vault_expected.toml`` so the lint test can pin them.

Usage: python tools/build_sample_vault.py [--seeds DIR] [--out DIR] [--expected FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from urllib.parse import unquote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tinypng import solid_png  # noqa: E402  (a sibling script module, not a package)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SEEDS = REPO.parent / "shared" / "seeds"
DEFAULT_OUT = REPO / "sample_vault"
DEFAULT_EXPECTED = REPO / "tests" / "data" / "sample_vault_expected.toml"

ATTACHMENTS = "asset"
# Folders whose every file this script owns; .obsidian/ and .vaultbot/ may hold others' files.
OWNED = ("daily", "reports", ATTACHMENTS)

APP_JSON = {
    "alwaysUpdateLinks": True,
    "attachmentFolderPath": ATTACHMENTS,
    "newLinkFormat": "absolute",
    "promptDelete": False,
    "showLineNumber": True,
    "useMarkdownLinks": True,
}

# Deliberate problems: image references (decoded vault paths) left without a file ...
MISSING = (
    ("daily/2025-12.md", "asset/Pasted image 20251212182841.png"),
    ("daily/2026-01.md", "asset/867cc7bd6b4de1c08fdf03f03ecb0935.png"),
    ("daily/2026-01.md", "asset/Pasted image 20260116133935.png"),
    ("daily/2026-01.md", "asset/Pasted image 20260123000041.png"),
)
# ... one whose file exists only under a different letter case (reference -> file on disk) ...
CASE_MISMATCH = (
    ("daily/2025-12.md", "asset/Pasted image 20251216191413.png",
     "asset/Pasted Image 20251216191413.png"),
)
# ... and one attachment no note references.
ORPHANS = ("asset/Pasted image 20260127101530.png",)

REPORT_TITLE = "# Hugging Face Daily Papers Report"
REPORT_DATE = re.compile(r"^\*\*Date\*\*:\s*(\d{4}-\d{2}-\d{2})\s*$", re.M)
DAY_HEADING = re.compile(r"^## (\d{1,2})\.(\d{1,2})\s*$", re.M)
PASTED_STAMP = re.compile(r"Pasted(?:%20| )image(?:%20| )(\d{4})(\d{2})\d{2}")
# Markdown image destinations as the seeds write them (no spaces: they are %20-encoded).
IMAGE_REF = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")


def note_name(text: str, seed: Path) -> str:
    """Name a seed the way an Obsidian user would: by report date or by month."""
    if text.startswith(REPORT_TITLE):
        match = REPORT_DATE.search(text)
        if not match:
            raise SystemExit(f"{seed}: report without a '**Date**:' line")
        return f"reports/HF Daily {match.group(1)}.md"
    return f"daily/{note_month(text, seed)}.md"


def note_month(text: str, seed: Path) -> str:
    """Return YYYY-MM: the month from the day headings, the year from pasted-image stamps."""
    months = {int(m) for m, _ in DAY_HEADING.findall(text)}
    if len(months) != 1:
        raise SystemExit(f"{seed}: day headings span months {sorted(months)}, expected one")
    month = months.pop()
    years = {int(y) for y, m in PASTED_STAMP.findall(text) if int(m) == month}
    if len(years) != 1:
        raise SystemExit(f"{seed}: cannot tell the year of month {month} from image stamps")
    return f"{years.pop():04d}-{month:02d}"


def image_refs(text: str) -> list[tuple[int, str]]:
    """Return (1-based line, destination as written) for each markdown image, fences skipped."""
    refs, fence = [], ""
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            marker = stripped[:3]
            fence = "" if fence == marker else (fence or marker)
            continue
        if not fence:
            refs.extend((number, dest) for dest in IMAGE_REF.findall(line))
    return refs


def png(seed_text: str) -> bytes:
    """Return a 16x16 PNG whose colour is derived from ``seed_text`` (deterministic)."""
    return solid_png(hashlib.sha256(seed_text.encode()).digest()[:3])


def read_notes(seeds: Path) -> dict[str, bytes]:
    """Map vault path -> exact seed bytes for every seed file."""
    notes: dict[str, bytes] = {}
    for seed in sorted(seeds.glob("*.txt")):
        data = seed.read_bytes()
        name = note_name(data.decode("utf-8"), seed)
        if name in notes:
            raise SystemExit(f"{seed}: a second seed would become {name}")
        notes[name] = data
    if not notes:
        raise SystemExit(f"{seeds}: no seed notes (*.txt) found")
    return notes


def referenced_assets(notes: dict[str, bytes]) -> dict[tuple[str, str], list[tuple[int, str]]]:
    """Map (note, decoded vault path) -> [(line, written target)] for every image reference."""
    refs: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for name, data in notes.items():
        for line, target in image_refs(data.decode("utf-8")):
            refs.setdefault((name, unquote(target)), []).append((line, target))
    return refs


def vault_files(seeds: Path) -> dict[str, bytes]:
    """Return every file of the sample vault (vault path -> bytes), deliberate problems included."""
    notes = read_notes(seeds)
    refs = referenced_assets(notes)
    _check_deliberate(refs)
    files = dict(notes)
    files[".obsidian/app.json"] = (json.dumps(APP_JSON, indent=2) + "\n").encode()
    skipped = {path for _, path in MISSING} | {path for _, path, _ in CASE_MISMATCH}
    for _, path in refs:
        if path not in skipped:
            files[path] = png(path)
    for _, _, on_disk in CASE_MISMATCH:
        files[on_disk] = png(on_disk)
    for orphan in ORPHANS:
        files[orphan] = png(orphan)
    return dict(sorted(files.items()))


def _check_deliberate(refs: dict[tuple[str, str], list[tuple[int, str]]]) -> None:
    """Fail loudly if the seeds no longer hold the references the deliberate problems name."""
    wanted = [(note, path) for note, path in MISSING] + [(n, p) for n, p, _ in CASE_MISMATCH]
    for key in wanted:
        if len(refs.get(key, [])) != 1:
            raise SystemExit(f"deliberate problem {key} is not referenced exactly once")
    referenced = {path.casefold() for _, path in refs}
    for orphan in ORPHANS:
        if orphan.casefold() in referenced:
            raise SystemExit(f"orphan {orphan} is referenced by a note")


def expected_toml(seeds: Path) -> str:
    """Render the deliberate problems (with their lines in the built notes) as TOML."""
    refs = referenced_assets(read_notes(seeds))
    out = [
        "# Deliberate problems in sample_vault/, written by tools/build_sample_vault.py.",
        "# note/path are vault paths; target is the destination exactly as written in the note.",
        "# `vaultbot lint sample_vault` must report exactly [[missing]] as missing-asset.",
    ]
    for note, path in MISSING:
        (line, target), = refs[(note, path)]
        out += ["", "[[missing]]", f"note = {_q(note)}", f"line = {line}", f"target = {_q(target)}"]
    for note, path, on_disk in CASE_MISMATCH:
        (line, target), = refs[(note, path)]
        out += ["", "[[case_mismatch]]", f"note = {_q(note)}", f"line = {line}",
                f"target = {_q(target)}", f"on_disk = {_q(on_disk)}"]
    for orphan in ORPHANS:
        out += ["", "[[orphan]]", f"path = {_q(orphan)}"]
    return "\n".join(out) + "\n"


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def write_vault(files: dict[str, bytes], out: Path) -> None:
    """Write ``files`` under ``out``, deleting stale files from the folders this script owns."""
    for owned in OWNED:
        for stale in sorted((out / owned).rglob("*")):
            if stale.is_file() and stale.relative_to(out).as_posix() not in files:
                stale.unlink()
    for path, data in files.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--expected", type=Path, default=DEFAULT_EXPECTED)
    args = parser.parse_args(argv)
    if not args.seeds.is_dir():
        parser.error(f"seed folder {args.seeds} not found (it lives in ../shared/seeds)")
    files = vault_files(args.seeds)
    write_vault(files, args.out)
    args.expected.parent.mkdir(parents=True, exist_ok=True)
    args.expected.write_text(expected_toml(args.seeds), encoding="utf-8")
    print(f"wrote {len(files)} files to {args.out} and {args.expected}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Paper resolution on real small vaults, with the real client against the replay server."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest
from arxiv_server import ReplayServer, arxiv_server, isolated_state

from vaultbot.cache import Cache, default_cache_path
from vaultbot.resolve import link_text, plan_note, resolve_vault
from vaultbot.vault import load_vault
from vaultbot.writer import apply

__all__ = ["arxiv_server", "isolated_state"]
pytestmark = pytest.mark.usefixtures("isolated_state")
TESTS = Path(__file__).parent
VAULT = TESTS / "vaults" / "resolve"
EXPECTED = TESTS / "data" / "resolve"
SAMPLE = TESTS.parent / "sample_vault"
DAILY = "daily/2026-02.md"


def make_vault(tmp_path: Path, url: str, **resolve: object) -> Path:
    """Copy the test vault and point it at ``url`` with test-sized timings."""
    root = tmp_path / "vault"
    shutil.copytree(VAULT, root)
    settings = {"arxiv_url": url, "request_interval": 0.0, "batch_size": 4, "timeout": 2.0, "retries": 1,
                "total_timeout": 10.0, **resolve}
    lines = [f"{k} = {v!r}".replace("'", '"') for k, v in settings.items()]
    (root / ".vaultbot.toml").write_text("[resolve]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.md")}


def run(root: Path, offline: bool = False, dry_run: bool = False) -> tuple[object, object]:
    vault = load_vault(root)
    result = resolve_vault(vault, offline=offline)
    written = apply(vault.root, result.edits, vault.sources, dry_run=dry_run)
    return result, written


def test_bare_links_get_titles_and_everything_else_stays(tmp_path: Path, arxiv_server: ReplayServer) -> None:
    root = make_vault(tmp_path, arxiv_server.url)
    result, _ = run(root)
    assert (root / DAILY).read_text(encoding="utf-8") == (EXPECTED / "2026-02.expected.md").read_text(encoding="utf-8")
    assert (root / "daily/crlf-bom.md").read_bytes() == (EXPECTED / "crlf-bom.expected.md").read_bytes()
    # 9 IDs to fetch in batches of 4, plus 2501.99999 asked alone after its batch dropped it.
    assert arxiv_server.count == 3 + 1
    assert result.summary.fetched == 9 and result.summary.not_found == 1 and result.summary.invalid == 1
    assert result.summary.from_report == 1  # the HF report states its title: no request for it
    assert "2512.20144" not in {i for s in arxiv_server.seen for i in s.id_list}


def test_user_bytes_outside_owned_places_are_identical(tmp_path: Path, arxiv_server: ReplayServer) -> None:
    root = make_vault(tmp_path, arxiv_server.url)
    before = (root / DAILY).read_text(encoding="utf-8")
    run(root)
    after = (root / DAILY).read_text(encoding="utf-8")
    for line in before.splitlines()[1:6]:
        if not line.startswith("tags:"):
            assert line in after.splitlines()  # comments, quoting and order of user keys
    for kept in ("```\nhttps://arxiv.org/abs/1601.00001\n```", "%% https://arxiv.org/abs/1111.2011 %%",
                 "<!-- https://arxiv.org/abs/1111.2011 -->", "see arXiv:1710.08557 in text",
                 "[Already titled](https://arxiv.org/abs/1707.08567)", "- https://arxiv.org/abs/2501.99999"):
        assert kept in after


def test_second_run_makes_no_request_and_changes_no_byte(tmp_path: Path, arxiv_server: ReplayServer) -> None:
    root = make_vault(tmp_path, arxiv_server.url)
    run(root)
    first = snapshot(root)
    requests = arxiv_server.count
    result, written = run(root)
    assert arxiv_server.count == requests
    assert snapshot(root) == first
    assert result.edits == [] and written.written == []  # type: ignore[attr-defined]


def test_negative_cache_reports_without_asking_again(tmp_path: Path, arxiv_server: ReplayServer) -> None:
    root = make_vault(tmp_path, arxiv_server.url)
    run(root)
    result, _ = run(root)
    unresolved = {u.paper_id: u for u in result.unresolved}  # type: ignore[attr-defined]
    assert unresolved["2501.99999"].reason.startswith("not found on arXiv (remembered")
    assert (unresolved["2501.99999"].path, unresolved["0808.05394"].reason) == (DAILY, "not a valid arXiv ID")


def test_offline_opens_no_socket(tmp_path: Path, arxiv_server: ReplayServer, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_vault(tmp_path, arxiv_server.url)

    def refuse(*args: object) -> None:
        raise AssertionError("offline mode opened a socket")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    result, _ = run(root, offline=True)
    assert arxiv_server.count == 0
    reasons = {u.paper_id: u.reason for u in result.unresolved}  # type: ignore[attr-defined]
    assert reasons["1605.08386"] == "not in the metadata cache (offline)"
    assert not (root / ".vaultbot").exists()  # offline without a cache creates nothing


def test_offline_uses_the_cache_of_an_earlier_run(tmp_path: Path, arxiv_server: ReplayServer) -> None:
    root = make_vault(tmp_path, arxiv_server.url)
    run(root, dry_run=True)  # fills the cache, writes no note
    assert snapshot(root) == snapshot(VAULT)
    requests = arxiv_server.count
    result, _ = run(root, offline=True)
    assert arxiv_server.count == requests
    assert result.summary.fetched == 0 and result.summary.from_cache == 9  # type: ignore[attr-defined]
    assert (root / DAILY).read_text(encoding="utf-8") == (EXPECTED / "2026-02.expected.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("mode", ["503", "html", "truncated", "rate200", "rate429", "empty", "hang"])
def test_faults_leave_notes_alone_and_the_next_run_retries(tmp_path: Path, arxiv_server: ReplayServer, mode: str) -> None:
    root = make_vault(tmp_path, arxiv_server.url, timeout=0.5, total_timeout=3.0)
    before = snapshot(root)
    arxiv_server.mode = mode
    result, _ = run(root)
    after = snapshot(root)
    for rel in before:
        if rel.startswith("daily/"):
            assert after[rel] == before[rel], rel
    assert result.summary.failed == 10 and result.summary.not_found == 0  # type: ignore[attr-defined]
    with Cache.open(default_cache_path(root)) as cache:
        assert cache.not_found(["1605.08386", "2501.99999"]) == set()
    arxiv_server.mode = "ok"
    result, _ = run(root)
    assert result.summary.fetched == 9  # type: ignore[attr-defined]
    assert (root / DAILY).read_text(encoding="utf-8") == (EXPECTED / "2026-02.expected.md").read_text(encoding="utf-8")


def test_a_tag_the_user_deleted_is_not_added_again(tmp_path: Path, arxiv_server: ReplayServer) -> None:
    root = make_vault(tmp_path, arxiv_server.url)
    run(root)
    note = root / "daily/2026-02-b.md"
    text = note.read_text(encoding="utf-8")
    assert "  - condensed-matter\n" in text
    note.write_text(text.replace("  - condensed-matter\n", ""), encoding="utf-8")
    edited = note.read_bytes()
    run(root)
    assert note.read_bytes() == edited


def test_sample_vault_resolves_offline_from_its_shipped_cache(tmp_path: Path) -> None:
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root)
    shipped = (SAMPLE / ".vaultbot" / "cache.sqlite").read_bytes()
    result, written = run(root, offline=True)
    assert result.summary.resolved == result.summary.papers == result.summary.from_cache  # type: ignore[attr-defined]
    assert result.unresolved == [] and written.written  # type: ignore[attr-defined]
    assert (root / ".vaultbot" / "cache.sqlite").read_bytes() == shipped
    vault = load_vault(root)
    again = resolve_vault(vault, offline=True)
    assert again.edits == []


def test_plan_is_idempotent_note_by_note_on_the_sample_vault(tmp_path: Path) -> None:
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root)
    run(root, offline=True)
    vault = load_vault(root)
    from vaultbot.resolve import Knowledge, note_mentions
    from vaultbot.tags import load_tag_rules

    with Cache.open(default_cache_path(root)) as cache:
        records = cache.get_many(m.paper_id for n in vault.notes.values() for m in n.mentions)
    knowledge = Knowledge(records, {}, load_tag_rules(), {})
    for note in vault.notes.values():
        assert plan_note(note, note_mentions(note), knowledge) == []


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Attention Is All You Need", "Attention Is All You Need"),
        ("On [bracketed] words", "On \\[bracketed\\] words"),
        ("a\\b *c* _d_ `e` <f>", "a\\\\b \\*c\\* \\_d\\_ \\`e\\` \\<f>"),
        ("Hard-wrapped\n  title", "Hard-wrapped title"),
    ],
)
def test_link_text_escapes_markdown(title: str, text: str) -> None:
    assert link_text(title) == text

"""Run the real ``vaultbot watch`` command with a test pipeline (used by tests/test_watch.py).

The daemon machinery is what these tests exercise: the real CLI, watcher, debounce,
locks, writer and state, on real files.  Only the per-note work is swapped (the daemon
takes one pipeline callable) for a small, deterministic step that writes:

- it keeps a last line ``%% words: N %%`` counting the words above it (so a stale
  write is detectable, and a second pass changes nothing);
- a note containing ``CRASH-ME`` raises; one containing ``SLOW`` sleeps first, so a
  test can edit it while vaultbot is about to write;
- it asks the papers worker for the note's bare arXiv IDs; the fetcher fails the
  first ``VAULTBOT_TEST_FETCH_FAILS`` times, like a network that is down.

Every call is appended as one JSON line to ``$VAULTBOT_TEST_JOURNAL`` (outside the vault).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from vaultbot.config import Config
from vaultbot.daemon import steps, worker
from vaultbot.daemon.pipeline import Outcome, Pipeline, chain
from vaultbot.daemon.worker import Fetcher
from vaultbot.diagnostics import Edit
from vaultbot.vault import Vault

MARKER = re.compile(r"^%% words: \d+ %%\n?\Z", re.M)
JOURNAL = Path(os.environ["VAULTBOT_TEST_JOURNAL"])
FETCH_FAILS = int(os.environ.get("VAULTBOT_TEST_FETCH_FAILS", "0"))
SLOW = float(os.environ.get("VAULTBOT_TEST_SLOW", "1.0"))


def journal(**record: object) -> None:
    """Append one record (with a wall-clock time) to the journal file."""
    record["time"] = time.time()
    with JOURNAL.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def word_count_step(vault: Vault, rels: Sequence[str]) -> Outcome:
    """Run ``word_count`` on each note of the batch."""
    total = Outcome()
    for rel in rels:
        out = word_count(vault, rel)
        total.edits += out.edits
        total.papers |= out.papers
    return total


def word_count(vault: Vault, rel: str) -> Outcome:
    """Keep the note's last line ``%% words: N %%`` true; raise or sleep on request."""
    note = vault.notes.get(rel)
    if note is None:
        return Outcome()
    text = note.text
    if "CRASH-ME" in text:
        raise RuntimeError("the test pipeline crashes on CRASH-ME")
    if "SLOW" in text:
        journal(event="slow", rel=rel)
        time.sleep(SLOW)
    found = MARKER.search(text)
    body = text[: found.start()] if found else text
    wanted = f"%% words: {len(body.split())} %%\n"
    papers = {m.paper_id for m in note.mentions if m.bare}
    if found:
        if found.group() == wanted:
            return Outcome(papers=papers)
        return Outcome(
            edits=[Edit(rel, found.start(), found.end(), found.group(), wanted)], papers=papers
        )
    prefix = "" if not text or text.endswith("\n") else "\n"
    return Outcome(edits=[Edit(rel, len(text), len(text), "", prefix + wanted)], papers=papers)


def journaled(pipeline: Pipeline) -> Pipeline:
    """Wrap ``pipeline`` so every call leaves a journal record."""

    def run(vault: Vault, rels: Sequence[str]) -> Outcome:
        for rel in rels:
            journal(event="start", rel=rel, exists=rel in vault.notes, batch=len(rels))
        outcome = pipeline(vault, rels)
        for rel in rels:
            journal(
                event="done",
                rel=rel,
                rules=sorted({d.rule for d in outcome.diagnostics if d.path == rel}),
                edits=len([e for e in outcome.edits if e.path == rel]),
                papers=sorted(outcome.papers),
            )
        return outcome

    return run


def failing_fetcher() -> Fetcher:
    """Return a fetcher that fails ``FETCH_FAILS`` times, then settles every ID."""
    calls = {"n": 0}

    def fetch(ids: list[str]) -> Iterable[str]:
        calls["n"] += 1
        journal(event="fetch", ids=ids, attempt=calls["n"])
        if calls["n"] <= FETCH_FAILS:
            raise OSError("Network is unreachable")
        return ids

    return fetch


def test_pipeline(root: Path, config: Config, *, offline: bool) -> tuple[Pipeline, Fetcher | None]:
    """The pipeline the harness injects: real lint, then the word-count step."""
    return journaled(chain([steps.lint_step, word_count_step])), failing_fetcher()


test_pipeline.__test__ = False  # type: ignore[attr-defined]  # not a pytest test

if __name__ == "__main__":
    steps.default_pipeline = test_pipeline
    worker.FIRST_BACKOFF = 0.2
    from vaultbot.cli import main

    main()

"""The arXiv client end to end: the real ``arxiv`` package against the local replay server."""

from __future__ import annotations

import math
import socket
import subprocess
import sys
import time
from pathlib import Path

import arxiv._feed
import pytest
from arxiv_server import DATA, RATE_EXCEEDED, Recordings, ReplayServer, arxiv_server, isolated_state

from vaultbot.arxiv_client import (
    USER_AGENT,
    ArxivClient,
    BadRequest,
    ClientSettings,
    Throttled,
    TransientError,
    classify,
    match_key,
    to_record,
)
from vaultbot.config import DEFAULTS
from vaultbot.spacing import RequestSpacer, user_state_dir

__all__ = ["arxiv_server", "isolated_state"]
pytestmark = pytest.mark.usefixtures("isolated_state")
RECORDED = Recordings().entry_ids()


def client(server: ReplayServer, **overrides: float) -> ArxivClient:
    values = {"batch_size": 5, "request_interval": 0.0, "timeout": 2.0, "retries": 2, "total_timeout": 20.0}
    values.update(overrides)
    return ArxivClient(ClientSettings(url=server.url, **values))  # type: ignore[arg-type]


# --- parsing the recorded responses -------------------------------------------------------


@pytest.mark.parametrize("path", sorted(DATA.glob("*.xml")), ids=lambda p: p.name)
def test_every_recorded_answer_is_classified_as_the_api_meant_it(path: Path) -> None:
    body = path.read_bytes()
    if "http400" in path.name:
        with pytest.raises(BadRequest, match="incorrect id format for"):
            classify(400, body)
    else:
        classify(200, body)  # well-formed Atom: no exception
        with pytest.raises(TransientError, match="truncated or malformed XML"):
            classify(200, body[: len(body) // 2])


def test_throttling_html_and_5xx_are_transient_never_empty() -> None:
    with pytest.raises(Throttled):
        classify(200, RATE_EXCEEDED)
    with pytest.raises(Throttled):
        classify(429, RATE_EXCEEDED)
    with pytest.raises(TransientError, match="HTML"):
        classify(200, b"<!DOCTYPE html><html><body>busy</body></html>")
    with pytest.raises(TransientError, match="503"):
        classify(503, b"Service Unavailable")
    # arxiv 4.0.2 on its own reads "Rate exceeded." as a feed with zero results:
    assert arxiv._feed.parse(RATE_EXCEEDED).results == []


@pytest.mark.parametrize(
    ("name", "asked", "title", "primary", "categories"),
    [
        ("new-idlist-1-entry-1605.08386.xml", "1605.08386", "Heat-bath random walks with Markov bases",
         "math.CO", ("math.CO", "math.ST")),
        ("new-idlist-versioned-2104.12255v1-title-is-0.xml", "2104.12255", "0", None, None),
        ("old2019-idlist-oldstyle-math-0211159-msc-category.xml", "math/0211159",
         "The entropy formula for the Ricci flow and its geometric applications", "math.DG", None),
        ("old2019-idlist-1710.08557-doi-journalref.xml", "1710.08557",
         "On Neuromechanical Approaches for the Study of Biological Grasp and Manipulation", None, None),
    ],
)
def test_records_from_real_files(name: str, asked: str, title: str, primary: str | None, categories: tuple[str, ...] | None) -> None:
    result = arxiv._feed.parse((DATA / name).read_bytes()).results[0]
    record = to_record(asked, result)
    assert record.title == title  # old-format hard-wrapped titles come out on one line
    assert match_key(result.get_short_id()) == match_key(asked)
    if primary:
        assert record.primary_category == primary
    if categories:
        assert record.categories == categories


def test_non_ascii_author_survives() -> None:
    result = arxiv._feed.parse((DATA / "new-idlist-1-entry-34-authors-nonascii-1707.08567.xml").read_bytes()).results[0]
    record = to_record("1707.08567", result)
    assert len(record.authors) == 34 and any("Wübben" in a for a in record.authors)


def test_match_key_handles_versions_and_old_style_subject_classes() -> None:
    assert match_key("quant-ph/0201082v1") == "quant-ph/0201082"
    assert match_key("math.GT/0309136") == "math/0309136"
    assert match_key("1706.03762v7") == "1706.03762"


# --- batching, matching, negative answers ---------------------------------------------------


def test_batches_ask_for_as_many_results_as_ids(arxiv_server: ReplayServer) -> None:
    ids = RECORDED[:12]
    outcome = client(arxiv_server).fetch(ids)
    assert sorted(outcome.found) == ids
    assert arxiv_server.count == math.ceil(12 / 5)
    assert [len(s.id_list) for s in arxiv_server.seen] == [5, 5, 2]
    assert all(s.max_results == len(s.id_list) for s in arxiv_server.seen)
    assert all(s.user_agent == USER_AGENT for s in arxiv_server.seen)
    assert "vaultbot/" in USER_AGENT and "https://" in USER_AGENT


def test_dropped_id_is_asked_singly_and_only_then_called_not_found(arxiv_server: ReplayServer) -> None:
    outcome = client(arxiv_server).fetch(["1605.08386", "1706.03762", "2501.99999"])
    assert sorted(outcome.found) == ["1605.08386", "1706.03762"]
    assert outcome.not_found == {"2501.99999"}
    assert [s.id_list for s in arxiv_server.seen] == [("1605.08386", "1706.03762", "2501.99999"), ("2501.99999",)]


def test_recorded_empty_feed_for_a_single_id_is_not_found(arxiv_server: ReplayServer) -> None:
    outcome = client(arxiv_server).fetch(["0000.0000"])  # replayed verbatim
    assert outcome.not_found == {"0000.0000"} and not outcome.failed


def test_versioned_and_old_style_ids_resolve(arxiv_server: ReplayServer) -> None:
    ids = ["quant-ph/0201082", "hep-ex/0406020", "2104.12255", "astro-ph/0601001", "math/9501234", "1111.2011"]
    outcome = client(arxiv_server, batch_size=10).fetch(ids)
    assert sorted(outcome.found) == sorted(ids)
    assert outcome.found["2104.12255"].title == "0"
    assert arxiv_server.count == 1


def test_bad_request_for_a_batch_is_retried_id_by_id(arxiv_server: ReplayServer) -> None:
    outcome = client(arxiv_server).fetch(["1605.08386", "abc"])
    assert sorted(outcome.found) == ["1605.08386"]
    assert "incorrect id format for abc" in outcome.failed["abc"]
    assert not outcome.not_found


# --- faults -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("503", "HTTP 503"),
        ("html", "HTML page instead of an Atom feed"),
        ("truncated", "truncated or malformed XML"),
        ("rate200", "Rate exceeded"),
        ("rate429", "Rate exceeded"),
        ("empty", "empty answer"),
    ],
)
def test_faults_fail_the_ids_and_never_call_them_not_found(arxiv_server: ReplayServer, mode: str, reason: str) -> None:
    arxiv_server.mode = mode
    outcome = client(arxiv_server, retries=1).fetch(["1605.08386", "1706.03762"])
    assert not outcome.found and not outcome.not_found
    assert set(outcome.failed) == {"1605.08386", "1706.03762"}
    assert all(reason in why for why in outcome.failed.values())


@pytest.mark.parametrize("fault", ["503", "rate200", "rate429", "truncated", "html"])
def test_retries_with_growing_backoff_then_success(arxiv_server: ReplayServer, fault: str) -> None:
    arxiv_server.script = [fault, fault]
    outcome = client(arxiv_server, request_interval=0.2, retries=3).fetch(["1605.08386"])
    assert sorted(outcome.found) == ["1605.08386"]
    times = [s.at for s in arxiv_server.seen]
    assert len(times) == 3
    gaps = [times[1] - times[0], times[2] - times[1]]
    factor = 4 if fault.startswith("rate") else 2  # throttling backs off harder
    assert gaps[0] >= 0.2 - 0.01 and gaps[1] >= 0.2 * factor - 0.01  # exponential, not a fixed delay


def test_hanging_api_times_out_and_the_run_gives_up_within_its_budget(arxiv_server: ReplayServer) -> None:
    arxiv_server.mode = "hang"
    started = time.monotonic()
    outcome = client(arxiv_server, timeout=0.5, retries=10, total_timeout=2.0).fetch(RECORDED[:12])
    elapsed = time.monotonic() - started
    assert elapsed < 3.5
    assert len(outcome.failed) == 12 and not outcome.found


def test_dead_api_gives_up_quickly() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = ClientSettings(url=f"http://127.0.0.1:{port}/api/query", request_interval=0.05, retries=2)
    started = time.monotonic()
    ids = [f"2401.{n:05d}" for n in range(1, 251)]  # three batches of the default size
    outcome = ArxivClient(settings).fetch(ids)
    assert time.monotonic() - started < 5
    assert len(outcome.failed) == 250
    assert all("cannot connect" in why or "skipped after an earlier failure" in why for why in outcome.failed.values())


def test_defaults_bound_a_dead_run_to_sixty_seconds() -> None:
    section = DEFAULTS["resolve"]
    assert section["total_timeout"] <= 60 and section["timeout"] < section["total_timeout"]
    assert section["request_interval"] == 3.0 and section["batch_size"] == 100


def test_request_budget_stops_the_run(arxiv_server: ReplayServer) -> None:
    outcome = ArxivClient(ClientSettings(url=arxiv_server.url, batch_size=2, request_interval=0, max_requests=2)).fetch(
        RECORDED[:6]
    )
    assert arxiv_server.count == 2 and len(outcome.found) == 4
    assert all("request budget" in why for why in outcome.failed.values())


# --- spacing ------------------------------------------------------------------------------


def test_requests_of_one_run_are_spaced(arxiv_server: ReplayServer) -> None:
    client(arxiv_server, batch_size=2, request_interval=0.25).fetch(RECORDED[:8])
    times = [s.at for s in arxiv_server.seen]
    assert len(times) == 4
    assert min(b - a for a, b in zip(times, times[1:])) >= 0.2  # 0.25 s slots, minus arrival jitter


SPACED_RUN = """
import sys
from vaultbot.arxiv_client import ArxivClient, ClientSettings
ids = sys.argv[2].split(",")
ArxivClient(ClientSettings(url=sys.argv[1], batch_size=1, request_interval=0.4)).fetch(ids)
"""


def test_spacing_is_shared_between_processes(arxiv_server: ReplayServer, isolated_state: Path) -> None:
    runs = [
        subprocess.Popen([sys.executable, "-c", SPACED_RUN, arxiv_server.url, ",".join(RECORDED[i : i + 3])])
        for i in (0, 3)
    ]
    assert [run.wait(timeout=30) for run in runs] == [0, 0]
    times = sorted(s.at for s in arxiv_server.seen)
    assert len(times) == 6
    # Slots are 0.4 s apart; arrival times at the server carry process-scheduling jitter.
    assert min(b - a for a, b in zip(times, times[1:])) >= 0.3
    assert (isolated_state / "arxiv-next-slot").is_file()  # in the test's state dir, not ~


def test_spacer_gives_up_instead_of_waiting_past_the_deadline(isolated_state: Path) -> None:
    from vaultbot.spacing import OutOfTime

    spacer = RequestSpacer(10.0, isolated_state)
    spacer.wait(time.monotonic() + 1)
    with pytest.raises(OutOfTime):
        spacer.wait(time.monotonic() + 1)


def test_state_dir_honours_the_override_and_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VAULTBOT_STATE_DIR", str(tmp_path / "s"))
    assert user_state_dir() == tmp_path / "s"
    monkeypatch.delenv("VAULTBOT_STATE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert user_state_dir() == tmp_path / "xdg" / "vaultbot"

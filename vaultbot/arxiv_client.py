"""The only module that opens sockets: fetch paper metadata from the arXiv API (issue 5).

It drives the real ``arxiv`` package (its URL building and Atom parser) and guards
against that package's known flaws (arxiv 4.0.2): no request timeout, retries without
backoff, and a throttled answer (plain text ``Rate exceeded.`` with HTTP 200) read as
"zero results".  The guards live in ``_GuardedSession``, the HTTP session the package
uses, so every request the package makes passes through them:

* a per-request timeout and a total deadline per run (a dead or hanging API gives up
  within ``total_timeout`` seconds), plus a request budget;
* spacing of at least ``request_interval`` seconds between requests of *all* vaultbot
  processes of the user (``spacing.RequestSpacer``);
* every answer is classified before the package sees it: throttling, 5xx, HTML instead
  of Atom and truncated XML become retryable errors, never "no such paper".

IDs are validated first (a malformed ID would get HTTP 400 for its whole batch), sent in
batches of ``batch_size`` with ``max_results=len(batch)`` (the API's default is 10), and
results are matched back by ID because the API silently drops unknown IDs.  Only a
well-formed empty feed for a *single* ID, echoing that ID in its title, means "not found".
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import requests

from vaultbot import __version__
from vaultbot.cache import PaperRecord
from vaultbot.spacing import OutOfTime, RequestSpacer

if TYPE_CHECKING:
    import arxiv

log = logging.getLogger("vaultbot.arxiv")

PROJECT_URL = "https://github.com/vaultbot/vaultbot"
USER_AGENT = f"vaultbot/{__version__} (+{PROJECT_URL}; paper-notes metadata, id_list batches)"
_VERSION_RE = re.compile(r"v\d+$")
Progress = Callable[[int, int, int], None]  # (ids settled, ids asked, requests made)
Store = Callable[[list[PaperRecord], list[str]], None]  # (records found, IDs not found)


class TransientError(Exception):
    """An answer that says nothing about the papers: retry later, never "not found"."""


class Throttled(TransientError):
    """arXiv said ``Rate exceeded.`` (HTTP 429, or 200 with a plain-text body)."""


class BadRequest(Exception):
    """HTTP 400: the API rejected an ID in the request (its error feed says which)."""


class GiveUp(Exception):
    """The run's request budget or total time is used up."""


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """How to talk to the API; built from the ``[resolve]`` config section."""

    url: str = "https://export.arxiv.org/api/query"
    batch_size: int = 100
    request_interval: float = 3.0
    timeout: float = 15.0
    retries: int = 3
    max_requests: int = 200
    total_timeout: float = 60.0

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> ClientSettings:
        """Return settings from ``config["resolve"]``."""
        return cls(
            url=section["arxiv_url"],
            batch_size=max(1, int(section["batch_size"])),
            request_interval=float(section["request_interval"]),
            timeout=float(section["timeout"]),
            retries=int(section["retries"]),
            max_requests=int(section["max_requests"]),
            total_timeout=float(section["total_timeout"]),
        )


@dataclass
class FetchOutcome:
    """What one run learnt: records found, IDs that do not exist, IDs that failed (why)."""

    found: dict[str, PaperRecord] = field(default_factory=dict)
    not_found: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)
    requests: int = 0


def strip_version(paper_id: str) -> str:
    """Return ``paper_id`` without its ``vN`` suffix."""
    return _VERSION_RE.sub("", paper_id)


def match_key(paper_id: str) -> str:
    """Return the key results are matched by: no version, old-style subject class dropped.

    The API answers ``math.GT/0309136`` with entry ``math/0309136v1``.
    """
    bare = strip_version(paper_id)
    if "/" in bare:
        archive, number = bare.split("/", 1)
        return f"{archive.split('.', 1)[0]}/{number}"
    return bare


class ArxivClient:
    """One client per run: batching, spacing, retries, budgets (see the module docstring)."""

    def __init__(self, settings: ClientSettings, spacer: RequestSpacer | None = None) -> None:
        self.settings = settings
        self._session = _GuardedSession(settings, spacer or RequestSpacer(settings.request_interval))
        self._client = _make_client(settings, self._session)
        self._broken: str | None = None

    @property
    def requests_made(self) -> int:
        """Return how many HTTP requests this client has sent."""
        return self._session.count

    def fetch(self, ids: Iterable[str], progress: Progress | None = None, store: Store | None = None) -> FetchOutcome:
        """Look up ``ids`` (versionless, validated by the caller); never raises for API trouble.

        ``store`` receives each request's findings as they come (records, not-found IDs),
        so a run interrupted after many batches keeps what it already paid for.
        """
        wanted = sorted(set(ids))
        outcome = FetchOutcome()
        singles: list[str] = []
        size = self.settings.batch_size
        batches = [wanted[start : start + size] for start in range(0, len(wanted), size)]
        for batch in batches:
            self._step(batch, outcome, singles, store)
            self._report(progress, outcome, len(wanted))
        for paper_id in singles:
            self._step([paper_id], outcome, [], store)
            self._report(progress, outcome, len(wanted))
        outcome.requests = self.requests_made
        return outcome

    def _step(self, batch: list[str], outcome: FetchOutcome, singles: list[str], store: Store | None) -> None:
        self._fetch_batch(batch, outcome, singles)
        if store is not None:
            store([outcome.found[i] for i in batch if i in outcome.found], [i for i in batch if i in outcome.not_found])

    def _report(self, progress: Progress | None, outcome: FetchOutcome, total: int) -> None:
        if progress is not None:
            settled = len(outcome.found) + len(outcome.not_found) + len(outcome.failed)
            progress(settled, total, self.requests_made)

    def _fetch_batch(self, batch: list[str], outcome: FetchOutcome, singles: list[str]) -> None:
        """Ask for one batch; sort its IDs into found / not found / failed / ask singly."""
        if self._broken:
            outcome.failed.update(dict.fromkeys(batch, self._broken))
            return
        try:
            results = self._ask_with_retries(batch)
        except BadRequest as exc:
            self._split_or_fail(batch, f"rejected by the API: {exc}", outcome, singles)
            return
        except (TransientError, GiveUp) as exc:
            reason = str(exc)
            self._broken = f"skipped after an earlier failure: {reason}"
            outcome.failed.update(dict.fromkeys(batch, reason))
            return
        by_key = {match_key(r.get_short_id()): r for r in results}
        missing = []
        for paper_id in batch:
            result = by_key.get(match_key(paper_id))
            if result is None:
                missing.append(paper_id)
            else:
                outcome.found[paper_id] = to_record(paper_id, result)
        if len(batch) == 1 and missing:
            self._single_empty(batch[0], outcome)
        else:
            singles.extend(missing)  # dropped from a batch: only a single-ID answer is proof

    def _split_or_fail(self, batch: list[str], reason: str, outcome: FetchOutcome, singles: list[str]) -> None:
        if len(batch) > 1:
            singles.extend(batch)
        else:
            outcome.failed[batch[0]] = reason

    def _single_empty(self, paper_id: str, outcome: FetchOutcome) -> None:
        """Record a single-ID empty answer: "not found" only if the feed echoes the ID."""
        if self._session.last_feed_echoes(paper_id):
            outcome.not_found.add(paper_id)
        else:
            outcome.failed[paper_id] = "empty answer that does not name the ID (retried next run)"

    def _ask_with_retries(self, batch: list[str]) -> list[arxiv.Result]:
        """Send one batch, retrying transient failures with exponential backoff."""
        attempt = 0
        while True:
            try:
                return self._ask(batch)
            except TransientError as exc:
                if attempt >= self.settings.retries:
                    raise
                delay = self._backoff(attempt, exc)
                log.info("arXiv: %s; retry %d in %.1fs", exc, attempt + 1, delay)
                self._session.sleep_within_deadline(delay, exc)
                attempt += 1

    def _backoff(self, attempt: int, exc: Exception) -> float:
        base = max(self.settings.request_interval, 0.05)
        factor = 4 if isinstance(exc, Throttled) else 2
        return float(base * factor**attempt)

    def _ask(self, batch: list[str]) -> list[arxiv.Result]:
        import arxiv

        search = arxiv.Search(id_list=batch, max_results=len(batch))
        self._client.page_size = len(batch)  # the package sends page_size as max_results
        try:
            return list(self._client.results(search))
        except arxiv.HTTPError as exc:  # statuses the session did not classify
            raise TransientError(f"HTTP {exc.status}") from exc
        except arxiv.UnexpectedEmptyPageError as exc:
            raise TransientError("unexpected empty page") from exc
        except requests.Timeout as exc:
            raise TransientError(f"no answer within {self.settings.timeout:g}s") from exc
        except requests.ConnectionError as exc:
            raise TransientError(f"cannot connect to {self.settings.url}") from exc


def to_record(paper_id: str, result: arxiv.Result) -> PaperRecord:
    """Convert an ``arxiv.Result`` into the cache's record for the ID the user wrote."""
    return PaperRecord(
        paper_id=paper_id,
        title=" ".join(result.title.split()),
        authors=tuple(a.name for a in result.authors),
        abstract=" ".join(result.summary.split()),
        primary_category=result.primary_category,
        categories=tuple(result.categories),
        published=result.published.date().isoformat() if result.published else "",
        fetched_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        source="arxiv",
    )


def _make_client(settings: ClientSettings, session: Any) -> arxiv.Client:
    """Return an ``arxiv.Client`` aimed at ``settings.url`` that sends through ``session``."""
    import arxiv

    class _EndpointClient(arxiv.Client):
        # The package builds request URLs from this class attribute.
        query_url_format = settings.url + ("&{}" if "?" in settings.url else "?{}")

    # Spacing, retries and timeouts are ours: the package's own have the flaws above.
    client = _EndpointClient(page_size=settings.batch_size, delay_seconds=0.0, num_retries=0)
    client._session = session
    return client


class _GuardedSession(requests.Session):
    """The HTTP session handed to ``arxiv.Client``: every request it sends passes here."""

    def __init__(self, settings: ClientSettings, spacer: RequestSpacer) -> None:
        super().__init__()
        self.settings = settings
        self.spacer = spacer
        self.count = 0
        self.deadline = time.monotonic() + settings.total_timeout
        self.last_body = b""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        """Space, budget, time-limit and classify one request (see the module docstring)."""
        if self.count >= self.settings.max_requests:
            raise GiveUp(f"request budget of {self.settings.max_requests} used up (resolve.max_requests)")
        try:
            self.spacer.wait(self.deadline)
        except OutOfTime as exc:
            raise GiveUp(f"{exc} (resolve.total_timeout)") from exc
        timeout = min(self.settings.timeout, self._remaining())
        kwargs["headers"] = {"User-Agent": USER_AGENT}
        kwargs.update(timeout=timeout, stream=True)
        self.count += 1
        method, url = (v.decode() if isinstance(v, bytes) else v for v in (method, url))
        response = super().request(method, url, *args, **kwargs)
        try:
            body = _read_body(response, time.monotonic() + timeout)
        finally:
            response.close()
        response._content = body  # requests keeps a read body here; the package reads .content
        self.last_body = body
        classify(response.status_code, body)
        return response

    def sleep_within_deadline(self, delay: float, cause: Exception) -> None:
        """Sleep ``delay`` seconds before a retry, or give up if that passes the deadline."""
        if delay >= self._remaining():
            total = self.settings.total_timeout
            raise GiveUp(f"{cause}; gave up after {total:g}s (resolve.total_timeout)")
        time.sleep(delay)

    def last_feed_echoes(self, paper_id: str) -> bool:
        """Return True when the last answer is a well-formed empty feed asking for ``paper_id``."""
        match = _FEED_TITLE_RE.search(self.last_body)
        if match is None or not _ZERO_TOTAL_RE.search(self.last_body):
            return False
        query = match.group(1).decode("utf-8", "replace").replace("&amp;", "&")
        asked = re.search(r"id_list=([^&]*)", query)
        return bool(asked) and paper_id in asked.group(1).split(",")  # type: ignore[union-attr]

    def _remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise GiveUp(f"gave up after {self.settings.total_timeout:g}s (resolve.total_timeout)")
        return left


_FEED_TITLE_RE = re.compile(rb"<title[^>]*>([^<]*)</title>")
_ZERO_TOTAL_RE = re.compile(rb"<opensearch:totalResults[^>]*>\s*0\s*<")
_MAX_BODY = 64 * 1024 * 1024


def _read_body(response: requests.Response, deadline: float) -> bytes:
    """Read the body, failing when it trickles in past ``deadline`` or grows absurdly large."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(64 * 1024):
        chunks.append(chunk)
        size += len(chunk)
        if time.monotonic() > deadline:
            raise requests.Timeout("the answer did not arrive within the request timeout")
        if size > _MAX_BODY:
            raise TransientError("answer larger than 64 MiB")
    return b"".join(chunks)


def classify(status: int, body: bytes) -> None:
    """Raise the error an answer stands for; return quietly for a well-formed Atom feed."""
    head = body[:1024].lstrip()
    if status == 429 or head.startswith(b"Rate exceeded"):
        raise Throttled(f"throttled by arXiv ('Rate exceeded.', HTTP {status})")
    if status >= 500:
        raise TransientError(f"HTTP {status} from the API")
    if status == 400:
        raise BadRequest(_error_summary(body) or "HTTP 400")
    if status != 200:
        raise TransientError(f"HTTP {status} from the API")
    lowered = head[:64].lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        raise TransientError("HTML page instead of an Atom feed")
    if b"<feed" not in body[:4096]:
        raise TransientError("answer is not an Atom feed")
    _check_well_formed(body)


def _check_well_formed(body: bytes) -> None:
    """Parse strictly: the package's parser recovers from truncated XML and returns a part."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    try:
        etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise TransientError(f"truncated or malformed XML ({exc})") from exc


def _error_summary(body: bytes) -> str:
    match = re.search(rb"<summary[^>]*>([^<]*)</summary>", body)
    return match.group(1).decode("utf-8", "replace").strip() if match else ""

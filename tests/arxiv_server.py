"""A stand-in for the arXiv API on 127.0.0.1 that replays REAL recorded responses.

The recordings in ``tests/data/arxiv/`` are copied verbatim from
``../shared/fixtures/arxiv/`` (see the README there for where each came from).

* A request whose ``id_list`` equals the one a recording was made for gets that
  recording byte for byte (status 400 for the two recorded error feeds).
* Any other ``id_list`` request gets a feed *assembled* from recorded ``<entry>``
  elements (each copied byte for byte) under the header the new API writes: the title
  echoes the query, ``totalResults`` counts the entries.  Unknown IDs are silently
  dropped and a malformed ID gets the recorded HTTP 400 error feed, as the real API does.
* Fault modes (``server.mode``, or ``server.script`` for the next requests first):
  ``hang`` (never answers), ``503``, ``html``, ``truncated`` (a recorded feed cut in
  half), ``rate200`` / ``rate429`` (the documented plain-text ``Rate exceeded.``),
  ``empty`` (the recorded empty feed of ``id_list=0000.0000``, whatever was asked).
* ``clone_entries=True`` (benchmarks only) answers IDs nobody recorded with a recorded
  entry whose ``<id>`` is rewritten to the ID asked for.

The server counts requests and remembers when each arrived and with which query.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

DATA = Path(__file__).parent / "data" / "arxiv"
RATE_EXCEEDED = b"Rate exceeded."
ERROR_FEED = "new-error-malformed-id-abc-http400.xml"
EMPTY_FEED = "new-empty-idlist-nonexistent-0000.0000.xml"
_ENTRY_RE = re.compile(rb"<entry>.*?</entry>", re.S)
_ENTRY_ID_RE = re.compile(rb"<id>https?://arxiv\.org/abs/([^<]+?)(v\d+)?</id>")
_TITLE_IDS_RE = re.compile(rb"<title[^>]*>[^<]*id_list=([^&<]+)&amp;start")
_VALID_ID_RE = re.compile(r"(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})(v\d+)?")
_HEADER = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
    "  <id>https://arxiv.org/api/replay</id>\n"
    "  <title>arXiv Query: search_query=&amp;id_list={ids}&amp;start={start}&amp;max_results={max}</title>\n"
    "  <updated>2026-04-12T22:10:19Z</updated>\n"
    '  <link href="https://arxiv.org/api/query?search_query=&amp;start={start}&amp;max_results={max}'
    '&amp;id_list={ids}" type="application/atom+xml"/>\n'
    "  <opensearch:itemsPerPage>{max}</opensearch:itemsPerPage>\n"
    "  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
    "  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
)
HTML_PAGE = b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head><body>maintenance</body></html>\n"


@dataclass(frozen=True)
class Seen:
    """One request the server received."""

    at: float
    id_list: tuple[str, ...]
    max_results: int
    user_agent: str


def _key(paper_id: str) -> str:
    bare = re.sub(r"v\d+$", "", paper_id)
    if "/" in bare:
        archive, number = bare.split("/", 1)
        return f"{archive.split('.', 1)[0]}/{number}"
    return bare


class Recordings:
    """The recorded files, indexed by the ``id_list`` they answer and by entry ID."""

    def __init__(self, folder: Path = DATA) -> None:
        self.files: dict[str, bytes] = {}
        self.by_query: dict[str, bytes] = {}
        self.entries: dict[str, bytes] = {}
        for path in sorted(folder.glob("*.xml")):
            body = path.read_bytes()
            self.files[path.name] = body
            asked = _TITLE_IDS_RE.search(body)
            if asked and "search" not in path.name:
                self.by_query[asked.group(1).decode()] = body
            for entry in _ENTRY_RE.findall(body):
                found = _ENTRY_ID_RE.search(entry)
                if found:
                    self.entries.setdefault(_key(found.group(1).decode()), entry)

    def entry_ids(self) -> list[str]:
        """Return every recorded paper ID (versionless), sorted."""
        return sorted(self.entries)

    def feed(self, ids: list[str], start: int, max_results: int, clone: bool) -> tuple[int, bytes]:
        """Return the status and body the real API would give for ``id_list=ids``."""
        joined = ",".join(ids)
        if joined in self.by_query:
            return 200, self.by_query[joined]
        bad = [i for i in ids if not _VALID_ID_RE.fullmatch(i)]
        if bad:
            return 400, self.files[ERROR_FEED].replace(b"_abc", b"_" + bad[0].encode()).replace(
                b"for abc", b"for " + bad[0].encode()
            )
        entries = [e for e in (self._entry(i, clone) for i in ids) if e is not None]
        page = entries[start : start + max_results]
        head = _HEADER.format(ids=joined, start=start, max=max_results, total=len(entries)).encode()
        return 200, head + b"".join(b"  " + e + b"\n" for e in page) + b"</feed>\n"

    def _entry(self, paper_id: str, clone: bool) -> bytes | None:
        entry = self.entries.get(_key(paper_id))
        if entry is None and clone:
            template = self.entries[sorted(self.entries)[hash(paper_id) % len(self.entries)]]
            return _ENTRY_ID_RE.sub(f"<id>http://arxiv.org/abs/{paper_id}v1</id>".encode(), template, count=1)
        return entry


class ReplayServer:
    """The HTTP server; ``url`` is its ``/api/query`` endpoint on 127.0.0.1."""

    def __init__(self, recordings: Recordings | None = None, clone_entries: bool = False) -> None:
        self.recordings = recordings or Recordings()
        self.clone_entries = clone_entries
        self.mode = "ok"
        self.script: list[str] = []
        self.seen: list[Seen] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/api/query"

    @property
    def count(self) -> int:
        return len(self.seen)

    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def next_mode(self, seen: Seen) -> str:
        with self._lock:
            self.seen.append(seen)
            return self.script.pop(0) if self.script else self.mode

    def answer(self, mode: str, seen: Seen, start: int) -> tuple[int, str, bytes]:
        """Return status, content type and body for one request in ``mode``."""
        atom = "application/atom+xml; charset=utf-8"
        if mode == "503":
            return 503, "text/plain", b"Service Unavailable"
        if mode == "html":
            return 200, "text/html", HTML_PAGE
        if mode == "rate200":
            return 200, "text/plain", RATE_EXCEEDED
        if mode == "rate429":
            return 429, "text/plain", RATE_EXCEEDED
        if mode == "empty":
            return 200, atom, self.recordings.files[EMPTY_FEED]
        status, body = self.recordings.feed(list(seen.id_list), start, seen.max_results, self.clone_entries)
        if mode == "truncated":
            body = body[: len(body) // 2]
        return status, atom, body


def _handler_for(server: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else every answer waits for a delayed ACK (~40 ms)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
            ids = tuple(i for i in query.get("id_list", [""])[0].split(",") if i)
            seen = Seen(time.monotonic(), ids, int(query.get("max_results", ["10"])[0]), self.headers.get("User-Agent", ""))
            mode = server.next_mode(seen)
            if mode == "hang":
                server.stopping.wait(120)
                return
            status, kind, body = server.answer(mode, seen, int(query.get("start", ["0"])[0]))
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


@pytest.fixture
def arxiv_server() -> Iterator[ReplayServer]:
    """A running replay server, stopped after the test."""
    server = ReplayServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def isolated_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every per-user folder at a temp dir and refuse non-loopback connections."""
    import socket

    state = tmp_path_factory.mktemp("user-state")
    monkeypatch.setenv("VAULTBOT_STATE_DIR", str(state))
    monkeypatch.setenv("XDG_CACHE_HOME", str(state / "xdg"))
    for name in ("VAULTBOT_ARXIV_URL", "VAULTBOT_REQUEST_INTERVAL", "VAULTBOT_CACHE", "VAULTBOT_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    real_connect = socket.socket.connect

    def loopback_only(sock: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else ""
        if sock.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"test tried to connect to {address}, not loopback")
        return real_connect(sock, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", loopback_only)
    return state

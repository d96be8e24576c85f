"""What every check reads: the vault, its file index (built once) and shared resolutions.

missing-asset, case-mismatch and orphan-asset all need each reference resolved; the
context resolves each link once and remembers it, so the vault is indexed once per run
and every link is resolved once whatever the number of rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from vaultbot.model import Link, Note
from vaultbot.resolver import FileIndex, Resolution, resolve_path
from vaultbot.vault import Vault

LOCAL_KINDS = frozenset({"markdown", "wikilink"})  # bare URLs and <autolinks> are web addresses
_new = tuple.__new__  # builds a Reference without its Python-level __new__ (~8 a note)
# Files Obsidian opens itself (help.obsidian.md "Accepted file formats"); a markdown link to
# one of these is an attachment, while ``[site](www.example.com)`` is a web address typo.
ATTACHMENT_SUFFIXES = frozenset(
    [
        "avif",
        "bmp",
        "gif",
        "jpeg",
        "jpg",
        "png",
        "svg",
        "webp",
        "flac",
        "m4a",
        "mp3",
        "ogg",
        "wav",
        "3gp",
        "mkv",
        "mov",
        "mp4",
        "ogv",
        "webm",
        "pdf",
        "canvas",
        "base",
    ]
)


class Reference(NamedTuple):
    """A link of a note to a vault file, with where it resolved (a tuple: one per link)."""

    link: Link
    resolution: Resolution
    asset: bool


@dataclass
class LintContext:
    """The read-only inputs of one lint run.

    ``whole_vault`` is False when only some notes were parsed (pre-commit passes the
    changed files); vault-wide rules such as orphan-asset then stay quiet, since the
    notes that were not read may reference the file.  ``referenced_elsewhere`` returns
    the files referenced by notes linted in another process (``vaultbot.lint.split``);
    orphan-asset counts them too.
    """

    vault: Vault
    whole_vault: bool
    referenced_elsewhere: Callable[[], set[str]] = field(default=set, repr=False)
    _index: FileIndex | None = field(default=None, init=False, repr=False)
    _references: dict[str, list[Reference]] = field(default_factory=dict, init=False, repr=False)
    _resolved: dict[tuple[str, str], Resolution] = field(
        default_factory=dict, init=False, repr=False
    )

    @property
    def index(self) -> FileIndex:
        """Return the vault's file index, built on first use (once per run)."""
        if self._index is None:
            self._index = FileIndex(self.vault.files)
        return self._index

    def sharing(self, vault: Vault) -> LintContext:
        """Return a context over other parsed notes of the same vault, sharing the file
        index and the resolved paths (``vaultbot.lint.split`` lints a vault in chunks)."""
        other = LintContext(vault, self.whole_vault, self.referenced_elsewhere)
        other._index, other._resolved = self.index, self._resolved
        return other

    def references(self, note: Note) -> list[Reference]:
        """Return the note's links to local files, each resolved once per run."""
        found = self._references.get(note.path)
        if found is None:
            found = self._references[note.path] = list(self._resolve_links(note))
        return found

    def asset_references(self, note: Note) -> Iterator[tuple[Link, Resolution]]:
        """Yield each image/attachment reference of ``note`` with its resolution.

        An asset reference is an embed (markdown image, ``![[...]]``) or a markdown link
        to an attachment; links to notes (``[[Idea]]``) are not assets, since Obsidian
        treats an unresolved note link as a note yet to be written.
        """
        for ref in self.references(note):
            if ref.asset:
                yield ref.link, ref.resolution

    def resolve(self, written: str, note_path: str) -> Resolution:
        """Resolve a stripped, decoded path from a note (memoised per folder and path)."""
        folder = note_path.rpartition("/")[0]
        found = self._resolved.get((folder, written))
        if found is None:
            found = self._resolved[(folder, written)] = resolve_path(
                written, note_path, self.index, folder=folder
            )
        return found

    def _resolve_links(self, note: Note) -> Iterator[Reference]:
        folder, memo, index = note.path.rpartition("/")[0], self._resolved, self.index
        for link in note.links:
            path = link.path
            if link.kind not in LOCAL_KINDS or not path or (":" in path and link.is_external):
                continue
            key = (folder, path)
            found = memo.get(key)
            if found is None:
                found = memo[key] = resolve_path(path, note.path, index, folder=folder)
            yield _new(Reference, (link, found, _is_local_asset(link)))


def is_asset_reference(link: Link) -> bool:
    """Return True for an embed of a local non-note file, or a link to an attachment."""
    if link.kind not in LOCAL_KINDS or not link.path or link.is_external:
        return False
    return _is_local_asset(link)


def _is_local_asset(link: Link) -> bool:
    """``is_asset_reference`` for a link already known to be local (not a web address)."""
    name = link.path.rpartition("/")[2]
    stem, dot, suffix = name.rpartition(".")
    suffix = suffix.lower()
    if not dot or not stem.strip(".") or suffix == "md":
        return False
    return link.embed or suffix in ATTACHMENT_SUFFIXES

"""What every check reads: the vault, its file index (built once) and shared resolutions.

missing-asset, case-mismatch and orphan-asset all need each reference resolved; the
context resolves each link once and remembers it, so the vault is indexed once per run
and every link is resolved once whatever the number of rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from vaultbot.model import Link, Note
from vaultbot.resolver import FileIndex, Resolution, resolve_path
from vaultbot.vault import Vault

NOTE_SUFFIX = ".md"
# Files Obsidian opens itself (help.obsidian.md "Accepted file formats"); a markdown link to
# one of these is an attachment, while ``[site](www.example.com)`` is a web address typo.
ATTACHMENT_SUFFIXES = frozenset(
    "avif bmp gif jpeg jpg png svg webp flac m4a mp3 ogg wav 3gp mkv mov mp4 ogv webm pdf canvas base".split()
)


@dataclass
class LintContext:
    """The read-only inputs of one lint run.

    ``whole_vault`` is False when only some notes were parsed (pre-commit passes the
    changed files); vault-wide rules such as orphan-asset then stay quiet, since the
    notes that were not read may reference the file.
    """

    vault: Vault
    whole_vault: bool
    index: FileIndex = field(init=False)
    _resolved: dict[tuple[str, int], Resolution] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.index = FileIndex(self.vault.files)

    def resolve(self, note: Note, number: int) -> Resolution:
        """Return the resolution of ``note.links[number]`` (computed once per run)."""
        key = (note.path, number)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = resolve_path(note.links[number].path, note.path, self.index)
        return found

    def asset_references(self, note: Note) -> Iterator[tuple[Link, Resolution]]:
        """Yield each image/attachment reference of ``note`` with its resolution.

        An asset reference is an embed (markdown image, ``![[...]]``) or a markdown link
        to a non-note file; links to notes (``[[Idea]]``) are not assets, since Obsidian
        treats an unresolved note link as a note yet to be written.
        """
        for number, link in enumerate(note.links):
            if is_asset_reference(link):
                yield link, self.resolve(note, number)


def is_asset_reference(link: Link) -> bool:
    """Return True for an embed of a local non-note file, or a link to an attachment."""
    if link.kind not in ("markdown", "wikilink") or not link.path or link.is_external:
        return False
    name = link.path.rsplit("/", 1)[-1].lower()
    suffix = name.rsplit(".", 1)[-1] if "." in name.lstrip(".") else ""
    if not suffix or suffix == "md":
        return False
    return link.embed or suffix in ATTACHMENT_SUFFIXES

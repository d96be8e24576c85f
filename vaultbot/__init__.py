"""vaultbot: keep an Obsidian vault of paper-reading notes resolved, linked and valid.

The package is a library first; the ``vaultbot`` command is a thin click skin over it.
Heavy dependencies (networkx, arxiv, rapidfuzz) are imported only inside the functions
that need them, so ``vaultbot lint`` starts fast in a pre-commit hook.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]

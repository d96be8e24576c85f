"""Allow ``python -m vaultbot``."""

from __future__ import annotations

from vaultbot.cli import main

if __name__ == "__main__":
    main()

"""Tiny solid-colour PNGs for sample and benchmark vaults, written with zlib + struct only.

The zlib stream holds one stored (uncompressed) deflate block, so the bytes depend on nothing
but the colour and size: the committed ``sample_vault/`` rebuilds identically with any zlib.
"""

from __future__ import annotations

import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def solid_png(rgb: bytes, size: int = 16) -> bytes:
    """Return a valid ``size`` x ``size`` 8-bit RGB PNG filled with the 3-byte colour ``rgb``."""
    raw = (b"\x00" + rgb * size) * size  # filter type 0 before each row
    stream = b"\x78\x01\x01" + struct.pack("<HH", len(raw), len(raw) ^ 0xFFFF) + raw
    stream += struct.pack(">I", zlib.adler32(raw))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", stream) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

"""A minimal PNG encoder (8-bit gray, RGB or RGBA) for image summaries, on zlib alone."""

import struct
import zlib

import numpy as np

_COLOR_TYPES = {1: 0, 3: 2, 4: 6}


def encode_png(image):
    """PNG bytes of a uint8 array of shape [height, width, channels] (1, 3 or 4 channels)."""
    height, width, channels = image.shape
    if channels not in _COLOR_TYPES:
        raise ValueError(f"image summaries need 1, 3 or 4 channels, got {channels}")
    rows = np.concatenate([np.zeros((height, 1), np.uint8),
                           np.ascontiguousarray(image, np.uint8).reshape(height, -1)], axis=1)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, _COLOR_TYPES[channels], 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + chunk(b"IEND", b""))

"""Small valid images for tests, written with zlib and struct (no imaging library needed)."""
import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data)))


def encode_png(width, height, pixels, palette) -> bytes:
    """An 8-bit palette PNG; `pixels` is one bytes object of palette indexes per row."""
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"PLTE", b"".join(bytes(colour) for colour in palette))
            + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b""))


def png(width=4, height=3, colour=(0, 94, 184)) -> bytes:
    """A solid-colour PNG."""
    return encode_png(width, height, [bytes(width)] * height, [colour])


def jpeg(width=4, height=3) -> bytes:
    """The start of a baseline JPEG (SOI, JFIF, frame header): enough to be judged by content."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


def webp(width=4, height=3) -> bytes:
    """A lossless WebP header (VP8L) with the given size."""
    bits = (width - 1) | ((height - 1) << 14)
    payload = b"\x2f" + struct.pack("<I", bits) + b"\x00" * 8
    chunk = b"VP8L" + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk

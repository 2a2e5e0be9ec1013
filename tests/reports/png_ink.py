#!/usr/bin/env python3
"""How much of a screenshot is drawn (tests/reports): decodes an 8-bit RGB or RGBA PNG (the
chunks, the zlib stream, the five row filters) and prints "WIDTH HEIGHT INK", INK being the
pixels that are not near white. Exits 1 with a message on a file it cannot decode."""
import struct
import sys
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
NEAR_WHITE = 235  # a channel at or above this counts as paper


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode(data):
    if not data.startswith(SIGNATURE):
        raise ValueError("not a PNG (no signature)")
    at, idat, header = len(SIGNATURE), bytearray(), None
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        at += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("no IHDR chunk")
    width, height, depth, color, _, _, interlace = header
    if depth != 8 or color not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {color}, interlace {interlace}")
    channels = 3 if color == 2 else 4
    stride = width * channels
    raw = zlib.decompress(bytes(idat))
    if len(raw) != height * (stride + 1):
        raise ValueError("image data of the wrong size")
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = row[i - channels] if i >= channels else 0
            up = previous[i]
            up_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                row[i] = (row[i] + left) & 0xFF
            elif kind == 2:
                row[i] = (row[i] + up) & 0xFF
            elif kind == 3:
                row[i] = (row[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                row[i] = (row[i] + paeth(left, up, up_left)) & 0xFF
            elif kind != 0:
                raise ValueError(f"row {y}: unknown filter {kind}")
        rows.append(row)
        previous = row
    return width, height, channels, rows


def main():
    if len(sys.argv) != 2:
        print("usage: png_ink.py FILE.png", file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], "rb") as f:
            width, height, channels, rows = decode(f.read())
    except (OSError, ValueError, zlib.error) as e:
        print(f"png_ink: {sys.argv[1]}: {e}", file=sys.stderr)
        return 1
    ink = 0
    for row in rows:
        for x in range(0, len(row), channels):
            if min(row[x], row[x + 1], row[x + 2]) < NEAR_WHITE:
                ink += 1
    print(width, height, ink)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""A small raster MBTiles file for tests and the demo (issue 17 item 8):
zoom 13 to 16 around a centre, each 256x256 PNG tile drawn here (pale land,
a grid of "streets" every ~150 m, a river band), stored in TMS row order as
MBTiles 1.3 says.  Pure python (zlib), no imaging library.

usage: mkmbtiles.py OUT.mbtiles [--lat 18.6733 --lon 105.6924] [--zooms 13-16]
"""
import argparse
import math
import sqlite3
import struct
import zlib


def png(width, height, rows):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def tile_png(z, x, y):
    """Streets are lines of constant Web-Mercator metres, so neighbouring
    tiles and zooms line up."""
    n = 2 ** z
    size = 40075016.686 / n            # metres per tile at the equator (Mercator units)
    step = 150.0
    rows = []
    for py in range(256):
        my = (0.5 - (y + (py + 0.5) / 256) / n) * 40075016.686
        row = bytearray()
        street_y = (my % step) < max(6.0, size / 256 * 2)
        river = 0 <= (my % 2400) < 90
        for px in range(256):
            mx = ((x + (px + 0.5) / 256) / n - 0.5) * 40075016.686
            street_x = (mx % step) < max(6.0, size / 256 * 2)
            if river:
                row += bytes((160, 200, 235))
            elif street_x or street_y:
                row += bytes((255, 255, 255)) if z >= 15 else bytes((250, 245, 235))
            else:
                row += bytes((236, 232, 220))
        rows.append(row)
    return png(256, 256, rows)


def xyz(lat, lon, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--lat", type=float, default=18.6733)
    ap.add_argument("--lon", type=float, default=105.6924)
    ap.add_argument("--zooms", default="13-16")
    ap.add_argument("--radius", type=int, default=1, help="tiles each side of the centre at the deepest zoom")
    a = ap.parse_args()
    z0, z1 = (int(v) for v in a.zooms.split("-"))
    db = sqlite3.connect(a.out)
    db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    db.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
    db.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
    d = 0.02
    meta = {"name": "wardwatch test map", "format": "png", "minzoom": str(z0), "maxzoom": str(z1),
            "bounds": f"{a.lon - d},{a.lat - d},{a.lon + d},{a.lat + d}", "center": f"{a.lon},{a.lat},{z1 - 1}",
            "attribution": "wardwatch test tiles", "type": "baselayer", "version": "1.3"}
    db.executemany("INSERT INTO metadata VALUES (?,?)", meta.items())
    for z in range(z0, z1 + 1):
        cx, cy = xyz(a.lat, a.lon, z)
        r = a.radius + (1 if z < z1 else 0)
        for x in range(cx - r, cx + r + 1):
            for y in range(cy - r, cy + r + 1):
                db.execute("INSERT INTO tiles VALUES (?,?,?,?)", (z, x, 2 ** z - 1 - y, tile_png(z, x, y)))
    db.commit()
    db.close()


if __name__ == "__main__":
    main()

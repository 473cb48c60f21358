"""Issue 17 item 8: an offline map a station can really use.

A station with no tile server is given an MBTiles file (made here with
sqlite3: metadata + raster tiles in TMS row order, as MBTiles 1.3 says) and
a street list (CSV with Vietnamese names).  Checks, against the real binary:
  - `map tiles` refuses a file that is not MBTiles and one of vector tiles,
    installs a good one; `map show --json` reports it;
  - GET /api/v1/map/offline describes it; GET /api/v1/map/tiles/z/x/y
    answers the right tile (the XYZ y is flipped to the file's TMS row, so
    the north-west tile is not the south-west one) with its image type, 404
    for a tile the file lacks, 401 without a session;
  - `map streets` imports all or nothing (a bad line names its number and
    nothing is added), skips a street already there, --replace empties first;
  - GET /api/v1/places?q= finds "Lê Lợi" when typed "le loi" or "LÊ LỢI",
    finds a camera by its address and an incident by its address; an officer
    of another ward gets the street but not ward A's camera nor its incident
    (the search tells nobody what is outside their scope); q too short → 400.
"""
import json
import os
import sqlite3
import tempfile
import struct
import zlib
from urllib.parse import quote

from wwapi import Server, check, finish, log


def png(r, g, b):
    """A valid 1x1 PNG of one colour (each tile distinguishable)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    raw = b"\x00" + bytes([r, g, b])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def make_mbtiles(path, fmt="png"):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    db.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
    meta = {"name": "Vinh test", "format": fmt, "minzoom": "0", "maxzoom": "1",
            "bounds": "105.6,18.6,105.75,18.75", "center": "105.68,18.67,1", "attribution": "Sở TN&MT"}
    db.executemany("INSERT INTO metadata VALUES (?,?)", meta.items())
    tiles = {(0, 0, 0): png(10, 10, 10)}
    # zoom 1: TMS row 1 is the northern half — XYZ y 0
    tiles[(1, 0, 1)] = png(200, 0, 0)   # north-west
    tiles[(1, 0, 0)] = png(0, 200, 0)   # south-west
    tiles[(1, 1, 1)] = png(0, 0, 200)   # north-east
    db.executemany("INSERT INTO tiles VALUES (?,?,?,?)", [(z, x, y, d) for (z, x, y), d in tiles.items()])
    db.commit()
    db.close()
    return tiles


tmp = tempfile.mkdtemp(prefix="ww-map-")
srv = Server().start()
try:
    admin = srv.admin()
    # ---- tiles -------------------------------------------------------------------------------------------
    bogus = os.path.join(tmp, "bogus.mbtiles")
    with open(bogus, "w") as f:
        f.write("not sqlite")
    r = srv.cli("map", "tiles", bogus)
    check(r.returncode == 1 and "not an MBTiles" in r.stderr, "map tiles refuses a file that is not MBTiles",
          "exit 1, 'not an MBTiles'", (r.returncode, r.stderr.strip()))
    vec = os.path.join(tmp, "vector.mbtiles")
    make_mbtiles(vec, "pbf")
    r = srv.cli("map", "tiles", vec)
    check(r.returncode == 1 and "vector" in r.stderr, "map tiles refuses vector tiles", "exit 1, 'vector'",
          (r.returncode, r.stderr.strip()))
    r = admin.get("/api/v1/map/offline")
    check(r.status == 200 and r.json == {"available": False}, "no offline map yet", {"available": False}, r.json)
    good = os.path.join(tmp, "vinh.mbtiles")
    tiles = make_mbtiles(good)
    r = srv.cli("map", "tiles", good)
    check(r.returncode == 0 and "installed" in r.stdout, "map tiles installs a raster MBTiles", "exit 0",
          (r.returncode, r.stdout, r.stderr))
    r = srv.cli("map", "show", "--json")
    shown = json.loads(r.stdout) if r.returncode == 0 else {}
    check(shown.get("offline_map") is True and shown.get("tiles") == 4 and shown.get("format") == "png",
          "map show --json reports the installed map", "offline_map, 4 tiles, png", shown)
    r = admin.get("/api/v1/map/offline")
    j = r.json or {}
    check(r.status == 200 and j.get("available") is True and j.get("minzoom") == 0 and j.get("maxzoom") == 1
          and j.get("bounds") == [105.6, 18.6, 105.75, 18.75] and j.get("tile_url") == "/api/v1/map/tiles/{z}/{x}/{y}",
          "GET /map/offline describes the file", "available, zoom 0-1, bounds, tile_url", j)
    r = admin.get("/api/v1/map/tiles/1/0/0")
    check(r.status == 200 and r.body == tiles[(1, 0, 1)] and r.header("Content-Type") == "image/png",
          "XYZ 1/0/0 is the north-west tile (TMS row 1)", "the red tile, image/png",
          (r.status, r.header("Content-Type"), r.body[:8]))
    r = admin.get("/api/v1/map/tiles/1/0/1.png")
    check(r.status == 200 and r.body == tiles[(1, 0, 0)], "XYZ 1/0/1(.png) is the south-west tile", "green tile",
          r.status)
    r = admin.get("/api/v1/map/tiles/1/1/1")
    check(r.status == 404, "a tile the file lacks is 404", 404, r.status)
    for bad in ("/api/v1/map/tiles/1/2/0", "/api/v1/map/tiles/31/0/0", "/api/v1/map/tiles/a/0/0"):
        r = admin.get(bad)
        check(r.status == 404, f"{bad}: 404", 404, r.status)
    r = srv.client().get("/api/v1/map/tiles/0/0/0")
    check(r.status == 401, "tiles need a session", 401, r.status)

    # ---- streets -------------------------------------------------------------------------------------------
    wa = srv.create_ward(admin, "Phường Hưng Bình")
    wb = srv.create_ward(admin, "Phường Bến Thủy")
    csv_good = os.path.join(tmp, "streets.csv")
    with open(csv_good, "w", encoding="utf-8") as f:
        f.write("name,latitude,longitude,ward\n"
                "Lê Lợi,18.6790,105.6810,Phường Hưng Bình\n"
                "\"Nguyễn Du, đoạn 2\",18.6700,105.6900,\n"
                "Trần Hưng Đạo,18.6650,105.6850,%d\n" % wb)
    csv_bad = os.path.join(tmp, "bad.csv")
    with open(csv_bad, "w", encoding="utf-8") as f:
        f.write("name,latitude,longitude\nPhan Bội Châu,18.67,105.68\nQuang Trung,99,105.68\n,18.6,105.6\n")
    r = srv.cli("map", "streets", csv_bad)
    check(r.returncode == 1 and "line 3" in r.stderr and "line 4" in r.stderr and "nothing imported" in r.stderr,
          "a bad street list names its bad lines and imports nothing", "exit 1, lines 3 and 4",
          (r.returncode, r.stderr.strip()))
    r = srv.cli("map", "streets", csv_good)
    check(r.returncode == 0 and "3 street(s) added" in r.stdout, "the good list is imported", "3 added",
          (r.returncode, r.stdout, r.stderr))
    r = srv.cli("map", "streets", csv_good)
    check(r.returncode == 0 and "0 street(s) added, 3 already there" in r.stdout, "importing it again adds nothing",
          "0 added, 3 already there", r.stdout)

    # ---- places ------------------------------------------------------------------------------------------------
    owner = srv.create_owner(admin, wa, name="Cửa hàng Minh Châu")
    cam = srv.create_camera(admin, wa, owner, name="Cổng chợ", address="12 Lê Lợi, Hưng Bình",
                            latitude=18.6791, longitude=105.6812)
    cats = admin.get("/api/v1/incident-categories").json["categories"]
    r = admin.post("/api/v1/incidents", {"ward_id": wa, "category_id": cats[0]["id"], "occurred_at": "2026-11-20T10:00",
                                         "summary": "Trộm xe", "address": "Ngõ 5 Lê Lợi",
                                         "latitude": 18.6795, "longitude": 105.6815})
    check(r.status == 201, "fixture: an incident on Lê Lợi", 201, r)
    for q in ("le loi", "LÊ LỢI", "Lê Lợi"):
        r = admin.get("/api/v1/places?q=" + quote(q))
        kinds = sorted(p["kind"] for p in (r.json or {}).get("places", []))
        check(r.status == 200 and kinds == ["camera", "incident", "street"], f"'{q}' finds the street, the camera"
              " (by its address) and the incident", ["camera", "incident", "street"], kinds)
    r = admin.get("/api/v1/places?q=le%20loi")
    street = [p for p in r.json["places"] if p["kind"] == "street"][0]
    check(street["name"] == "Lê Lợi" and abs(street["latitude"] - 18.679) < 1e-6 and street["ward_id"] == wa,
          "the street comes with its position and ward", "Lê Lợi 18.679", street)
    r = admin.get("/api/v1/places?q=minh%20chau")
    check([p["kind"] for p in r.json["places"]] == ["owner"], "an owner's name leads to their camera", ["owner"],
          r.json)
    _, pw = srv.create_user(admin, "off_b", "officer", ward_id=wb)
    off_b = srv.signed_in("off_b", pw)
    r = off_b.get("/api/v1/places?q=le%20loi")
    kinds = [p["kind"] for p in (r.json or {}).get("places", [])]
    check(r.status == 200 and kinds == ["street"], "an officer of another ward finds the street only", ["street"],
          r.json)
    r = off_b.get("/api/v1/places?q=minh%20chau")
    check(r.status == 200 and r.json["places"] == [], "…and not ward A's owner", [], r.json)
    r = admin.get("/api/v1/places?q=l")
    check(r.status == 400, "a one-letter query is 400", 400, r.status)
    r = srv.cli("map", "streets", "--replace", csv_bad)
    r = srv.cli("map", "show", "--json")
    check(json.loads(r.stdout).get("streets") == 3, "a refused --replace import leaves the list as it was", 3,
          r.stdout)
finally:
    srv.stop()
finish()

"""Issue 11 item 8: every download of evidence is audited (who, which export
or bundle, bytes sent).

The attack: officer B downloaded officer A's export file and its manifest
(which holds the owner's phone number) and left no audit row.  Here officer
B, of the same ward, takes officer A's export — the whole file, a Range of
it, the manifest — and a bundle officer A made (the tar, a clip member and
its manifest member), then starts a large download and hangs up early.
Each download must leave two rows (the audit is a hash chain; rows are
never updated):
  - a start row (export_download / bundle_download) naming officer B, the
    camera, the export or bundle and the file — present while the body is
    still being sent, i.e. before the download ends;
  - a download_done row linked to it (start_id) with the status, the part
    of the file served and the bytes handed over: the whole body, the
    range's length, and for the download cut short fewer bytes than the file
    (complete false) but at least what the client read.
Finally the audit chain verifies.  Footage: one real recorded segment
(tools/gencams), linked in as back-to-back segments.
"""
import http.client
import os
import socket
import sys
import tempfile
import time

from wwapi import Server, check, finish, log

SRC = os.environ.get("WW_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "../..")))
sys.path.insert(0, os.path.join(SRC, "tools", "gencams"))
import gencams  # noqa: E402


def rows(admin, action):
    r = admin.get(f"/api/v1/audit?action={action}&limit=1000")
    return r.json["rows"] if r.status == 200 else []


def done_for(admin, start_id, timeout=10):
    """The download_done row of a start row (written when the response ends)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for x in rows(admin, "download_done"):
            if (x.get("detail") or {}).get("start_id") == start_id:
                return x
        time.sleep(0.1)
    return None


def newest_start(admin, action, **want):
    for x in rows(admin, action):       # newest first
        d = x.get("detail") or {}
        if all(d.get(k) == v for k, v in want.items()):
            return x
    return None


def audited(admin, what, action, body_len, user, camera, status=200, length=None, offset=0, **want):
    s = newest_start(admin, action, **want)
    check(s is not None and s["username"] == user and s["camera_id"] == camera,
          f"{what}: a start row names {user}, camera {camera} and {want}", (user, camera, want),
          s and (s["username"], s["camera_id"], s.get("detail")))
    d = done_for(admin, s["id"]) if s else None
    length = body_len if length is None else length
    seen = d and (d["username"], d["camera_id"], d["detail"].get("status"), d["detail"].get("bytes"),
                  d["detail"].get("length"), d["detail"].get("offset"), d["detail"].get("complete"))
    check(d is not None and seen == (user, camera, status, body_len, length, offset, True),
          f"{what}: its download_done row says {body_len} bytes sent", (user, camera, status, body_len, length, offset, True),
          seen)
    return s, d


def main():
    tpl_dir = tempfile.mkdtemp(prefix="ww-tpl-")
    tpl = gencams.record_template(tpl_dir)
    srv = Server().start()
    admin = srv.admin()
    wa = srv.create_ward(admin, "Trường Thi")
    owner = srv.create_owner(admin, wa, "Hộ bà Lan")
    cam = srv.create_camera(admin, wa, owner, "Ngõ 12 Trường Thi", latitude=18.67, longitude=105.68)
    r = admin.post(f"/api/v1/cameras/{cam}/consents", {"live": True, "record": True, "export": True})
    check(r.status == 201, "the owner agreed to exports", 201, r)
    _, pa = srv.create_user(admin, "officer_a", "officer", ward_id=wa)
    _, pb = srv.create_user(admin, "officer_b", "officer", ward_id=wa)
    off_a, off_b = srv.signed_in("officer_a", pa), srv.signed_in("officer_b", pb)

    seg_s = max(1, int(tpl["duration_us"] // 1000000))
    T0 = int(time.time()) - 3600
    n_seg = 120   # ≥ 10 MB: more than the socket buffers hold, so a hang-up cuts the body short
    gencams.add_segments(srv.data, tpl, cam, T0, n_seg)
    span = n_seg * tpl["duration_us"] / 1e6

    # ---- officer A exports; officer B downloads ------------------------------------------------
    r = off_a.post(f"/api/v1/cameras/{cam}/exports", {"from": T0, "to": T0 + span - 0.5}, timeout=120)
    check(r.status == 201, "officer A exports the footage", 201, r)
    ex = r.json["export"] if r.status == 201 else {}
    eid, size = ex.get("id"), ex.get("bytes", 0)
    log(f"export {eid}: {size} bytes over {span:.0f} s ({n_seg} segments of {seg_s} s)")

    r = off_b.get(f"/api/v1/exports/{eid}/file", timeout=60)
    check(r.status == 200 and len(r.body) == size, "officer B downloads officer A's export file", (200, size),
          (r.status, len(r.body)))
    audited(admin, "export file", "export_download", len(r.body), "officer_b", cam, export_id=eid, file="file")

    r = off_b.get(f"/api/v1/exports/{eid}/file", headers={"Range": "bytes=1000-4999"})
    check(r.status == 206 and len(r.body) == 4000, "officer B takes a Range of it", (206, 4000), (r.status, len(r.body)))
    s, _ = audited(admin, "export file, Range", "export_download", 4000, "officer_b", cam, status=206, offset=1000,
                   export_id=eid, file="file")
    check(s and s["detail"].get("range") == "bytes=1000-4999", "the Range asked for is in the start row",
          "bytes=1000-4999", s and s["detail"].get("range"))

    r = off_b.get(f"/api/v1/exports/{eid}/manifest")
    check(r.status == 200 and b"0912 345 678" in r.body, "officer B reads the manifest (it holds the owner's phone)",
          "200 with the phone", (r.status, r.body[:80]))
    audited(admin, "manifest", "export_download", len(r.body), "officer_b", cam, export_id=eid, file="manifest")

    # ---- a download cut short: the start row exists while the body is sent ----------------------
    sk = socket.socket()
    sk.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
    sk.settimeout(20)
    sk.connect(("127.0.0.1", srv.port))
    sk.sendall((f"GET /api/v1/exports/{eid}/file HTTP/1.1\r\nHost: 127.0.0.1:{srv.port}\r\n"
                f"Cookie: ww_session={off_b.cookie}\r\n\r\n").encode())
    got = b""
    while b"\r\n\r\n" not in got or len(got) < 200000:
        chunk = sk.recv(65536)
        if not chunk:
            break
        got += chunk
    body_read = len(got) - (got.index(b"\r\n\r\n") + 4)
    time.sleep(0.5)
    s = newest_start(admin, "export_download", export_id=eid, file="file")
    open_start = s and not any((x.get("detail") or {}).get("start_id") == s["id"] for x in rows(admin, "download_done"))
    check(s is not None and s["username"] == "officer_b" and "range" not in s["detail"] and open_start,
          "mid-download: the start row is there, its download_done row not yet",
          "start row, no end row", s and s.get("detail"))
    sk.close()
    d = done_for(admin, s["id"], timeout=15) if s else None
    dd = (d or {}).get("detail") or {}
    log(f"cut short: client read {body_read} body bytes; the row says {dd.get('bytes')} of {dd.get('length')}")
    check(d is not None and dd.get("complete") is False and body_read <= dd.get("bytes", -1) < size
          and dd.get("length") == size,
          "the download cut short is recorded with the bytes handed over (≥ read, < the file), not complete",
          f"{body_read} ≤ bytes < {size}, complete false", dd)

    # ---- a bundle by officer A, downloaded by officer B ----------------------------------------
    r = off_a.post("/api/v1/search/place/bundle", {"lat": 18.67, "lon": 105.68, "radius_m": 50, "from": T0,
                                                   "to": T0 + 3 * seg_s}, timeout=300)
    check(r.status == 201 and [f["camera_id"] for f in r.json["bundle"]["files"]] == [cam],
          "officer A makes a bundle of the camera", 201, r)
    b = r.json["bundle"] if r.status == 201 else {}
    bid = b.get("id")
    r = off_b.get(b.get("tar_url", "/none"), timeout=120)
    check(r.status == 200 and len(r.body) == int(r.header("Content-Length") or -1), "officer B downloads the bundle",
          200, (r.status, len(r.body)))
    audited(admin, "bundle tar", "bundle_download", len(r.body), "officer_b", cam, bundle_id=bid, file="bundle.tar")
    clip = b["files"][0]["name"] if b.get("files") else "none"
    man = b["files"][0]["manifest"] if b.get("files") else "none"
    r = off_b.get(f"/api/v1/bundles/{bid}/files/{clip}", timeout=60)
    check(r.status == 200 and len(r.body) > 1000, "officer B downloads a clip of the bundle", 200, (r.status, len(r.body)))
    audited(admin, "bundle clip", "bundle_download", len(r.body), "officer_b", cam, bundle_id=bid, file=clip)
    r = off_b.get(f"/api/v1/bundles/{bid}/files/{man}")
    check(r.status == 200 and b"0912 345 678" in r.body, "officer B reads the clip's manifest in the bundle",
          "200 with the phone", (r.status, r.body[:80]))
    audited(admin, "bundle manifest member", "bundle_download", len(r.body), "officer_b", cam, bundle_id=bid, file=man)

    # ---- refused downloads leave no half-open start row ------------------------------------------
    os.unlink(os.path.join(srv.data, b.get("folder", "x"), clip))
    r = off_b.get(f"/api/v1/bundles/{bid}/files/{clip}")
    check(r.status == 404, "a bundle member that is gone is a 404", 404, r.status)
    s = newest_start(admin, "bundle_download", bundle_id=bid, file=clip)
    d = done_for(admin, s["id"]) if s else None
    check(d is not None and d["detail"].get("status") == 404 and d["detail"].get("bytes") == 0,
          "its start row is closed with status 404 and 0 bytes", (404, 0), d and d.get("detail"))

    r = admin.get("/api/v1/audit/verify")
    check(r.status == 200 and r.json.get("ok") is True, "the audit chain verifies", True, r.json)
    srv.stop()


main()
finish()

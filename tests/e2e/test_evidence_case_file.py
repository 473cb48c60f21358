"""An incident's case file (issue 13 item 3): GET
/api/v1/incidents/{id}/evidence lists the incident's holds, its two
exports, the bundle holding one of them, the notes written in it and the motion events of its
camera around when it occurred; each hold/export/bundle carries its chain
of custody — every audit row about it, checked here against GET
/api/v1/audit (creation, download, verification, hold placing) — and the
audit chain's verification result.  The chain-of-custody PDF renders
(pdftoppm) and its text (pdftotext) holds every one of those audit rows,
each SHA-256 and the chain's result.  Scope: another ward's officer and a
missing id get the same 404; a viewer is refused."""
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

from wwapi import Server, check, finish, log

SRC = os.environ.get("WW_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "../..")))
sys.path.insert(0, os.path.join(SRC, "tools", "gencams"))
import gencams  # noqa: E402


def about(rows, item):
    """The audit rows (ids) the case file must list for item, from the audit
    API: those naming it in their detail, and for an export the last
    'export' row of its camera and range before the export was written."""
    out = []
    if item["kind"] == "export":
        made = [r["id"] for r in rows if r["action"] == "export" and r.get("camera_id") == item["camera_id"]
                and (r["from_us"], r["to_us"]) == (item["from_us"], item["to_us"]) and r["at_us"] <= item["created_us"]]
        out += [max(made)] if made else []
    for r in rows:
        d = r.get("detail") if isinstance(r.get("detail"), dict) else {}
        k = item["kind"]
        if (k == "hold" and d.get("hold_id") == item["id"]) or (k == "bundle" and (
                d.get("bundle_id") == item["id"] or d.get("bundle") == item["folder"])) or (k == "export" and (
                d.get("export_id") == item["id"])) or (k == "note" and d.get("note_id") == item["id"]):
            out.append(r["id"])
    return sorted(out)


def main():
    tpl_dir = tempfile.mkdtemp(prefix="ww-tpl-")
    tpl = gencams.record_template(tpl_dir)
    srv = Server().start()
    admin = srv.admin()
    wa = srv.create_ward(admin, "Bến Thủy")
    wb = srv.create_ward(admin, "Hưng Dũng")
    oa = srv.create_owner(admin, wa, "Hộ ông Tâm")
    cam = srv.create_camera(admin, wa, oa, "Ngõ 3 Nguyễn Du", latitude=18.6600, longitude=105.6900)
    T0 = int(time.time()) - 3600
    db = sqlite3.connect(os.path.join(srv.data, "wardwatch.db"), timeout=30)
    gencams.add_segments(srv.data, tpl, cam, T0, 3, db=db)
    db.commit()
    ev = gencams.add_event(srv.data, cam, T0 + 1, T0 + 3, 0.7, db=db)
    db.commit()
    db.close()
    r = admin.post(f"/api/v1/cameras/{cam}/consents", {"live": True, "record": True, "export": True})
    check(r.status == 201, "fixture: the owner agreed to everything", 201, r)
    exports = []
    for a, b in ((T0, T0 + 2), (T0 + 2, T0 + 5)):
        r = admin.post(f"/api/v1/cameras/{cam}/exports", {"from": a, "to": b})
        check(r.status == 201, "fixture: an export", 201, r)
        exports.append(r.json["export"]["id"] if r.status == 201 else 0)
    r = admin.post("/api/v1/search/place/bundle", {"lat": 18.66, "lon": 105.69, "radius_m": 30, "from": T0,
                                                   "to": T0 + 2, "camera_ids": [cam]})
    check(r.status == 201, "fixture: a bundle", 201, r)
    bundle = r.json["bundle"]["id"] if r.status == 201 else 0
    bexp = [f.get("export_id") for f in r.json["bundle"].get("files", [])] if r.status == 201 else []
    cat_id = admin.get("/api/v1/incident-categories").json["categories"][0]["id"]
    occurred = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(T0 + 7 * 3600))   # station time, UTC+7
    r = admin.post("/api/v1/incidents", {"ward_id": wa, "category_id": cat_id, "occurred_at": occurred,
                                         "summary": "Trộm xe máy ngõ 3", "camera_ids": [cam],
                                         "export_ids": exports + [x for x in bexp if x]})
    check(r.status == 201, "fixture: the incident links the camera and the exports", 201, r)
    inc = r.json["id"] if r.status == 201 else 0
    r = admin.post(f"/api/v1/cameras/{cam}/holds", {"from": T0, "to": T0 + 5, "reason": "vụ trộm xe", "incident_id": inc})
    check(r.status == 201, "fixture: a hold for the incident", 201, r)
    hold = r.json["hold"]["id"] if r.status == 201 else 0
    r = admin.post(f"/api/v1/incidents/{inc}/notes", {"text": "  Đã sao chép bản xuất 1 cho cơ quan điều tra.  "})
    check(r.status == 201, "a note in the case file (admin)", 201, r)
    note = r.json["id"] if r.status == 201 else 0
    r = admin.post(f"/api/v1/incidents/{inc}/notes", {"text": "   "})
    check(r.status == 400 and r.json["error"].get("field") == "text", "an empty note is refused, naming the field", 400, r)
    # later hands on the evidence: a download and a verification
    check(admin.get(f"/api/v1/exports/{exports[0]}/file").status == 200, "fixture: export 1 downloaded", 200, "")
    check(admin.get(f"/api/v1/exports/{exports[1]}/verify").status == 200, "fixture: export 2 verified", 200, "")
    r = admin.get(f"/api/v1/bundles/{bundle}/verify")
    check(r.status == 200 and r.json.get("ok") is True and r.json.get("checks"),
          "GET /api/v1/bundles/{id}/verify: the bundle as stored checks (hashes and signature)", True, r)

    r = admin.get(f"/api/v1/incidents/{inc}/evidence")
    check(r.status == 200, "GET /api/v1/incidents/{id}/evidence answers", 200, r)
    cf = r.json if r.status == 200 else {}
    items = cf.get("items", [])
    kinds = sorted((i["kind"], i["id"]) for i in items)
    want = sorted([("hold", hold), ("bundle", bundle), ("note", note)] +
                  [("export", e) for e in set(exports + [x for x in bexp if x])])
    check(kinds == want, "the case file lists the hold, every export, the bundle and the note", want, kinds)
    nt = [i for i in items if i["kind"] == "note"]
    check(nt and nt[0]["text"] == "Đã sao chép bản xuất 1 cho cơ quan điều tra." and nt[0]["created_by"],
          "the note is kept as written (trimmed), with who wrote it", "Đã sao chép…", nt)
    check([e["id"] for e in cf.get("events", [])] == [ev], "the camera's motion event in the incident's time",
          [ev], cf.get("events"))
    check(cf.get("chain", {}).get("ok") is True and cf["chain"]["rows"] > 0, "the audit chain's result is given",
          "ok", cf.get("chain"))

    audit = admin.get("/api/v1/audit?limit=1000").json["rows"]
    for it in items:
        got = sorted(x["id"] for x in it.get("custody", []))
        exp = about(audit, it)
        check(got == exp and exp, f"{it['kind']} {it['id']}: custody = every audit row about it", exp, got)
        check(it.get("sha256") or it["kind"] in ("hold", "note"), f"{it['kind']} {it['id']}: its SHA-256", "a hash", it.get("sha256"))
    acts = {it["kind"] + str(it["id"]): [x["action"] for x in it["custody"]] for it in items}
    check("export_download" in acts.get(f"export{exports[0]}", []), "export 1's custody shows its download",
          "export_download", acts.get(f"export{exports[0]}"))
    check("export_verify" in acts.get(f"export{exports[1]}", []), "export 2's custody shows its verification",
          "export_verify", acts.get(f"export{exports[1]}"))
    check(acts.get(f"hold{hold}") == ["hold_add"], "the hold's custody: its placing", ["hold_add"], acts.get(f"hold{hold}"))
    check("bundle_verify" in acts.get(f"bundle{bundle}", []), "the bundle's custody shows its verification",
          "bundle_verify", acts.get(f"bundle{bundle}"))
    check(acts.get(f"note{note}") == ["incident_note"], "the note's custody: its writing", ["incident_note"], acts.get(f"note{note}"))

    # the chain-of-custody report: a PDF that renders and lists every row
    r = admin.get(f"/api/v1/incidents/{inc}/custody.pdf")
    check(r.status == 200 and r.body[:5] == b"%PDF-" and (r.header("Content-Type") or "").startswith("application/pdf"),
          "GET /api/v1/incidents/{id}/custody.pdf answers a PDF", 200, (r.status, r.body[:8]))
    out = tempfile.mkdtemp(prefix="ww-custody-")
    pdf = os.path.join(out, "custody.pdf")
    with open(pdf, "wb") as f:
        f.write(r.body)
    pp = subprocess.run(["pdftoppm", "-png", "-r", "60", pdf, os.path.join(out, "page")], capture_output=True, text=True)
    pngs = sorted(x for x in os.listdir(out) if x.endswith(".png"))
    check(pp.returncode == 0 and pngs, "pdftoppm renders the report", "PNG pages", (pp.returncode, pp.stderr, pngs))
    log(f"custody report rendered: {out}/{pngs[0] if pngs else '?'}")
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    check("BÁO CÁO CHUỖI LƯU GIỮ CHỨNG CỨ" in flat and "Trộm xe máy ngõ 3" in flat, "the report's title and incident",
          "title + summary", flat[:200])
    check("Ghi chú" in flat and "Đã sao chép bản xuất 1" in flat, "the report lists the note", "Ghi chú …", flat[:600])
    check(f"HỢP LỆ — {cf['chain']['rows']} bản ghi" in flat, "the report prints the chain's result",
          f"HỢP LỆ — {cf['chain']['rows']} bản ghi", flat[:600])
    every = sorted({x for it in items for x in about(audit, it)})
    missing = [x for x in every if not re.search(r"#%d(?![0-9])" % x, flat)]
    check(not missing and every, "the report lists every audit row about the items (ids from GET /api/v1/audit)",
          every, missing)
    shas = [it["sha256"] for it in items if it.get("sha256")]
    check(all(h in flat.replace(" ", "") for h in shas), "the report prints each file's SHA-256", shas, flat[:400])
    rows = admin.get("/api/v1/audit?limit=5").json["rows"]
    check(any(x["action"] == "custody_report" and (x.get("detail") or {}).get("incident_id") == inc for x in rows),
          "the report's download is audited", "custody_report", [x["action"] for x in rows])

    # one byte of a file of the bundle changed: the check fails, naming it
    folder = next(i["folder"] for i in items if i["kind"] == "bundle")
    bdir = os.path.join(srv.data, folder)
    clip = next(os.path.join(bdir, f) for f in sorted(os.listdir(bdir)) if f.endswith(".mp4"))
    with open(clip, "r+b") as f:
        f.seek(os.path.getsize(clip) // 2)
        b = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([b[0] ^ 1]))
    r = admin.get(f"/api/v1/bundles/{bundle}/verify")
    check(r.status == 200 and r.json.get("ok") is False and os.path.basename(clip) in (r.json.get("first_failure") or ""),
          "a changed byte in the bundle: the check fails naming the file", os.path.basename(clip), r.json)

    _, pw = srv.create_user(admin, "officer_hd", "officer", ward_id=wb)
    other = srv.signed_in("officer_hd", pw)
    r1, r2 = other.get(f"/api/v1/incidents/{inc}/evidence"), other.get("/api/v1/incidents/987654/evidence")
    check(r1.status == 404 and r2.status == 404 and r1.text.replace(str(inc), "N") == r2.text.replace("987654", "N"),
          "another ward's officer: 404, the same as for a missing incident", (404, 404), (r1.status, r2.status))
    _, pw = srv.create_user(admin, "officer_bt", "officer", ward_id=wa)
    own = srv.signed_in("officer_bt", pw)
    r = own.get(f"/api/v1/incidents/{inc}/evidence")
    check(r.status == 200 and len(r.json["items"]) == len(items), "the ward's officer reads the case file", 200, r.status)
    r = own.post(f"/api/v1/incidents/{inc}/notes", {"text": "Chủ camera xác nhận giờ trên camera chậm 2 phút."})
    check(r.status == 201, "the ward's officer adds a note", 201, r)
    r = other.post(f"/api/v1/incidents/{inc}/notes", {"text": "ghi chú lạ"})
    check(r.status == 404, "another ward's officer: 404 for a note too", 404, r)
    _, pw = srv.create_user(admin, "viewer_bt", "viewer", ward_id=wa)
    r = srv.signed_in("viewer_bt", pw).get(f"/api/v1/incidents/{inc}/evidence")
    check(r.status == 403, "a viewer may not read the case file", 403, r)
    r = srv.signed_in("viewer_bt", pw).post(f"/api/v1/incidents/{inc}/notes", {"text": "x"})
    check(r.status == 403, "a viewer may not add a note", 403, r)
    srv.stop()


main()
finish()

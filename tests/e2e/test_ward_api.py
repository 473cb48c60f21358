"""The ward's work over the real API: incidents, statistics, criteria.

Checks, against `wardwatch serve --no-record` on 127.0.0.1:
  - every incidents/stats/criteria endpoint answers 401 without a session;
  - viewer and owner get 403; province reads every ward but may not write
    incidents or self-assess (403); an officer of ward A gets 404 for ward
    B's incidents, statistics and assessments (the http engineer's rule:
    out of scope = "no such object"), and 403 for what its role may not do;
  - an incident created through the API is counted in the statistics of
    its period, with its change against the year before; its status change
    is in its history; CSV export holds it; a CSV import with bad rows
    answers 400 with line-numbered errors and imports nothing;
  - the PDF report is a PDF that pdftoppm can render;
  - a criterion marked met shows in the matrix; self and review kept apart;
    editing a set in use returns a new version.
Failures print expected vs seen.
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wwapi import Server, check, finish, log  # noqa: E402


def status_is(r, want, what):
    return check(r.status == want, what, want, f"{r.status} {r.text[:200]}")


def main():
    srv = Server().start()
    admin = srv.admin()
    anon = srv.client()
    wa = srv.create_ward(admin, "Trường Thi")
    wb = srv.create_ward(admin, "Hà Huy Tập")
    owner_id = srv.create_owner(admin, wa, "Hộ bà Trần Thị C")
    _, pw_a = srv.create_user(admin, "officer-a", "officer", ward_id=wa)
    _, pw_b = srv.create_user(admin, "officer-b", "officer", ward_id=wb)
    _, pw_p = srv.create_user(admin, "province1", "province")
    _, pw_v = srv.create_user(admin, "viewer-a", "viewer", ward_id=wa)
    _, pw_o = srv.create_user(admin, "owner-a", "owner", owner_id=owner_id)
    off_a = srv.signed_in("officer-a", pw_a)
    off_b = srv.signed_in("officer-b", pw_b)
    prov = srv.signed_in("province1", pw_p)
    viewer = srv.signed_in("viewer-a", pw_v)
    owner = srv.signed_in("owner-a", pw_o)

    # -- incidents: create, read, scope ------------------------------------
    r = off_a.post("/api/v1/incidents", {"category": "criminal", "occurred_at": "10/03/2025 14:30",
                                         "summary": "Trộm cắp xe máy tại ngõ 5", "address": "Ngõ 5 Lê Lợi",
                                         "latitude": 18.676, "longitude": 105.68, "suspects": 1})
    status_is(r, 201, "officer A records an incident in its own ward")
    inc = r.json["id"] if r.status == 201 else 0
    check(r.json and r.json.get("ward_id") == wa, "the incident defaults to the officer's ward", wa,
          r.json and r.json.get("ward_id"))
    check(r.json and r.json.get("created_by") == "officer-a", "who entered it is kept", "officer-a",
          r.json and r.json.get("created_by"))
    r = admin.post("/api/v1/incidents", {"ward_id": wa, "category": "criminal",
                                         "occurred_at": "2024-03-20T09:00:00+07:00", "summary": "Cùng kỳ năm trước",
                                         "status": "solved"})
    status_is(r, 201, "admin records an incident a year earlier")
    r = admin.post("/api/v1/incidents", {"ward_id": wb, "category": "traffic", "occurred_at": "15/03/2025 08:00",
                                         "summary": "Va chạm giao thông", "deaths": 0, "injuries": 2})
    status_is(r, 201, "admin records an incident in ward B")
    inc_b = r.json["id"] if r.status == 201 else 0

    status_is(off_a.post("/api/v1/incidents", {"ward_id": wb, "category": "criminal",
                                               "occurred_at": "10/03/2025 10:00", "summary": "x"}),
              404, "officer A may not write in ward B (out of scope → 404)")
    status_is(prov.post("/api/v1/incidents", {"ward_id": wa, "category": "criminal",
                                              "occurred_at": "10/03/2025 10:00", "summary": "x"}),
              403, "province may not record incidents (403)")
    status_is(off_a.get(f"/api/v1/incidents/{inc_b}"), 404, "officer A: ward B's incident → 404")
    status_is(off_a.patch(f"/api/v1/incidents/{inc_b}", {"status": "closed"}), 404,
              "officer A: patch ward B's incident → 404")
    status_is(off_b.get(f"/api/v1/incidents/{inc}"), 404, "officer B: ward A's incident → 404")
    status_is(prov.get(f"/api/v1/incidents/{inc}"), 200, "province reads ward A's incident")
    status_is(prov.patch(f"/api/v1/incidents/{inc}", {"status": "verifying"}), 403,
              "province may not edit incidents (403)")
    status_is(viewer.get("/api/v1/incidents"), 403, "viewer: no access to incidents (403)")
    status_is(owner.get("/api/v1/incidents"), 403, "owner: no access to incidents (403)")
    status_is(off_a.delete(f"/api/v1/incidents/{inc}"), 403, "officer may not delete (403)")
    r = off_a.get("/api/v1/incidents")
    ids = sorted(i["id"] for i in (r.json or {}).get("incidents", []))
    check(r.status == 200 and inc in ids and inc_b not in ids, "officer A lists only ward A", f"{inc} without {inc_b}", ids)
    status_is(off_a.get(f"/api/v1/incidents?ward_id={wb}"), 404, "officer A: list of ward B → 404")
    r = prov.get("/api/v1/incidents?category=traffic")
    check(r.status == 200 and [i["id"] for i in r.json["incidents"]] == [inc_b], "province filters by category",
          [inc_b], r.text[:200])
    r = admin.get("/api/v1/incidents?q=ng%C3%B5%205")
    check(r.status == 200 and [i["id"] for i in r.json["incidents"]] == [inc], "text search finds the address", [inc],
          r.text[:200])
    r = admin.get("/api/v1/incidents?from=2025-03-01&to=2025-03-12")
    check(r.status == 200 and [i["id"] for i in r.json["incidents"]] == [inc], "time-range filter", [inc], r.text[:200])

    # -- edit and history --------------------------------------------------
    r = off_a.patch(f"/api/v1/incidents/{inc}", {"status": "solved", "suspects": 2})
    status_is(r, 200, "officer A moves its incident to solved")
    hist = (r.json or {}).get("history", [])
    check(len(hist) == 2 and hist[1]["action"] == "updated" and hist[1]["user"] == "officer-a",
          "history holds the update and who made it", "created + updated by officer-a", hist)
    check(hist and hist[-1]["diff"].get("status") == ["received", "solved"], "the diff shows the status change",
          ["received", "solved"], hist and hist[-1]["diff"])
    r = off_a.patch(f"/api/v1/incidents/{inc}", {"status": "received"})
    status_is(r, 409, "officer may not move a status backwards (409)")
    r = off_a.patch(f"/api/v1/incidents/{inc}", {"drug_grams": 5})
    status_is(r, 400, "a figure that does not apply is refused (400)")
    check("drug_grams" in r.error_message(), "the message names the figure", "drug_grams", r.error_message())
    r = off_a.patch(f"/api/v1/incidents/{inc}", {"latitude": 95, "longitude": 105})
    status_is(r, 400, "latitude out of range is refused (400)")

    # -- statistics: the new incident is counted -----------------------------
    r = off_a.get("/api/v1/stats?period=2025-Q1")
    status_is(r, 200, "officer A reads its ward's statistics")
    st = r.json["stats"] if r.status == 200 else {}
    crim = [c for c in st.get("categories", []) if c["code"] == "criminal"]
    check(st.get("scope", {}).get("ward_id") == wa, "an officer's statistics default to its ward", wa, st.get("scope"))
    check(crim and crim[0]["cur"]["cases"] == 1 and crim[0]["prev"]["cases"] == 1,
          "Q1 2025 criminal: 1, Q1 2024: 1", "1 / 1", crim and (crim[0]["cur"], crim[0]["prev"]))
    check(st.get("totals", {}).get("share", {}).get("text") == "khám phá 1/1 vụ, đạt 100 %",
          "solved share text", "khám phá 1/1 vụ, đạt 100 %", st.get("totals", {}).get("share"))
    r = prov.get("/api/v1/stats?period=2025-Q1")
    st = r.json["stats"] if r.status == 200 else {}
    check(r.status == 200 and st["totals"]["cur"]["cases"] == 2 and len(r.json.get("wards", [])) == 2,
          "province statistics: 2 cases in 2 wards", "2 cases, 2 wards", r.text[:300])
    check(st.get("totals", {}).get("change", {}).get("cases", {}).get("pct_text") == "+100,0 %",
          "province: +100,0 % against Q1 2024", "+100,0 %", st.get("totals", {}).get("change", {}).get("cases"))
    status_is(off_a.get(f"/api/v1/stats?ward_id={wb}&period=2025-Q1"), 404, "officer A: ward B's statistics → 404")
    status_is(viewer.get("/api/v1/stats"), 403, "viewer: statistics → 403")
    status_is(owner.get("/api/v1/stats/report.pdf"), 403, "owner: report → 403")
    status_is(admin.get("/api/v1/stats?period=2025-13"), 400, "a bad period → 400")
    r = prov.get("/api/v1/stats.csv?period=2025-Q1")
    check(r.status == 200 and "criminal" in r.text and r.header("Content-Type", ).startswith("text/csv"),
          "statistics CSV", "text/csv with categories", (r.status, r.header("Content-Type"), r.text[:120]))

    r = prov.get("/api/v1/stats/report.pdf?period=2025-Q1")
    check(r.status == 200 and r.body[:5] == b"%PDF-" and r.header("Content-Type") == "application/pdf",
          "the PDF report is a PDF", "200 application/pdf %PDF-", (r.status, r.header("Content-Type"), r.body[:8]))
    if r.status == 200 and shutil.which("pdftoppm"):
        d = tempfile.mkdtemp(prefix="ww-pdf-")
        try:
            with open(os.path.join(d, "r.pdf"), "wb") as f:
                f.write(r.body)
            p = subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", os.path.join(d, "r.pdf"),
                                os.path.join(d, "page")], capture_output=True, text=True, timeout=60)
            pngs = [x for x in os.listdir(d) if x.endswith(".png")]
            check(p.returncode == 0 and pngs, "pdftoppm renders page 1", "a PNG", (p.returncode, p.stderr[:200], pngs))
        finally:
            shutil.rmtree(d, ignore_errors=True)

    # -- CSV -----------------------------------------------------------------
    r = off_a.get("/api/v1/incidents.csv")
    check(r.status == 200 and "Trộm cắp xe máy" in r.text and "Va chạm giao thông" not in r.text,
          "officer A's CSV export holds its ward only", "ward A rows", r.text[:300])
    bad = ("occurred_at,ward,category,summary\n"
           "10/03/2025 10:00,Trường Thi,criminal,ok\n"
           "31/02/2025 10:00,Trường Thi,criminal,bad date\n"
           "10/03/2025 11:00,Trường Thi,động đất,unknown category\n")
    before = admin.get("/api/v1/incidents").json["total"]
    r = admin.request("POST", "/api/v1/incidents/import", raw=bad.encode(),
                      headers={"Content-Type": "text/csv", "X-Requested-With": "wardwatch-tests"})
    status_is(r, 400, "a CSV with bad rows → 400")
    lines = [e["line"] for e in (r.json or {}).get("errors", [])]
    check(lines == [3, 4], "errors carry line numbers", [3, 4], lines)
    after = admin.get("/api/v1/incidents").json["total"]
    check(after == before, "nothing was imported", before, after)
    good = "occurred_at,ward,category,summary\n11/03/2025 10:00,Trường Thi,public_order,Gây rối\n"
    r = off_b.request("POST", "/api/v1/incidents/import", raw=good.encode(),
                      headers={"Content-Type": "text/csv", "X-Requested-With": "wardwatch-tests"})
    status_is(r, 400, "officer B may not import rows of ward A")
    r = off_a.request("POST", "/api/v1/incidents/import", raw=good.encode(),
                      headers={"Content-Type": "text/csv", "X-Requested-With": "wardwatch-tests"})
    check(r.status == 200 and r.json.get("imported") == 1, "officer A imports a row of its ward", 1, r.text[:200])

    # -- criteria --------------------------------------------------------------
    r = admin.get("/api/v1/criteria/sets")
    sets = (r.json or {}).get("sets", [])
    check(r.status == 200 and any(s["n_criteria"] == 22 for s in sets), "the 22-criteria template is loaded on first use",
          "a set of 22", [(s["name"], s["n_criteria"]) for s in sets])
    check(all("không phải văn bản chính thức" in (s.get("note") or "") for s in sets),
          "shipped sets say they are templates, not official text", "note", [s.get("note") for s in sets])
    s22 = [s["id"] for s in sets if s["n_criteria"] == 22][0] if sets else 0
    status_is(off_a.post("/api/v1/criteria/programme", {"ward_id": wa, "year": 2023}), 403,
              "officer may not register wards (403)")
    status_is(prov.post("/api/v1/criteria/programme", {"ward_id": wa, "year": 2023}), 201, "province registers ward A for 2023")
    status_is(prov.post("/api/v1/criteria/programme", {"ward_id": wb, "year": 2023, "set_id": s22}), 201,
              "province registers ward B for 2023")
    r = off_a.post("/api/v1/criteria/assessments", {"ward_id": wa, "year": 2023, "criterion": 4, "side": "self",
                                                    "result": "met", "notes": "Trụ sở mới"})
    status_is(r, 201, "officer A self-assesses criterion 4 as met")
    aid = r.json["id"] if r.status == 201 else 0
    status_is(off_a.post("/api/v1/criteria/assessments", {"ward_id": wa, "year": 2023, "criterion": 4,
                                                          "side": "review", "result": "met"}),
              403, "officer may not write the province review (403)")
    status_is(off_a.post("/api/v1/criteria/assessments", {"ward_id": wb, "year": 2023, "criterion": 4,
                                                          "side": "self", "result": "met"}),
              404, "officer A may not assess ward B (404)")
    status_is(prov.post("/api/v1/criteria/assessments", {"ward_id": wa, "year": 2023, "criterion": 4,
                                                         "side": "self", "result": "met"}),
              403, "province may not write a self-assessment (403)")
    status_is(prov.post("/api/v1/criteria/assessments", {"ward_id": wb, "year": 2023, "criterion": 4,
                                                         "side": "review", "result": "not_met"}),
              201, "province reviews ward B")
    r = off_a.request("POST", f"/api/v1/criteria/assessments/{aid}/files?name=bien-ban.pdf", raw=b"%PDF-1.4 demo",
                      headers={"Content-Type": "application/pdf", "X-Requested-With": "wardwatch-tests"})
    status_is(r, 201, "officer A attaches an evidence file")
    fid = r.json["id"] if r.status == 201 else 0
    status_is(off_b.get(f"/api/v1/criteria/files/{fid}"), 404, "officer B: ward A's evidence file → 404")
    r = prov.get(f"/api/v1/criteria/files/{fid}")
    check(r.status == 200 and r.body == b"%PDF-1.4 demo", "province downloads the evidence file", "the bytes", r.status)

    r = prov.get("/api/v1/criteria/matrix?year=2023")
    m = r.json or {}
    rows = {w["ward_id"]: w for w in m.get("wards", [])}
    check(r.status == 200 and len(m.get("criteria", [])) == 22 and len(rows) == 2, "matrix: 22 criteria × 2 wards",
          "22 × 2", (len(m.get("criteria", [])), len(rows)))
    a4 = rows.get(wa, {}).get("cells", [{}] * 4)[3]
    check(a4.get("cell") == "self" and a4.get("self") == "met" and a4.get("review") is None,
          "ward A criterion 4, self-assessed met but not reviewed, is not counted as met (cell 'self')",
          "self / met / no review", a4)
    check(rows.get(wa, {}).get("met") == 0 and rows.get(wa, {}).get("self_assessed") == 1,
          "ward A: met counts reviews only; the self-assessment is counted apart", "met 0, self_assessed 1",
          {k: rows.get(wa, {}).get(k) for k in ("met", "self_assessed", "text", "self_text")})
    check(m.get("summary", {}).get("self_assessed") == 1, "the summary counts self-assessed cells apart", 1,
          m.get("summary"))
    # the review form has no default: saving without a result is refused
    for body, what in [({"ward_id": wa, "year": 2023, "criterion": 4, "side": "review"}, "no result"),
                       ({"ward_id": wa, "year": 2023, "criterion": 4, "side": "review", "result": ""}, "an empty result"),
                       ({"ward_id": wa, "year": 2023, "criterion": 4, "side": "review", "result": None}, "a null result")]:
        r = prov.post("/api/v1/criteria/assessments", body)
        check(r.status == 400 and "choose met, not_met or in_progress" in r.error_message(),
              f"a review with {what} is refused with a clear message", "400 choose met, not_met or in_progress",
              f"{r.status} {r.error_message()}")
    status_is(prov.post("/api/v1/criteria/assessments", {"ward_id": wa, "year": 2023, "criterion": 4,
                                                         "side": "review", "result": "met"}),
              201, "province reviews ward A's criterion 4 met")
    r = prov.get("/api/v1/criteria/matrix?year=2023")
    rows = {w["ward_id"]: w for w in (r.json or {}).get("wards", [])}
    check(rows.get(wa, {}).get("cells", [{}] * 4)[3].get("cell") == "met" and rows.get(wa, {}).get("met") == 1,
          "after the province's review ward A criterion 4 is met and counted", "met, 1",
          (rows.get(wa, {}).get("cells", [{}] * 4)[3], rows.get(wa, {}).get("met")))
    check(rows.get(wb, {}).get("cells", [{}] * 4)[3].get("cell") == "not_met", "ward B criterion 4 is red", "not_met",
          rows.get(wb, {}).get("cells", [{}] * 4)[3])
    r = off_a.get("/api/v1/criteria/matrix?year=2023")
    check(r.status == 200 and [w["ward_id"] for w in r.json["wards"]] == [wa], "officer A sees its own row only", [wa],
          r.text[:200])
    status_is(viewer.get("/api/v1/criteria/matrix?year=2023"), 403, "viewer: matrix → 403")
    status_is(off_a.get(f"/api/v1/criteria/assessments?ward_id={wb}&year=2023"), 404, "officer A: ward B's assessments → 404")
    r = admin.get("/api/v1/criteria/matrix.csv?year=2023")
    check(r.status == 200 and "TC22" in r.text and "chưa đạt" in r.text, "matrix CSV", "TC1..TC22", r.text[:200])
    status_is(off_a.post("/api/v1/criteria/recognitions", {"ward_id": wa, "year": 2023, "decision_no": "1/QĐ",
                                                           "decision_date": "2023-12-20"}),
              403, "officer may not record a recognition (403)")
    status_is(prov.post("/api/v1/criteria/recognitions", {"ward_id": wa, "year": 2023, "decision_no": "1234/QĐ-BCA",
                                                          "decision_date": "20/12/2023"}),
              201, "province records a recognition")

    # -- the routes whose catalog calls moved into ward/ answer as before -------
    r = off_a.get("/api/v1/incident-categories")
    check(r.status == 200 and any(c["code"] == "criminal" for c in r.json.get("categories", [])),
          "categories are listed", "criminal among them", r.text[:200])
    status_is(off_a.post("/api/v1/incident-categories", {"code": "noise", "name_vi": "Tiếng ồn", "name_en": "Noise"}),
              403, "an officer may not add a category (403)")
    r = admin.post("/api/v1/incident-categories", {"code": "noise", "name_vi": "Tiếng ồn", "name_en": "Noise"})
    check(r.status == 201 and r.json.get("code") == "noise" and r.json.get("id"), "admin adds a category", "201 noise",
          r.text[:200])
    cid = r.json.get("id") if r.status == 201 else 0
    r = admin.post("/api/v1/incident-categories", {"code": "noise", "name_vi": "Ồn", "name_en": "Noise 2"})
    check(r.status == 409 and "the code is taken" in r.error_message(), "a taken code is refused", "409 the code is taken",
          f"{r.status} {r.error_message()}")
    r = admin.patch(f"/api/v1/incident-categories/{cid}", {"name_en": "Noise nuisance"})
    check(r.status == 200 and r.json.get("name_en") == "Noise nuisance" and r.json.get("code") == "noise",
          "admin edits a category", "200 Noise nuisance", r.text[:200])
    r = admin.patch("/api/v1/incident-categories/999999", {"name_en": "x"})
    check(r.status == 404 and "no such category" in r.error_message(), "editing no category → 404", "404 no such category",
          f"{r.status} {r.error_message()}")
    r = prov.get("/api/v1/criteria/programme?year=2023")
    check(r.status == 200 and sorted(x["ward_id"] for x in r.json.get("registrations", [])) == sorted([wa, wb]),
          "province lists the 2023 registrations", sorted([wa, wb]), r.text[:200])
    r = off_a.get("/api/v1/criteria/programme?year=2023")
    check(r.status == 200 and [x["ward_id"] for x in r.json.get("registrations", [])] == [wa],
          "an officer lists its own ward's registration only", [wa], r.text[:200])
    r = prov.get("/api/v1/criteria/sets/999999")
    check(r.status == 404 and "no such set" in r.error_message(), "no such set → 404", "404 no such set",
          f"{r.status} {r.error_message()}")
    r = prov.get("/api/v1/criteria/files/999999")
    check(r.status == 404 and "no such file" in r.error_message(), "no such evidence file → 404", "404 no such file",
          f"{r.status} {r.error_message()}")
    r = off_a.request("POST", "/api/v1/criteria/assessments/999999/files?name=x.pdf", raw=b"x",
                      headers={"Content-Type": "application/pdf", "X-Requested-With": "wardwatch-tests"})
    check(r.status == 404 and "no such assessment" in r.error_message(), "evidence for no assessment → 404",
          "404 no such assessment", f"{r.status} {r.error_message()}")

    # editing a set in use → new version
    r = admin.get(f"/api/v1/criteria/sets/{s22}")
    body = r.json
    body["groups"][0]["criteria"][0]["title"] = "Tiêu chí 1 (sửa)"
    status_is(prov.request("PUT", f"/api/v1/criteria/sets/{s22}", body=body), 403, "province may not edit sets (403)")
    r = admin.request("PUT", f"/api/v1/criteria/sets/{s22}", body=body)
    check(r.status == 200 and r.json.get("new_version") is True and r.json.get("id") != s22 and r.json.get("version") == 2,
          "editing a set in use makes version 2", "new id, version 2", r.text[:200])
    r = admin.get(f"/api/v1/criteria/sets/{s22}")
    check(r.status == 200 and r.json["groups"][0]["criteria"][0]["title"] != "Tiêu chí 1 (sửa)",
          "the old version is unchanged", "old title", r.json and r.json["groups"][0]["criteria"][0]["title"])

    # -- 401 without a session ---------------------------------------------------
    for method, path in [("GET", "/api/v1/incidents"), ("GET", f"/api/v1/incidents/{inc}"),
                         ("POST", "/api/v1/incidents"), ("PATCH", f"/api/v1/incidents/{inc}"),
                         ("DELETE", f"/api/v1/incidents/{inc}"), ("GET", "/api/v1/incidents.csv"),
                         ("POST", "/api/v1/incidents/import"), ("GET", "/api/v1/incident-categories"),
                         ("GET", "/api/v1/stats"), ("GET", "/api/v1/stats.csv"), ("GET", "/api/v1/stats/report.pdf"),
                         ("GET", "/api/v1/criteria/sets"), ("GET", "/api/v1/criteria/matrix"),
                         ("POST", "/api/v1/criteria/assessments"), ("GET", "/api/v1/criteria/progress?ward_id=1"),
                         ("POST", "/api/v1/criteria/programme"), ("POST", "/api/v1/criteria/recognitions"),
                         ("PUT", f"/api/v1/criteria/sets/{s22}")]:
        r = anon.request(method, path, body={} if method in ("POST", "PATCH", "PUT") else None)
        status_is(r, 401, f"{method} {path} without a session → 401")

    status_is(admin.delete(f"/api/v1/incidents/{inc_b}"), 200, "admin deletes an incident")
    status_is(admin.get(f"/api/v1/incidents/{inc_b}"), 404, "a deleted incident is gone")
    log("done")
    finish()


if __name__ == "__main__":
    main()

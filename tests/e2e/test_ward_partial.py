"""A period that has not ended, through the real API (issue 17 item 1,
decision 007): the running quarter, month and year are counted up to today
and set beside the same days a year before, and every output says so —
JSON labels, the trend's partial month, the CSV and the PDF.

Fixture (one fresh ward; "today" is the station's local date, UTC+7):
  this year      the quarter's first day 10:00, today 00:01     → 2 cases
  a year before  the quarter's first day 10:00, today's twin 12:00,
                 the day after the twin 12:00 (when it is still in the
                 quarter: counted by the whole-quarter rule, not day for day)
Expected: 2 against 2 (not 2 against 3), labelled "đến ngày DD/MM/YYYY".
Failures print expected vs seen.
"""
import datetime
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wwapi import Server, check, finish, log  # noqa: E402

TZ = datetime.timezone(datetime.timedelta(hours=7))


def twin(d):
    """The same day a year before; 29/02 → 28/02 (decision 007)."""
    if d.month == 2 and d.day == 29:
        return datetime.date(d.year - 1, 2, 28)
    return datetime.date(d.year - 1, d.month, d.day)


def vi(d):
    return d.strftime("%d/%m/%Y")


def main():
    srv = Server().start()
    admin = srv.admin()
    ward = srv.create_ward(admin, "Nghi Thu")
    today = datetime.datetime.now(TZ).date()
    q = (today.month - 1) // 3 + 1
    q_first = datetime.date(today.year, 3 * (q - 1) + 1, 1)
    q_next = datetime.date(today.year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    prev_first = datetime.date(today.year - 1, q_first.month, 1)
    prev_next = datetime.date(q_next.year - 1, q_next.month, 1)
    t_twin = twin(today)
    after_twin = t_twin + datetime.timedelta(days=1)
    log(f"today {today}, quarter {q}: {q_first}..{q_next}; twin {t_twin}")

    def add(when, what):
        r = admin.post("/api/v1/incidents", {"ward_id": ward, "category": "criminal", "occurred_at": when,
                                             "summary": what})
        check(r.status == 201, f"fixture: {what} ({when})", 201, f"{r.status} {r.text[:200]}")

    add(f"{vi(q_first)} 10:00", "đầu quý năm nay")
    if today != q_first:
        add(f"{vi(today)} 00:01", "hôm nay")
    add(f"{vi(prev_first)} 10:00", "đầu quý năm trước")
    if t_twin != prev_first:
        add(f"{vi(t_twin)} 12:00", "cùng ngày năm trước")
    later = after_twin < prev_next
    if later:
        add(f"{vi(after_twin)} 12:00", "sau ngày hôm nay, năm trước")
    else:
        log("today is the quarter's last day: no case after today's twin inside the quarter")
    want_cur = 1 + (today != q_first)
    want_prev = 1 + (t_twin != prev_first)

    period = f"{today.year}-Q{q}"
    r = admin.get(f"/api/v1/stats?ward_id={ward}&period={period}&months=3")
    st = r.json["stats"] if r.status == 200 else {}
    per, prev = st.get("period", {}), st.get("prev_period", {})
    check(per.get("partial") is True, "the running quarter is partial", True, per)
    check(per.get("through") == today.isoformat(), "it is counted through today", today.isoformat(), per.get("through"))
    roman = ["I", "II", "III", "IV"][q - 1]
    check(per.get("full_label") == f"Quý {roman}/{today.year}, đến ngày {vi(today)}", "the quarter's label says 'đến ngày'",
          f"Quý {roman}/{today.year}, đến ngày {vi(today)}", per.get("full_label"))
    check(prev.get("full_label") == f"Quý {roman}/{today.year - 1}, đến ngày {vi(t_twin)}",
          "the counterpart's label names the same day a year before",
          f"Quý {roman}/{today.year - 1}, đến ngày {vi(t_twin)}", prev.get("full_label"))
    check(prev.get("through") == t_twin.isoformat(), "the counterpart ends on today's twin", t_twin.isoformat(),
          prev.get("through"))
    tot = st.get("totals", {})
    check(tot.get("cur", {}).get("cases") == want_cur, "cases this quarter so far", want_cur, tot.get("cur"))
    check((tot.get("prev") or {}).get("cases") == want_prev,
          "the same days a year before (the case after today's twin is left out)", want_prev, tot.get("prev"))
    trend = r.json.get("trend", []) if r.status == 200 else []
    last = trend[-1] if trend else {}
    check(last.get("partial") is True and last.get("days") == today.day and last.get("month") == today.month,
          "the trend's current month is marked partial with today's day", (today.month, True, today.day),
          (last.get("month"), last.get("partial"), last.get("days")))
    check(all(not p["partial"] for p in trend[:-1]), "earlier months of the quarter are whole", "no partial",
          [p for p in trend[:-1] if p["partial"]])

    r = admin.get(f"/api/v1/stats?ward_id={ward}&period={period}&lang=en")
    lab = r.json["stats"]["period"].get("full_label") if r.status == 200 else None
    check(lab == f"Q{q} {today.year}, to {vi(today)}", "English label", f"Q{q} {today.year}, to {vi(today)}", lab)

    month = f"{today.year}-{today.month:02d}"
    r = admin.get(f"/api/v1/stats?ward_id={ward}&period={month}")
    lab = r.json["stats"]["period"].get("full_label") if r.status == 200 else None
    check(lab == f"Tháng {today.month}/{today.year}, đến ngày {vi(today)}", "the running month's label",
          f"Tháng {today.month}/{today.year}, đến ngày {vi(today)}", lab)
    r = admin.get(f"/api/v1/stats?ward_id={ward}&period={today.year}")
    lab = r.json["stats"]["period"].get("full_label") if r.status == 200 else None
    check(lab == f"Năm {today.year}, đến ngày {vi(today)}", "the running year's label",
          f"Năm {today.year}, đến ngày {vi(today)}", lab)
    r = admin.get(f"/api/v1/stats?ward_id={ward}&period={today.year - 1}-Q{q}")
    per = r.json["stats"]["period"] if r.status == 200 else {}
    check(per.get("partial") is False and per.get("full_label") == f"Quý {roman}/{today.year - 1}",
          "a quarter that is over keeps its plain name", f"Quý {roman}/{today.year - 1}", per)
    if later:
        total = (r.json["stats"]["totals"]["cur"]["cases"] if r.status == 200 else None)
        check(total == want_prev + 1, "the whole of last year's quarter counts the later case too", want_prev + 1, total)

    r = admin.get(f"/api/v1/stats.csv?ward_id={ward}&period={period}")
    check(r.status == 200 and f"đến ngày {vi(today)}" in r.text and "kỳ chưa kết thúc" in r.text
          and f"đến ngày {vi(t_twin)}" in r.text, "the CSV says the period runs to today",
          f"đến ngày {vi(today)} … kỳ chưa kết thúc", r.text[:300])

    r = admin.get(f"/api/v1/stats/report.pdf?ward_id={ward}&period={period}")
    check(r.status == 200 and r.body[:5] == b"%PDF-", "the PDF report", "200 %PDF-", r.status)
    with tempfile.TemporaryDirectory() as tmp:
        pdf = os.path.join(tmp, "r.pdf")
        with open(pdf, "wb") as f:
            f.write(r.body)
        out = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, timeout=60)
        text = " ".join(out.stdout.split())
        check(f"đến ngày {vi(today)}" in text and "Kỳ báo cáo chưa kết thúc" in text,
              "the PDF says the period runs to today", f"đến ngày {vi(today)}, Kỳ báo cáo chưa kết thúc", text[:400])
        check(f"{today.month}/{today.year % 100}*" in text, "the PDF's trend marks the partial month",
              f"{today.month}/{today.year % 100}*", text[-600:])
    srv.stop()
    finish()


if __name__ == "__main__":
    main()

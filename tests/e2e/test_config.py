"""One config file (issue 16 item 3), against the real binary.

- every option of `wardwatch serve --help` and of [station] set in a file is
  what `config show --json` reports, with source "file F:LINE" (the line it
  is on); the option list is read from serve's --help, so an option added
  later and not covered here fails this test;
- the environment beats the file and a flag beats both, and config show says
  "env NAME" / "flag";
- bad files (value out of range, unknown key, unknown section, syntax) give
  "F:LINE: message" and exit 2 from serve, with no port bound and no lock
  taken;
- `serve --config F` with a quota and a log level, then F edited and
  SIGHUP: debug lines appear and then disappear, GET /api/v1/storage shows
  the new quota, a restart-only change is logged as such, a bad file is
  logged with F:LINE and changes nothing — and the camsim camera keeps
  recording throughout with no reconnect; a 1 MB quota by SIGHUP makes
  the syncer delete (it got the new value, not only the console).
"""
import json
import os
import re
import signal
import subprocess
import time

from wwapi import Client
from wwtest import Camsim, Station, WW, check, finish, free_port, log, port_open


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def line_of(text, key):
    """1-based line of `key = ` in text."""
    for i, ln in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*{re.escape(key)}\s*=", ln):
            return i
    return None


def show(st, *args, env=None):
    r = subprocess.run([WW] + list(args), capture_output=True, text=True, timeout=60, env=env or st.env)
    if r.returncode != 0:
        return r, {}
    return r, {(o["section"], o["name"]): o for o in json.loads(r.stdout)["settings"]}


st = Station("config").init()
cams = None
try:
    env = dict(st.env)
    for k in ("WARDWATCH_CONFIG", "WARDWATCH_LOG_LEVEL", "WARDWATCH_UTC_OFFSET_MIN", "WARDWATCH_DATA"):
        env.pop(k, None)
    st.env = env

    # ---- every option in the file -------------------------------------------------
    helptext = subprocess.run([WW, "serve", "--help"], capture_output=True, text=True, timeout=30).stdout
    serve_opts = sorted(set(re.findall(r"^\s+--([a-z0-9-]+)", helptext, re.M)) - {"help"})
    check(len(serve_opts) >= 17, "serve --help lists its options", ">= 17", serve_opts)
    port = free_port()
    want = {  # a value other than the default for each, and how config show prints it
        "listen": (f"127.0.0.1:{port}", f"127.0.0.1:{port}"),
        "no-http": ("yes", "true"),
        "no-record": ("on", "true"),
        "segment-seconds": ("7", "7"),
        "fragment-ms": ("500", "500"),
        "sync-ms": ("700", "700"),
        "quota-mb": ("123", "123"),
        "min-free-mb": ("45", "45"),
        "retention-seconds": ("33", "33"),
        "read-timeout-ms": ("2500", "2500"),
        "stats": (os.path.join(st.tmp, "s.json"), os.path.join(st.tmp, "s.json")),
        "session-hours": ("3", "3"),
        "secure-cookie": ("1", "true"),
        "trusted-proxy": ("127.0.0.2,127.0.0.3", "127.0.0.2,127.0.0.3"),
        "max-conn-per-ip": ("0", "0"),
        "header-timeout-s": ("20", "20"),
        "body-timeout-s": ("40", "40"),
        "metrics-allow": ("10.0.0.0/8,127.0.0.1", "10.0.0.0/8,127.0.0.1"),
        "metrics-token-file": (os.path.join(st.tmp, "m.token"), os.path.join(st.tmp, "m.token")),
        "mqtt": ("mqtt://127.0.0.1:1884", "mqtt://127.0.0.1:1884"),
    }
    missing = [o for o in serve_opts if o not in want]
    check(not missing, "this test sets every option serve --help lists", "none missing", missing)
    station = {"data": st.data, "log-level": "warn", "utc-offset-min": "60"}
    text = "; every option\n[station]\n" + "".join(f"{k} = {v}\n" for k, v in station.items()) + "\n[serve]\n" + \
        "".join(f"{k} = {v[0]}\n" for k, v in want.items() if k in serve_opts)
    full = os.path.join(st.tmp, "full.ini")
    write(full, text)
    r, got = show(st, "--config", full, "config", "show", "--json")
    check(r.returncode == 0, "config show --json with every option in the file", 0, (r.returncode, r.stderr))
    for k in serve_opts:
        if k not in want:
            continue
        o = got.get(("serve", k), {})
        src = f"file {full}:{line_of(text, k)}"
        check(o.get("value") == want[k][1] and o.get("source") == src, f"[serve] {k} from the file",
              (want[k][1], src), (o.get("value"), o.get("source")))
    for k, v in station.items():
        o = got.get(("station", k), {})
        src = f"file {full}:{line_of(text, k)}"
        check(o.get("value") == v and o.get("source") == src, f"[station] {k} from the file", (v, src),
              (o.get("value"), o.get("source")))
    check(len(got) == len(serve_opts) + 3, "config show lists every serve option and the station's",
          len(serve_opts) + 3, sorted(n for _, n in got))

    # ---- env and flag beat the file -------------------------------------------------
    e2 = dict(env, WARDWATCH_LOG_LEVEL="error", WARDWATCH_UTC_OFFSET_MIN="-60", WARDWATCH_CONFIG=full)
    r, got = show(st, "config", "show", "--json", env=e2)
    o, u = got.get(("station", "log-level"), {}), got.get(("station", "utc-offset-min"), {})
    check(o.get("value") == "error" and o.get("source") == "env WARDWATCH_LOG_LEVEL",
          "$WARDWATCH_CONFIG names the file; WARDWATCH_LOG_LEVEL beats it", ("error", "env WARDWATCH_LOG_LEVEL"), o)
    check(u.get("value") == "-60" and u.get("source") == "env WARDWATCH_UTC_OFFSET_MIN",
          "WARDWATCH_UTC_OFFSET_MIN beats the file", ("-60", "env"), u)
    r, got = show(st, "--log-level", "debug", "config", "show", "--json", "--quota-mb", "9", "--secure-cookie",
                  "--utc-offset-min=30", env=e2)
    checks = {("station", "log-level"): "debug", ("station", "utc-offset-min"): "30", ("serve", "quota-mb"): "9",
              ("serve", "secure-cookie"): "true"}
    for key, v in checks.items():
        o = got.get(key, {})
        check(o.get("value") == v and o.get("source") == "flag", f"the flag beats env and file: {key[1]}",
              (v, "flag"), (o.get("value"), o.get("source")))
    o = got.get(("serve", "sync-ms"), {})
    check(o.get("source", "").startswith("file "), "an option no flag gives stays the file's", "file …", o)
    r = subprocess.run([WW, "--config", full, "config", "show"], capture_output=True, text=True, timeout=30, env=env)
    check(r.returncode == 0 and re.search(r"^quota-mb\s+= 123\s+; file .*full\.ini:\d+", r.stdout, re.M),
          "config show's text names value and source", "quota-mb = 123 ; file …", r.stdout[-400:])

    # ---- bad files: FILE:LINE, exit 2, nothing started ------------------------------------
    bport = free_port()
    bad_cases = [
        ("bad value", f"[serve]\nlisten = 127.0.0.1:{bport}\nquota-mb = -5\n", 3, "quota-mb = '-5': --quota-mb must be a positive number"),
        ("range", f"[serve]\nlisten = 127.0.0.1:{bport}\n\nsegment-seconds = 1\n", 4, "--segment-seconds must be 2..600"),
        ("unknown key", f"[serve]\nlisten = 127.0.0.1:{bport}\nquota = 5\n", 3, "unknown key 'quota' in [serve]"),
        ("unknown section", f"[serve]\nlisten = 127.0.0.1:{bport}\n[cameras]\n", 3, "unknown section [cameras]"),
        ("syntax", f"[serve]\nlisten = 127.0.0.1:{bport}\nsync-ms 500\n", 3, "syntax error"),
        ("flag value", f"[serve]\nlisten = 127.0.0.1:{bport}\nno-record = maybe\n", 3,
         "no-record must be true or false"),
        ("log level", f"[station]\nlog-level = chatty\n[serve]\nlisten = 127.0.0.1:{bport}\n", 2,
         "--log-level must be debug, info, warn or error"),
    ]
    for name, body, ln, msg in bad_cases:
        p = os.path.join(st.tmp, "bad.ini")
        write(p, body)
        r = subprocess.run([WW, "--data", st.data, "serve", "--config", p], capture_output=True, text=True,
                           timeout=30, env=env)
        first = r.stderr.strip().splitlines()[0] if r.stderr.strip() else ""
        check(r.returncode == 2 and first.startswith(f"{p}:{ln}: ") and msg in first,
              f"bad file ({name}): exit 2 and {p}:{ln}: …", (2, f"{p}:{ln}: …{msg}…"), (r.returncode, r.stderr.strip()))
        check(not port_open(bport) and not os.path.exists(os.path.join(st.data, "serve.lock"))
              and not os.path.exists(os.path.join(st.data, "stats.json")),
              f"bad file ({name}): no port bound, no lock taken", "nothing started", "something started")
    r = subprocess.run([WW, "--data", st.data, "--config", os.path.join(st.tmp, "none.ini"), "camera", "list"],
                       capture_output=True, text=True, timeout=30, env=env)
    check(r.returncode == 2 and "none.ini: cannot read it" in r.stderr, "a missing config file is exit 2",
          (2, "cannot read it"), (r.returncode, r.stderr))

    # ---- SIGHUP -----------------------------------------------------------------------
    cams = Camsim(cameras=1).start()
    cam = st.add_camera("Ngõ 12 Lê Lợi", cams.url(1))
    live = os.path.join(st.tmp, "live.ini")

    def live_text(level, quota, sync_ms="1000", extra=""):
        return (f"[station]\nlog-level = {level}\n\n[serve]\nsegment-seconds = 2\nquota-mb = {quota}\n"
                f"sync-ms = {sync_ms}\n{extra}")

    write(live, live_text("info", 500))
    port = free_port()
    st.serve("--config", live, http_port=port)
    admin = Client(port)
    ok = st.wait_for(lambda: port_open(port) and admin.login("admin", st.admin_password).status == 200, 40)
    check(ok, "serve --config answers the console", "signed in", ok)
    ok = st.wait_for(lambda: len(st.recordings(cam)["segments"]) >= 2, 40)
    check(ok, "the camera records", ">= 2 segments", len(st.recordings(cam)["segments"]))

    def quota():
        r = admin.get("/api/v1/storage")
        return (r.json or {}).get("disk", {}).get("quota_bytes") if r.status == 200 else r.status

    def debug_lines():
        return len(re.findall(r" debug \[.*segment .* opened", st.log()))

    check(quota() == 500 << 20, "storage shows the file's quota", 500 << 20, quota())
    check(debug_lines() == 0, "at info no debug line is logged", 0, debug_lines())
    rec0 = st.stream_stats(cam).get("reconnects")
    segs0 = len(st.recordings(cam)["segments"])

    write(live, live_text("debug", 800, sync_ms="1500"))
    st.proc.send_signal(signal.SIGHUP)
    ok = st.wait_for(lambda: quota() == 800 << 20, 10)
    check(ok, "after SIGHUP storage shows the new quota", 800 << 20, quota())
    ok = st.wait_for(lambda: debug_lines() >= 1, 15)
    check(ok, "after SIGHUP to log-level = debug, debug lines appear", ">= 1", debug_lines())
    lg = st.log()
    check(f"sync-ms changed in {live}: takes effect at the next start" in lg,
          "a restart-only change is logged as such", "sync-ms changed in …: takes effect at the next start",
          [ln for ln in lg.splitlines() if "config" in ln][-5:])
    check(re.search(r"quota-mb: 500 → 800", lg), "the live change is logged", "quota-mb: 500 → 800",
          [ln for ln in lg.splitlines() if "config" in ln][-5:])

    write(live, live_text("debug", "lots"))
    st.proc.send_signal(signal.SIGHUP)
    bad_line = f"{live}:6: quota-mb = 'lots'"
    ok = st.wait_for(lambda: bad_line in st.log(), 10)
    check(ok and "keeping the running settings" in st.log(), "a bad file on SIGHUP is logged with FILE:LINE",
          bad_line, [ln for ln in st.log().splitlines() if "config" in ln][-3:])
    time.sleep(1.5)
    check(quota() == 800 << 20, "... and the running quota stays", 800 << 20, quota())

    write(live, live_text("info", 800))
    st.proc.send_signal(signal.SIGHUP)
    ok = st.wait_for(lambda: "log-level: debug → info" in st.log(), 10)
    check(ok, "SIGHUP back to log-level = info is applied", "log-level: debug → info", ok)
    time.sleep(0.5)
    n = debug_lines()
    time.sleep(6)  # three 2-s segments: each would log "segment … opened" at debug
    check(debug_lines() == n, "at info again no more debug lines", n, debug_lines())

    segs1 = st.recordings(cam)["segments"]
    ss = st.stream_stats(cam)
    check(ss.get("reconnects") == rec0 and ss.get("state") == "online",
          "the camera was never dropped across the reloads", (rec0, "online"),
          (ss.get("reconnects"), ss.get("state")))
    check(len(segs1) >= segs0 + 4 and segs1[-1]["end_us"] / 1e6 > time.time() - 6,
          "recording went on through the reloads", f"> {segs0 + 4} segments, the last recent",
          (len(segs1), segs1[-1]["end_us"] / 1e6 - time.time()))

    # the recorder's syncer got the new quota too: a 1 MB quota deletes at once
    def deleted():
        return ((st.stats() or {}).get("syncer") or {}).get("retention_deleted", -1)

    del0 = deleted()
    write(live, live_text("info", 1, extra="retention-seconds = 1\n"))
    st.proc.send_signal(signal.SIGHUP)
    ok = st.wait_for(lambda: deleted() > del0, 15)
    check(ok, "after SIGHUP to quota-mb = 1 retention deletes under the new quota", f"> {del0}", deleted())
    check(st.stream_stats(cam).get("reconnects") == rec0, "... and the camera is still not reconnected", rec0,
          st.stream_stats(cam).get("reconnects"))
    check(st.proc.poll() is None, "serve is still running", "running", st.proc.poll())
    rc = st.stop()
    check(rc == 0, "serve stops cleanly", 0, rc)
finally:
    if cams:
        cams.stop()
    st.stop()
    log(f"data folder {st.tmp}")
finish()

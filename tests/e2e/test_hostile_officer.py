"""A hostile officer against a recording station (issue 11 items 2, 3, 4).

The officer of a ward tries, with real requests against `wardwatch serve`
and a simulated camera, to take what the owner did not give:

  item 2  an owned camera with no agreement on file: live view, the wall,
          the snapshot, playback and export are all refused (403
          no_consent), and it does not record; registering a camera as the
          station's own (no owner) is refused to an officer;
  item 3  an agreement is in force and the officer keeps a live view, a wall
          tile and a (slowly read) playback open; the owner withdraws:
          every stream ends within 5 s, the wall says no_consent for the
          tile; then an agreement with a short window: the live view ends
          within 5 s of the window's end by itself;
  item 4  playback without the playback right is refused; with it, one
          request is bounded (no `to`: 10 minutes, X-End-Us says so; more
          than an hour is refused) and the audit row holds that range.

Items 1 (credentials), 7 (motion) and 8 (downloads) are played by
test_trust_credentials.py, test_trust_motion_consent.py and
test_trust_download_audit.py."""
import http.client
import json
import socket
import threading
import time

from wwapi import Client
from wwtest import Camsim, Station, check, finish, free_port, log

WITHIN_S = 5.0


class Stream(threading.Thread):
    """Reads a streaming response in the background; records when it ended."""

    def __init__(self, port, cookie, path, pace_s=0.0, chunk=65536, rcvbuf=None):
        super().__init__(daemon=True)
        self.port, self.cookie, self.path = port, cookie, path
        self.pace_s, self.chunk, self.rcvbuf = pace_s, chunk, rcvbuf
        self.status, self.headers, self.bytes, self.ended_at, self.data = None, {}, 0, None, b""
        self.ready = threading.Event()
        self.keep = path.startswith("/api/v1/live/wall")

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        if self.rcvbuf:
            conn.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
            conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
        try:
            conn.request("GET", self.path, headers={"Cookie": f"ww_session={self.cookie}"})
            r = conn.getresponse()
            self.status, self.headers = r.status, dict(r.getheaders())
            self.ready.set()
            deadline = time.time() + 120
            while time.time() < deadline:
                b = r.read1(self.chunk)
                if not b:
                    break
                self.bytes += len(b)
                if self.keep:
                    self.data += b
                if self.pace_s:
                    time.sleep(self.pace_s)
        except (OSError, http.client.HTTPException) as e:
            log(f"stream {self.path}: {e}")
        finally:
            self.ended_at = time.time()
            self.ready.set()
            conn.close()


def wall_frames(data):
    """(type, camera, payload) of each frame of a wall response."""
    out, i = [], 0
    while i + 12 <= len(data) and data[i:i + 2] == b"WW":
        t, cam, n = data[i + 2], int.from_bytes(data[i + 4:i + 8], "big"), int.from_bytes(data[i + 8:i + 12], "big")
        out.append((t, cam, data[i + 12:i + 12 + n]))
        i += 12 + n
    return out


cams = Camsim(cameras=1).start()
st = Station("hostile-officer").init()
port = free_port()
try:
    st.serve("--segment-seconds", "4", http_port=port)

    def listening():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False
    check(st.wait_for(listening, 30), "the console listens", port, st.log()[-500:])
    admin = Client(port)
    check(admin.login("admin", st.admin_password).status == 200, "admin signs in", 200, "")
    ward = admin.post("/api/v1/wards", {"name": "Phường Trường Thi", "district": "Vinh", "province": "Nghệ An"}).json["id"]
    owner = admin.post("/api/v1/owners", {"kind": "household", "name": "Hộ bà Lan", "phone": "0912 345 678",
                                          "ward_id": ward}).json["id"]
    pw = "officer-pass-hostile-1"
    check(admin.post("/api/v1/users", {"username": "officer", "password": pw, "role": "officer",
                                       "ward_id": ward}).status == 201, "officer created", 201, "")
    off = Client(port)
    check(off.login("officer", pw).status == 200, "officer signs in", 200, "")

    # ---- item 2: deny by default ---------------------------------------------------------------------------------
    r = off.post("/api/v1/cameras", {"name": "Của tôi", "main_url": cams.url(1, "main").replace("cam1", "cam9"),
                                     "enabled": False})
    check(r.status == 403, "an officer may not register a camera as the station's own (no owner)", 403, r)
    r = off.post("/api/v1/cameras", {"name": "Ngõ 12 nhà bà Lan", "main_url": cams.url(1), "sub_url": cams.url(1, "sub"),
                                     "owner_id": owner, "enabled": True})
    check(r.status == 201 and r.json["station_own"] is False, "the officer registers the resident's camera (owned)",
          "201, not the station's own", r)
    cam = r.json["id"]
    online = st.wait_for(lambda: st.stream_stats(cam).get("state") == "online", 30)
    check(online, "the camera is online", "online", st.stream_stats(cam))
    time.sleep(3)
    rec = st.stream_stats(cam).get("record", {})
    check(rec.get("state") == "paused" and rec.get("segments", 0) == 0,
          "no agreement on file: it does not record", "paused, 0 segments", rec)
    now = int(time.time())
    refusals = {
        "live": off.get(f"/api/v1/cameras/{cam}/live"),
        "snapshot": off.get(f"/api/v1/cameras/{cam}/snapshot"),
        "playback": off.get(f"/api/v1/cameras/{cam}/playback?at={now - 60}"),
        "export": off.post(f"/api/v1/cameras/{cam}/exports", {"from": now - 60, "to": now - 30}),
    }
    got = {k: (v.status, v.error_code()) for k, v in refusals.items()}
    check(all(v == (403, "no_consent") for v in got.values()),
          "no agreement: live, snapshot, playback and export all refused with no_consent",
          "403 no_consent for each", got)
    w = Stream(port, off.cookie, f"/api/v1/live/wall?cameras={cam}&stream=sub")
    w.start()
    w.join(10)
    heads = [json.loads(p) for t, c, p in wall_frames(w.data) if t == 1]
    err = heads[0].get("error", {}) if heads else {}
    check(err.get("code") == "no_consent" and err.get("reason") == "consent_missing" and err.get("field") == "live",
          "no agreement: the wall tile says no_consent, with the reason and use the console words",
          "no_consent / consent_missing / live", heads)

    # ---- an agreement: everything for now ------------------------------------------------------------------------
    r = off.post(f"/api/v1/cameras/{cam}/consents", {"live": True, "record": True, "export": True, "playback": True})
    check(r.status == 201 and r.json.get("playback") is True, "the owner's agreement is recorded", 201, r)
    cid = r.json["id"]
    ok = st.wait_for(lambda: st.stream_stats(cam).get("record", {}).get("segments", 0) >= 2, 40)
    check(ok, "with the agreement it records", ">= 2 segments", st.stream_stats(cam).get("record"))

    # ---- item 4: playback bounded --------------------------------------------------------------------------------
    recs = st.recordings(cam)
    first = recs["segments"][0]["start_us"] / 1e6 if recs.get("segments") else time.time() - 8
    at = int(first) + 1
    r = off.get(f"/api/v1/cameras/{cam}/playback?at={at}&to={at + 3601}")
    check(r.status == 400 and "1 hour" in r.error_message(), "a playback of more than an hour is refused (export it)",
          "400 naming 1 hour", r)
    r = off.get(f"/api/v1/cameras/{cam}/playback?at={at}")
    full_len = len(r.body)
    end_us = int(r.header("X-End-Us") or 0)
    check(r.status == 200 and end_us == at * 1000000 + 600 * 1000000 and len(r.body) > 10000,
          "playback without `to` is bounded to 10 minutes (X-End-Us)", at * 1000000 + 600 * 1000000,
          (r.status, end_us, len(r.body)))
    a = admin.get(f"/api/v1/audit?camera={cam}&action=playback").json.get("rows", [])
    rng = (a[0].get("from_us"), a[0].get("to_us")) if a else None
    check(a and rng[1] == end_us and rng[1] - rng[0] <= 600 * 1000000 + 10000000,
          "the playback's audit row holds the bounded range sent", f"to = {end_us}, span <= 610 s", (len(a), rng, a[:1]))

    # ---- item 3: withdrawal ends every open stream -----------------------------------------------------------------
    live = Stream(port, off.cookie, f"/api/v1/cameras/{cam}/live")
    wall = Stream(port, off.cookie, f"/api/v1/live/wall?cameras={cam}&stream=sub")
    # playback read at about real time (a viewer watching): 64 KB every 0.1 s through a small socket buffer
    pb = Stream(port, off.cookie, f"/api/v1/cameras/{cam}/playback?at={at}", pace_s=0.1, chunk=65536, rcvbuf=65536)
    for s in (live, wall, pb):
        s.start()
    for s in (live, wall, pb):
        s.ready.wait(15)
    time.sleep(2)
    check((live.status, wall.status, pb.status) == (200, 200, 200) and live.ended_at is None and wall.ended_at is None
          and pb.ended_at is None, "live, wall tile and playback are open and flowing", (200, 200, 200),
          (live.status, wall.status, pb.status, live.bytes, wall.bytes, pb.bytes))
    t_w = time.time()
    r = admin.post(f"/api/v1/cameras/{cam}/consents/{cid}/withdraw", {"note": "chủ nhà rút lại"})
    check(r.status == 200, "the owner's agreement is withdrawn", 200, r)
    for s in (live, wall, pb):
        s.join(WITHIN_S + 10)
    took = {n: (round(s.ended_at - t_w, 2) if s.ended_at else None) for n, s in (("live", live), ("wall", wall), ("playback", pb))}
    log(f"streams ended after the withdrawal: {took}")
    check(all(v is not None and v <= WITHIN_S for v in took.values()),
          f"every open stream ends within {WITHIN_S:.0f} s of the withdrawal", f"<= {WITHIN_S} s each", took)
    check(pb.bytes < full_len, "the playback was cut short by the withdrawal (not run to its end)",
          f"< {full_len} bytes", pb.bytes)
    heads = [json.loads(p) for t, c, p in wall_frames(wall.data) if t == 1]
    err = heads[-1].get("error", {}) if heads else {}
    check(err.get("code") == "no_consent" and err.get("reason") == "consent_ended" and err.get("field") == "live",
          "the wall says why the tile stopped (no_consent, consent_ended, live)", "no_consent / consent_ended / live",
          heads[-1:])
    r = off.get(f"/api/v1/cameras/{cam}/live")
    check(r.status == 403 and r.error_code() == "no_consent", "a new live view is refused after the withdrawal",
          "403 no_consent", r)

    # ---- item 3: the end of a window ends the stream by itself -----------------------------------------------------
    until = time.time() + 8
    r = off.post(f"/api/v1/cameras/{cam}/consents", {"live": True, "record": True, "until": until})
    check(r.status == 201, "a short agreement (8 s) is recorded", 201, r)
    time.sleep(1.5)
    live = Stream(port, off.cookie, f"/api/v1/cameras/{cam}/live")
    live.start()
    live.ready.wait(15)
    check(live.status == 200, "live view opens inside the window", 200, live.status)
    live.join(until - time.time() + WITHIN_S + 10)
    late = round(live.ended_at - until, 2) if live.ended_at else None
    log(f"live view ended {late} s after the window's end")
    check(late is not None and -1 <= late <= WITHIN_S, f"the live view ends within {WITHIN_S:.0f} s of the window's end",
          f"0..{WITHIN_S} s", late)
    rc = st.stop()
    check(rc == 0, "serve exits 0", 0, rc)
finally:
    st.stop()
    cams.stop()
finish()

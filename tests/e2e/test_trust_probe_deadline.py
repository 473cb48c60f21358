"""Issue 11 item 9: a connection probe keeps its deadline whatever the camera
sends.

A hostile "camera" of the test's own (python, 127.0.0.1, a free port) plays
each trick that used to stretch a probe with timeout_s 1 to tens of seconds:

  - nonidr:  answers OPTIONS / DESCRIBE (a valid H.264 SDP) / SETUP / PLAY,
             then sends over interleaved TCP only non-IDR RTP H.264 packets,
             forever — a keyframe never comes;
  - trickle: accepts and sends one byte a second (a status line that never
             ends);
  - stall:   answers OPTIONS / DESCRIBE / SETUP, then trickles its PLAY reply
             a byte a second, so the handshake never finishes.

Each probe must answer 502 camera_timeout within timeout_s + 1 s.  The
nonidr case is also probed with timeout_s 3 (the deadline is the caller's,
not a fixed cap: it ends after ~3 s, not ~1 s), and every case runs a second
time against a server whose ingest is libavformat's client
(WARDWATCH_INGEST=libav), the other path a probe can take.  Elapsed times
are printed.  A good camera (camsim) still probes ok with timeout_s 5."""
import os
import socket
import struct
import threading
import time

from wwapi import Server, check, finish, log
from wwtest import Camsim

# SPS/PPS of a 320x240 baseline stream made by libx264 (ffmpeg -c:v libx264
# -profile:v baseline); the SDP is what a real camera sends.
SPS, PPS = "Z0LADdkBQfsBEAAAAwAQAAADAyDxQqSA", "aMuDyyA="
SDP = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=hostile\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
       f"a=fmtp:96 packetization-mode=1;profile-level-id=42C00D;sprop-parameter-sets={SPS},{PPS}\r\n"
       "a=control:track1\r\n")


class HostileCamera:
    """An RTSP server on 127.0.0.1 that plays one trick (see the module
    comment).  Every connection gets its own daemon thread; every loop ends
    when stop() is called or the peer goes away."""

    def __init__(self, trick):
        self.trick = trick
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.sent_rtp = 0
        self.conns = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self):
        return f"rtsp://127.0.0.1:{self.port}/{self.trick}"

    def stop(self):
        self.stopping.set()
        self.sock.close()

    def _accept(self):
        while not self.stopping.is_set():
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns += 1
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        try:
            c.settimeout(0.5)
            if self.trick == "trickle":
                self._trickle(c, b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE\r\n" * 100)
                return
            buf = b""
            while not self.stopping.is_set():
                while b"\r\n\r\n" not in buf:
                    try:
                        d = c.recv(4096)
                    except socket.timeout:
                        if self.stopping.is_set():
                            return
                        continue
                    if not d:
                        return
                    buf += d
                head, buf = buf.split(b"\r\n\r\n", 1)
                lines = head.decode("latin-1").split("\r\n")
                method = lines[0].split(" ")[0]
                cseq = next((l.split(":", 1)[1].strip() for l in lines if l.lower().startswith("cseq:")), "0")
                if method == "OPTIONS":
                    c.sendall(f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\n"
                              "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n".encode())
                elif method == "DESCRIBE":
                    c.sendall(f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nContent-Type: application/sdp\r\n"
                              f"Content-Base: {self.url()}/\r\nContent-Length: {len(SDP)}\r\n\r\n{SDP}".encode())
                elif method == "SETUP":
                    c.sendall(f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\n"
                              "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n"
                              "Session: 4242;timeout=60\r\n\r\n".encode())
                elif method == "PLAY":
                    reply = f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nSession: 4242\r\n\r\n".encode()
                    if self.trick == "stall":
                        self._trickle(c, reply)
                        return
                    c.sendall(reply)
                    self._non_idr_forever(c)
                    return
                elif method == "TEARDOWN":
                    return
                else:
                    c.sendall(f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\n\r\n".encode())
        except OSError:
            pass
        finally:
            c.close()

    def _trickle(self, c, data):
        """One byte a second, never the end of the message."""
        for i in range(len(data) - 1):
            if self.stopping.wait(1.0 if i else 0.0):
                return
            c.sendall(data[i:i + 1])

    def _non_idr_forever(self, c):
        """Non-IDR slices (NAL type 1), one RTP packet each, 100 a second:
        a busy stream that never holds a keyframe."""
        seq, ts = 0, 0
        c.setblocking(True)
        while not self.stopping.is_set():
            for _ in range(10):
                payload = bytes([0x41, 0x9a]) + os.urandom(600)   # nal_ref_idc 2, type 1
                rtp = struct.pack("!BBHII", 0x80, 0x80 | 96, seq & 0xFFFF, ts & 0xFFFFFFFF, 0x1234) + payload
                c.sendall(b"$" + bytes([0]) + struct.pack("!H", len(rtp)) + rtp)
                seq += 1
                ts += 900
                self.sent_rtp += 1
            time.sleep(0.1)


class NoAnswer:
    """Stands in for a response that never came (the check then fails)."""
    status, text, json = None, "no answer", None

    def error_code(self):
        return None

    def error_message(self):
        return ""


def probe(admin, cam_id, timeout_s):
    t0 = time.monotonic()
    try:
        r = admin.post(f"/api/v1/cameras/{cam_id}/probe", {"timeout_s": timeout_s}, timeout=timeout_s + 15)
    except OSError:
        r = NoAnswer()
    return r, time.monotonic() - t0


def run_cases(label, env_ingest):
    # debug level: the log names the RTSP client each probe used
    extra_env = {"WARDWATCH_INGEST": env_ingest, "WARDWATCH_LOG_LEVEL": "debug"} if env_ingest else {}
    old = {k: os.environ.get(k) for k in extra_env}
    os.environ.update(extra_env)
    try:
        srv = Server().start()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    admin = srv.admin()
    ward = srv.create_ward(admin)
    cams = {t: HostileCamera(t) for t in ("nonidr", "trickle", "stall")}
    try:
        ids = {t: srv.create_camera(admin, ward, main_url=h.url(), name=f"{label} {t}") for t, h in cams.items()}
        cases = [("nonidr", 1), ("trickle", 1), ("stall", 1), ("nonidr", 3)]
        for trick, tmo in cases:
            r, took = probe(admin, ids[trick], tmo)
            log(f"[{label}] {trick} timeout_s={tmo}: {r.status} {r.error_code()} after {took:.2f} s "
                f"(camera sent {cams[trick].sent_rtp} RTP packets so far)")
            check(r.status == 502 and r.error_code() == "camera_timeout",
                  f"[{label}] {trick}, timeout_s {tmo}: 502 camera_timeout", "502 camera_timeout",
                  (r.status, r.text[:200]))
            check(took <= tmo + 1.0, f"[{label}] {trick}, timeout_s {tmo}: answered within {tmo + 1} s",
                  f"<= {tmo + 1:.1f} s", f"{took:.2f} s")
            if trick == "nonidr":
                check(cams[trick].sent_rtp > 0, f"[{label}] the camera really streamed non-IDR packets", "> 0",
                      cams[trick].sent_rtp)
                check("keyframe" in r.error_message(), f"[{label}] the message says no keyframe came",
                      "…no keyframe…", r.error_message() if r.status else None)
            if tmo == 3:
                check(took >= 2.5, f"[{label}] the deadline is the caller's: timeout_s 3 waits ~3 s",
                      ">= 2.5 s", f"{took:.2f} s")
        r = admin.get(f"/api/v1/cameras/{ids['nonidr']}/probe")
        p = (r.json or {}).get("probe") or {}
        check(r.status == 200 and p.get("error_code") == "camera_timeout" and p.get("elapsed_ms", 99999) <= 4000,
              f"[{label}] the timed-out probe is recorded with its elapsed time", "camera_timeout, <= 4000 ms", p)
        if env_ingest:
            check("libavformat RTSP client" in srv.log_text(), f"[{label}] the probes went through libavformat",
                  "'libavformat RTSP client' in the log", srv.log_tail(5))
        return srv, admin, ward
    finally:
        for h in cams.values():
            h.stop()


srv, admin, ward = run_cases("lean", None)
good = Camsim(cameras=1).start()
try:
    gid = srv.create_camera(admin, ward, main_url=good.url(1), name="camsim")
    r, took = probe(admin, gid, 5)
    log(f"[lean] camsim probe: {r.status} after {took:.2f} s")
    check(r.status == 200 and (r.json or {}).get("probe", {}).get("ok") is True,
          "a good camera still probes ok (timeout_s 5)", "200 ok", (r.status, r.text[:200]))
finally:
    good.stop()
srv.stop()
srv2, _, _ = run_cases("libav", "libav")
srv2.stop()
finish()

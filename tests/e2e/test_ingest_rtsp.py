"""The lean RTSP client's protocol behaviour, through a proxy in front of camsim.

The proxy understands the interleaved framing well enough to
  - shorten the session timeout in the SETUP reply to 4 s, so keep-alives
    (GET_PARAMETER, every timeout/2) must come every ~2 s;
  - inject, between frames, stray bytes and a request from the "camera"
    (OPTIONS, CSeq 77), which the client must skip and answer, respectively;
  - cut every frame it forwards into two writes, so the client sees frames
    split across reads;
  - go silent after PLAY on demand (the connection stays open), so a read
    timeout must take the stream offline and a reconnect bring it back;
  - (a second proxy) refuse GET_PARAMETER with 454, as some cameras that list
    it in Public do: the client goes on with OPTIONS keep-alives, no reconnect;
  - (a third) send Content-Base without its scheme ("127.0.0.1:PORT/cam1/sub/"),
    as some cameras do: the client's SETUP still names an rtsp:// track URL
    and the stream comes up on its first connection.
It records the requests the client sends (TEARDOWN at stop).

Also: Basic authentication against camsim; a camera that accepts the TCP
connection and never answers (open times out; serve still stops at once);
stopping while a connection attempt hangs.
"""
import os
import random
import re
import socket
import subprocess
import threading
import time

from wwtest import Camsim, Station, check, finish, log


class Proxy:
    def __init__(self, upstream_port, session_timeout=4, inject_every=0.7, refuse_get_parameter=False,
                 schemeless_base=False):
        self.up = upstream_port
        self.schemeless_base = schemeless_base
        self.lines = []             # request lines the client sent
        self.client_frames = []     # (time, channel, payload) of the client's '$' frames
        self.refuse_get_parameter = refuse_get_parameter
        self.session_timeout = session_timeout
        self.inject_every = inject_every
        self.requests = []          # (time, method) sent by the client
        self.client_replies = []    # responses the client sent to our requests
        self.silent = False         # drop media from the camera (new connections too)
        self.connections = 0
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path):
        return f"rtsp://127.0.0.1:{self.port}{path}"

    def methods(self):
        with self.lock:
            return [m for _, m in self.requests]

    def _accept(self):
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            try:
                u = socket.create_connection(("127.0.0.1", self.up))
            except OSError:
                c.close()
                continue
            with self.lock:
                self.connections += 1
            for s in (c, u):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._c2s, args=(c, u), daemon=True).start()
            threading.Thread(target=self._s2c, args=(u, c), daemon=True).start()

    def _c2s(self, c, u):
        # The client sends bodiless text messages and, on the RTCP channel,
        # its receiver reports ('$' frames: kept and passed on).  Its
        # replies to the requests we inject are ours: camsim never asked,
        # so they stop here.
        buf = b""
        try:
            while True:
                d = c.recv(65536)
                if not d:
                    break
                buf += d
                while buf[:1] == b"$" and len(buf) >= 4 and len(buf) >= 4 + int.from_bytes(buf[2:4], "big"):
                    n = 4 + int.from_bytes(buf[2:4], "big")
                    frame, buf = buf[:n], buf[n:]
                    with self.lock:
                        self.client_frames.append((time.time(), frame[1], frame[4:]))
                    u.sendall(frame)
                while buf[:1] != b"$" and b"\r\n\r\n" in buf:
                    head, buf = buf.split(b"\r\n\r\n", 1)
                    first = head.split(b"\r\n", 1)[0].decode(errors="replace")
                    with self.lock:
                        if first.startswith("RTSP/"):
                            self.client_replies.append(head.decode(errors="replace"))
                            continue
                        self.requests.append((time.time(), first.split(" ", 1)[0]))
                        self.lines.append(first)
                    if self.refuse_get_parameter and first.startswith("GET_PARAMETER"):
                        cseq = re.search(rb"CSeq:\s*(\d+)", head, re.I)
                        c.sendall(b"RTSP/1.0 454 Session Not Found\r\nCSeq: %s\r\n\r\n" %
                                  (cseq.group(1) if cseq else b"0"))
                        continue
                    u.sendall(head + b"\r\n\r\n")
        except OSError:
            pass
        for s in (c, u):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _s2c(self, u, c):
        buf = b""
        last_inject = time.time()
        n_inject = 0
        try:
            while True:
                d = u.recv(65536)
                if not d:
                    break
                buf += d
                while buf:
                    if buf[0:1] == b"$":
                        if len(buf) < 4:
                            break
                        n = 4 + int.from_bytes(buf[2:4], "big")
                        if len(buf) < n:
                            break
                        item, buf = buf[:n], buf[n:]
                        if self.silent:
                            continue
                        cut = random.randint(1, n - 1) if n > 1 else n
                        c.sendall(item[:cut])
                        c.sendall(item[cut:])
                        if self.inject_every and time.time() - last_inject > self.inject_every:
                            last_inject = time.time()
                            n_inject += 1
                            c.sendall(b"\x00garbage\xff" if n_inject % 2 else
                                      b"OPTIONS * RTSP/1.0\r\nCSeq: 77\r\n\r\n")
                    else:
                        end = buf.find(b"\r\n\r\n")
                        if end < 0:
                            break
                        head = buf[:end].decode(errors="replace")
                        m = re.search(r"Content-Length:\s*(\d+)", head, re.I)
                        total = end + 4 + (int(m.group(1)) if m else 0)
                        if len(buf) < total:
                            break
                        msg, buf = buf[:total], buf[total:]
                        if self.session_timeout:
                            msg = re.sub(rb"(Session: *[^;\r\n]+)(;timeout=\d+)?",
                                         rb"\1;timeout=%d" % self.session_timeout, msg)
                        if self.schemeless_base:
                            msg = re.sub(rb"(Content-Base: *)rtsp://", rb"\1", msg, flags=re.I)
                        c.sendall(msg)
        except OSError:
            pass
        for s in (c, u):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.stopping = True
        self.sock.close()


def silent_server():
    """Accepts connections and never answers."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    held = []

    def run():
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            held.append(c)
    threading.Thread(target=run, daemon=True).start()
    return s


env = dict(os.environ, WARDWATCH_LOG_LEVEL="debug")
env.pop("WARDWATCH_INGEST", None)

cams = Camsim(cameras=2).start()
bcams = Camsim(cameras=1, extra=["--auth", "basic", "--user", "viewer", "--password", "p:w@1"]).start()
px = Proxy(cams.port)
px454 = Proxy(cams.port, inject_every=0, refuse_get_parameter=True)
pxb = Proxy(cams.port, session_timeout=0, inject_every=0, schemeless_base=True)
mute = silent_server()
st = Station("ingest-rtsp").init()
try:
    pwfile = os.path.join(st.tmp, "pw")
    with open(pwfile, "w") as f:
        f.write("p:w@1\n")
    c1 = st.add_camera("Through proxy", px.url("/cam1/main"))
    c2 = st.add_camera("Basic auth", bcams.url(1), extra=["--username", "viewer", "--password-file", pwfile,
                                                     "--auth-basic-allowed"])  # Basic is opt-in (issue 11)
    c3 = st.add_camera("Never answers", f"rtsp://127.0.0.1:{mute.getsockname()[1]}/cam1/main")
    c4 = st.add_camera("Refuses GET_PARAMETER", px454.url("/cam2/main"))
    c5 = st.add_camera("Schemeless Content-Base", pxb.url("/cam1/sub"))
    st.serve("--segment-seconds", "60", env=env)
    ok = st.wait_for(lambda: st.stream_stats(c1).get("state") == "online" and
                     st.stream_stats(c2).get("state") == "online", 15)
    check(ok, "proxied and Basic-auth cameras online", "online", [st.stream_stats(c1), st.stream_stats(c2)])
    t_play = time.time()
    time.sleep(10)
    ka = [t for t, m in px.requests if m == "GET_PARAMETER" and t >= t_play - 1]
    check(len(ka) >= 4, "keep-alive every session-timeout/2 (timeout 4 s)", ">= 4 GET_PARAMETER in 10 s", len(ka))
    if len(ka) >= 2:
        gaps = [b - a for a, b in zip(ka, ka[1:])]
        check(all(1.5 <= g <= 2.6 for g in gaps), "keep-alive interval ~2 s", "1.5..2.6 s",
              [round(g, 2) for g in gaps])
    rr = [(t, ch, p) for t, ch, p in px.client_frames if t >= t_play - 1]
    rr_times = [t for t, _, _ in rr]
    rr_gaps = [round(b - a, 2) for a, b in zip(rr_times, rr_times[1:])]
    first = rr[0][2] if rr else b""
    check(len(rr) >= 2 and all(ch == 1 for _, ch, _ in rr) and all(g <= 5.0 for g in rr_gaps),
          "RTCP receiver reports on the RTCP channel, every <= 5 s", ">= 2 in 10 s on channel 1, gaps <= 5 s",
          (len(rr), rr_gaps))
    check(len(first) >= 32 and first[1] == 201 and first[0] & 0x1f == 1 and
          int.from_bytes(first[16:20], "big") > 0,
          "each is an RR with one report block naming the stream's highest sequence number",
          "PT 201, RC 1, ext. highest seq > 0", first[:32].hex())
    ka454 = [m for t, m in px454.requests if t >= t_play - 1]
    s4 = st.stream_stats(c4)
    # a second GET_PARAMETER may leave before the first one's 454 is read (a loaded machine);
    # after the first OPTIONS there is none
    first_opt = ka454.index("OPTIONS") if "OPTIONS" in ka454 else len(ka454)
    check(ka454.count("GET_PARAMETER") <= 2 and "GET_PARAMETER" not in ka454[first_opt:]
          and ka454.count("OPTIONS") >= 3,
          "a camera refusing GET_PARAMETER (454): keep-alives go on with OPTIONS",
          "at most 2 GET_PARAMETER (one in flight), none after the first OPTIONS, >= 3 OPTIONS in 10 s", ka454)
    check(px454.connections == 1 and s4.get("state") == "online" and s4.get("reconnects", 0) == 0 and
          22 <= s4.get("fps", 0) <= 28, "… and the stream stays up on its first connection at 25 fps",
          "1 connection, online, 0 reconnects, ~25 fps", (px454.connections, s4))
    s5 = st.stream_stats(c5)
    setups = [l for l in pxb.lines if l.startswith("SETUP")]
    check(pxb.connections == 1 and s5.get("state") == "online" and s5.get("reconnects", 0) == 0 and
          setups and all(l.split(" ")[1].startswith("rtsp://127.0.0.1:") for l in setups),
          "a schemeless Content-Base: SETUP names an rtsp:// track, online on the first connection",
          "1 connection, online, SETUP rtsp://…", (pxb.connections, s5.get("state"), setups))
    replies = [r for r in px.client_replies if "CSeq: 77" in r]
    check(replies and all(r.startswith("RTSP/1.0 200 OK") for r in replies),
          "the client answers the camera's OPTIONS", "RTSP/1.0 200 OK, CSeq 77", px.client_replies[-3:])
    s1 = st.stream_stats(c1)
    fps = s1.get("fps", 0)
    check(22 <= fps <= 28, "proxied stream keeps 25 fps through junk and split frames", "~25 fps", s1)
    st.wait_for(lambda: st.stream_stats(c3).get("state") == "offline", 6)  # open timeout: 10 s
    s3 = st.stream_stats(c3)
    check(s3.get("state") == "offline" and "timed out" in s3.get("reason", ""),
          "a camera that never answers: offline, timed out", "offline / timed out", s3)

    log("camera goes silent (connection kept open)")
    conns = px.connections
    px.silent = True
    t_silent = time.time()
    off = st.wait_for(lambda: st.stream_stats(c1).get("state") == "offline", 10, step=0.1)
    t_off = time.time()
    check(off and 4 <= t_off - t_silent <= 7, "silence → offline after the 5 s read timeout", "5..7 s",
          f"{t_off - t_silent:.1f} s: {st.stream_stats(c1)}")
    check("no data" in st.stream_stats(c1).get("reason", ""), "offline reason says no data", "'no data …'",
          st.stream_stats(c1).get("reason"))
    px.silent = False
    t_speak = time.time()
    back = st.wait_for(lambda: st.stream_stats(c1).get("state") == "online" and
                       (st.stream_stats(c1).get("last_packet_us") or 0) > t_speak * 1e6, 15)
    check(back and px.connections > conns, "reconnects; records again when the camera speaks",
          "online on a new connection", (px.connections - conns, st.stream_stats(c1)))
    time.sleep(3)

    n_before = len(px.methods())
    t0 = time.time()
    rc = st.stop()
    dt = time.time() - t0
    check(rc == 0 and dt < 3, "serve stops promptly (one camera still hanging in open)", "exit 0 in < 3 s",
          f"{rc} in {dt:.2f} s")
    time.sleep(0.3)
    check("TEARDOWN" in px.methods()[n_before:], "TEARDOWN sent at stop", "TEARDOWN", px.methods()[n_before:])
    text = st.log()
    stats = re.findall(r"\[cam=1/main\] lean RTSP: .*", text)
    log("\n".join(stats))
    junk = sum(int(m) for m in re.findall(r"(\d+) junk bytes", "\n".join(stats)))
    drops = sum(int(m) for m in re.findall(r"(\d+) dropped", "\n".join(stats)))
    check(junk > 0 and drops == 0, "junk skipped without losing an access unit", "junk > 0, 0 dropped",
          f"junk {junk}, dropped {drops}")
    segs = st.recordings(c1)["segments"]
    bad = []
    for s in segs:
        r = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", os.path.join(st.data, s["path"]),
                            "-f", "null", "-"], capture_output=True, text=True, timeout=300)
        if r.returncode or r.stderr.strip():
            bad.append((s["path"], r.stderr[-200:]))
    check(segs and not bad, "proxied recordings decode without errors", "no errors", bad or "no segments")

    # Stopping while a connection attempt hangs (the only camera never answers).
    st2 = Station("ingest-rtsp-stop").init()
    try:
        st2.add_camera("Never answers", f"rtsp://127.0.0.1:{mute.getsockname()[1]}/x")
        st2.serve(env=env)
        time.sleep(2)
        t0 = time.time()
        rc = st2.stop()
        dt = time.time() - t0
        check(rc == 0 and dt < 1.5, "stop during a hanging open ends promptly", "exit 0 in < 1.5 s",
              f"{rc} in {dt:.2f} s")
    finally:
        st2.stop()
        st2.remove()
finally:
    st.stop()
    px.close()
    pxb.close()
    mute.close()
    cams.stop()
    bcams.stop()
    st.remove()
finish()

"""serve as a systemd service sees it (issue 16), with systemd's two sockets
played by this test:

- sd_notify: with $NOTIFY_SOCKET (a datagram socket here) and
  $WATCHDOG_USEC, serve sends STATUS= while it recovers, READY=1 only once
  the console accepts connections, WATCHDOG=1 about every second, and
  STOPPING=1 on SIGTERM.  Without them nothing is sent.
- the journal: when $JOURNAL_STREAM names serve's stderr, each log line
  goes to /run/systemd/journal/socket as one entry with PRIORITY from the
  level, WW_CONTEXT, and WW_CAMERA / WW_STREAM for a camera's line — and
  not to stderr; when it names another file, or no journald socket is
  there, stderr is written as before.
  This half needs /run/systemd/journal/socket free (no journald on the
  machine); where a real journald listens it is skipped with a note.
"""
import fcntl
import os
import signal
import socket
import time

from wwtest import Station, check, finish, free_port, log

JOURNAL_DIR = "/run/systemd/journal"
JOURNAL_SOCK = JOURNAL_DIR + "/socket"


def dgram(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(0.2)
    return s


def drain(s, until, stop=None):
    """Datagrams received until the deadline (or until stop(msgs) is true)."""
    msgs = []
    while time.time() < until:
        try:
            msgs.append((time.time(), s.recv(65536)))
        except socket.timeout:
            pass
        if stop and stop(msgs):
            break
    return msgs


def journal_fields(data):
    """One native-protocol journal entry: KEY=value lines, or KEY\\n<le64>value\\n."""
    fields, i = {}, 0
    while i < len(data):
        nl = data.index(b"\n", i)
        line = data[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            fields[k.decode()] = v.decode("utf-8", "replace")
            i = nl + 1
        else:
            n = int.from_bytes(data[nl + 1:nl + 9], "little")
            fields[line.decode()] = data[nl + 9:nl + 9 + n].decode("utf-8", "replace")
            i = nl + 9 + n + 1
    return fields


st = Station("ww-svc").init()
sock = None
try:
    # --- sd_notify ------------------------------------------------------------
    path = os.path.join(st.tmp, "notify.sock")
    sock = dgram(path)
    port = free_port()
    env = dict(st.env, NOTIFY_SOCKET=path, WATCHDOG_USEC="2000000")
    env.pop("JOURNAL_STREAM", None)
    st.serve(env=env, http_port=port)
    msgs = drain(sock, time.time() + 60, lambda m: any(b"READY=1" in d for _, d in m))
    ready_at = next((t for t, d in msgs if b"READY=1" in d), None)
    answered = None
    if ready_at:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as c:
                c.sendall(b"GET /api/v1/health HTTP/1.0\r\n\r\n")
                answered = c.recv(64)
        except OSError as e:
            answered = repr(e)
    texts = [d.decode() for _, d in msgs]
    check(ready_at is not None, "READY=1 is sent", "READY=1 within 60 s", texts)
    check(any(t.startswith("STATUS=recovering") for t in texts[:-1]), "STATUS= says it recovers before READY",
          "STATUS=recovering … first", texts)
    check(isinstance(answered, bytes) and answered.startswith(b"HTTP/1."),
          "at READY=1 the console already answers", "an HTTP answer", answered)
    ready = [t for t in texts if "READY=1" in t]
    check(ready and f"STATUS=recording on; console on http://127.0.0.1:{port}" in ready[0],
          "READY=1 carries the status line", "STATUS=recording on; console on http://…", ready)
    pings = drain(sock, time.time() + 3.5)
    n = sum(1 for _, d in pings if d == b"WATCHDOG=1")
    check(2 <= n <= 5, "WATCHDOG=1 about every second (WATCHDOG_USEC=2 s)", "2..5 pings in 3.5 s",
          [d for _, d in pings])
    st.proc.send_signal(signal.SIGTERM)
    stopping = drain(sock, time.time() + 20, lambda m: any(b"STOPPING=1" in d for _, d in m))
    rc = st.stop()
    check(any(b"STOPPING=1" in d for _, d in stopping) and rc == 0, "SIGTERM: STOPPING=1, then exit 0",
          "STOPPING=1 and 0", ([d for _, d in stopping], rc))
    text = st.log()
    check("[serve] recording on" in text, "without JOURNAL_STREAM the log goes to stderr as before",
          "'[serve] recording on' in the log", text[-300:])

    # --- the journal -------------------------------------------------------------
    lock = open("/tmp/wardwatch-journal-test.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)   # two runs of this test never share the socket
    if os.path.exists(JOURNAL_SOCK):
        log(f"journal half skipped: {JOURNAL_SOCK} exists (a real journald runs here)")
    else:
        # JOURNAL_STREAM matching but no journald socket (a container that
        # inherited it): libsystemd would drop every line; stderr keeps them.
        open(st.log_path, "w").close()
        stt = os.stat(st.log_path)
        st.serve(env=dict(st.env, JOURNAL_STREAM=f"{stt.st_dev}:{stt.st_ino}"))
        st.wait_for(lambda: "[serve] recording on" in st.log(), 30)
        st.stop()
        check("[serve] recording on" in st.log() and "stopped cleanly" in st.log(),
              "JOURNAL_STREAM without a journald socket: the lines stay on stderr", "lines in the log",
              st.log()[-200:])
        made = [d for d in ["/run/systemd", JOURNAL_DIR] if not os.path.isdir(d)]
        for d in made:
            os.mkdir(d)
        jsock = dgram(JOURNAL_SOCK)
        try:
            cam = st.add_camera("dead", f"rtsp://127.0.0.1:{free_port()}/x")
            open(st.log_path, "w").close()
            stt = os.stat(st.log_path)
            env = dict(st.env, JOURNAL_STREAM=f"{stt.st_dev}:{stt.st_ino}")
            env.pop("NOTIFY_SOCKET", None)
            st.serve(env=env)

            def seen(m):
                f = [journal_fields(d) for _, d in m]
                return any(x.get("WW_CAMERA") for x in f) and any(x.get("WW_CONTEXT") == "serve" for x in f)
            entries = [journal_fields(d) for _, d in drain(jsock, time.time() + 30, seen)]
            rc = st.stop()
            entries += [journal_fields(d) for _, d in drain(jsock, time.time() + 0.5)]   # its stop lines
            srv = [e for e in entries if e.get("WW_CONTEXT") == "serve" and "recording on" in e.get("MESSAGE", "")]
            check(srv and srv[0].get("PRIORITY") == "6" and srv[0].get("SYSLOG_IDENTIFIER") == "wardwatch"
                  and "WW_CAMERA" not in srv[0],
                  "an info line is a journal entry: PRIORITY=6, WW_CONTEXT=serve, no WW_CAMERA",
                  "PRIORITY 6, identifier wardwatch", srv[:1] or entries[:3])
            camline = [e for e in entries if e.get("WW_CAMERA") == str(cam)]
            check(camline and camline[0].get("WW_STREAM") == "main" and camline[0].get("PRIORITY") == "4"
                  and camline[0].get("WW_CONTEXT") == f"cam={cam}/main" and "offline" in camline[0].get("MESSAGE", ""),
                  "a camera's warning carries WW_CAMERA, WW_STREAM=main and PRIORITY=4",
                  f"WW_CAMERA={cam} WW_STREAM=main PRIORITY=4", camline[:1] or entries[:5])
            text = st.log()
            check(rc == 0 and "recording on" not in text and "offline" not in text,
                  "with stderr the journal, nothing is written twice to stderr", "no log lines in the stream",
                  (rc, text[-300:]))

            # JOURNAL_STREAM naming another file: plain lines, no entries.
            env["JOURNAL_STREAM"] = "1:1"
            open(st.log_path, "w").close()
            st.serve(env=env)
            entries = drain(jsock, time.time() + 4)
            st.stop()
            check(not entries and "[serve] recording on" in st.log() and "stopped cleanly" in st.log(),
                  "JOURNAL_STREAM for another file: the log stays on stderr", "no entries, lines in the log",
                  (len(entries), st.log()[-200:]))
        finally:
            jsock.close()
            os.unlink(JOURNAL_SOCK)
            for d in reversed(made):
                os.rmdir(d)
finally:
    if sock:
        sock.close()
    st.stop()
finish()

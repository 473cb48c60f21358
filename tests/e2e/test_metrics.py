"""Issue 16 item 4: GET /metrics in the Prometheus text format, closed by default.

Station A records one camsim camera (main + sub) with the default access
(127.0.0.1 and ::1).  /metrics is scraped from 127.0.0.1 twice, a few seconds
apart, and each scrape is read by a STRICT parser of text format 0.0.4
written here: every line is blank, a comment, or `name{labels} value
[timestamp]`; names match [a-zA-Z_:][a-zA-Z0-9_:]*; label values use only
the \\\\ \\" \\n escapes; every sample's family has a # TYPE before it and
its samples form one group; no series twice; counters end in _total; each
histogram series has cumulative buckets in increasing le ending in +Inf,
equal to its _count, and a _sum.  Then: the camera's frames and bytes
counters (received and recorded) grew, its stream is online, the group
commits grew, and the HTTP counters name the routes called — by their
pattern (/api/v1/cameras/{id}), never the raw path, a miss as "(none)".

Station B (its own data folder) serves with --metrics-allow 10.9.9.9:
without a token file every scrape from 127.0.0.1 is 403 with one line of
text, a signed-in admin's session cookie included; restarted with
--metrics-token-file, the right bearer token gets 200 and a parseable
body, a wrong one or none 403.  A token file that is too short stops serve
before it starts (exit 1, the reason named).

Every wait is bounded; servers and camsim are stopped in `finally`, and
each serve must exit 0 (no leaks under ASan).
"""
import http.client
import math
import os
import re
import time

from wwapi import Client
from wwtest import Camsim, Station, check, finish, free_port, log

NAME_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


class ParseError(Exception):
    pass


def parse_value(s, lineno):
    if s in ("+Inf", "Inf"):
        return math.inf
    if s == "-Inf":
        return -math.inf
    if s == "NaN":
        return math.nan
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", s):
        raise ParseError(f"line {lineno}: value {s!r} is not a number")
    return float(s)


def parse_labels(line, i, lineno):
    """Reads {a="x",b="y"} from line[i] == '{'; returns (dict, index after '}')."""
    labels = {}
    i += 1
    while True:
        if line[i] == "}":
            return labels, i + 1
        m = LABEL_RE.match(line, i)
        if not m:
            raise ParseError(f"line {lineno}: bad label name at {line[i:i + 20]!r}")
        name = m.group(0)
        i = m.end()
        if line[i:i + 2] != '="':
            raise ParseError(f"line {lineno}: label {name} without =\"")
        i += 2
        val = []
        while True:
            if i >= len(line):
                raise ParseError(f"line {lineno}: unterminated value of label {name}")
            c = line[i]
            if c == "\\":
                nxt = line[i + 1:i + 2]
                if nxt not in ("\\", '"', "n"):
                    raise ParseError(f"line {lineno}: bad escape \\{nxt} in label {name}")
                val.append("\n" if nxt == "n" else nxt)
                i += 2
            elif c == '"':
                i += 1
                break
            else:
                val.append(c)
                i += 1
        if name in labels:
            raise ParseError(f"line {lineno}: label {name} twice")
        labels[name] = "".join(val)
        if line[i] == ",":
            i += 1
        elif line[i] != "}":
            raise ParseError(f"line {lineno}: expected , or }} after label {name}")


def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[: -len(suffix)]
        if name.endswith(suffix) and types.get(base) in ("histogram", "summary"):
            return base
    return name


def parse_metrics(text):
    """Strict text-format 0.0.4 parser: {(name, frozenset(labels)): value}, types."""
    if not text.endswith("\n"):
        raise ParseError("the body does not end in a newline")
    types, helps, samples = {}, {}, {}
    done, current = set(), None
    for lineno, line in enumerate(text.split("\n")[:-1], 1):
        if line == "":
            continue
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not NAME_RE.fullmatch(name):
                    raise ParseError(f"line {lineno}: bad metric name {name!r}")
                if parts[1] == "TYPE":
                    t = parts[3] if len(parts) == 4 else ""
                    if t not in TYPES:
                        raise ParseError(f"line {lineno}: unknown type {t!r}")
                    if name in types:
                        raise ParseError(f"line {lineno}: second TYPE for {name}")
                    if name in done or any(family_of(k[0], types) == name for k in samples):
                        raise ParseError(f"line {lineno}: TYPE of {name} after its samples")
                    types[name] = t
                else:
                    if name in helps:
                        raise ParseError(f"line {lineno}: second HELP for {name}")
                    help_text = parts[3] if len(parts) == 4 else ""
                    if re.search(r"\\[^\\n]", help_text.replace("\\\\", "")):
                        raise ParseError(f"line {lineno}: bad escape in HELP of {name}")
                    helps[name] = help_text
            continue
        m = NAME_RE.match(line)
        if not m:
            raise ParseError(f"line {lineno}: not a sample: {line!r}")
        name = m.group(0)
        i = m.end()
        labels = {}
        if i < len(line) and line[i] == "{":
            labels, i = parse_labels(line, i, lineno)
        rest = line[i:]
        if not rest.startswith(" "):
            raise ParseError(f"line {lineno}: no space before the value: {line!r}")
        fields = rest[1:].split(" ")
        if len(fields) not in (1, 2) or "" in fields:
            raise ParseError(f"line {lineno}: want `value [timestamp]`, saw {rest!r}")
        value = parse_value(fields[0], lineno)
        if len(fields) == 2 and not re.fullmatch(r"-?\d+", fields[1]):
            raise ParseError(f"line {lineno}: bad timestamp {fields[1]!r}")
        fam = family_of(name, types)
        if fam not in types:
            raise ParseError(f"line {lineno}: sample {name} has no # TYPE before it")
        if fam != current:
            if fam in done:
                raise ParseError(f"line {lineno}: samples of {fam} are not in one group")
            if current:
                done.add(current)
            current = fam
        if types[fam] == "counter" and not name.endswith("_total"):
            raise ParseError(f"line {lineno}: counter {name} does not end in _total")
        if types[fam] == "histogram" and name == fam:
            raise ParseError(f"line {lineno}: histogram sample {name} without _bucket/_sum/_count")
        if name.endswith("_bucket") and types[fam] == "histogram" and "le" not in labels:
            raise ParseError(f"line {lineno}: bucket without le")
        key = (name, frozenset(labels.items()))
        if key in samples:
            raise ParseError(f"line {lineno}: series {name}{labels} twice")
        samples[key] = value
    check_histograms(samples, types)
    return samples, types


def check_histograms(samples, types):
    groups = {}
    for (name, labels), v in samples.items():
        fam = family_of(name, types)
        if types.get(fam) != "histogram":
            continue
        rest = frozenset((k, x) for k, x in labels if k != "le")
        g = groups.setdefault((fam, rest), {"buckets": [], "sum": None, "count": None})
        if name.endswith("_bucket"):
            le = dict(labels)["le"]
            g["buckets"].append((parse_value(le, 0), v, le))
        elif name.endswith("_sum"):
            g["sum"] = v
        else:
            g["count"] = v
    for (fam, rest), g in groups.items():
        where = f"{fam}{dict(rest)}"
        b = sorted(g["buckets"])
        if not b or b[-1][2] != "+Inf":
            raise ParseError(f"{where}: buckets do not end in le=\"+Inf\"")
        if any(y[1] < x[1] for x, y in zip(b, b[1:])):
            raise ParseError(f"{where}: buckets are not cumulative: {[(x[2], x[1]) for x in b]}")
        if g["count"] is None or g["sum"] is None:
            raise ParseError(f"{where}: no _count or no _sum")
        if b[-1][1] != g["count"]:
            raise ParseError(f"{where}: +Inf bucket {b[-1][1]} != _count {g['count']}")


def get(port, path, headers=None, timeout=20):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.getheader("Content-Type") or "", r.read().decode("utf-8", "replace")
    finally:
        conn.close()


def wait_http(port, timeout=40):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if get(port, "/api/v1/session", timeout=2)[0] == 401:
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def scrape(port, what, headers=None):
    status, ctype, body = get(port, "/metrics", headers)
    check(status == 200, f"{what}: GET /metrics answers 200", 200, f"{status} {body[:200]!r}")
    check(ctype.startswith("text/plain") and "version=0.0.4" in ctype, f"{what}: text format 0.0.4 content type",
          "text/plain; version=0.0.4", ctype)
    try:
        samples, types = parse_metrics(body)
    except ParseError as e:
        check(False, f"{what}: the strict parser reads the body", "no error", str(e))
        return {}, {}
    check(True, f"{what}: the strict parser reads {len(samples)} series of {len(types)} families", "", "")
    return samples, types


def value(samples, metric, **labels):
    want = set(labels.items())
    hits = [v for (n, ls), v in samples.items() if n == metric and want <= set(ls)]
    return hits[0] if len(hits) == 1 else None


def series(samples, name):
    return [dict(ls) for (n, ls), _ in samples.items() if n == name]


# The parser is strict: each of these must be refused.
BROKEN = {
    "no TYPE": "x_total 1\n",
    "bad name": "# TYPE 1x gauge\n1x 1\n",
    "bad escape": '# TYPE g gauge\ng{a="\\t"} 1\n',
    "duplicate series": '# TYPE g gauge\ng{a="1"} 1\ng{a="1"} 2\n',
    "split family": "# TYPE g gauge\n# TYPE h gauge\ng 1\nh 1\ng 2\n",
    "counter without _total": "# TYPE c counter\nc 1\n",
    "not cumulative": '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
    "+Inf != count": '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n',
    "no +Inf": '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n',
    "bad value": "# TYPE g gauge\ng one\n",
    "no newline at the end": "# TYPE g gauge\ng 1",
}
for what, text in BROKEN.items():
    try:
        parse_metrics(text)
        check(False, f"the parser refuses: {what}", "ParseError", "accepted")
    except ParseError:
        check(True, f"the parser refuses: {what}", "", "")

cams = Camsim(cameras=1).start()
a = Station("metrics-a").init()
b = Station("metrics-b").init()
try:
    cam = a.add_camera("Cổng \"chợ\" \\ 1", cams.url(1), cams.url(1, "sub"))
    port_a = free_port()
    a.serve("--segment-seconds", "4", http_port=port_a)
    check(wait_http(port_a), "station A's console answers", "401 on /api/v1/session", a.log()[-400:])
    rec = a.wait_for(lambda: a.stream_stats(cam).get("record", {}).get("frames", 0) > 0, 30)
    check(rec, "camera recording within 30 s", "record frames > 0", a.stream_stats(cam))
    # HTTP traffic the counters must show by route pattern
    get(port_a, "/api/v1/health")            # 401: no session
    get(port_a, f"/api/v1/cameras/{cam}")    # 401, route /api/v1/cameras/{id}
    get(port_a, "/api/v1/no-such-thing")     # 404, no route
    s1, t1 = scrape(port_a, "first scrape")
    time.sleep(4)
    s2, t2 = scrape(port_a, "second scrape")
    c = str(cam)
    for fam in ("wardwatch_stream_frames_received_total", "wardwatch_stream_bytes_received_total",
                "wardwatch_record_frames_total", "wardwatch_record_bytes_total"):
        v1, v2 = value(s1, fam, camera=c, stream="main"), value(s2, fam, camera=c, stream="main")
        check(v1 is not None and v2 is not None and v2 > v1 > 0, f"{fam} of camera {c} main grew",
              "0 < first < second", (v1, v2))
    v1, v2 = value(s1, "wardwatch_stream_frames_received_total", camera=c, stream="sub"), \
        value(s2, "wardwatch_stream_frames_received_total", camera=c, stream="sub")
    check(v1 is not None and v2 is not None and v2 > v1, "sub stream frames grew", "first < second", (v1, v2))
    check(value(s2, "wardwatch_stream_state", camera=c, stream="main", state="online") == 1 and
          value(s2, "wardwatch_stream_state", camera=c, stream="main", state="offline") == 0,
          "main stream state: online 1, offline 0", (1, 0),
          [(d.get("state"), value(s2, "wardwatch_stream_state", **d))
           for d in series(s2, "wardwatch_stream_state") if d.get("camera") == c and d.get("stream") == "main"])
    check(value(s2, "wardwatch_camera_info", camera=c, name="Cổng \"chợ\" \\ 1") == 1,
          "camera_info carries the name with quote and backslash escaped and read back", 1,
          series(s2, "wardwatch_camera_info"))
    age = value(s2, "wardwatch_stream_last_frame_age_seconds", camera=c, stream="main")
    lag = value(s2, "wardwatch_record_lag_seconds", camera=c, stream="main")
    check(age is not None and 0 <= age < 5 and lag is not None and 0 <= lag < 5,
          "last frame age and record lag are a few seconds at most", "0 <= x < 5", (age, lag))
    fw = value(s2, "wardwatch_record_fragment_write_seconds_count", camera=c, stream="main")
    check(fw is not None and fw > 0, "fragment write latency histogram has observations", "> 0", fw)
    k1, k2 = value(s1, "wardwatch_syncer_commits_total"), value(s2, "wardwatch_syncer_commits_total")
    check(k1 is not None and k2 is not None and k2 > k1, "group commits grew", "first < second", (k1, k2))
    hc = value(s2, "wardwatch_syncer_commit_seconds_count")
    check(hc is not None and k2 <= hc <= k2 + 1, "commit latency histogram counts the commits (read just after)",
          f"{k2} or {k2 + 1}", hc)
    for fam in ("wardwatch_disk_free_bytes", "wardwatch_recorded_bytes", "wardwatch_held_bytes",
                "wardwatch_alerts_open", "wardwatch_live_viewers", "wardwatch_retention_deleted_segments_total"):
        check(value(s2, fam) is not None, f"{fam} is there", "a value", series(s2, fam))
    check((value(s2, "wardwatch_disk_free_bytes") or 0) > 0, "disk free bytes > 0", "> 0",
          value(s2, "wardwatch_disk_free_bytes"))
    check((value(s2, "wardwatch_catalog_size_bytes", file="db") or 0) > 0, "catalog db size > 0", "> 0",
          value(s2, "wardwatch_catalog_size_bytes", file="db"))
    req = "wardwatch_http_requests_total"
    check(value(s2, req, method="GET", route="/api/v1/health", status="401") == 1,
          "HTTP counter: GET /api/v1/health 401 once", 1, series(s2, req))
    check(value(s2, req, method="GET", route="/api/v1/cameras/{id}", status="401") == 1,
          "HTTP counter by route pattern /api/v1/cameras/{id}", 1, series(s2, req))
    check(value(s2, req, route="(none)", status="404") == 1, "HTTP counter: a miss counts under (none)", 1,
          series(s2, req))
    check((value(s2, req, method="GET", route="/metrics", status="200") or 0) >= 1,
          "HTTP counter: the first scrape is counted", ">= 1", series(s2, req))
    raw = [d["route"] for d in series(s2, req) if re.search(r"/\d+(/|$)", d["route"])]
    check(not raw, "no raw path (with an id) as a route label", [], raw)
    lat = value(s2, "wardwatch_http_request_duration_seconds_count", method="GET", route="/api/v1/health")
    check(lat == 1, "latency histogram of /api/v1/health counts its request", 1, lat)
    rc = a.stop()
    check(rc == 0, "station A exits 0", 0, rc)

    # ---- station B: closed to 127.0.0.1 by --metrics-allow -------------------------
    port_b = free_port()
    b.serve("--no-record", "--metrics-allow", "10.9.9.9", http_port=port_b)
    check(wait_http(port_b), "station B's console answers", "401 on /api/v1/session", b.log()[-400:])
    status, ctype, body = get(port_b, "/metrics")
    check(status == 403, "allow-list 10.9.9.9, no token: 403 from 127.0.0.1", 403, status)
    check(body.endswith("\n") and body.count("\n") == 1 and ctype.startswith("text/plain"),
          "the 403 is one line of text", "one text line", (ctype, body))
    status = get(port_b, "/metrics", {"Authorization": "Bearer some-token-0123456789"})[0]
    check(status == 403, "a bearer token when none is configured: 403", 403, status)
    admin = Client(port_b)
    check(admin.login("admin", b.admin_password).status == 200, "admin signs in on B", 200, "")
    r = admin.get("/metrics")
    check(r.status == 403, "a signed-in admin's session is no substitute: 403", 403, r.status)
    rc = b.stop()
    check(rc == 0, "station B exits 0", 0, rc)

    token = "tok-" + os.urandom(16).hex()
    tfile = os.path.join(b.tmp, "metrics.token")
    with open(tfile, "w") as f:
        f.write(token + "\n")
    os.chmod(tfile, 0o600)
    b.serve("--no-record", "--metrics-allow", "10.9.9.9", "--metrics-token-file", tfile, http_port=port_b)
    check(wait_http(port_b), "station B restarted with a token file", "401 on /api/v1/session", b.log()[-400:])
    scrape(port_b, "right bearer token", {"Authorization": f"Bearer {token}"})
    status = get(port_b, "/metrics", {"Authorization": f"Bearer {token[:-1]}x"})[0]
    check(status == 403, "wrong bearer token: 403", 403, status)
    status = get(port_b, "/metrics", {"Authorization": f"Bearer {token}0"})[0]
    check(status == 403, "the token with one character more: 403", 403, status)
    status = get(port_b, "/metrics")[0]
    check(status == 403, "no token: 403", 403, status)
    rc = b.stop()
    check(rc == 0, "station B exits 0 again", 0, rc)

    short = os.path.join(b.tmp, "short.token")
    with open(short, "w") as f:
        f.write("short\n")
    r = b.ww("serve", "--no-record", "--listen", f"127.0.0.1:{port_b}", "--metrics-token-file", short,
             check=False, timeout=60)
    check(r.returncode == 1 and "shorter than 16" in r.stderr, "a too short token stops serve before it starts",
          "exit 1 naming the reason", (r.returncode, r.stderr.strip()[-200:]))
    r = b.ww("serve", "--no-record", "--metrics-allow", "10.9.9.9/33", check=False, timeout=60)
    check(r.returncode == 2 and "--metrics-allow" in r.stderr, "a bad --metrics-allow is a usage error",
          "exit 2 naming the option", (r.returncode, r.stderr.strip()[-200:]))
finally:
    for st in (a, b):
        if st.proc:
            st.stop()
    cams.stop()
    log(a.log()[-1500:] if os.path.exists(a.log_path) else "")
    a.remove()
    b.remove()
finish()

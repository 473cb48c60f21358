"""The Debian package (issue 16): `scripts/make-deb` builds it from the
release build; its contents, Depends and conffiles are what they should be;
it installs on this machine (PID 1 here is not systemd, and a scratch root
for `dpkg --root` would need a whole Debian inside it for adduser), where
`systemd-analyze verify` passes on the installed unit; the unit's own
ExecStartPre and ExecStart lines, parsed from the installed file and run as
systemd would (a "+" line as root, the rest as the wardwatch user, in
WorkingDirectory with the unit's UMask), bring up a console that answers
and lets the admin sign in with the password from the root-only file —
which appeared on no output; purge keeps /var/lib/wardwatch, and removes it
when .purge-recordings asks.

The machine is left as it was: a finally block purges the package and
removes the account and data folder this test created.  A lock file keeps
two runs apart; a machine where wardwatch is installed for real is refused.
Skips (77) only when dpkg-deb is missing.
"""
import fcntl
import grp
import os
import pwd
import re
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

from wwtest import SRC, check, finish, free_port, log
from wwapi import Client

if not shutil.which("dpkg-deb"):
    print("SKIP: dpkg-deb is missing (apt-get install dpkg-dev)")
    sys.exit(77)

RELEASE = os.environ.get("WW_RELEASE_BUILD_DIR", os.path.join(SRC, "build"))
DATA = "/var/lib/wardwatch"
UNIT = "/lib/systemd/system/wardwatch.service"
INI = "/etc/wardwatch/wardwatch.ini"
DEFAULTS = "/etc/default/wardwatch"
PWFILE = "/etc/wardwatch/admin-password"
ENV = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
for k in ["WARDWATCH_DATA", "WARDWATCH_WEB_DIR", "WARDWATCH_CRITERIA_DIR", "WARDWATCH_SHARE", "NOTIFY_SOCKET"]:
    ENV.pop(k, None)   # the installed binary must find everything by itself


def run(args, timeout=120, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=kw.pop("env", ENV), **kw)


def installed():
    """dpkg knows the package in any state (installed, half-configured, config-files)."""
    r = run(["dpkg-query", "-W", "-f=${Status}", "wardwatch"])
    return r.returncode == 0 and r.stdout.strip() != "" and "not-installed" not in r.stdout


def user_exists(name):
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


lock = open("/tmp/wardwatch-deb-test.lock", "w")
deadline = time.time() + 300
while True:
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        break
    except BlockingIOError:
        if time.time() > deadline:
            check(False, "the deb test's lock", "free within 300 s", "held by another run")
            finish()
        time.sleep(1)

if installed() or os.path.exists(DATA):
    check(False, "a machine without wardwatch installed", f"no wardwatch package and no {DATA}",
          "wardwatch is installed here (or its data folder exists): this test would replace it")
    finish()
had_user = user_exists("wardwatch") is not None
tmp = tempfile.mkdtemp(prefix="ww-deb-")
serve = None


def unit_lines(text, key):
    return [l.split("=", 1)[1].strip() for l in text.splitlines() if l.startswith(key + "=")]


def unit_value(text, key):
    v = unit_lines(text, key)
    return v[-1] if v else None


def as_unit(cmd, fallback, port, env):
    """argv and the user for one Exec line: the "+" prefix runs as root;
    without --config support (this branch, before the config file lands) the
    `--config FILE` pair is dropped and the data folder comes from the
    EnvironmentFile; serve gets the test's port either way."""
    root = cmd.startswith("+")
    argv = shlex.split(cmd.lstrip("+-@!:"))
    if fallback and "--config" in argv:
        i = argv.index("--config")
        del argv[i:i + 2]
    if fallback and argv[-1] == "serve":
        argv += ["--listen", f"127.0.0.1:{port}"]
    # setpriv, not runuser: it execs, so the pid is the service's own (as
    # systemd's MAINPID is) and SIGTERM reaches wardwatch itself.
    user = ["setpriv", "--reuid=wardwatch", "--regid=wardwatch", "--init-groups", "--"]
    return (argv if root else user + argv), env


def unit_env(text):
    """What EnvironmentFile= gives the unit (the optional one may be missing)."""
    env = dict(ENV)
    for f in unit_lines(text, "EnvironmentFile"):
        path = f.lstrip("-")
        if os.path.exists(path):
            for line in open(path):
                m = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)", line)
                if m:
                    env[m.group(1)] = m.group(2).strip().strip('"')
    return env


def in_unit(argv, unit_text, **kw):
    """Runs argv as systemd would: in WorkingDirectory, with the unit's UMask."""
    umask = int(unit_value(unit_text, "UMask") or "0022", 8)
    return subprocess.Popen(argv, cwd=unit_value(unit_text, "WorkingDirectory") or "/",
                            preexec_fn=lambda: os.umask(umask), **kw)


try:
    # --- build and inspect ------------------------------------------------
    t0 = time.time()
    r = run([os.path.join(SRC, "scripts", "make-deb"), "--build", RELEASE, "--out", tmp], timeout=600)
    deb = r.stdout.strip().splitlines()[-1] if r.returncode == 0 and r.stdout.strip() else ""
    exe = os.path.join(RELEASE, "wardwatch")
    ver = run([exe, "--version"]).stdout.split()[-1] if os.access(exe, os.X_OK) else "?"
    check(r.returncode == 0 and os.path.basename(deb) == f"wardwatch_{ver}_amd64.deb" and os.path.exists(deb),
          "make-deb builds wardwatch_<version>_amd64.deb", f"wardwatch_{ver}_amd64.deb",
          f"exit {r.returncode}, {deb!r}, {r.stderr.strip()[-300:]}")
    log(f"built in {time.time() - t0:.1f} s")
    if not deb:
        finish()
    listing = run(["dpkg-deb", "-c", deb]).stdout
    paths = {l.split()[-1].lstrip(".") for l in listing.splitlines() if l.strip()}
    for p in ["/usr/bin/wardwatch", UNIT, INI, "/usr/share/wardwatch/web/index.html",
              "/usr/share/wardwatch/web/i18n/vi.json", "/usr/share/wardwatch/node_modules/chart.js/dist/chart.js",
              "/usr/share/wardwatch/node_modules/leaflet/dist/leaflet-src.esm.js",
              "/usr/share/wardwatch/node_modules/@kurkle/color/dist/color.esm.js",
              "/usr/share/wardwatch/data/criteria/default-22.json",
              "/usr/share/man/man1/wardwatch.1.gz", "/usr/share/man/man5/wardwatch.ini.5.gz",
              "/usr/lib/sysctl.d/60-wardwatch.conf"]:
        check(p in paths, f"the package holds {p}", "listed by dpkg-deb -c", "missing")
    check(not any("playwright" in p or "axe-core" in p for p in paths), "no test-only npm package in the deb",
          "no playwright-core / axe-core", [p for p in paths if "playwright" in p or "axe-core" in p][:3])
    depends = run(["dpkg-deb", "-f", deb, "Depends"]).stdout.strip()
    check(all(x in depends for x in ["libsqlite3", "libmicrohttpd", "libavformat", "libsystemd0", "libc6", "adduser"]),
          "Depends names the linked libraries (dpkg-shlibdeps) and adduser",
          "libsqlite3, libmicrohttpd, libavformat, libsystemd0, libc6, adduser", depends)
    check(run(["dpkg-deb", "-f", deb, "Version"]).stdout.strip() == ver, "Version is the program's",
          ver, run(["dpkg-deb", "-f", deb, "Version"]).stdout.strip())
    ctl = os.path.join(tmp, "control")
    run(["dpkg-deb", "-e", deb, ctl])
    check(open(os.path.join(ctl, "conffiles")).read().split() == [INI], "conffiles is the ini",
          [INI], open(os.path.join(ctl, "conffiles")).read().split())
    ext = os.path.join(tmp, "tree")
    run(["dpkg-deb", "-x", deb, ext])
    with open(os.path.join(ext, "usr/share/man/man1/wardwatch.1.gz"), "rb") as f:
        head = f.read(10)
    check(head[:2] == b"\x1f\x8b" and head[4:8] == b"\0\0\0\0" and head[3] & 0x08 == 0,
          "man pages are gzip -9n (no name, no time stamp)", "mtime 0, no FNAME", head.hex())
    check(run(["man", "-l", os.path.join(ext, "usr/share/man/man5/wardwatch.ini.5.gz")]).stdout.count("listen") > 0,
          "wardwatch.ini(5) renders and documents listen", "'listen' in man -l output", "absent")

    # --- install ----------------------------------------------------------
    r = run(["dpkg", "-i", deb], timeout=180)
    check(r.returncode == 0, "dpkg -i installs it", "exit 0", f"{r.returncode}: {r.stderr.strip()[-500:]}")
    u = user_exists("wardwatch")
    check(u is not None and u.pw_uid < 1000 and u.pw_dir == DATA and u.pw_shell.endswith("nologin")
          and grp.getgrgid(u.pw_gid).gr_name == "wardwatch",
          "postinst made the system user wardwatch (own group, home /var/lib/wardwatch, no shell)",
          "uid < 1000, group wardwatch, nologin", u)
    st = os.stat(DATA) if os.path.exists(DATA) else None
    check(st is not None and stat.S_IMODE(st.st_mode) == 0o750 and u and st.st_uid == u.pw_uid,
          f"{DATA} is 0750 and the service user's", "0750 wardwatch", st and (oct(st.st_mode), st.st_uid))
    st = os.stat(INI)
    check(stat.S_IMODE(st.st_mode) == 0o640 and st.st_uid == 0 and u and st.st_gid == u.pw_gid,
          "the ini is root:wardwatch 0640 (the service reads it, nobody else)", "0640 root:wardwatch",
          (oct(st.st_mode), st.st_uid, st.st_gid))
    r = run(["systemd-analyze", "verify", UNIT])
    check(r.returncode == 0, "systemd-analyze verify passes on the installed unit", "exit 0",
          f"{r.returncode}: {(r.stdout + r.stderr).strip()}")
    r = run(["systemd-analyze", "security", "--offline=yes", UNIT])
    m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", r.stdout)
    check(m and float(m.group(1)) <= 2.0, "systemd-analyze security rates the unit's exposure 2.0 or less",
          "<= 2.0 (OK)", m.group(1) if m else r.stdout[-300:] + r.stderr[-300:])
    unit = open(UNIT).read()
    want = {"Type": "notify", "NotifyAccess": "main", "WatchdogSec": "30s", "Restart": "on-failure",
            "User": "wardwatch", "ProtectSystem": "strict", "ReadWritePaths": DATA, "NoNewPrivileges": "yes",
            "PrivateTmp": "yes", "CapabilityBoundingSet": "", "ProtectHome": "yes",
            "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX", "ExecReload": "/bin/kill -HUP $MAINPID"}
    seen = {k: unit_value(unit, k) for k in want}
    check(seen == want, "the unit's type, restart and hardening settings", want, seen)

    # --- the unit's own command lines ---------------------------------------
    port = free_port()
    fallback = run(["/usr/bin/wardwatch", "--config", INI, "--help"]).returncode != 0
    if fallback:
        log("this wardwatch has no --config yet: data folder from /etc/default/wardwatch, --listen on the command line")
        with open(DEFAULTS, "w") as f:
            f.write(f"WARDWATCH_DATA={DATA}\n")
    else:
        text = open(INI).read()
        text = re.sub(r"(?m)^;?listen\s*=.*$", f"listen = 127.0.0.1:{port}", text, count=1)
        with open(INI, "w") as f:
            f.write(text)
    env = unit_env(unit)
    pre = unit_lines(unit, "ExecStartPre")
    start = unit_lines(unit, "ExecStart")
    check(len(pre) == 1 and pre[0].startswith("+") and "--password-file" in pre[0] and len(start) == 1,
          "ExecStartPre runs init as root (+) with --password-file; one ExecStart", "+… init --password-file …",
          (pre, start))
    outputs = ""
    for cmd in pre:
        argv, env = as_unit(cmd, fallback, port, env)
        p = in_unit(argv, unit, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = p.communicate(timeout=60)
        outputs += out + err
        check(p.returncode == 0 and PWFILE in out, "ExecStartPre (init) succeeds and says where the password is",
              f"exit 0, '{PWFILE}' on stdout", f"{p.returncode}: {out.strip()} {err.strip()}")
    st = os.stat(PWFILE) if os.path.exists(PWFILE) else None
    check(st is not None and stat.S_IMODE(st.st_mode) == 0o600 and st.st_uid == 0,
          "the password file is root's, mode 0600", "0600 uid 0", st and (oct(st.st_mode), st.st_uid))
    password = open(PWFILE).read().strip() if st else ""
    check(len(password) >= 12 and password not in outputs, "the password is on no output of init",
          "a password in the file only", f"{len(password)} characters; in output: {password in outputs}")
    owners = {pwd.getpwuid(os.lstat(os.path.join(d, n)).st_uid).pw_name
              for d, ds, fs in os.walk(DATA) for n in ds + fs}
    check(owners == {"wardwatch"}, "everything init made in the data folder is the service user's",
          {"wardwatch"}, owners)
    before = os.stat(PWFILE).st_mtime_ns
    argv, env = as_unit(pre[0], fallback, port, env)
    p = in_unit(argv, unit, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, _ = p.communicate(timeout=60)
    check(p.returncode == 0 and "already initialised" in out and os.stat(PWFILE).st_mtime_ns == before
          and open(PWFILE).read().strip() == password,
          "a second start's init leaves the folder and the password file alone", "already initialised, file unchanged",
          out.strip())

    argv, env = as_unit(start[0], fallback, port, env)
    logpath = os.path.join(tmp, "serve.log")
    logf = open(logpath, "w")
    serve = in_unit(argv, unit, env=env, stdout=logf, stderr=subprocess.STDOUT)
    cli = Client(port)
    up = None
    deadline = time.time() + 30
    while time.time() < deadline and serve.poll() is None and up is None:
        try:
            up = cli.get("/api/v1/health")
        except OSError:
            time.sleep(0.25)
    check(up is not None and up.status == 401, "the service's console answers (health wants a session)",
          401, up and up.status or f"no answer (serve exit {serve.poll()}): {open(logpath).read()[-800:]}")
    r = cli.get("/")
    check(r.status == 200 and "importmap" in r.text, "the login page comes from /usr/share/wardwatch/web",
          "200 with index.html", (r.status, r.text[:80]))
    r = cli.get("/vendor/chart.js/dist/chart.js")
    check(r.status == 200 and len(r.body) > 10000, "vendored chart.js is served from /usr/share/wardwatch",
          200, r.status)
    r = cli.login("admin", password)
    check(r.status in (200, 201), "the admin signs in with the password from the file", "200", r.status)
    r = cli.get("/api/v1/health")
    check(r.status == 200, "signed in, GET /api/v1/health answers", 200, r.status)
    r = cli.get("/api/v1/criteria/sets")
    sets = (r.json or {}).get("sets", [])
    check(r.status == 200 and any(s["n_criteria"] == 22 for s in sets),
          "the criteria sets load from /usr/share/wardwatch/data/criteria (no env var)", "a set of 22",
          (r.status, [(s.get("name"), s.get("n_criteria")) for s in sets]))
    serve.send_signal(signal.SIGTERM)
    rc = serve.wait(30)
    serve = None
    logf.close()
    text = open(logpath).read()
    check(rc == 0, "the service stops cleanly on SIGTERM", 0, rc)
    check(password not in text, "the password is not in the service's log", "absent", "present")
    check("no data/criteria folder found" not in text, "the installed criteria sets are found without env vars",
          "no 'no data/criteria folder found' warning", text[-500:])

    # --- purge --------------------------------------------------------------
    r = run(["dpkg", "--purge", "wardwatch"], timeout=120)
    out = r.stdout + r.stderr
    check(r.returncode == 0 and f"kept {DATA}" in out, "purge says it kept the data folder",
          f"exit 0, 'kept {DATA}'", f"{r.returncode}: {out.strip()}")
    check(os.path.exists(os.path.join(DATA, "wardwatch.db")) and os.path.isdir(os.path.join(DATA, "rec")),
          "purge keeps the catalog and the recordings", "wardwatch.db and rec/ still there",
          os.listdir(DATA) if os.path.exists(DATA) else "no folder")
    check(not os.path.exists("/etc/wardwatch") and not os.path.exists(DEFAULTS)
          and not os.path.exists("/usr/bin/wardwatch") and not os.path.exists(UNIT),
          "purge removes the config, the password file, the binary and the unit", "all gone",
          [p for p in ["/etc/wardwatch", DEFAULTS, "/usr/bin/wardwatch", UNIT] if os.path.exists(p)])

    # --- purge when asked to remove the recordings too -------------------------
    r = run(["dpkg", "-i", deb], timeout=180)
    open(os.path.join(DATA, ".purge-recordings"), "w").close()
    r = run(["dpkg", "--purge", "wardwatch"], timeout=120)
    check(r.returncode == 0 and not os.path.exists(DATA) and f"removed {DATA}" in r.stdout + r.stderr,
          "with .purge-recordings, purge removes the data folder too and says so", f"no {DATA}",
          f"{r.returncode}: {(r.stdout + r.stderr).strip()}")
finally:
    if serve and serve.poll() is None:
        serve.kill()
        serve.wait(10)
    if installed():
        run(["dpkg", "--purge", "wardwatch"], env=dict(ENV, WARDWATCH_PURGE_RECORDINGS="yes"), timeout=120)
    shutil.rmtree(DATA, ignore_errors=True)
    for p in [DEFAULTS, "/etc/wardwatch"]:
        shutil.rmtree(p, ignore_errors=True) if os.path.isdir(p) else (os.path.exists(p) and os.unlink(p))
    if not had_user and user_exists("wardwatch"):
        run(["userdel", "wardwatch"])
        try:
            grp.getgrnam("wardwatch")
            run(["groupdel", "wardwatch"])
        except KeyError:
            pass
    shutil.rmtree(tmp, ignore_errors=True)
finish()

"""Bad CLI input: one clear line on stderr, exit 2, nothing written.
Also: --help on each verb, camera credentials never shown back."""
import json
import os
import subprocess
import tempfile

from wwtest import WW, check, finish

tmp = tempfile.mkdtemp(prefix="ww-cli-")
data = os.path.join(tmp, "data")


def run(*args, input=None):
    return subprocess.run([WW, "--data", data] + list(args), capture_output=True, text=True, input=input, timeout=60)


def one_line_exit2(what, r):
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    check(r.returncode == 2 and len(lines) == 1, what, "exit 2 and one line on stderr",
          f"exit {r.returncode}, stderr {lines}")


one_line_exit2("unknown verb", run("frobnicate"))
one_line_exit2("missing data folder", run("camera", "list"))
check(not os.path.exists(data), "nothing written for a missing data folder", "no folder", os.listdir(tmp))
r = run("init")
check(r.returncode == 0 and "admin password" in r.stdout or r.returncode == 0, "init creates the data folder",
      "exit 0", r.returncode)
for url in ["http://cam/x", "rtsp://", "rtsp://host:99999/x", "rtsp://a b/c", "cam1"]:
    one_line_exit2(f"malformed URL {url!r}", run("camera", "add", "--name", "x", "--main", url))
one_line_exit2("unknown option", run("camera", "list", "--bogus"))
one_line_exit2("bad retention days", run("camera", "add", "--name", "x", "--main", "rtsp://h/x", "--retention-days", "0"))
one_line_exit2("recordings needs --camera", run("recordings"))
one_line_exit2("recordings bad time", run("recordings", "--camera", "1", "--from", "yesterday"))
one_line_exit2("serve bad option value", run("serve", "--segment-seconds", "abc"))
r = run("camera", "list", "--json")
check(r.returncode == 0 and json.loads(r.stdout) == [], "nothing was added by the bad commands", "[]", r.stdout)

pw = os.path.join(tmp, "pw")
with open(pw, "w") as f:
    f.write("s3cret-pass\n")
r = run("camera", "add", "--name", "Ngõ 12", "--main", "rtsp://admin:inurl-secret@10.0.0.5:554/main",
        "--sub", "rtsp://10.0.0.5/sub")
check(r.returncode == 0 and r.stdout.strip().isdigit(), "camera add prints the id", "an id", r.stdout)
r = run("camera", "add", "--name", "Shop", "--main", "rtsp://10.0.0.6/main", "--username", "op", "--password-file", pw)
check(r.returncode == 0, "camera add with --password-file", "exit 0", r.stderr)
for args in (["camera", "list"], ["camera", "list", "--json"]):
    out = run(*args).stdout
    check("inurl-secret" not in out and "s3cret-pass" not in out, f"{' '.join(args)} never shows passwords",
          "no password text", out)
lst = json.loads(run("camera", "list", "--json").stdout)
check(lst[0]["main_url"] == "rtsp://10.0.0.5:554/main" and lst[0]["username"] == "admin" and lst[0]["has_password"],
      "credentials in a URL are moved out of it", "clean URL, username admin", lst[0])
r = run("camera", "remove", str(lst[1]["id"]))
check(r.returncode == 0 and len(json.loads(run("camera", "list", "--json").stdout)) == 1, "camera remove", "1 left", r.stdout)
for verb in ["init", "camera", "serve", "recordings", "check"]:
    r = run(verb, "--help")
    check(r.returncode == 0 and "usage" in r.stdout, f"{verb} --help", "usage text, exit 0", r.returncode)
finish()

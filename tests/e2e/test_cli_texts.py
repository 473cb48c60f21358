"""The exact words and exit codes of the CLI answers that the verbs share
through cli/common.c: dispatch to a verb's actions (usage, --help, an
unknown action), flag-only verbs, "no camera N", time options, --ward by
name or id, and serve's numeric ranges.  The texts are a contract (scripts
read them); these are the answers of the release before the helpers were
shared, so a helper that changes a byte fails here."""
import json
import os
import subprocess
import tempfile

from wwtest import WW, check, finish

tmp = tempfile.mkdtemp(prefix="ww-cli-texts-")
data = os.path.join(tmp, "data")


def run(*args, input=None):
    return subprocess.run([WW, "--data", data] + list(args), capture_output=True, text=True, input=input,
                          timeout=60)


def answers(what, args, rc, out="", err=""):
    """exit code, stdout and stderr exactly."""
    r = run(*args)
    check((r.returncode, r.stdout, r.stderr) == (rc, out, err), what, (rc, out, err),
          (r.returncode, r.stdout, r.stderr))


r = run("init")
check(r.returncode == 0, "init", "exit 0", (r.returncode, r.stderr))
r = run("camera", "add", "--name", "c1", "--main", "rtsp://10.0.0.9/x")
check(r.returncode == 0 and r.stdout.strip() == "1", "camera add", "exit 0, id 1", (r.returncode, r.stdout))

# dispatch: no action (stderr, 2), --help (stdout, 0), unknown action (the table's names)
U = {
    "camera": "usage: wardwatch camera add|set|list|remove|import|discover [options]  (--help on each)\n",
    "user": "usage: wardwatch user add|list|passwd|disable|enable [options]  (--help on each)\n",
    "hold": "usage: wardwatch hold add|list|release [options]  (--help on each)\n",
    "incident": "usage: wardwatch incident import|export|list|stats [options]  (--help on each)\n",
    "audit": "usage: wardwatch audit verify|list [options]  (--help on each)\n",
    "key": "usage: wardwatch key show [--json]\n",
}
ACTIONS = {"camera": "add, set, list, remove, import, discover", "user": "add, list, passwd, disable, enable",
           "hold": "add, list, release", "incident": "import, export, list, stats", "audit": "verify, list",
           "key": "show"}
for verb, usage in U.items():
    answers(f"{verb} without an action", [verb], 2, "", usage)
    answers(f"{verb} --help", [verb, "--help"], 0, usage, "")
    answers(f"{verb} -h", [verb, "-h"], 0, usage, "")
    answers(f"{verb} with an unknown action", [verb, "frob"], 2, "",
            f"wardwatch: {verb}: unknown action 'frob' ({ACTIONS[verb]})\n")

# flag-only verbs
answers("camera list --help", ["camera", "list", "--help"], 0,
        "usage: wardwatch camera list [--json]\n\nLists cameras; passwords are never shown.\n")
answers("user list --help", ["user", "list", "--help"], 0, "usage: wardwatch user list [--json]\n")
answers("audit verify --help", ["audit", "verify", "--help"], 0,
        "usage: wardwatch audit verify\n\nChecks the audit trail's hash chain; exits 1 naming the first bad row.\n")
answers("check: an argument", ["check", "x"], 2, "", "wardwatch: check: unexpected argument 'x'\n")
answers("check: an unknown option", ["check", "--json"], 2, "", "wardwatch: check: unknown option '--json'\n")
answers("audit verify: an unknown option", ["audit", "verify", "--json"], 2, "",
        "wardwatch: audit verify: unknown option '--json'\n")
answers("user list: an argument", ["user", "list", "x"], 2, "", "wardwatch: user list: unexpected argument 'x'\n")
answers("key show: an argument", ["key", "show", "x"], 2, "", "wardwatch: key show: unexpected argument 'x'\n")
r = run("camera", "list", "--json")
cams = json.loads(r.stdout) if r.returncode == 0 else None
check(r.stdout.startswith("[\n  {\n") and cams and cams[0]["id"] == 1, "camera list --json: indented, one camera",
      "[\\n  {\\n… with id 1", r.stdout[:40])
r = run("key", "show", "--json")
check(r.returncode == 0 and r.stdout.startswith('{\n  "algorithm": "Ed25519",\n'),
      "key show --json: indented, keys sorted", '{\\n  "algorithm": "Ed25519",', r.stdout[:40])
r = run("check", "--quick")
check(r.returncode == 0 and r.stdout == "check: 0 segments, 0 problems\n", "check --quick", "0 segments, 0 problems",
      (r.returncode, r.stdout))

# no camera N; time options
answers("camera remove: no camera", ["camera", "remove", "99"], 1, "", "wardwatch: camera remove: no camera 99\n")
answers("recordings: no camera", ["recordings", "--camera", "99"], 1, "", "wardwatch: recordings: no camera 99\n")
answers("recordings: bad --from", ["recordings", "--camera", "1", "--from", "zz"], 2, "",
        "wardwatch: recordings: --from 'zz' is not a time (ISO 8601, e.g. 2026-11-25T08:00:00+07:00)\n")
answers("recordings: bad --to", ["recordings", "--camera", "1", "--to", "zz"], 2, "",
        "wardwatch: recordings: --to 'zz' is not a time (ISO 8601, e.g. 2026-11-25T09:00:00+07:00)\n")
answers("export: bad --from", ["export", "--camera", "1", "--from", "zz"], 2, "",
        "wardwatch: export: --from 'zz' is not a time\n")
answers("hold add: bad --to", ["hold", "add", "--to", "zz"], 2, "", "wardwatch: hold add: --to 'zz' is not a time\n")

# --ward by name or id
answers("incident list: unknown ward name", ["incident", "list", "--ward", "nowhere"], 2, "",
        "wardwatch: incident list: unknown ward 'nowhere'\n")
answers("incident list: unknown ward id", ["incident", "list", "--ward", "99"], 2, "",
        "wardwatch: incident list: unknown ward '99'\n")
r = subprocess.run([WW, "--data", data, "user", "add", "--name", "bob", "--role", "viewer", "--ward", "99",
                    "--password-stdin"], capture_output=True, text=True, input="a long enough password\n", timeout=60)
check((r.returncode, r.stderr) == (2, "wardwatch: user add: unknown ward '99'\n"), "user add: unknown ward id",
      (2, "wardwatch: user add: unknown ward '99'\n"), (r.returncode, r.stderr))

# serve's numeric options (refused before anything starts)
for opt, val, msg in [("--segment-seconds", "1", "--segment-seconds must be 2..600"),
                      ("--quota-mb", "0", "--quota-mb must be a positive number"),
                      ("--min-free-mb", "-1", "--min-free-mb must be 0 (off) or more"),
                      ("--session-hours", "169", "--session-hours must be 1..168"),
                      ("--body-timeout-s", "0", "--body-timeout-s must be 1..3600"),
                      ("--max-conn-per-ip", "2000", "--max-conn-per-ip must be 0..1024")]:
    answers(f"serve {opt} {val}", ["serve", opt, val], 2, "", f"wardwatch: serve: {msg}\n")

finish()

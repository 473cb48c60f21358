"""The bounded soak (issue 18): about 100 s of camera restarts, live-view
resets, camera create/delete and one kill -9 against one station; asserts
that file descriptors and threads stay flat after warm-up, that segments
keep committing (no catalog stall), and that `check` is clean afterwards.
The long run is `make soak DURATION=20m` (bench/soak.py)."""
import os
import subprocess
import sys

from wwtest import SRC, check, finish

soak = os.path.join(SRC, "bench", "soak.py")
r = subprocess.run([sys.executable, soak, "--duration", "100", "--kill-every", "55", "--assert"],
                   capture_output=True, text=True, timeout=400)
print(r.stdout)
if r.stderr.strip():
    print(r.stderr[-3000:])
fails = [l for l in r.stdout.splitlines() if l.startswith("FAIL:")]
check(r.returncode == 0 and not fails, "bounded soak: FDs and threads flat, no catalog stall, check clean",
      "exit 0 and no FAIL line", f"exit {r.returncode}; {fails}")
finish()

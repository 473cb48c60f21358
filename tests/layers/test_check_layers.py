#!/usr/bin/env python3
"""The layering check fails on a forbidden include, naming the edge.

Copies src/ to a scratch folder, checks the clean copy passes, then adds
#include "record/record.h" to hub/hub.c (hub sits below record) and expects
check-layers to exit 1 with "src/hub/hub.c:N: module hub may not include
module record".  A second case puts api/api.h into http/ (http never sees api).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("WW_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
CHECK = os.path.join(SRC, "scripts", "check-layers")


def run(src):
    p = subprocess.run([sys.executable, CHECK, src], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def add_include(path, header):
    with open(path) as f:
        lines = f.readlines()
    # after the file's first #include, so it reads like a real edit
    at = next(i for i, l in enumerate(lines) if l.startswith("#include")) + 1
    lines.insert(at, f'#include "{header}"\n')
    with open(path, "w") as f:
        f.writelines(lines)
    return at + 1


def main():
    failures = []
    with tempfile.TemporaryDirectory(prefix="ww-layers-") as tmp:
        src = os.path.join(tmp, "src")
        shutil.copytree(os.path.join(SRC, "src"), src)
        rc, out = run(src)
        if rc != 0:
            failures.append(f"clean copy: expected exit 0, saw {rc}:\n{out}")
        for mod_file, header, edge in [("hub/hub.c", "record/record.h", "module hub may not include module record"),
                                       ("http/server.c", "api/api.h", "module http may not include module api")]:
            line = add_include(os.path.join(src, mod_file), header)
            rc, out = run(src)
            want = re.compile(re.escape(os.path.join(src, mod_file)) + f":{line}: " + re.escape(edge))
            if rc != 1:
                failures.append(f"{mod_file} + {header}: expected exit 1, saw {rc}:\n{out}")
            if not want.search(out):
                failures.append(f"{mod_file} + {header}: expected a line '{mod_file}:{line}: {edge}', saw:\n{out}")
    for f in failures:
        print("FAIL:", f)
    if failures:
        return 1
    print("ok: the clean tree passes; both forbidden includes are named by file, line and edge")
    return 0


if __name__ == "__main__":
    sys.exit(main())

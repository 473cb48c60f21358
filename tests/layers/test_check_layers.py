#!/usr/bin/env python3
"""The layering check fails on a forbidden include, naming the edge.

Copies src/ to a scratch folder, checks the clean copy passes, then adds
#include "record/record.h" to hub/hub.c (hub sits below record) and expects
check-layers to exit 1 with "src/hub/hub.c:N: module hub may not include
module record".  A second case puts api/api.h into http/ (http never sees api);
a third makes api/map.c call catalog_incident_search (only ward/ may).
Then the build itself: CMake compiles each module against an include folder
holding only the modules below it, so the same edit must fail to compile
the module's target (ww_hub, ww_http) with the header not found.
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


def build_module(tmp, target):
    """Configure the scratch copy (program only) and build one module's target."""
    bdir = os.path.join(tmp, "build")
    cfg = subprocess.run(["cmake", "-S", tmp, "-B", bdir, "-DWW_TESTS=OFF"],
                         capture_output=True, text=True, timeout=300)
    if cfg.returncode != 0:
        return None, cfg.stdout + cfg.stderr
    p = subprocess.run(["cmake", "--build", bdir, "--target", target, "-j", "2"],
                       capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout + p.stderr


def main():
    failures = []
    with tempfile.TemporaryDirectory(prefix="ww-layers-") as tmp:
        src = os.path.join(tmp, "src")
        shutil.copytree(os.path.join(SRC, "src"), src)
        shutil.copy(os.path.join(SRC, "CMakeLists.txt"), tmp)
        shutil.copytree(os.path.join(SRC, "scripts"), os.path.join(tmp, "scripts"))
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
        # a call around the incident register's one home (ward/ owns incidents)
        mp = os.path.join(src, "api", "map.c")
        with open(mp) as f:
            text = f.read()
        call_line = text[:text.index("ward_incident_search(")].count("\n") + 1
        with open(mp, "w") as f:
            f.write(text.replace("ward_incident_search(", "catalog_incident_search(", 1))
        rc, out = run(src)
        edge = "module api may not call catalog_incident_search (ward/ owns incidents)"
        if rc != 1 or f"api/map.c:{call_line}: {edge}" not in out:
            failures.append(f"api/map.c calling catalog_incident_search: expected exit 1 and '{edge}' at line {call_line}, "
                            f"saw {rc}:\n{out}")
        for target, header in [("ww_hub", "record/record.h"), ("ww_http", "api/api.h")]:
            rc, out = build_module(tmp, target)
            if rc is None:
                failures.append(f"scratch configure failed:\n{out[-2000:]}")
                break
            if rc == 0:
                failures.append(f"build of {target} with {header} included: expected a compile error, it built")
            elif f"{header}: No such file" not in out:
                failures.append(f"build of {target}: expected '{header}: No such file', saw:\n{out[-2000:]}")
    for f in failures:
        print("FAIL:", f)
    if failures:
        return 1
    print("ok: the clean tree passes; both forbidden includes are named by file, line and edge, "
          "and neither module's target compiles with them")
    return 0


if __name__ == "__main__":
    sys.exit(main())

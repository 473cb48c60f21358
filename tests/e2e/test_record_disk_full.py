"""A recordings disk that really fills (issue 13 item 4): a 40 MB tmpfs.

  - no quota, the default free-space floor (10 % of the disk): retention
    frees old video before writes fail; recording never stops (no
    "disk full" gap, segments keep coming), `check` clean;
  - the floor switched off (--min-free-mb 0) and a ballast file filling the
    disk: the recorder's state says disk-full, the gap reason "disk full",
    the log names ENOSPC (not an I/O error); when the ballast is removed
    recording resumes by itself.
Skipped with a message where mounting a tmpfs is refused (not root)."""
import os
import subprocess
import sys
import time

from wwtest import Camsim, Station, check, finish, log

MB = 1 << 20
mnt = None
cams = None
st = None


def mount_tmpfs(path, size_mb):
    os.makedirs(path, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", path], capture_output=True, text=True)
    return r.returncode == 0, r.stderr.strip()


try:
    st = Station("disk-full")
    mnt = os.path.join(st.tmp, "rec")
    st.data = os.path.join(st.tmp, "data")
    st.init()
    # the recordings folder is the tmpfs
    os.rmdir(os.path.join(st.data, "rec"))
    ok, why = mount_tmpfs(mnt, 40)
    if not ok:
        log(f"SKIP: cannot mount a tmpfs here ({why}); the full-disk path is covered by test_record_faults")
        mnt = None
        sys.exit(0)
    os.symlink(mnt, os.path.join(st.data, "rec"))
    cams = Camsim(cameras=2).start()
    ids = [st.add_camera(f"Cam {n}", cams.url(n)) for n in (1, 2)]

    # ---- the default floor keeps the disk from filling -------------------------------------------------------
    st.serve("--segment-seconds", "2")
    low = 40 * MB
    gaps_full = 0
    t0 = time.time()
    first_delete = None
    # ~1 MB/s for both cameras: the 40 MB disk would fill in ~40 s.  Once
    # retention has started deleting, 10 s more of writing beside it show
    # the floor holding; 55 s at most.
    while time.time() - t0 < 55:
        time.sleep(1)
        sv = os.statvfs(mnt)
        low = min(low, sv.f_bavail * sv.f_frsize)
        if first_delete is None and (st.stats() or {}).get("syncer", {}).get("retention_deleted", 0) > 0:
            first_delete = time.time()
        if first_delete is not None and time.time() - first_delete >= 10:
            break
    stats = st.stats() or {}
    rec_states = [c["streams"]["main"].get("record", {}).get("state") for c in stats.get("cameras", [])]
    deleted = stats.get("syncer", {}).get("retention_deleted", 0)
    rc = st.stop()
    log(f"default floor: lowest free {low / MB:.1f} MB, retention deleted {deleted}, states {rec_states}")
    check(deleted > 0, "retention freed old video (no quota set: the default floor did it)", "> 0", deleted)
    check(low > 0, "the disk never filled", "> 0 bytes free at every sample", low)
    for cam in ids:
        g = [x for x in st.recordings(cam)["gaps"] if x["reason"] == "disk full"]
        check(not g, f"camera {cam}: no 'disk full' gap (recording never stopped)", [], g)
        segs = st.recordings(cam)["segments"]
        check(segs and segs[-1]["end_us"] / 1e6 > time.time() - 6, f"camera {cam}: recorded up to the stop", "recent end",
              segs[-1]["end"] if segs else None)
    r = st.check()
    check(r.returncode == 0, "check is clean", "exit 0", r.stdout[-400:])

    # ---- floor off, a ballast fills the disk ------------------------------------------------------------------
    sv = os.statvfs(mnt)
    free_now = sv.f_bavail * sv.f_frsize
    ballast = os.path.join(mnt, "ballast")
    with open(ballast, "wb") as f:
        f.write(b"\0" * max(0, free_now - 3 * MB))
    st.serve("--segment-seconds", "2", "--min-free-mb", "0")
    full = st.wait_for(lambda: any(c["streams"]["main"].get("record", {}).get("state") == "disk-full"
                                   for c in (st.stats() or {}).get("cameras", [])), 40)
    check(full, "with the floor off the recorder says disk-full", "disk-full", (st.stats() or {}).get("cameras"))
    log_text = st.log()
    check("ENOSPC" in log_text and "Input/output error" not in log_text, "the log names ENOSPC, not an I/O error",
          "ENOSPC", [l for l in log_text.splitlines() if "segment" in l or "full" in l][-3:])
    os.unlink(ballast)
    t_free = time.time()
    back = st.wait_for(lambda: all(c["streams"]["main"].get("record", {}).get("state") == "recording"
                                   for c in (st.stats() or {}).get("cameras", [])), 30)
    log(f"recording resumed {time.time() - t_free:.1f} s after space returned")
    check(back, "space returns: recording resumes by itself", "recording", (st.stats() or {}).get("cameras"))
    time.sleep(3)
    rc = st.stop()
    check(rc == 0, "serve exits 0", 0, rc)
    reasons = [g["reason"] for cam in ids for g in st.recordings(cam)["gaps"]]
    if "disk full" not in reasons:
        # seen once under a loaded CI run, never reproduced: say what the recorder and syncer did
        for line in [l for l in st.log().splitlines() if any(w in l for w in ("syncer", "gap", "resumed", "ENOSPC", "full"))][-40:]:
            log("  serve: " + line)
        for cam in ids:
            log(f"  camera {cam} segments: {[(x['start_us'], x['end_us']) for x in st.recordings(cam).get('segments', [])][-8:]}")
    check("disk full" in reasons, "the gap says 'disk full'", "disk full", reasons)
    r = st.check()
    check(r.returncode == 0, "check is clean after the full disk", "exit 0", r.stdout[-400:])
finally:
    if st:
        st.stop()
    if cams:
        cams.stop()
    if mnt:
        subprocess.run(["umount", "-l", mnt], capture_output=True)
finish()

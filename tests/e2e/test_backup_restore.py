"""Backup while recording, restore into a new data folder (issue 16, item 5).

Two simulated cameras record; `wardwatch backup` runs while they do, and
recording goes on a few seconds more.  The backup folder must pass
`sha256sum -c SHA256SUMS`, keep the key and catalog at mode 0600 and say
what it holds in backup.json.  A backup with one changed byte is refused
with nothing written, and so is a data folder that already has a catalog.
Restored into a fresh folder, with the recordings folder copied over and a
short `serve` to reconcile them: `check` is clean, the cameras, users,
signing key and audit chain are the old station's, every segment the
backup knew is there, and the segments recorded after the backup were
indexed from their files by recovery.
"""
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import time

from wwtest import Camsim, Station, check, finish, log


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def segment_paths(db_path):
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    rows = {p for (p,) in db.execute("SELECT path FROM segments")}
    db.close()
    return rows


cams = Camsim(cameras=2).start()
old = Station("backup-old").init()
new = Station("backup-new")
try:
    ids = [old.add_camera(f"Ngõ {n}", cams.url(n)) for n in (1, 2)]
    old.ww("user", "add", "--name", "can-bo-tinh", "--role", "province", "--password-stdin",
           input="mat-khau-dai-du-12\n")
    old.serve("--segment-seconds", "3")
    ok = old.wait_for(lambda: all(old.stream_stats(i).get("record", {}).get("frames", 0) > 0 for i in ids), 20)
    check(ok, "both cameras record", "frames recorded on both within 20 s", old.stats())
    old.wait_for(lambda: all(len(old.recordings(i)["segments"]) >= 2 for i in ids), 20)

    out = os.path.join(old.tmp, "backup")
    cfg = os.path.join(old.tmp, "wardwatch.ini")
    with open(cfg, "w") as f:
        f.write("[serve]\nlisten = 127.0.0.1:8080\n")
    t0 = time.time()
    r = old.ww("backup", out, "--config-file", cfg, check=False)
    log(f"backup took {time.time() - t0:.2f} s while recording: {r.stdout.strip().splitlines()[:2]}")
    check(r.returncode == 0, "backup runs while serve records", "exit 0", (r.returncode, r.stderr[-400:]))
    check(old.proc.poll() is None, "serve kept running through the backup", "still running", old.proc.poll())
    r = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "sha256sum -c SHA256SUMS passes in the backup folder", "exit 0", r.stdout + r.stderr)
    listed = sorted(l.split("  ", 1)[1] for l in open(os.path.join(out, "SHA256SUMS")).read().splitlines())
    on_disk = sorted(os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs
                     if f != "SHA256SUMS")
    check(listed == on_disk, "SHA256SUMS covers every file written", on_disk, listed)
    check("rec" not in os.listdir(out) and not any(f.endswith(".mp4") for f in on_disk),
          "the recordings are not in the backup", "no rec/, no .mp4", on_disk)
    for name in ("station.key", "wardwatch.db", "config/wardwatch.ini"):
        check(mode_of(os.path.join(out, name)) == 0o600, f"{name} is mode 0600", "0600",
              oct(mode_of(os.path.join(out, name))))
    # the station's own config file (the global --config serve reads) is taken without --config-file
    out2 = os.path.join(old.tmp, "backup-global-config")
    r = old.ww("--config", cfg, "backup", out2, check=False)
    check(r.returncode == 0 and os.path.exists(os.path.join(out2, "config", "wardwatch.ini")),
          "backup takes the file of the global --config when no --config-file is given",
          "config/wardwatch.ini", (r.returncode, r.stderr[-300:], os.listdir(out2) if os.path.isdir(out2) else None))
    meta = json.load(open(os.path.join(out, "backup.json")))
    key = json.loads(old.ww("key", "show", "--json").stdout)
    users_then = json.loads(old.ww("user", "list", "--json").stdout)
    check(meta.get("counts", {}).get("cameras") == 2 and meta["counts"].get("users") == len(users_then)
          and meta.get("station_id") == key["station_id"] and meta.get("schema_version", 0) >= 48
          and meta.get("wardwatch_version") and meta.get("created") and "rec/" in meta.get("not_included", []),
          "backup.json names time, schema, station, counts, version and that rec/ is not in it",
          f"2 cameras, {len(users_then)} users, station {key['station_id']}", meta)
    backed_up = segment_paths(os.path.join(out, "wardwatch.db"))
    check(meta["counts"].get("segments") == len(backed_up) and len(backed_up) >= 4,
          "the backup's catalog holds the segments recorded so far", ">= 4 segments, as backup.json says",
          (len(backed_up), meta["counts"].get("segments")))
    check(not any(os.path.exists(os.path.join(out, "wardwatch.db" + s)) for s in ("-wal", "-shm", "-journal")),
          "the catalog copy is one file", "no -wal/-shm/-journal beside it", os.listdir(out))

    time.sleep(5)  # recording goes on after the backup
    check(old.stop() == 0, "serve stops cleanly", 0, "see serve.log")
    cams.stop()
    cams_then = json.loads(old.ww("camera", "list", "--json").stdout)
    segs_then = segment_paths(os.path.join(old.data, "wardwatch.db"))
    after_backup = segs_then - backed_up
    check(len(after_backup) >= 2, "segments were recorded after the backup", ">= 2", len(after_backup))
    r = old.ww("backup", out, check=False)
    check(r.returncode == 1 and "not empty" in r.stderr, "backup refuses a folder that is not empty",
          "exit 1, 'not empty'", (r.returncode, r.stderr))
    check(sorted(os.listdir(out)) == sorted(["SHA256SUMS", "backup.json", "config", "station.key", "wardwatch.db"]),
          "and leaves the backup there as it was", "the five entries", sorted(os.listdir(out)))

    # One changed byte: refused, nothing written.
    for victim in ("wardwatch.db", "station.key"):
        bad = os.path.join(old.tmp, f"tampered-{victim}")
        shutil.copytree(out, bad)
        p = os.path.join(bad, victim)
        with open(p, "r+b") as f:
            f.seek(os.path.getsize(p) // 2)
            b = f.read(1)
            f.seek(-1, 1)
            f.write(bytes([b[0] ^ 0x01]))
        target = os.path.join(old.tmp, f"into-{victim}")
        r = subprocess.run([os.environ.get("WARDWATCH_BIN", "wardwatch"), "--data", target, "restore", bad],
                           capture_output=True, text=True, timeout=60)
        check(r.returncode == 1 and victim in r.stderr and "nothing restored" in r.stderr,
              f"a backup with one byte of {victim} changed is refused", f"exit 1 naming {victim}",
              (r.returncode, r.stderr.strip()))
        check(not os.path.exists(target), f"and nothing is written ({victim})", "no data folder", target)

    # A data folder that already holds a catalog: refused, untouched.
    before = digest(os.path.join(old.data, "wardwatch.db"))
    r = old.ww("restore", out, check=False)
    check(r.returncode == 1 and "already holds a catalog" in r.stderr, "restore refuses a data folder with a catalog",
          "exit 1, 'already holds a catalog'", (r.returncode, r.stderr.strip()))
    check(digest(os.path.join(old.data, "wardwatch.db")) == before, "and leaves its catalog as it was", before,
          digest(os.path.join(old.data, "wardwatch.db")))

    # The real restore.
    r = new.ww("restore", out, check=False)
    check(r.returncode == 0, "restore into a new data folder", "exit 0", (r.returncode, r.stderr[-400:]))
    check("rec/" in r.stdout and "check" in r.stdout and "serve" in r.stdout,
          "restore prints the next steps: recordings, serve, check", "rec/, serve, check", r.stdout)
    check(os.path.exists(os.path.join(new.data, "wardwatch.ini.restored")), "the configuration comes back beside it",
          "DATA/wardwatch.ini.restored", os.listdir(new.data))
    check(mode_of(os.path.join(new.data, "station.key")) == 0o600, "the restored key is mode 0600", "0600",
          oct(mode_of(os.path.join(new.data, "station.key"))))
    shutil.copytree(os.path.join(old.data, "rec"), os.path.join(new.data, "rec"), dirs_exist_ok=True)
    new.serve()
    seen = new.wait_for(lambda: "[recover]" in new.log(), 20)
    check(seen, "serve reconciles the recordings on start", "a [recover] line", new.log()[-600:])
    log("recovery said: " + " | ".join(l for l in new.log().splitlines() if "[recover]" in l))
    new.stop()
    r = new.check()
    check(r.returncode == 0, "check is clean after the restore", "exit 0", (r.returncode, r.stdout[-600:]))
    cams_now = json.loads(new.ww("camera", "list", "--json").stdout)
    check(cams_now == cams_then, "the same cameras", cams_then, cams_now)
    users_now = json.loads(new.ww("user", "list", "--json").stdout)
    check([(u.get("id"), u.get("username"), u.get("role")) for u in users_now]
          == [(u.get("id"), u.get("username"), u.get("role")) for u in users_then], "the same users",
          users_then, users_now)
    r = new.ww("audit", "verify", check=False)
    check(r.returncode == 0, "the audit chain verifies", "exit 0", (r.returncode, r.stdout[-300:], r.stderr[-300:]))
    key_now = json.loads(new.ww("key", "show", "--json").stdout)
    check(key_now["key_fingerprint"] == key["key_fingerprint"], "the station keeps its signing key",
          key["key_fingerprint"], key_now["key_fingerprint"])
    segs_now = segment_paths(os.path.join(new.data, "wardwatch.db"))
    check(backed_up <= segs_now, "every segment the backup knew is there", len(backed_up),
          sorted(backed_up - segs_now)[:5])
    check(after_backup <= segs_now, "segments recorded after the backup were indexed by recovery",
          f"all {len(after_backup)}", sorted(after_backup - segs_now)[:5])
    new_id = new.add_camera("Sau khôi phục", "rtsp://127.0.0.1:9/x")
    check(new_id > max(ids), "a camera added after the restore gets a fresh id", f"> {max(ids)}", new_id)
finally:
    old.stop()
    new.stop()
    cams.stop()
    old.remove()
    new.remove()
finish()

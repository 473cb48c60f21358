"""Signed evidence, checked offline (issue 13 item 2).

  - `init` creates the station's signing key (DATA/station.key, mode 0600,
    never served) and `key show` prints its public half and fingerprint;
  - an export (CLI) and a place-search bundle (API, downloaded as .tar) are
    signed; `wardwatch verify` on each exits 0 and says who exported what,
    from which camera and place;
  - one changed byte of the clip, one changed byte of the manifest, a file
    dropped from the bundle, a signature from another station's key: each
    exits 1 naming the problem ("was changed", "signature does not match",
    "missing", "unknown key"); `--key` with that station's key accepts it;
  - the key file is not reachable over HTTP."""
import io
import json
import os
import shutil
import socket
import stat
import subprocess
import tarfile
import tempfile
import time

from wwapi import Client
from wwtest import WW, Camsim, Station, check, finish, free_port, log


def verify(data, path, *extra):
    r = subprocess.run([WW, "--data", data, "verify", path, *extra], capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout + r.stderr


cams = Camsim(cameras=1).start()
st = Station("evidence-verify")
r = st.ww("init")
check("station signing key" in r.stdout, "init creates the station's signing key", "a key line", r.stdout)
key_path = os.path.join(st.data, "station.key")
mode = stat.S_IMODE(os.stat(key_path).st_mode) if os.path.exists(key_path) else None
check(mode == 0o600, "the key file is mode 0600", "0o600", oct(mode) if mode is not None else None)
st.admin_password = r.stdout.split("admin password: ")[1].split()[0]
pub = json.loads(st.ww("key", "show", "--json").stdout)
check(len(pub.get("public_key", "")) == 44 and len(pub.get("key_fingerprint", "")) == 64 and "secret_key" not in pub,
      "key show --json: the public key and fingerprint, never the secret", "44-char key, 64-hex fpr", pub)
port = free_port()
tmp = tempfile.mkdtemp(prefix="ww-evidence-")
try:
    cam = st.add_camera("Ngõ 12 Lê Lợi", cams.url(1), extra=["--lat", "18.67", "--lon", "105.68", "--address", "12 Lê Lợi"])
    st.serve("--segment-seconds", "4", http_port=port)
    ok = st.wait_for(lambda: st.stream_stats(cam).get("record", {}).get("segments", 0) >= 2, 40)
    check(ok, "the camera records", ">= 2 segments", st.stream_stats(cam).get("record"))
    segs = st.recordings(cam)["segments"]
    t0, t1 = segs[0]["start_us"] / 1e6, segs[-1]["end_us"] / 1e6

    # ---- a clip -----------------------------------------------------------------------------------------------
    mp4 = os.path.join(tmp, "clip.mp4")
    r = st.ww("export", "--camera", str(cam), "--from", f"{t0 + 0.5:.3f}", "--to", f"{t1 - 0.5:.3f}", "-o", mp4, check=False)
    check(r.returncode == 0 and os.path.exists(mp4 + ".manifest.json.sig"),
          "export writes the clip, its manifest and the manifest's signature", "exit 0 + .sig", (r.returncode, r.stderr[-300:]))
    rc, out = verify(st.data, mp4)
    log(out.strip())
    check(rc == 0 and "everything holds" in out and "Ngõ 12 Lê Lợi" in out and "12 Lê Lợi" in out,
          "verify: exit 0, naming the camera, its address and who exported it", "exit 0", (rc, out[-600:]))

    bad = os.path.join(tmp, "bad")
    os.makedirs(bad)
    for name in ("clip.mp4", "clip.mp4.manifest.json", "clip.mp4.manifest.json.sig"):
        shutil.copy(os.path.join(tmp, name), os.path.join(bad, name))
    with open(os.path.join(bad, "clip.mp4"), "r+b") as f:
        f.seek(os.path.getsize(mp4) // 2)
        b = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([b[0] ^ 0x01]))
    rc, out = verify(st.data, os.path.join(bad, "clip.mp4"))
    check(rc == 1 and "clip.mp4" in out and "was changed" in out, "one changed byte of the clip: exit 1, 'was changed'",
          "exit 1", (rc, out[-400:]))
    shutil.copy(mp4, os.path.join(bad, "clip.mp4"))
    man = os.path.join(bad, "clip.mp4.manifest.json")
    text = open(man, encoding="utf-8").read()
    open(man, "w", encoding="utf-8").write(text.replace('"username":"', '"username":"x', 1))
    rc, out = verify(st.data, os.path.join(bad, "clip.mp4"))
    check(rc == 1 and "signature does not match" in out, "one changed byte of the manifest: exit 1, 'signature does not match'",
          "exit 1", (rc, out[-400:]))

    other = Station("evidence-other")
    other.ww("init")
    rc, out = verify(other.data, mp4)
    check(rc == 1 and "unknown key" in out, "another station does not know this key: exit 1 'unknown key'", "exit 1",
          (rc, out[-400:]))
    rc, out = verify(other.data, mp4, "--key", pub["public_key"])
    check(rc == 0, "…and accepts it with --key naming this station's key", 0, (rc, out[-400:]))
    opub = json.loads(other.ww("key", "show", "--json").stdout)["public_key"]
    rc, out = verify(st.data, mp4, "--key", opub)
    check(rc == 1 and "unknown key" in out, "--key naming another key refuses this clip", "exit 1", (rc, out[-300:]))
    other.remove()

    # ---- a bundle, downloaded as .tar ------------------------------------------------------------------------------
    admin = Client(port)
    check(admin.login("admin", st.admin_password).status == 200, "admin signs in", 200, "")
    r = admin.post("/api/v1/search/place/bundle", {"lat": 18.67, "lon": 105.68, "radius_m": 50, "from": t0 + 0.5,
                                                   "to": t1 - 0.5, "note": "vụ việc 12/2026"}, timeout=120)
    check(r.status == 201, "a bundle of the place is made", 201, r)
    tar = os.path.join(tmp, "bundle.tar")
    t = admin.get(r.json["bundle"]["tar_url"], timeout=120)
    open(tar, "wb").write(t.body)
    with tarfile.open(tar) as tf:
        names = [m.name.split("/", 1)[1] for m in tf.getmembers()]
    check("bundle.json.sig" in names and any(n.endswith(".manifest.json.sig") for n in names),
          "the bundle carries its signature and each clip's", "bundle.json.sig + clip .sig", names)
    rc, out = verify(st.data, tar)
    log(out.strip())
    check(rc == 0 and "bundle:" in out, "verify of the bundle .tar: exit 0", 0, (rc, out[-600:]))
    cut = os.path.join(tmp, "cut.tar")
    with tarfile.open(tar) as src, tarfile.open(cut, "w") as dst:
        for m in src.getmembers():
            if not m.name.endswith(".mp4"):
                dst.addfile(m, src.extractfile(m))
    rc, out = verify(st.data, cut)
    check(rc == 1 and "missing" in out, "a clip dropped from the bundle: exit 1 naming it missing", "exit 1", (rc, out[-400:]))

    # the console's check of a stored export (the same rules, this station's key)
    exports = admin.get("/api/v1/exports").json.get("exports", [])
    eid = exports[0]["id"] if exports else 0
    r = admin.get(f"/api/v1/exports/{eid}/verify")
    check(r.status == 200 and r.json["ok"] is True and len(r.json["checks"]) >= 3,
          "GET /api/v1/exports/{id}/verify: ok, with its checks", "ok true", r)
    a = admin.get(f"/api/v1/audit?action=export_verify").json.get("rows", [])
    check(len(a) == 1, "the verification is audited", 1, len(a))
    r = admin.get("/station.key")
    check(r.status == 404 and b"secret" not in r.body, "the key file is not served", 404, r.status)
    rc = st.stop()
    check(rc == 0, "serve exits 0", 0, rc)
finally:
    st.stop()
    cams.stop()
    shutil.rmtree(tmp, ignore_errors=True)
finish()

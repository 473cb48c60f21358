"""One camera device = one row (issue 11 item 2, first half), played as the attack was.

The attack: after an owner withdrew consent, an officer registered a second
camera with the same RTSP address; the new row had no consent rows of its own.
Required: the same host:port/path (credentials stripped, scheme and host case
folded, the default port 554 written out) as the main or sub URL of another
camera is refused with 409 {"error": {"code": "camera_exists", "camera_id": N}}
— the id only if the caller may see camera N.  On create, on PATCH of a URL,
and in `wardwatch camera add` / `camera import`.
"""
import os
import tempfile

from wwapi import Server, check, finish

srv = Server().start()
admin = srv.admin()
w1, w2 = srv.create_ward(admin), srv.create_ward(admin)
_, pw1 = srv.create_user(admin, "canbo_w1", "officer", ward_id=w1)
_, pw2 = srv.create_user(admin, "canbo_w2", "officer", ward_id=w2)
off1 = srv.signed_in("canbo_w1", pw1)
off2 = srv.signed_in("canbo_w2", pw2)

MAIN = "rtsp://cam-one.example/dev/alpha"
SUB = "rtsp://cam-one.example/dev/alpha-sub"
first = srv.create_camera(admin, w1, main_url=MAIN, sub_url=SUB)
count0 = len(admin.get("/api/v1/cameras").json["cameras"])


def expect_twin(r, what, named=True):
    err = (r.json or {}).get("error", {}) if isinstance(r.json, dict) else {}
    ok = r.status == 409 and err.get("code") == "camera_exists"
    if named:
        ok = ok and err.get("camera_id") == first and str(first) in err.get("message", "")
        want = f"409 camera_exists naming camera {first}"
    else:
        ok = ok and "camera_id" not in err and str(first) not in err.get("message", "x" + str(first))
        want = "409 camera_exists without the id"
    check(ok, what, want, r)


# -- create: every spelling of the same device
variants = [
    ("the same URL", {"main_url": MAIN}),
    ("the host in upper case", {"main_url": "rtsp://CAM-ONE.EXAMPLE/dev/alpha"}),
    ("the default port written out", {"main_url": "rtsp://cam-one.example:554/dev/alpha"}),
    ("credentials given beside it", {"main_url": "rtsp://Cam-One.example:554/dev/alpha",
                                     "username": "u", "password": "p"}),
    ("its sub URL as the new main", {"main_url": SUB}),
    ("its main URL as the new sub", {"main_url": "rtsp://cam-two.example/x",
                                     "sub_url": "rtsp://cam-one.example:554/dev/alpha"}),
]
r = admin.post("/api/v1/cameras", {"name": "Twin", "ward_id": w1, "enabled": False,
                                   "main_url": "RTSP://cam-one.example/dev/alpha"})
check(r.status in (400, 409),
      "an upper-case scheme cannot make a twin either (the URL check or the device rule refuses it)",
      "400 or 409", r)
for what, body in variants:
    b = {"name": "Twin", "ward_id": w1, "enabled": False}
    b.update(body)
    expect_twin(admin.post("/api/v1/cameras", b), f"admin: second camera with {what} → 409")
# officers register owned cameras only (issue 11 item 2, second half): each gives an owner of its ward
own1, own2 = srv.create_owner(admin, w1), srv.create_owner(admin, w2)
b = {"name": "Twin", "main_url": "rtsp://CAM-ONE.example:554/dev/alpha", "enabled": False}
expect_twin(off1.post("/api/v1/cameras", dict(b, owner_id=own1)),
            "officer of the same ward → 409 naming the camera")
expect_twin(off2.post("/api/v1/cameras", dict(b, owner_id=own2)),
            "officer of another ward (may not see it) → 409 without its id", named=False)
n = len(admin.get("/api/v1/cameras").json["cameras"])
check(n == count0, "no second row was added", count0, n)

# -- other devices are still welcome
for what, url in [("another path case", "rtsp://cam-one.example/dev/ALPHA"),
                  ("another port", "rtsp://cam-one.example:8554/dev/alpha"),
                  ("another query", "rtsp://cam-one.example/dev/alpha?channel=2")]:
    r = admin.post("/api/v1/cameras", {"name": "Other", "main_url": url, "ward_id": w1,
                                       "enabled": False})
    check(r.status == 201, f"a camera at {what} is another device → 201", 201, r)

# -- PATCH of another camera to that address
other = srv.create_camera(admin, w1, main_url="rtsp://cam-three.example/live")
r = admin.patch(f"/api/v1/cameras/{other}", {"main_url": "rtsp://CAM-ONE.example:554/dev/alpha"})
expect_twin(r, "PATCH of another camera's main_url to that address → 409")
r = off1.patch(f"/api/v1/cameras/{other}", {"sub_url": "rtsp://cam-one.example/dev/alpha-sub"})
expect_twin(r, "PATCH of another camera's sub_url to the first one's sub → 409")
r = admin.get(f"/api/v1/cameras/{other}")
check(r.json.get("main_url") == "rtsp://cam-three.example/live" and r.json.get("sub_url") is None,
      "the other camera is unchanged", "rtsp://cam-three.example/live", r.json)
r = admin.patch(f"/api/v1/cameras/{first}", {"main_url": "rtsp://CAM-ONE.example:554/dev/alpha"})
check(r.status == 200, "the camera itself may respell its own address", 200, r)

# -- the CLI
r = srv.cli("camera", "add", "--name", "CLI twin", "--main",
            "rtsp://viewer:pw@Cam-One.Example:554/dev/alpha", "--disabled")
check(r.returncode != 0 and f"camera {first} already has this address" in r.stderr,
      "camera add with the same device → refused naming the camera",
      f"non-zero, 'camera {first} already has this address'", (r.returncode, r.stderr))
check("viewer:pw" not in r.stderr and "pw@" not in r.stderr, "the refusal shows no credentials",
      "no credentials", r.stderr)
csv = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False)
csv.write("name,main_url,latitude,longitude\n"
          "Fresh one,rtsp://cam-four.example/a,18.67,105.68\n"
          "Twin of the first,rtsp://CAM-ONE.example/dev/alpha,18.67,105.68\n"
          "Fresh two,rtsp://cam-five.example/a,18.67,105.68\n"
          "Twin in the file,rtsp://cam-four.example:554/a,18.67,105.68\n")
csv.close()
r = srv.cli("camera", "import", csv.name)
os.unlink(csv.name)
check(r.returncode != 0 and f"line 3: camera {first} already has this address" in r.stderr,
      "camera import: a row with a registered camera's address is a line-numbered problem",
      f"line 3: camera {first} already has this address", r.stderr)
check("line 5: the same address (host:port/path) as line 2" in r.stderr,
      "camera import: two rows with one address are a line-numbered problem",
      "line 5: the same address (host:port/path) as line 2", r.stderr)
names = [c["name"] for c in admin.get("/api/v1/cameras").json["cameras"]]
check("Fresh one" not in names and "CLI twin" not in names, "nothing of the CLI attempts was stored",
      "no Fresh one / CLI twin", names)
finish()

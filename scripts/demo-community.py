#!/usr/bin/env python3
"""make demo, the community part: owners, their agreements and a dark camera,
through the console's API, so a newcomer sees every state (issue 17 item 15).

    scripts/demo-community.py PORT ADMIN_PASSWORD

Camera 1 and 2 belong to a household and a shop that agreed to everything;
camera 3's owner agreed to live and recording but not exports; camera 4's
agreement has ended (owned, so now it has no rights and does not record);
the rest stay the station's own.  One more camera points at a closed port:
it shows as dark and raises an alert.  Waits (bounded) for the server."""
import json
import sys
import time
import urllib.error
import urllib.request

port, password = int(sys.argv[1]), sys.argv[2]
base = f"http://127.0.0.1:{port}"
cookie = None


def call(method, path, body=None):
    global cookie
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if cookie:
        req.add_header("Cookie", cookie)
    with urllib.request.urlopen(req, timeout=10) as r:
        c = r.headers.get("Set-Cookie")
        if c:
            cookie = c.split(";", 1)[0]
        raw = r.read()
        return json.loads(raw) if raw else None


for _ in range(100):
    try:
        call("POST", "/api/v1/session", {"username": "admin", "password": password})
        break
    except (urllib.error.URLError, ConnectionError):
        time.sleep(0.1)
else:
    sys.exit("demo: the console did not come up")

cams = sorted(call("GET", "/api/v1/cameras")["cameras"], key=lambda c: c["id"])
owners = [
    ("household", "Hộ ông Nguyễn Văn An (demo)", "0912 345 678"),
    ("shop", "Tạp hóa Minh Châu (demo)", "0987 111 222"),
    ("school", "Trường THCS Hà Huy Tập (demo)", "0238 3844 555"),
    ("household", "Hộ bà Trần Thị Lan (demo)", "0913 222 333"),
]
now = time.time()
for i, (kind, name, phone) in enumerate(owners):
    if i >= len(cams):
        break
    cam = cams[i]
    o = call("POST", "/api/v1/owners", {"kind": kind, "name": name, "phone": phone, "ward_id": cam["ward_id"]})
    if i < 3:   # the agreement first: an owned camera has no rights without one
        call("POST", f"/api/v1/cameras/{cam['id']}/consents",
             {"live": True, "record": True, "playback": True, "export": i != 2,
              "note": "đồng ý (demo)" if i != 2 else "không đồng ý trích xuất (demo)"})
    else:       # an agreement that has ended: recorded for a short window, then over
        c = call("POST", f"/api/v1/cameras/{cam['id']}/consents",
                 {"live": True, "record": True, "export": True, "note": "hết hạn (demo)"})
        call("POST", f"/api/v1/cameras/{cam['id']}/consents/{c['id']}/withdraw", {"note": "hết thời hạn (demo)"})
    call("PATCH", f"/api/v1/cameras/{cam['id']}", {"owner_id": o["id"]})
ward = cams[0]["ward_id"] if cams else None
call("POST", "/api/v1/cameras", {"name": "Ngõ 9 Phan Đình Phùng — mất tín hiệu (demo)", "main_url": "rtsp://127.0.0.1:9/dark",
                                 "ward_id": ward, "latitude": 18.6745, "longitude": 105.6862, "enabled": True})
print("demo: owners, agreements (one without exports, one ended) and a dark camera added")

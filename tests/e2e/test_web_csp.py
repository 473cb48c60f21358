"""The console's Content-Security-Policy must allow index.html's inline
import map (by hash) and nothing else inline: if someone edits the map
without updating src/http/static.c (scripts/csp-hash), the browser silently
refuses it — this test says so instead.  Its img-src is exactly 'self',
data:, blob: and the configured map tile host (issue 11 item 11)."""
import base64
import hashlib
import re

from wwapi import Server, check, finish



def img_src(csp):
    for part in csp.split(";"):
        words = part.split()
        if words and words[0] == "img-src":
            return " ".join(words[1:])
    return None


srv = Server().start()
try:
    # Issue 11 item 11: img-src is exactly this station, data:, blob: and the
    # configured tile host — nothing else (an injected <img> cannot beacon out).
    admin = srv.admin()
    for page in ("/", "/report/stats.html", "/report/criteria.html"):
        r = srv.client().get(page)
        check(img_src(r.header("Content-Security-Policy") or "") == "'self' data: blob:",
              f"no tiles configured: img-src of {page} is only the station, data:, blob:",
              "'self' data: blob:", r.header("Content-Security-Policy"))
    for url, want in (("https://tiles.example.org/{z}/{x}/{y}.png", "'self' data: blob: https://tiles.example.org"),
                      ("https://{s}.tile.example.org:8443/osm/{z}/{x}/{y}.png?k=1",
                       "'self' data: blob: https://*.tile.example.org:8443"),
                      ("http://10.0.0.5:8080/{z}/{x}/{y}.png", "'self' data: blob: http://10.0.0.5:8080"),
                      ("/tiles/{z}/{x}/{y}.png", "'self' data: blob:")):
        r = admin.request("PUT", "/api/v1/map/settings", body={"tile_url": url, "attribution": "© OSM"})
        check(r.status == 200, f"tile URL {url} accepted", 200, r)
        for page in ("/", "/report/stats.html"):
            got = img_src(srv.client().get(page).header("Content-Security-Policy") or "")
            check(got == want, f"tile URL {url}: img-src of {page}", want, got)
    for url in ("https://user:pw@tiles.example.org/{z}/{x}/{y}.png", "https://{z}.example.org/{x}/{y}.png",
                "https://a.{s}.example.org/{z}/{x}/{y}.png", "https://tiles.example.org;img-src/{z}/{x}/{y}"):
        r = admin.request("PUT", "/api/v1/map/settings", body={"tile_url": url})
        check(r.status == 400, f"tile URL {url} refused (its host cannot be named in the CSP)", 400, r)
    got = img_src(srv.client().get("/").header("Content-Security-Policy") or "")
    check(got == "'self' data: blob:", "after the refusals img-src is unchanged", "'self' data: blob:", got)
    r = admin.request("PUT", "/api/v1/map/settings", body={"tile_url": None})
    got = img_src(srv.client().get("/").header("Content-Security-Policy") or "")
    check(r.status == 200 and got == "'self' data: blob:", "tiles switched off: img-src back to the station only",
          "'self' data: blob:", got)

    r = srv.client().get("/")
    html = r.body.decode()
    csp = r.header("Content-Security-Policy") or ""
    m = re.search(r'<script type="importmap">(.*?)</script>', html, re.S)
    if m:
        h = "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1).encode()).digest()).decode() + "'"
        check(h in csp, "CSP allows the inline import map", h, csp)
    inline = [s for s in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html) if "importmap" not in s]
    check(not inline, "no other inline scripts", "none", inline)
    check("'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0] if "script-src" in csp else False,
          "scripts are not allowed inline wholesale", "no 'unsafe-inline' in script-src", csp)
finally:
    srv.stop()
finish()

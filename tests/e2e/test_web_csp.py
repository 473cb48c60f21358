"""The console's Content-Security-Policy must allow index.html's inline
import map (by hash) and nothing else inline: if someone edits the map
without updating src/http/static.c (scripts/csp-hash), the browser silently
refuses it — this test says so instead."""
import base64
import hashlib
import re

from wwapi import Server, check, finish

srv = Server().start()
try:
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

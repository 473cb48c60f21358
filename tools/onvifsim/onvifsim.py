#!/usr/bin/env python3
"""onvifsim: a simulated ONVIF camera for wardwatch's tests.

Two servers on 127.0.0.1 (Python standard library only):
  * WS-Discovery: a UDP responder that answers a Probe with ProbeMatches
    (RelatesTo = the probe's MessageID), on --discovery-port.
  * Device/media SOAP over HTTP on --port: GetSystemDateAndTime (no auth),
    and, with a WS-Security UsernameToken whose PasswordDigest is checked for
    real (Base64(SHA1(nonce + created + password)), Created within 5 min of
    the simulated clock), GetDeviceInformation, GetCapabilities, GetServices,
    GetProfiles, GetStreamUri, GetSnapshotUri.  A wrong digest gets a SOAP
    fault ter:NotAuthorized with HTTP 400 (as many cameras do).
--clock-offset S shifts the camera's clock; --xaddr-host H makes the media
XAddr name a wrong host (the NAT quirk); --stream-base sets the RTSP URLs.
GetServices names the media service at /onvif/Media (with the device and
events services around it), GetCapabilities at /onvif/media_service, so a
client's choice shows.  --no-get-services makes an older camera: GetServices
answers the ActionNotSupported fault (HTTP 400), as ONVIF 1.x cameras do.
--op-log FILE appends one line per request: the operation and the path.
Prints "ready http=PORT discovery=PORT" once both listen.
"""
import argparse
import base64
import datetime
import hashlib
import http.server
import socket
import sys
import threading
import uuid
import xml.etree.ElementTree as ET

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "d": "http://schemas.xmlsoap.org/ws/2005/04/discovery",
    "wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
    "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "trt": "http://www.onvif.org/ver10/media/wsdl",
    "tt": "http://www.onvif.org/ver10/schema",
}
ENV_OPEN = ('<?xml version="1.0" encoding="UTF-8"?><s:Envelope '
            + " ".join('xmlns:%s="%s"' % kv for kv in NS.items())
            + ' xmlns:ter="http://www.onvif.org/ver10/error">')


def envelope(body, header=""):
    return (ENV_OPEN + "<s:Header>%s</s:Header><s:Body>%s</s:Body></s:Envelope>"
            % (header, body)).encode()


class Sim:
    def __init__(self, a):
        self.a = a
        self.endpoint = "urn:uuid:" + str(uuid.uuid4())
        self.log_lock = threading.Lock()
        self.profiles = [("Profile_Main", "mainStream", 1920, 1080)]
        if a.profiles >= 2:  # the sub stream first: order must not decide main/sub
            self.profiles.insert(0, ("Profile_Sub", "subStream", 640, 360))

    def now(self):
        return datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=self.a.clock_offset)

    def check_auth(self, root):
        tok = root.find("s:Header/wsse:Security/wsse:UsernameToken", NS)
        if tok is None:
            return False
        user = tok.findtext("wsse:Username", "", NS)
        digest = tok.findtext("wsse:Password", "", NS)
        nonce = tok.findtext("wsse:Nonce", "", NS)
        created = tok.findtext("wsu:Created", "", NS)
        try:
            raw = base64.b64decode(nonce, validate=True)
            when = datetime.datetime.strptime(created.rstrip("Z").split(".")[0],
                                              "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
        except Exception:
            return False
        want = base64.b64encode(hashlib.sha1(raw + created.encode() + self.a.password.encode()).digest()).decode()
        fresh = abs((when - self.now()).total_seconds()) <= 300
        return user == self.a.username and digest == want and fresh

    def media_xaddr(self, port):
        return "http://%s:%d/onvif/media_service" % (self.a.xaddr_host or "127.0.0.1", port)

    def answer(self, op, root, port):
        if op == "GetSystemDateAndTime":
            t = self.now()
            return ("<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
                    "<tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
                    "<tt:UTCDateTime><tt:Time><tt:Hour>%d</tt:Hour><tt:Minute>%d</tt:Minute>"
                    "<tt:Second>%d</tt:Second></tt:Time><tt:Date><tt:Year>%d</tt:Year>"
                    "<tt:Month>%d</tt:Month><tt:Day>%d</tt:Day></tt:Date></tt:UTCDateTime>"
                    "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
                    % (t.hour, t.minute, t.second, t.year, t.month, t.day))
        if op == "GetDeviceInformation":
            return ("<tds:GetDeviceInformationResponse><tds:Manufacturer>SimVision</tds:Manufacturer>"
                    "<tds:Model>SV-200</tds:Model><tds:FirmwareVersion>V5.7.3 build 231010</tds:FirmwareVersion>"
                    "<tds:SerialNumber>SV200-0001</tds:SerialNumber><tds:HardwareId>88</tds:HardwareId>"
                    "</tds:GetDeviceInformationResponse>")
        if op == "GetCapabilities":
            return ("<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Media><tt:XAddr>%s</tt:XAddr>"
                    "</tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>" % self.media_xaddr(port))
        if op == "GetServices" and not self.a.no_get_services:
            host = self.a.xaddr_host or "127.0.0.1"
            svc = [("http://www.onvif.org/ver10/device/wsdl", "/onvif/device_service", 2, 60),
                   ("http://www.onvif.org/ver10/events/wsdl", "/onvif/Events", 2, 60),
                   (" %s\n" % NS["trt"], "/onvif/Media", 2, 60)]  # white space around it: seen on cameras
            return ("<tds:GetServicesResponse>%s</tds:GetServicesResponse>"
                    % "".join("<tds:Service><tds:Namespace>%s</tds:Namespace><tds:XAddr>http://%s:%d%s</tds:XAddr>"
                              "<tds:Version><tt:Major>%d</tt:Major><tt:Minor>%d</tt:Minor></tds:Version>"
                              "</tds:Service>" % (ns, host, port, path, ma, mi) for ns, path, ma, mi in svc))
        if op == "GetProfiles":
            ps = "".join("<trt:Profiles token=\"%s\" fixed=\"true\"><tt:Name>%s</tt:Name>"
                         "<tt:VideoEncoderConfiguration token=\"VE_%s\"><tt:Name>ve</tt:Name>"
                         "<tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>%d</tt:Width>"
                         "<tt:Height>%d</tt:Height></tt:Resolution></tt:VideoEncoderConfiguration>"
                         "</trt:Profiles>" % (t, n, t, w, h) for t, n, w, h in self.profiles)
            return "<trt:GetProfilesResponse>%s</trt:GetProfilesResponse>" % ps
        if op in ("GetStreamUri", "GetSnapshotUri"):
            tok = root.findtext(".//trt:ProfileToken", "", NS)
            if tok not in [p[0] for p in self.profiles]:
                return None
            base = self.a.stream_base.rstrip("/")
            if op == "GetStreamUri":
                # cameras often put the credentials into the URI: the client must strip them
                uri = base.replace("rtsp://", "rtsp://%s:%s@" % (self.a.username, self.a.password), 1) + "/" + tok
            else:
                uri = "http://%s:%d/snapshot/%s.jpg" % (self.a.xaddr_host or "127.0.0.1", port, tok)
            return ("<trt:%sResponse><trt:MediaUri><tt:Uri>%s</tt:Uri><tt:InvalidAfterConnect>false"
                    "</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot>"
                    "<tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:%sResponse>" % (op, uri, op))
        return None


def fault(sub, text):
    return envelope("<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:%s</s:Value>"
                    "</s:Subcode></s:Code><s:Reason><s:Text xml:lang=\"en\">%s</s:Text></s:Reason>"
                    "</s:Fault>" % (sub, text))


def make_handler(sim):
    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def reply(self, code, body):
            self.send_response(code)
            self.send_header("Content-Type", "application/soap+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0") or 0)
            data = self.rfile.read(min(n, 1 << 20))
            try:
                root = ET.fromstring(data)
            except ET.ParseError:
                return self.reply(400, fault("WellFormed", "not XML"))
            body = root.find("s:Body", NS)
            if body is None or len(body) == 0:
                return self.reply(400, fault("WellFormed", "no body"))
            op = body[0].tag.split("}")[-1]
            if sim.a.op_log:
                with sim.log_lock, open(sim.a.op_log, "a") as f:
                    f.write("%s %s\n" % (op, self.path))
            if op != "GetSystemDateAndTime" and not sim.check_auth(root):
                return self.reply(400, fault("NotAuthorized", "Sender not Authorized"))
            ans = sim.answer(op, root, self.server.server_address[1])
            if ans is None:
                return self.reply(400, fault("ActionNotSupported", "unsupported " + op))
            self.reply(200, envelope(ans))
    return H


def discovery(sim, sock, http_port):
    while True:
        data, peer = sock.recvfrom(65536)
        try:
            root = ET.fromstring(data)
        except ET.ParseError:
            continue
        if root.find("s:Body/d:Probe", NS) is None:
            continue
        mid = root.findtext("s:Header/a:MessageID", "", NS)
        hdr = ("<a:MessageID>uuid:%s</a:MessageID><a:RelatesTo>%s</a:RelatesTo>"
               "<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>"
               "<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action>"
               % (uuid.uuid4(), mid))
        body = ("<d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>%s</a:Address>"
                "</a:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types>"
                "<d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/name/%s "
                "onvif://www.onvif.org/hardware/SV-200 onvif://www.onvif.org/location/%s</d:Scopes>"
                "<d:XAddrs>http://127.0.0.1:%d/onvif/device_service</d:XAddrs>"
                "<d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches>"
                % (sim.endpoint, sim.a.name, sim.a.location, http_port))
        msg = envelope(body, hdr).replace(b"<s:Envelope ", b"<s:Envelope xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\" ", 1)
        # real cameras often answer twice; the client de-duplicates
        for _ in range(2):
            sock.sendto(msg, peer)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--discovery-port", type=int, default=0)
    p.add_argument("--username", default="admin")
    p.add_argument("--password", default="secret")
    p.add_argument("--clock-offset", type=int, default=0)
    p.add_argument("--xaddr-host", default="")
    p.add_argument("--stream-base", default="rtsp://127.0.0.1:8554/stream")
    p.add_argument("--profiles", type=int, default=2)
    p.add_argument("--no-get-services", action="store_true")
    p.add_argument("--op-log", default="")
    p.add_argument("--name", default="Cong%20phuong")
    p.add_argument("--location", default="ward/Phuc%20Xa")
    a = p.parse_args()
    sim = Sim(a)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), make_handler(sim))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", a.discovery_port))
    hp = srv.server_address[1]
    threading.Thread(target=discovery, args=(sim, sock, hp), daemon=True).start()
    print("ready http=%d discovery=%d" % (hp, sock.getsockname()[1]), flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())

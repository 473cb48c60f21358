"""A UDP loss relay for tests: an RTSP proxy (TCP) in front of one camera
that moves the session's RTP/RTCP over its own UDP ports and, on the way to
the client, drops, reorders (swaps with the next packet) and duplicates RTP
packets with a seeded RNG, counting what it did.

SETUP's Transport is rewritten both ways: the client's client_port becomes
the relay's camera-facing pair, the camera's server_port in the reply
becomes the relay's client-facing pair.  127.0.0.1 only; one thread per
connection plus one for the datagrams; stop() ends them (bounded)."""

import random
import re
import select
import socket
import threading

from wwtest import free_port


def _udp_pair():
    """Two UDP sockets on 127.0.0.1 ports p, p+1 (p even)."""
    for _ in range(100):
        p = free_port() & ~1
        a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for x in (a, b):
            # an IDR frame comes as a burst of 100+ packets: the default
            # buffer would drop some of them before the relay reads them
            x.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        try:
            a.bind(("127.0.0.1", p))
            b.bind(("127.0.0.1", p + 1))
            return a, b
        except OSError:
            a.close()
            b.close()
    raise RuntimeError("no free UDP port pair")


class UdpLossRelay:
    def __init__(self, camera_port, seed=12, drop=0.01, reorder=0.01, dup=0.005):
        self.camera_port = camera_port
        self.rng = random.Random(seed)
        self.drop, self.reorder, self.dup = drop, reorder, dup
        self.dropped = self.reordered = self.duplicated = self.forwarded = 0
        self.receiver_reports = 0          # RTCP RRs the client sent to the camera's port
        self.client_rtp_port = None        # the client's RTP port, once SETUP came
        self.client_facing_rtp_port = None  # ours, as the client sees it (server_port)
        self.lock = threading.Lock()
        self.running = True
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(8)
        self.lsock.settimeout(0.2)
        self.port = self.lsock.getsockname()[1]
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    def url(self, path):
        return f"rtsp://127.0.0.1:{self.port}{path}"

    def stop(self):
        self.running = False
        for t in self.threads:
            t.join(3)
        self.lsock.close()

    # ---- TCP ----------------------------------------------------------------
    def _accept(self):
        while self.running:
            try:
                c, _ = self.lsock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            t = threading.Thread(target=self._conn, args=(c,), daemon=True)
            self.threads.append(t)
            t.start()

    @staticmethod
    def _messages(buf):
        """Complete RTSP messages at the front of buf: (list, rest)."""
        out = []
        while True:
            i = buf.find(b"\r\n\r\n")
            if i < 0:
                return out, buf
            head = buf[:i + 4]
            m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            n = int(m.group(1)) if m else 0
            if len(buf) < i + 4 + n:
                return out, buf
            out.append((head, buf[i + 4:i + 4 + n]))
            buf = buf[i + 4 + n:]

    def _conn(self, c):
        try:
            s = socket.create_connection(("127.0.0.1", self.camera_port), timeout=5)
        except OSError:
            c.close()
            return
        sess = {"cli": None, "srv": None, "cf": None, "sf": None}
        bufs = {c: b"", s: b""}
        c.settimeout(None)
        s.settimeout(None)
        udp = None
        try:
            while self.running:
                r, _, _ = select.select([c, s], [], [], 0.2)
                for sock in r:
                    data = sock.recv(65536)
                    if not data:
                        return
                    bufs[sock] += data
                    msgs, bufs[sock] = self._messages(bufs[sock])
                    for head, body in msgs:
                        if sock is c:
                            head = self._rewrite_request(head, sess)
                            s.sendall(head + body)
                        else:
                            head = self._rewrite_reply(head, sess)
                            c.sendall(head + body)
                    if sess["srv"] and udp is None:
                        udp = threading.Thread(target=self._udp, args=(sess,), daemon=True)
                        self.threads.append(udp)
                        udp.start()
        except OSError:
            pass
        finally:
            sess["done"] = True
            c.close()
            s.close()

    def _rewrite_request(self, head, sess):
        m = re.search(rb"client_port=(\d+)-(\d+)", head)
        if not m:
            return head
        sess["cli"] = (int(m.group(1)), int(m.group(2)))
        sess["cf"], sess["sf"] = _udp_pair(), _udp_pair()
        with self.lock:
            self.client_rtp_port = sess["cli"][0]
            self.client_facing_rtp_port = sess["cf"][0].getsockname()[1]
        p = sess["sf"][0].getsockname()[1]
        return head[:m.start()] + b"client_port=%d-%d" % (p, p + 1) + head[m.end():]

    def _rewrite_reply(self, head, sess):
        m = re.search(rb"server_port=(\d+)-(\d+)", head)
        if not m or not sess["cf"]:
            return head
        sess["srv"] = (int(m.group(1)), int(m.group(2)))
        p = sess["cf"][0].getsockname()[1]
        head = head[:m.start()] + b"server_port=%d-%d" % (p, p + 1) + head[m.end():]
        # the client_port echoed back is the relay's; the client wants its own
        q = sess["sf"][0].getsockname()[1]
        head = head.replace(b"client_port=%d-%d" % (q, q + 1), b"client_port=%d-%d" % sess["cli"])
        return head

    # ---- UDP ----------------------------------------------------------------
    def _udp(self, sess):
        cf, sf = sess["cf"], sess["sf"]
        cli = [("127.0.0.1", sess["cli"][0]), ("127.0.0.1", sess["cli"][1])]
        srv = [("127.0.0.1", sess["srv"][0]), ("127.0.0.1", sess["srv"][1])]
        held = None
        socks = list(cf) + list(sf)
        try:
            while self.running and not sess.get("done"):
                r, _, _ = select.select(socks, [], [], 0.2)
                for sock in r:
                    data, _ = sock.recvfrom(65536)
                    if sock is sf[0]:
                        held = self._lossy(data, held, cf[0], cli[0])
                    elif sock is sf[1]:
                        cf[1].sendto(data, cli[1])
                    elif sock is cf[0]:
                        sf[0].sendto(data, srv[0])
                    else:
                        if len(data) >= 8 and data[1] == 201:  # RTCP RR from the client
                            with self.lock:
                                self.receiver_reports += 1
                        sf[1].sendto(data, srv[1])
        finally:
            for x in socks:
                x.close()

    def _lossy(self, data, held, sock, to):
        """Forwards one RTP packet with the loss model; returns the packet
        held back for a swap, if any."""
        x = self.rng.random()
        with self.lock:
            if x < self.drop:
                self.dropped += 1
                return held
            if held is None and x < self.drop + self.reorder:
                self.reordered += 1
                return data
            sock.sendto(data, to)
            self.forwarded += 1
            if held is not None:
                sock.sendto(held, to)
                self.forwarded += 1
            elif x < self.drop + self.reorder + self.dup:
                sock.sendto(data, to)
                self.duplicated += 1
            return None

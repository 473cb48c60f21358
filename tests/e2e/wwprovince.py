"""Real servers for the province tests: a mosquitto broker and a PostgreSQL 15
cluster, each started by the test in its own temporary folder on a free
loopback port, and stopped (or killed) by the test.

PostgreSQL refuses to run as root, so when the test runs as root the
cluster belongs to the unprivileged user `nobody` (initdb, pg_ctl and the
server run through runuser).  Every wait is bounded.
"""
import os
import shutil
import subprocess
import tempfile
import time

import wwtest

PG_BIN = os.environ.get("WW_PG_BIN", "/usr/lib/postgresql/15/bin")
MOSQUITTO = os.environ.get("WW_MOSQUITTO", "/usr/sbin/mosquitto")


def _as_owner(args):
    """Runs a PostgreSQL tool as `nobody` when we are root."""
    if os.getuid() == 0:
        return ["runuser", "-u", "nobody", "--"] + args
    return args


class Mosquitto:
    """A mosquitto broker on 127.0.0.1:port with persistence in its own folder.

    stop() ends it cleanly (SIGTERM: persistence written); kill() is kill -9;
    start() again on the same port and folder brings the stored sessions and
    queued QoS 1 messages back."""

    def __init__(self, port=None):
        self.port = port or wwtest.free_port()
        self.dir = tempfile.mkdtemp(prefix="ww-mqtt-")
        self.proc = None
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        if os.getuid() == 0:
            # mosquitto drops root to the `mosquitto` user; let it write here.
            shutil.chown(self.dir, user="mosquitto")
        with open(self.conf, "w") as f:
            f.write(f"listener {self.port} 127.0.0.1\n"
                    "allow_anonymous true\n"
                    "persistence true\n"
                    f"persistence_location {self.dir}/\n"
                    "autosave_interval 1\n"
                    "max_queued_messages 0\n"
                    "max_inflight_messages 100\n"
                    f"log_dest file {self.dir}/mosquitto.log\n"
                    "log_type error\nlog_type warning\nlog_type notice\n")

    @property
    def url(self):
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self, timeout=10):
        self.proc = subprocess.Popen([MOSQUITTO, "-c", self.conf],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wwtest._procs.append(self.proc)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if wwtest.port_open(self.port):
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"mosquitto exited with {self.proc.returncode}: {self.log_tail()}")
            time.sleep(0.1)
        raise RuntimeError(f"mosquitto not listening on {self.port} after {timeout} s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def log_tail(self, n=20):
        try:
            with open(os.path.join(self.dir, "mosquitto.log")) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Postgres:
    """A PostgreSQL 15 cluster in a temporary folder, listening on
    127.0.0.1:port (and a Unix socket in the same folder), trust auth for
    loopback, one database `wardwatch` owned by the cluster's user."""

    def __init__(self, port=None):
        self.port = port or wwtest.free_port()
        self.dir = tempfile.mkdtemp(prefix="ww-pg-")
        self.data = os.path.join(self.dir, "data")
        self.user = "nobody" if os.getuid() == 0 else None
        if os.getuid() == 0:
            os.chmod(self.dir, 0o755)
            shutil.chown(self.dir, user="nobody", group="nogroup")
        self._initdb()

    def _run(self, args, timeout=60):
        r = subprocess.run(_as_owner(args), capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(args)}: exit {r.returncode}: {r.stderr.strip()[-800:]}")
        return r.stdout

    def _initdb(self):
        self._run([f"{PG_BIN}/initdb", "-D", self.data, "-A", "trust", "-U", "wardwatch",
                   "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], timeout=120)
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write(f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                    f"unix_socket_directories = '{self.dir}'\n"
                    "fsync = on\nshared_buffers = 64MB\nmax_connections = 50\n")

    @property
    def conninfo(self):
        return f"host=127.0.0.1 port={self.port} user=wardwatch dbname=wardwatch"

    def start(self, timeout=30):
        self._run([f"{PG_BIN}/pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "pg.log"),
                   "-w", "-t", str(timeout), "start"], timeout=timeout + 10)
        if not getattr(self, "_db_made", False):
            self._run([f"{PG_BIN}/createdb", "-h", "127.0.0.1", "-p", str(self.port),
                       "-U", "wardwatch", "wardwatch"])
            self._db_made = True
        return self

    def stop(self, mode="fast"):
        try:
            self._run([f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "30", "stop"],
                      timeout=40)
        except RuntimeError:
            pass

    def restart(self):
        self.stop()
        self.start()

    def psql(self, sql):
        """Runs one statement with psql; returns the rows as lists of strings."""
        out = subprocess.run(["psql", "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                              self.conninfo, "-c", sql],
                             capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            raise RuntimeError(f"psql: {out.stderr.strip()}")
        return [line.split("\t") for line in out.stdout.splitlines() if line]

    def close(self):
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class Hub:
    """`wardwatch hub serve` on a free port, against pg and mq (the two
    servers above); its data folder (hub.key, hub.pub) under tmp."""

    def __init__(self, tmp, pg, mq, client_id="hub-test", gap_wait_ms=1500):
        self.pg, self.mq = pg, mq
        self.data = os.path.join(tmp, "hub")
        self.port = wwtest.free_port()
        self.log_path = os.path.join(tmp, "hub.log")
        self.client_id, self.gap_wait_ms = client_id, gap_wait_ms
        self.proc = None

    def ww(self, *args, check_rc=True, pg=True):
        """Runs `wardwatch hub ARGS [--pg CONNINFO]`; raises on a nonzero exit
        unless check_rc is False."""
        r = subprocess.run([wwtest.WW, "hub"] + list(args) + (["--pg", self.pg.conninfo] if pg else []),
                           capture_output=True, text=True, timeout=60)
        if check_rc and r.returncode != 0:
            raise RuntimeError(f"hub {' '.join(args)}: {r.returncode} {r.stderr.strip()}")
        return r

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        logf = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [wwtest.WW, "hub", "serve", "--pg", self.pg.conninfo, "--mqtt", self.mq.url,
             "--data", self.data, "--listen", f"127.0.0.1:{self.port}", "--gap-wait-ms",
             str(self.gap_wait_ms), "--client-id", self.client_id],
            stdout=logf, stderr=subprocess.STDOUT)
        logf.close()
        wwtest._procs.append(self.proc)
        deadline = time.time() + 20
        while time.time() < deadline and not wwtest.port_open(self.port):
            time.sleep(0.1)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)

    def check(self):
        return self.ww("check", check_rc=False)

    def log(self):
        with open(self.log_path) as f:
            return f.read()


def wait(cond, timeout, step=0.2):
    """cond() until truthy or timeout seconds passed; returns its last value."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(step)
    return cond()

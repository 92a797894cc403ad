#!/usr/bin/env python3
"""Floods and slow clients against a release server: what got through, what was refused, and
what it cost the server in memory.

Starts `target/release/shelfwise` on a fresh data folder holding the goodbooks sample (so the
figures measure the limits, not the catalog), on loopback, with `--trust-proxy` so that the
per-account cases can speak from many addresses through X-Forwarded-For. Then, one case at a
time, prints requests sent, answers by status, and the server's RSS before and after (and its
peak, VmHWM):

  login-burst     30 parallel wrong guesses at one account from one address
  hashing-burst   64 parallel logins, each a different account and address
  sign-up-flood   60 sign-ups from one address
  anonymous-flood 300 new anonymous readers (a first rating each) from one address
  slowloris       500 half-sent requests from 127.0.0.1 (without --trust-proxy, so the
                  per-address connection cap applies), while a reader at 127.0.0.2 loads
                  pages

usage: bench/hardening.py [--bin target/release/shelfwise]
"""

import argparse
import collections
import concurrent.futures
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "engine", "tests", "fixtures", "goodbooks")
PASSWORD = "a long enough passphrase"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    """VmRSS and VmHWM of a process, in KiB."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0])
    return fields["VmRSS"], fields["VmHWM"]


class Server:
    def __init__(self, binary, data, extra):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [binary, "--data-dir", data, "--log-level", "error", "serve",
             "--addr", f"127.0.0.1:{self.port}", *extra],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url("/readyz"), timeout=2)
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        raise SystemExit("the server did not become ready")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def post(self, endpoint, form, address=None, cookie=None):
        """POST a server function; (status, headers, body)."""
        req = urllib.request.Request(self.url(f"/api/{endpoint}"), data=form.encode(),
                                     method="POST")
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
        if address:
            req.add_header("X-Forwarded-For", address)
        if cookie:
            req.add_header("Cookie", f"shelfwise_session={cookie}")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()
        except (urllib.error.URLError, ConnectionError) as e:
            return f"error ({type(e).__name__})", {}, b""

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def report(name, server, statuses, started_rss, extra=""):
    rss, hwm = rss_kib(server.proc.pid)
    counts = collections.Counter(statuses)
    answers = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=str))
    print(f"{name:16} requests {len(statuses):4}  {answers}")
    print(f"{'':16} RSS before {started_rss // 1024} MiB, after {rss // 1024} MiB, "
          f"peak so far {hwm // 1024} MiB{extra}")


def parallel(n, job):
    with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(job, range(n)))


def sign_up(server, name, address):
    status, headers, _ = server.post("signup", f"username={name}&password={PASSWORD}",
                                     address=address)
    assert status == 200, (name, status)


def flood_cases(binary, data):
    server = Server(binary, data, ["--trust-proxy", "--sign-ups-per-hour", "1000"])
    try:
        sign_up(server, "victim", "10.9.0.1")
        before, _ = rss_kib(server.proc.pid)
        statuses = parallel(30, lambda i: server.post(
            "login", f"username=victim&password=wrong+guess+{i}", address="10.0.0.1")[0])
        report("login-burst", server, statuses, before,
               "  (401: the password was checked; 429: throttled before checking)")

        for i in range(64):
            sign_up(server, f"reader{i}", f"10.1.{i // 256}.{i % 256}")
        before, _ = rss_kib(server.proc.pid)
        statuses = parallel(64, lambda i: server.post(
            "login", f"username=reader{i}&password={PASSWORD}",
            address=f"10.2.{i // 256}.{i % 256}")[0])
        report("hashing-burst", server, statuses, before,
               "  (503: refused at once, the hashing queue full)")
    finally:
        server.stop()

    server = Server(binary, data, ["--trust-proxy"])
    try:
        before, _ = rss_kib(server.proc.pid)
        statuses = [server.post("signup", f"username=flood{i}&password={PASSWORD}",
                                address="10.3.0.1")[0] for i in range(60)]
        report("sign-up-flood", server, statuses, before)
        before, _ = rss_kib(server.proc.pid)
        statuses = [server.post("rate_book", "isbn=0439023483&stars=5",
                                address="10.4.0.1")[0] for _ in range(300)]
        report("anonymous-flood", server, statuses, before)
    finally:
        server.stop()


def slowloris_case(binary, data):
    server = Server(binary, data, [])
    try:
        before, _ = rss_kib(server.proc.pid)
        held = []
        for _ in range(500):
            s = socket.create_connection(("127.0.0.1", server.port))
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            held.append(s)
        time.sleep(0.5)
        closed = 0
        for s in held:
            s.setblocking(False)
            try:
                closed += s.recv(1) == b""
            except BlockingIOError:
                pass
            except OSError:
                closed += 1
        latencies = []
        statuses = []
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=30,
                                         source_address=("127.0.0.2", 0))
            started = time.perf_counter()
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
            latencies.append((time.perf_counter() - started) * 1000)
            statuses.append(int(answer.split(b" ", 2)[1]) if answer else "no answer")
            s.close()
        latencies.sort()
        report("slowloris", server, statuses, before,
               f"\n{'':16} 500 half-open from 127.0.0.1: {closed} closed at once (cap), "
               f"{500 - closed} held until the header timeout; home page from 127.0.0.2: "
               f"median {latencies[len(latencies) // 2]:.1f} ms, max {latencies[-1]:.1f} ms")
        for s in held:
            s.close()
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "shelfwise"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        subprocess.run([args.bin, "--data-dir", data, "--log-level", "error", "import",
                        "goodbooks", FIXTURES], check=True, stdout=subprocess.DEVNULL)
        flood_cases(args.bin, data)
        slowloris_case(args.bin, data)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""What importing a reader's library costs a release server: time per import and the server's
RSS before, after and at peak (VmHWM).

Starts a release server on a copy of a data folder that holds the Book-Crossing store (made by
`make run` or `scripts/import.sh`), signs a reader up, and imports the three real Goodreads
exports of engine/tests/fixtures/goodreads/real/ one after the other (most of their rows are
books the 2004 catalog lacks, so the import creates them). It then exports that reader's
library as Goodreads CSV (every row in one layout) and imports a 2,000-row file into a second
reader's account: the exported rows, repeated until there are 2,000 (so about half the rows
name a book already in that library, as a re-import would).

usage: bench/import_library.py DATA_DIR [--bin target/release/shelfwise]
"""

import argparse
import csv
import io
import os
import shutil
import sys
import tempfile
import time
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hardening import PASSWORD, Server, rss_kib  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "engine", "tests",
                        "fixtures", "goodreads", "real")
ROWS = 2_000


def session_of(headers):
    for value in headers.get_all("Set-Cookie") or []:
        if value.startswith("shelfwise_session="):
            return value.split(";", 1)[0].split("=", 1)[1]
    raise SystemExit("no session cookie in the sign-up answer")


def sign_up(server, name):
    status, headers, body = server.post("signup", f"username={name}&password={PASSWORD}")
    assert status == 200, (status, body[:200])
    return session_of(headers)


def upload(server, cookie, data):
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"library.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode() + data + \
        f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(server.url("/import/goodreads"), data=body, method="POST")
    req.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    req.add_header("Accept", "application/json")
    req.add_header("Cookie", f"shelfwise_session={cookie}")
    started = time.perf_counter()
    with urllib.request.urlopen(req, timeout=600) as resp:
        answer = resp.read()
    return time.perf_counter() - started, answer


def export(server, cookie):
    req = urllib.request.Request(server.url("/export/goodreads.csv"))
    req.add_header("Cookie", f"shelfwise_session={cookie}")
    with urllib.request.urlopen(req, timeout=120) as resp:
        return resp.read()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data", help="a data folder holding the Book-Crossing store")
    parser.add_argument("--bin", default="target/release/shelfwise")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data = os.path.join(scratch, "data")
        shutil.copytree(args.data, data, ignore=shutil.ignore_patterns("backups", "admin.sock"))
        server = Server(args.bin, data, [])
        try:
            time.sleep(2)
            rss, _ = rss_kib(server.proc.pid)
            print(f"server ready: RSS {rss // 1024} MiB")
            first = sign_up(server, "importer1")
            for name in sorted(os.listdir(FIXTURES)):
                if not name.endswith(".csv"):
                    continue
                with open(os.path.join(FIXTURES, name), "rb") as f:
                    data_bytes = f.read()
                rows = data_bytes.count(b"\n") - 1
                seconds, answer = upload(server, first, data_bytes)
                rss, hwm = rss_kib(server.proc.pid)
                print(f"{name}: ~{rows} lines in {seconds:.2f} s; RSS {rss // 1024} MiB, "
                      f"peak {hwm // 1024} MiB; {answer[:160].decode(errors='replace')}")
            exported = export(server, first).decode()
            header, *lines = list(csv.reader(io.StringIO(exported)))
            print(f"exported {len(lines)} rows")
            big = io.StringIO()
            writer = csv.writer(big, lineterminator="\n")
            writer.writerow(header)
            for i in range(ROWS):
                writer.writerow(lines[i % len(lines)])
            second = sign_up(server, "importer2")
            seconds, answer = upload(server, second, big.getvalue().encode())
            rss, hwm = rss_kib(server.proc.pid)
            print(f"{ROWS}-row file: {seconds:.2f} s; RSS {rss // 1024} MiB, peak {hwm // 1024} MiB;"
                  f" {answer[:200].decode(errors='replace')}")
            store = sum(os.path.getsize(os.path.join(d, f))
                        for d, _, fs in os.walk(os.path.join(data, "store")) for f in fs)
            print(f"store on disk after: {store / 1e6:.1f} MB")
        finally:
            server.stop()


if __name__ == "__main__":
    main()

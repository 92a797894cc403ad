#!/usr/bin/env python3
"""What books readers add cost: store and search-index growth per 1,000 added books, and the
latency of search and of book pages before and after.

Starts a release server on a copy of a data folder holding the Book-Crossing store (made by
`make run` or `scripts/import.sh`) and signs a reader up. It measures search (the 1,000 queries
of bench/queries.txt, made by bench/search_http.sh) and book pages (200 Book-Crossing books and,
after, 200 added ones), then imports the 10,000 real books of goodbooks-10k's books.csv
(../shared/datasets/goodbooks-10k, or --books) as Goodreads exports of 2,000 rows. Most of
them were published after 2004, so the catalog lacks them and the import adds them. Then it
measures again. Each latency is the median and the 99th percentile of one request at a time.

usage: bench/added_books.py DATA_DIR [--bin target/release/shelfwise] [--books books.csv]
"""

import argparse
import csv
import io
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hardening import Server, rss_kib  # noqa: E402
from import_library import sign_up, upload  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BOOKS = os.path.join(HERE, "..", "..", "shared", "datasets", "goodbooks-10k", "books.csv")
CHUNK = 2_000
HEADER = ["Book Id", "Title", "Author", "Author l-f", "Additional Authors", "ISBN", "ISBN13",
          "My Rating", "Average Rating", "Publisher", "Binding", "Number of Pages",
          "Year Published", "Original Publication Year", "Date Read", "Date Added",
          "Bookshelves", "Bookshelves with positions", "Exclusive Shelf", "My Review",
          "Spoiler", "Private Notes", "Read Count", "Owned Copies"]


def goodreads_rows(path):
    """goodbooks-10k's books as rows of a Goodreads export (ISBNs as Goodreads writes them)."""
    with open(path, newline="", encoding="utf-8") as f:
        for b in csv.DictReader(f):
            isbn = b["isbn"].strip()
            isbn = isbn.zfill(10) if isbn and isbn.isdigit() else isbn
            year = b["original_publication_year"].split(".")[0]
            authors = b["authors"].split(", ")
            yield {
                "Book Id": b["goodreads_book_id"], "Title": b["title"], "Author": authors[0],
                "Additional Authors": ", ".join(authors[1:]),
                "ISBN": f'="{isbn}"' if isbn else '=""', "ISBN13": '=""',
                "My Rating": "0", "Average Rating": b["average_rating"],
                "Original Publication Year": year, "Exclusive Shelf": "to-read",
                "Bookshelves": "to-read", "Read Count": "0", "Owned Copies": "0",
            }


def export_file(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, HEADER, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow(r)
    return out.getvalue().encode()


def timed(url, method="GET", body=None):
    req = urllib.request.Request(url, data=body, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            resp.read()
    except urllib.error.HTTPError as e:
        # A key the import matched to another edition has no page of its own: not timed.
        e.read()
        return None
    return (time.perf_counter() - started) * 1000


def summary(name, ms):
    missing = sum(1 for m in ms if m is None)
    ms = sorted(m for m in ms if m is not None)
    if missing:
        name = f"{name} ({missing} not found)"
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"  {name:28} n={len(ms):5}  p50 {statistics.median(ms):6.2f} ms  p99 {p99:6.2f} ms")


def measure(server, queries, book_keys, label):
    print(label)
    for _ in range(2):  # the first pass warms caches; the second is reported
        search = [timed(server.url("/api/search_books"), "POST",
                        urllib.parse.urlencode({"query": q, "limit": 8}).encode())
                  for q in queries]
    summary("search (server function)", search)
    for name, keys in book_keys.items():
        pages = [timed(server.url(f"/book/{urllib.parse.quote(k, safe=':')}")) for k in keys]
        summary(f"book page, {name}", pages)


def size(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data", help="a data folder holding the Book-Crossing store")
    parser.add_argument("--bin", default="target/release/shelfwise")
    parser.add_argument("--books", default=BOOKS)
    args = parser.parse_args()
    queries_file = os.path.join(HERE, "queries.txt")
    with open(queries_file, encoding="utf-8") as f:
        queries = [line.rstrip("\n") for line in f if line.strip()]
    rows = list(goodreads_rows(args.books))
    rng = random.Random(42)
    with tempfile.TemporaryDirectory() as scratch:
        data = os.path.join(scratch, "data")
        shutil.copytree(args.data, data, ignore=shutil.ignore_patterns("backups", "admin.sock"))
        server = Server(args.bin, data, ["--site-root", os.path.join(HERE, "..", "target", "site")])
        try:
            time.sleep(2)
            bx = []
            with open(os.path.join(HERE, "..", "data", "raw", "BX-Books.csv"), "rb") as f:
                for line in f.read().decode("latin-1").splitlines()[1:5000]:
                    bx.append(line.split(";")[0].strip('"'))
            measure(server, queries, {"Book-Crossing books": rng.sample(bx, 200)},
                    "before any added book")
            cookie = sign_up(server, "librarian")
            store0, index0 = size(os.path.join(data, "store")), size(os.path.join(data, "search"))
            created = 0
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start:start + CHUNK]
                seconds, answer = upload(server, cookie, export_file(chunk))
                made = int(answer.split(b'"created":')[1].split(b",")[0])
                created += made
                rss, hwm = rss_kib(server.proc.pid)
                print(f"import of {len(chunk)} rows: {seconds:.2f} s, {made} books added; "
                      f"RSS {rss // 1024} MiB, peak {hwm // 1024} MiB")
            time.sleep(2)
            store1, index1 = size(os.path.join(data, "store")), size(os.path.join(data, "search"))
            print(f"{created} books added: store {store0 / 1e6:.1f} -> {store1 / 1e6:.1f} MB "
                  f"({(store1 - store0) / created * 1000 / 1e6:.2f} MB per 1,000), search index "
                  f"{index0 / 1e6:.2f} -> {index1 / 1e6:.2f} MB "
                  f"({(index1 - index0) / created * 1000 / 1e3:.0f} KB per 1,000)")
            added = [f"gr:{r['Book Id']}" for r in rows if r["ISBN"] == '=""']
            added += [r["ISBN"][2:-1] for r in rows if r["ISBN"] != '=""']
            measure(server, queries, {"Book-Crossing books": rng.sample(bx, 200),
                                      "goodbooks books": rng.sample(added, 200)},
                    f"after {created} added books")
        finally:
            server.stop()


if __name__ == "__main__":
    main()

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

With --held-out N it measures at a larger scale, on real books too: it builds a store of its
own from the Book-Crossing files with N of BX-Books.csv's books left out (seeded; their ratings
are then left out of the import as books the catalog lacks), trains it, and brings those N books
back through the import as a reader's Goodreads exports, so that the catalog ends with N
reader-added books beside Book-Crossing's others (DATA_DIR is then the folder for that store).

usage: bench/added_books.py DATA_DIR [--bin target/release/shelfwise] [--books books.csv]
       bench/added_books.py DATA_DIR --held-out 50000 [--raw data/raw]
"""

import argparse
import csv
import io
import os
import random
import shutil
import statistics
import subprocess
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


def bx_books(raw):
    """BX-Books.csv's lines (latin-1, as the file is) after the header, and the header."""
    with open(os.path.join(raw, "BX-Books.csv"), encoding="latin-1", newline="") as f:
        lines = f.read().split("\n")
    return lines[0], [line for line in lines[1:] if line.strip()]


def bx_row(line):
    """A Book-Crossing book line ("ISBN";"Book-Title";"Book-Author";"Year";"Publisher";...) as
    a row of a Goodreads export."""
    fields = line.rstrip("\r")[1:-1].split('";"')
    isbn, title, author, year, publisher = (fields + [""] * 5)[:5]
    return {
        "Book Id": "", "Title": title, "Author": author, "Additional Authors": "",
        "ISBN": f'="{isbn}"', "ISBN13": '=""', "My Rating": "0", "Average Rating": "0",
        "Publisher": publisher, "Year Published": year if year != "0" else "",
        "Exclusive Shelf": "to-read", "Bookshelves": "to-read", "Read Count": "0",
        "Owned Copies": "0",
    }


def store_without(bin_path, raw, data, held_out, rng):
    """A data folder whose store holds Book-Crossing without `held_out` of its books (trained),
    and the lines of the books left out."""
    header, lines = bx_books(raw)
    out = set(rng.sample(range(len(lines)), held_out))
    kept_raw = os.path.join(os.path.dirname(data), "raw")
    os.makedirs(kept_raw)
    with open(os.path.join(kept_raw, "BX-Books.csv"), "w", encoding="latin-1", newline="") as f:
        f.write("\n".join([header] + [l for i, l in enumerate(lines) if i not in out]) + "\n")
    for name in ("BX-Users.csv", "BX-Book-Ratings.csv"):
        os.symlink(os.path.abspath(os.path.join(raw, name)), os.path.join(kept_raw, name))
    for step in (["import", "book-crossing", kept_raw], ["train"]):
        started = time.perf_counter()
        subprocess.run([bin_path, "--data-dir", data] + step, check=True,
                       stdout=subprocess.DEVNULL)
        print(f"{step[0]}: {time.perf_counter() - started:.0f} s", flush=True)
    return [lines[i] for i in sorted(out)]


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
    parser.add_argument("--held-out", type=int, default=0,
                        help="build a store without this many Book-Crossing books, then add them")
    parser.add_argument("--raw", default=os.path.join(HERE, "..", "data", "raw"))
    args = parser.parse_args()
    queries_file = os.path.join(HERE, "queries.txt")
    with open(queries_file, encoding="utf-8") as f:
        queries = [line.rstrip("\n") for line in f if line.strip()]
    rng = random.Random(42)
    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(args.data))) as scratch:
        data = os.path.join(scratch, "data")
        if args.held_out:
            held = store_without(args.bin, args.raw, data, args.held_out, rng)
            rows = [bx_row(line) for line in held]
            books_label = "held-out Book-Crossing books"
        else:
            rows = list(goodreads_rows(args.books))
            books_label = "goodbooks books"
            shutil.copytree(args.data, data,
                            ignore=shutil.ignore_patterns("backups", "admin.sock"))
        server = Server(args.bin, data, ["--site-root", os.path.join(HERE, "..", "target", "site")])
        try:
            time.sleep(2)
            bx = []
            held_keys = {r["ISBN"][2:-1] for r in rows}
            with open(os.path.join(args.raw, "BX-Books.csv"), "rb") as f:
                for line in f.read().decode("latin-1").splitlines()[1:5000]:
                    key = line.split(";")[0].strip('"')
                    if key not in held_keys:
                        bx.append(key)
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
                                      books_label: rng.sample(added, 200)},
                    f"after {created} added books")
        finally:
            server.stop()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Score open baselines on the exact split Shelfwise's harness wrote, with independent metric code.

Reads, from the split directory written by `recs_eval --split-out DIR` (Book-Crossing ratings
layout: "User-ID";"ISBN";"Book-Rating"):
  DIR/train.csv, DIR/test.csv   the split
  DIR/works.csv                 isbn,work: Shelfwise's grouping of editions into works
and runs implicit's ALS, BPR and item-cosine and a numpy EASE on the binary users x ISBNs
matrix (every interaction = 1, as these libraries are normally used), then prints one table.
With --recs FILE (user_id,rank,isbn as written by `recs_eval --recs-out`) it also scores those
lists with this file's metric code, as a cross-check of Shelfwise's own numbers.

Protocol (same as Shelfwise): users scored = users with a held-out explicit rating >= 7;
relevant = those held-out ISBNs (per work: their works); rank everything the model knows minus
the user's training items; NDCG@10, Recall@20, HR@10; a work hit counts once.
"""
import argparse
import csv
import math
import os
import resource
import sys
import time

import numpy as np
import scipy.sparse as sp


def read_bx(path):
    users, isbns, ratings = [], [], []
    with open(path, encoding="latin-1") as f:
        next(f)
        for line in f:
            line = line.rstrip("\r\n")
            if not line:
                continue
            parts = line[1:-1].split('";"')
            users.append(int(parts[0]))
            isbns.append(parts[1])
            ratings.append(int(parts[2]))
    return users, isbns, ratings


def read_works(path):
    with open(path) as f:
        r = csv.reader(f)
        next(r)
        return {isbn: int(w) for isbn, w in r}


def metrics(ranked, relevant, k_ndcg=10, k_recall=20, k_hr=10):
    seen, hits = set(), []
    for x in ranked:
        h = x in relevant and x not in seen
        if h:
            seen.add(x)
        hits.append(h)
    dcg = sum(1.0 / math.log2(r + 2) for r, h in enumerate(hits[:k_ndcg]) if h)
    idcg = sum(1.0 / math.log2(r + 2) for r in range(min(len(relevant), k_ndcg)))
    ndcg = dcg / idcg if idcg > 0 else 0.0
    recall = sum(hits[:k_recall]) / len(relevant) if relevant else 0.0
    hr = 1.0 if any(hits[:k_hr]) else 0.0
    return ndcg, recall, hr


def score_lists(lists, relevant_isbn, work_of, catalog_size):
    """lists: user -> ranked ISBNs (>= 20 when possible)."""
    si, sw, seen, n = np.zeros(3), np.zeros(3), set(), 0
    for u, rel in relevant_isbn.items():
        ranked = lists.get(u, [])
        si += metrics(ranked, rel)
        rel_w = {work_of.get(i, i) for i in rel}
        sw += metrics([work_of.get(i, i) for i in ranked], rel_w)
        seen.update(ranked[:10])
        n += 1
    return si / max(n, 1), sw / max(n, 1), len(seen) / catalog_size


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("split", help="directory with train.csv, test.csv, works.csv")
    ap.add_argument("--recs", action="append", default=[], help="NAME=FILE of Shelfwise recs to cross-check")
    ap.add_argument("--als-factors", type=int, nargs="+", default=[128])
    ap.add_argument("--als-alpha", type=float, nargs="+", default=[5.0])
    ap.add_argument("--als-reg", type=float, nargs="+", default=[0.01])
    ap.add_argument("--als-iters", type=int, default=15)
    ap.add_argument("--ease-lambda", type=float, nargs="+", default=[50.0])
    ap.add_argument("--ease-min", type=int, default=8)
    ap.add_argument("--ease-dtype", default="float64")
    ap.add_argument("--bpr-factors", type=int, default=128)
    ap.add_argument("--bpr-iters", type=int, default=100)
    ap.add_argument("--cosine-k", type=int, default=100)
    ap.add_argument("--skip", nargs="*", default=[], help="peers to skip: als bpr cosine ease")
    args = ap.parse_args()

    import implicit
    from threadpoolctl import threadpool_limits
    from implicit.cpu.als import AlternatingLeastSquares
    from implicit.cpu.bpr import BayesianPersonalizedRanking
    from implicit.nearest_neighbours import CosineRecommender

    work_of = read_works(os.path.join(args.split, "works.csv"))
    catalog_size = len(work_of)
    tu, ti, tr = read_bx(os.path.join(args.split, "train.csv"))
    vu, vi, vr = read_bx(os.path.join(args.split, "test.csv"))

    uids = {u: k for k, u in enumerate(sorted(set(tu)))}
    iids = {i: k for k, i in enumerate(sorted(set(ti)))}
    items = np.array(sorted(iids, key=iids.get))
    rows = np.array([uids[u] for u in tu])
    cols = np.array([iids[i] for i in ti])
    X = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(uids), len(iids)))
    X.sum_duplicates()
    X.data[:] = 1.0

    relevant = {}
    for u, i, r in zip(vu, vi, vr):
        if r >= 7:
            relevant.setdefault(u, set()).add(i)
    test_users = sorted(u for u in relevant if u in uids)
    missing = [u for u in relevant if u not in uids]
    test_rows = np.array([uids[u] for u in test_users])
    print(f"implicit {implicit.__version__}; train {X.nnz} interactions, {X.shape[0]} users x {X.shape[1]} ISBNs; "
          f"{len(relevant)} users scored ({len(missing)} without training data)", file=sys.stderr)

    results = []

    def add(name, lists, secs):
        si, sw, cov = score_lists(lists, relevant, work_of, catalog_size)
        results.append((name, si, sw, cov, secs))
        print(f"  {name}: ISBN ndcg {si[0]:.4f}  work ndcg {sw[0]:.4f}  train {secs:.1f}s", file=sys.stderr, flush=True)

    def implicit_lists(model):
        lists = {}
        for start in range(0, len(test_rows), 2000):
            batch = test_rows[start:start + 2000]
            ids, _ = model.recommend(batch, X[batch], N=20, filter_already_liked_items=True)
            for r, row in zip(batch, ids):
                lists[test_users_by_row[r]] = [items[j] for j in row if j >= 0]
        return lists

    test_users_by_row = {uids[u]: u for u in test_users}

    if "als" not in args.skip:
        for f in args.als_factors:
            for a in args.als_alpha:
                for reg in args.als_reg:
                    m = AlternatingLeastSquares(factors=f, alpha=a, regularization=reg,
                                                iterations=args.als_iters, random_state=1)
                    t = time.time()
                    # implicit's advice: its own threads, BLAS single-threaded.
                    with threadpool_limits(1, "blas"):
                        m.fit(X, show_progress=False)
                    secs = time.time() - t
                    add(f"implicit-als f{f} a{a:g} r{reg:g}", implicit_lists(m), secs)
    if "bpr" not in args.skip:
        m = BayesianPersonalizedRanking(factors=args.bpr_factors, iterations=args.bpr_iters, random_state=1)
        t = time.time()
        with threadpool_limits(1, "blas"):
            m.fit(X, show_progress=False)
        add(f"implicit-bpr f{args.bpr_factors}", implicit_lists(m), time.time() - t)
    if "cosine" not in args.skip:
        m = CosineRecommender(K=args.cosine_k)
        t = time.time()
        m.fit(X, show_progress=False)
        add(f"implicit-cosine k{args.cosine_k}", implicit_lists(m), time.time() - t)
    if "ease" not in args.skip:
        counts = np.asarray(X.sum(axis=0)).ravel()
        keep = np.flatnonzero(counts >= args.ease_min)
        Xe = X[:, keep].astype(args.ease_dtype)
        for lam in args.ease_lambda:
            t = time.time()
            G = (Xe.T @ Xe).toarray()
            G[np.diag_indices_from(G)] += lam
            P = np.linalg.inv(G)
            B = P / (-np.diag(P))
            B[np.diag_indices_from(B)] = 0.0
            secs = time.time() - t
            del G, P
            lists = {}
            for start in range(0, len(test_rows), 1000):
                batch = test_rows[start:start + 1000]
                S = np.asarray((Xe[batch] @ B))
                # Never recommend a training item (any of the user's ISBNs, in or out of B).
                S[Xe[batch].nonzero()] = -np.inf
                top = np.argpartition(-S, 20, axis=1)[:, :20]
                for k, r in enumerate(batch):
                    order = top[k][np.argsort(-S[k, top[k]], kind="stable")]
                    lists[test_users_by_row[r]] = [items[keep[j]] for j in order if np.isfinite(S[k, j])]
            add(f"numpy-ease l{lam:g} n{len(keep)}", lists, secs)
            del B

    for spec in args.recs:
        name, path = spec.split("=", 1)
        lists = {}
        with open(path) as f:
            r = csv.reader(f)
            next(r)
            for u, rank, isbn in r:
                lists.setdefault(int(u), []).append(isbn)
        add(f"{name} (rescored)", lists, float("nan"))

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'model':<32} {'NDCG@10':>8} {'Recall@20':>9} {'HR@10':>7} | {'NDCG@10':>8} {'Recall@20':>9} {'HR@10':>7} | {'coverage':>8} {'train s':>8}")
    print(f"{'':<32} {'per ISBN':>8} {'':>9} {'':>7} | {'per work':>8}")
    for name, si, sw, cov, secs in results:
        print(f"{name:<32} {si[0]:>8.4f} {si[1]:>9.4f} {si[2]:>7.4f} | {sw[0]:>8.4f} {sw[1]:>9.4f} {sw[2]:>7.4f} | {cov*100:>7.2f}% {secs:>8.1f}")
    print(f"peak RSS of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Score open baselines on the exact split Shelfwise's harness wrote, with independent metric code.

Reads, from the split directory written by `recs_eval --split-out DIR` (Book-Crossing ratings
layout: "User-ID";"ISBN";"Book-Rating"):
  DIR/train.csv, DIR/test.csv   the split
  DIR/works.csv                 isbn,work: Shelfwise's grouping of editions into works
  DIR/buckets.csv               user_id,bucket (only for a cold-start split, --buckets)

Every peer runs at two levels:
  isbn   on the binary users x ISBNs matrix, as these libraries are normally used;
  works  on the binary users x works matrix (each training ISBN mapped to its work by
         works.csv); a recommended work is shown as its most-read edition (most training
         interactions), exactly as Shelfwise shows a work.
Either way the shown list is scored per ISBN (the shown edition against the held-out ISBNs) and
per work (any edition of a held-out work, counted once), like Shelfwise's own numbers.

Hyper-parameters are picked on a validation split carved from train.csv (each training user
with >= 5 interactions has 20% of them, at least one, held out; seed fixed; relevant = held-out
rating >= 7), by NDCG@10 per work; the chosen setting is then retrained on all of train.csv and
scored on test.csv. --params-out writes the choices, --params-in reuses them without tuning
(the cold-start run reuses the main split's choices).

With --recs NAME=FILE (user_id,rank,isbn as written by `recs_eval --recs-out/--lists-out`) it
also scores Shelfwise's lists with this file's metric code: a cross-check of Shelfwise's own
numbers, and the beyond-accuracy figures and cold-start buckets of Shelfwise's models.
"""
import argparse
import csv
import json
import logging
import math
import os
import resource
import sys
import time

import numpy as np
import scipy.sparse as sp

logging.basicConfig(level=logging.WARNING)  # SANSA logs every step at INFO

K_LIST = 20  # every list is cut at 20 (Recall@20); the other metrics read its first 10


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Data


def read_bx(path):
    """(users, isbns, ratings) of a ratings file in the Book-Crossing layout."""
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
    return np.array(users), np.array(isbns, dtype=object), np.array(ratings)


def read_works(path):
    with open(path) as f:
        r = csv.reader(f)
        next(r)
        return {isbn: int(w) for isbn, w in r}


def normalize_isbn(raw):
    """The catalog key of an ISBN as Shelfwise spells it (engine/src/isbn.rs::normalize), so
    the books file's authors meet the split's ISBNs."""
    s = "".join(c for c in raw if c not in " \t-.\"'=\u00a0").upper()
    if len(s) == 13 and s.isdigit():
        if not s.startswith("978"):
            return s
        body = s[3:12]
        check = (11 - sum((10 - k) * int(d) for k, d in enumerate(body)) % 11) % 11
        return body + ("X" if check == 10 else str(check))
    if len(s) == 9 and s.isdigit():
        return "0" + s
    if len(s) == 10 and s.isalnum() and s.isascii():
        return s
    return None


def read_authors(path):
    """isbn -> author key (case and spacing folded) from BX-Books.csv / Books.csv."""
    out = {}
    if not path or not os.path.exists(path):
        return out
    with open(path, encoding="latin-1") as f:
        next(f)
        for line in f:
            parts = line.rstrip("\r\n")[1:-1].split('";"')
            if len(parts) < 3:
                continue
            key = normalize_isbn(parts[0])
            if key:
                out.setdefault(key, " ".join(parts[2].lower().split()))
    return out


class Level:
    """The item space of one level (ISBNs or works) for one training set: the binary users x
    items matrix, item popularity, and, for works, the edition each work is shown as."""

    def __init__(self, name, users, isbns, work_of):
        self.name = name
        if name == "works":
            # An ISBN missing from works.csv is its own work (cannot happen with recs_eval's
            # files, but keeps a hand-made split usable).
            keys = np.array([work_of.get(i, i) for i in isbns], dtype=object)
        else:
            keys = isbns
        self.uids = {u: k for k, u in enumerate(np.unique(users))}
        items, cols = np.unique(keys.astype(str), return_inverse=True)
        self.items = items
        rows = np.array([self.uids[u] for u in users])
        X = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                          shape=(len(self.uids), len(items)))
        X.sum_duplicates()
        X.data[:] = 1.0
        self.X = X
        self.pop = np.asarray(X.sum(axis=0)).ravel()
        self.pop_order = np.argsort(-self.pop, kind="stable")
        if name == "works":
            # Most-read edition of each work (most training interactions; ties: smallest ISBN).
            counts = {}
            for i in isbns:
                counts[i] = counts.get(i, 0) + 1
            best = {}
            for i, n in counts.items():
                w = str(work_of.get(i, i))
                b = best.get(w)
                if b is None or n > b[0] or (n == b[0] and i < b[1]):
                    best[w] = (n, i)
            self.shown = np.array([best[w][1] for w in items], dtype=object)
        else:
            self.shown = items


def validation_split(users, isbns, ratings, seed, holdout=0.2, min_n=5):
    """Carve validation from training rows: users with >= min_n rows hold out 20% (>= 1)."""
    rng = np.random.default_rng(seed)
    order = np.lexsort((isbns.astype(str), users))
    users, isbns, ratings = users[order], isbns[order], ratings[order]
    starts = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    ends = np.r_[starts[1:], len(users)]
    held = np.zeros(len(users), dtype=bool)
    for s, e in zip(starts, ends):
        n = e - s
        if n < min_n:
            continue
        k = min(max(int(round(n * holdout)), 1), n)
        held[s + rng.permutation(n)[:k]] = True
    keep = ~held
    return (users[keep], isbns[keep], ratings[keep]), (users[held], isbns[held], ratings[held])


def relevant_of(users, isbns, ratings):
    rel = {}
    for u, i, r in zip(users, isbns, ratings):
        if r >= 7:
            rel.setdefault(int(u), set()).add(i)
    return rel


# ---------------------------------------------------------------------------------------------
# Ranking and metrics


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


class Scorer:
    """Scores ranked ISBN lists against held-out relevant ISBNs, per ISBN and per work, and
    their beyond-accuracy figures."""

    def __init__(self, relevant, work_of, catalog_size, work_pop, authors):
        self.relevant = relevant
        self.work_of = work_of
        self.catalog_size = catalog_size
        self.authors = authors
        # Popularity rank of every work by training readers (1 = most read); unread works
        # share the rank after the last read one.
        ws = sorted(work_pop.items(), key=lambda x: -x[1])
        self.rank = {w: r + 1 for r, (w, _) in enumerate(ws)}
        self.unread_rank = len(ws) + 1

    def work(self, isbn):
        return self.work_of.get(isbn, isbn)

    def score(self, lists, users=None):
        """Mean (per ISBN, per work) metrics over `users` (default: every scored user), top-10
        coverage of the catalog's editions, mean popularity rank, author diversity."""
        users = self.relevant.keys() if users is None else users
        si, sw, seen, n = np.zeros(3), np.zeros(3), set(), 0
        ranks, div = [], []
        for u in users:
            rel = self.relevant[u]
            ranked = lists.get(u, [])
            si += metrics(ranked, rel)
            sw += metrics([self.work(i) for i in ranked], {self.work(i) for i in rel})
            top = ranked[:10]
            seen.update(top)
            ranks.extend(self.rank.get(self.work(i), self.unread_rank) for i in top)
            if top:
                div.append(len({self.authors.get(i, "?" + i) for i in top}) / len(top))
            n += 1
        n = max(n, 1)
        return dict(isbn=si / n, work=sw / n, coverage=len(seen) / self.catalog_size,
                    novelty=float(np.mean(ranks)) if ranks else float("nan"),
                    diversity=float(np.mean(div)) if div else float("nan"), users=n)


def top_lists(level, fitted, users, batch=500):
    """user -> shown ISBNs (top 20): the model's ranking minus the user's training items, then
    the most popular remaining items for a user it cannot score or whose list runs short (a
    deployment falls back to popularity)."""
    rows = [level.uids.get(u) for u in users]
    known = [(u, r) for u, r in zip(users, rows) if r is not None]
    lists = {}
    for u in users:
        if level.uids.get(u) is None:
            lists[u] = list(level.shown[level.pop_order[:K_LIST]])
    for s in range(0, len(known), batch):
        part = known[s:s + batch]
        Xb = level.X[[r for _, r in part]]
        S, cols = fitted.scores(Xb, np.array([r for _, r in part]))
        S = np.asarray(S, dtype=np.float32)
        if cols is None:
            S[Xb.nonzero()] = -np.inf
        for k, (u, r) in enumerate(part):
            row = S[k]
            mine = set(Xb.indices[Xb.indptr[k]:Xb.indptr[k + 1]])
            if cols is not None:
                mask = np.isin(cols, list(mine)) if mine else np.zeros(len(cols), bool)
                row = np.where(mask, -np.inf, row)
            m = min(K_LIST, len(row) - 1)
            top = np.argpartition(-row, m)[:m + 1] if m > 0 else np.arange(len(row))
            top = top[np.argsort(-row[top], kind="stable")]
            # "Cannot score" = a score of exactly 0: no signal (e.g. every item of the user is
            # outside the model's item set, or a neighbour model with too few neighbours);
            # popularity fills the rest.
            top = [t for t in top if np.isfinite(row[t]) and row[t] != 0][:K_LIST]
            picked = [int(t) if cols is None else int(cols[t]) for t in top]
            if len(picked) < K_LIST:
                have = set(picked) | mine
                for t in level.pop_order:
                    if len(picked) >= K_LIST:
                        break
                    if t not in have:
                        picked.append(int(t))
            lists[u] = list(level.shown[picked])
    return lists


# ---------------------------------------------------------------------------------------------
# Models. Each fit(level, **params) returns an object with scores(Xb) -> (dense scores,
# columns or None for all items).


def restrict(level, min_users):
    """The items with >= min_users training readers (the dense models cannot hold them all)."""
    return np.flatnonzero(level.pop >= min_users)


class Popularity:
    def __init__(self, level):
        self.pop = level.pop.astype(np.float32)

    def scores(self, Xb, rows):
        return np.tile(self.pop, (Xb.shape[0], 1)), None


class Factors:
    """Scores = U[rows] V': the scored users are training users, whose factors are learnt."""

    def __init__(self, U, V):
        self.U, self.V = U, V

    def scores(self, Xb, rows):
        return self.U[rows] @ self.V.T, None


def fit_als(level, factors, alpha, reg, iters=15):
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits
    m = AlternatingLeastSquares(factors=factors, alpha=alpha, regularization=reg,
                                iterations=iters, random_state=1)
    # implicit's advice: its own threads, BLAS single-threaded.
    with threadpool_limits(1, "blas"):
        m.fit(level.X, show_progress=False)
    return Factors(m.user_factors, m.item_factors)


def fit_bpr(level, factors, lr, reg=0.01, iters=100):
    from implicit.cpu.bpr import BayesianPersonalizedRanking
    from threadpoolctl import threadpool_limits
    m = BayesianPersonalizedRanking(factors=factors, learning_rate=lr, regularization=reg,
                                    iterations=iters, random_state=1)
    with threadpool_limits(1, "blas"):
        m.fit(level.X, show_progress=False)
    return Factors(m.user_factors, m.item_factors)


class Linear:
    """Scores = X[:, cols] @ W (an item-item model over a subset of items)."""

    def __init__(self, cols, W):
        self.cols, self.W = cols, W

    def scores(self, Xb, rows):
        S = Xb[:, self.cols] @ self.W
        return (S.toarray() if sp.issparse(S) else np.asarray(S)), self.cols


def fit_cosine(level, k):
    from implicit.nearest_neighbours import CosineRecommender
    m = CosineRecommender(K=k)
    m.fit(level.X, show_progress=False)
    # implicit scores a user by summing row i (item i's neighbours) over their items i.
    return Linear(np.arange(level.X.shape[1]), m.similarity.tocsr())


def fit_ease(level, lam, min_users=8, dtype="float32"):
    """EASE (Steck 2019) on the items with >= min_users readers: B = I - P diag(1/diag P),
    P = (X'X + lam I)^-1, by Cholesky (half the work of a general inverse)."""
    from scipy.linalg import lapack
    cols = restrict(level, min_users)
    Xe = level.X[:, cols].astype(dtype)
    G = (Xe.T @ Xe).toarray()
    G[np.diag_indices_from(G)] += lam
    potrf, potri = (lapack.spotrf, lapack.spotri) if dtype == "float32" else (lapack.dpotrf, lapack.dpotri)
    c, info = potrf(G, lower=1, clean=0, overwrite_a=1)
    assert info == 0, f"cholesky failed: {info}"
    P, info = potri(c, lower=1, overwrite_c=1)
    assert info == 0, f"inverse failed: {info}"
    del c, G
    P = np.tril(P) + np.tril(P, -1).T
    B = P / (-np.diag(P))
    B[np.diag_indices_from(B)] = 0.0
    return Linear(cols, B)


def rp3_neighbours(level, alpha, betas, kmax, min_users, chunk=1000):
    """RP3beta (Paudel et al. 2017; as in Dacrema et al.'s reference code): P_ui = row-normalised
    X, P_iu = row-normalised X', both raised to alpha; W = P_iu P_ui with column j divided by
    pop_j^beta; the top kmax per row. One pass of the product serves every beta (and every
    k <= kmax, a prefix of the sorted rows)."""
    cols = restrict(level, min_users)
    X = level.X[:, cols].tocsr()
    deg_u = np.asarray(X.sum(axis=1)).ravel()
    deg_i = np.asarray(X.sum(axis=0)).ravel()
    Pui = sp.diags(1.0 / np.maximum(deg_u, 1)) @ X
    Piu = (sp.diags(1.0 / np.maximum(deg_i, 1)) @ X.T.tocsr()).tocsr()
    Pui.data **= alpha
    Piu.data **= alpha
    Pui = Pui.tocsc()
    n = len(cols)
    out = {b: (np.zeros((n, kmax), np.int32), np.zeros((n, kmax), np.float32)) for b in betas}
    for s in range(0, n, chunk):
        D = (Piu[s:s + chunk] @ Pui).toarray().astype(np.float32)
        for b in betas:
            Db = D / np.power(np.maximum(deg_i, 1), b).astype(np.float32)
            idx = np.argpartition(-Db, kmax, axis=1)[:, :kmax]
            val = np.take_along_axis(Db, idx, axis=1)
            o = np.argsort(-val, axis=1, kind="stable")
            out[b][0][s:s + chunk] = np.take_along_axis(idx, o, axis=1)
            out[b][1][s:s + chunk] = np.take_along_axis(val, o, axis=1)
    return cols, out


def rp3_model(cols, nb, k):
    idx, val = nb
    n = len(cols)
    W = sp.csr_matrix((val[:, :k].ravel(), idx[:, :k].ravel(), np.arange(0, n * k + 1, k)), shape=(n, n))
    return Linear(cols, W)


def fit_slim(level, l1, l2, k=100, min_users=8, log_every=5000):
    """SLIM (Ning & Karypis 2011) restricted as in fsSLIM (feature-selection SLIM): item j is
    regressed, non-negatively with an elastic net, on its k most cosine-similar items only, over
    the users who have one of them (others add nothing). Penalties are SLIM's own
    (1/2 ||x_j - X w||^2 + l1 ||w||_1 + l2/2 ||w||^2), hence sklearn's alpha scaled by rows."""
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import ElasticNet
    cols = restrict(level, min_users)
    X = level.X[:, cols].tocsc()
    n = len(cols)
    deg = np.asarray(X.sum(axis=0)).ravel()
    G = (X.T @ X).tocsc()
    inv = 1.0 / np.sqrt(np.maximum(deg, 1))
    W_rows, W_cols, W_vals = [], [], []
    alpha = (l1 + l2)
    ratio = l1 / (l1 + l2)
    t = time.time()
    for s in range(0, n, 1000):
        C = G[:, s:s + 1000].toarray() * inv[:, None] * inv[None, s:s + 1000]
        for c in range(C.shape[1]):
            j = s + c
            C[j, c] = 0.0
            nbrs = np.argpartition(-C[:, c], k)[:k]
            nbrs = nbrs[C[nbrs, c] > 0]
            if len(nbrs) == 0:
                continue
            F = X[:, nbrs]
            users = np.unique(F.indices)
            A = F[users].toarray()
            y = X[users, j].toarray().ravel()
            m = ElasticNet(alpha=alpha / len(users), l1_ratio=ratio, positive=True,
                           fit_intercept=False, max_iter=200, tol=1e-4, selection="cyclic")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                m.fit(A, y)
            nz = np.flatnonzero(m.coef_)
            W_rows.extend(nbrs[nz])
            W_cols.extend([j] * len(nz))
            W_vals.extend(m.coef_[nz])
            if (j + 1) % log_every == 0:
                log(f"    slim {j + 1}/{n} items, {time.time() - t:.0f}s")
    W = sp.csr_matrix((np.array(W_vals, np.float32), (W_rows, W_cols)), shape=(n, n))
    return Linear(cols, W)


def fit_sansa(level, l2, density, min_users=1):
    """SANSA (Spišák et al. 2023): EASE's inverse approximated by a sparse LDL^T of X'X + l2 I and
    a sparse approximate inverse, so it scales to every item; scores = (x A) B."""
    from sansa import (ICFGramianFactorizerConfig, SANSA, SANSAConfig,
                       UMRUnitLowerTriangleInverterConfig)
    cols = restrict(level, min_users)
    config = SANSAConfig(
        l2=l2,
        weight_matrix_density=density,
        gramian_factorizer_config=ICFGramianFactorizerConfig(factorization_shift_step=1e-3),
        lower_triangle_inverter_config=UMRUnitLowerTriangleInverterConfig(scans=1, finetune_steps=5),
    )
    m = SANSA(config)
    m.fit(level.X[:, cols].tocsr())
    A, B = m.weights

    class S:
        def scores(self, Xb, rows):
            S = (Xb[:, cols] @ A) @ B
            return (S.toarray() if sp.issparse(S) else np.asarray(S)), cols
    return S()


def fit_vae(level, epochs, anneal_cap=0.2, hidden=600, latent=200, min_users=8, batch=500,
            lr=1e-3, seed=1, eval_fn=None, eval_every=0):
    """Mult-VAE (Liang et al. 2018), the paper's architecture [I-600-200-600-I], tanh, input
    dropout 0.5, KL weight annealed linearly to anneal_cap over 200k updates as in the paper,
    on the items with >= min_users readers. eval_fn(model) is called every eval_every epochs
    (validation picks the epoch count)."""
    import torch
    torch.manual_seed(seed)
    torch.set_num_threads(2)
    cols = restrict(level, min_users)
    X = level.X[:, cols].tocsr()
    train_rows = np.flatnonzero(np.diff(X.indptr) > 0)
    n_items = len(cols)

    class VAE(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.enc = torch.nn.Linear(n_items, hidden)
            self.mu = torch.nn.Linear(hidden, latent)
            self.logvar = torch.nn.Linear(hidden, latent)
            self.dec1 = torch.nn.Linear(latent, hidden)
            self.dec2 = torch.nn.Linear(hidden, n_items)
            self.drop = torch.nn.Dropout(0.5)

        def forward(self, x):
            x = torch.nn.functional.normalize(x, dim=1)
            h = torch.tanh(self.enc(self.drop(x)))
            mu, logvar = self.mu(h), self.logvar(h)
            z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar) if self.training else mu
            return self.dec2(torch.tanh(self.dec1(z))), mu, logvar

    net = VAE()
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    steps, total_anneal = 0, 200000

    def dense(rows):
        return torch.from_numpy(X[rows].toarray())

    class M:
        def scores(self, Xb, rows):
            net.eval()
            with torch.no_grad():
                x = torch.from_numpy(Xb[:, cols].toarray())
                out = net(x)[0].numpy()
            # A user with nothing in the model's items gets nothing (popularity fills in).
            out[x.sum(1).numpy() == 0] = 0.0
            return out, cols

    model = M()
    history = []
    for ep in range(1, epochs + 1):
        net.train()
        t = time.time()
        order = rng.permutation(train_rows)
        loss_sum = 0.0
        for s in range(0, len(order), batch):
            x = dense(order[s:s + batch])
            logits, mu, logvar = net(x)
            nll = -(torch.log_softmax(logits, 1) * x).sum(1).mean()
            kl = (-0.5 * (1 + logvar - mu ** 2 - logvar.exp()).sum(1)).mean()
            beta = min(anneal_cap, steps / total_anneal)
            loss = nll + beta * kl
            opt.zero_grad()
            loss.backward()
            opt.step()
            steps += 1
            loss_sum += float(loss.detach())
        log(f"    vae epoch {ep}: loss {loss_sum / max(1, len(order) // batch):.2f}, {time.time() - t:.0f}s")
        if eval_fn and eval_every and ep % eval_every == 0:
            history.append((ep, eval_fn(model)))
    model.history = history
    return model


# ---------------------------------------------------------------------------------------------
# Grids and tuning


def grids(kind):
    """Candidate settings per peer. "quick" (bench/run.sh's default) has one or two per peer so
    a run stays within the hour; "full" is the validation grid behind the published table."""
    full = kind == "full"
    return {
        "popularity": [{}],
        "implicit-als": [dict(factors=128, alpha=a, reg=0.01) for a in ([5, 10] if full else [10])],
        # Rendle et al. 2022: many more factors, and weight of unobserved items (1/(1+alpha) in
        # implicit's terms) and regularisation tuned together.
        "ials": ([dict(factors=f, alpha=a, reg=r) for f in (256, 512) for a, r in ((1, 1.0), (5, 10.0))]
                 if full else [dict(factors=256, alpha=5, reg=10.0)]),
        "bpr": [dict(factors=128, lr=lr) for lr in ([0.01, 0.05] if full else [0.05])],
        "cosine": [dict(k=k) for k in ([50, 200] if full else [100])],
        "ease": [dict(lam=l) for l in ([50, 200, 500] if full else [100])],
        "rp3beta": ([dict(alpha=a, beta=b, k=k) for a in (0.6, 1.0) for b in (0.0, 0.3, 0.5)
                     for k in (50, 200)] if full else [dict(alpha=1.0, beta=0.3, k=200)]),
        "slim": ([dict(l1=l1, l2=10.0) for l1 in (0.1, 1.0)] if full else [dict(l1=0.1, l2=10.0)]),
        "sansa": ([dict(l2=l, density=5e-4) for l in (20.0, 100.0)]
                  if full else [dict(l2=100.0, density=5e-4)]),
        # One KL cap (the paper's best, 0.2); validation picks the epoch count.
        "vae": [dict(anneal_cap=0.2)],
    }


# The strongest first: a run cut short still has them.
PEERS = ["popularity", "ease", "ials", "rp3beta", "slim", "sansa", "implicit-als", "cosine", "bpr",
         "vae"]


def fit_many(name, level, settings, args):
    """Yield (setting, fitted model, train seconds) for every setting; settings that share the
    expensive part (RP3beta's product for every beta and k) share it."""
    if name == "rp3beta":
        for a in sorted({s["alpha"] for s in settings}):
            mine = [s for s in settings if s["alpha"] == a]
            t = time.time()
            cols, nb = rp3_neighbours(level, a, sorted({s["beta"] for s in mine}),
                                      max(s["k"] for s in mine), args.rp3_min)
            secs = time.time() - t
            for s in mine:
                yield s, rp3_model(cols, nb[s["beta"]], s["k"]), secs
        return
    for s in settings:
        t = time.time()
        if name == "popularity":
            m = Popularity(level)
        elif name in ("implicit-als", "ials"):
            m = fit_als(level, s["factors"], s["alpha"], s["reg"], args.als_iters)
        elif name == "bpr":
            m = fit_bpr(level, s["factors"], s["lr"])
        elif name == "cosine":
            m = fit_cosine(level, s["k"])
        elif name == "ease":
            m = fit_ease(level, s["lam"], args.ease_min, args.ease_dtype)
        elif name == "slim":
            m = fit_slim(level, s["l1"], s["l2"], args.slim_k, args.slim_min)
        elif name == "sansa":
            m = fit_sansa(level, s["l2"], s["density"], args.sansa_min)
        elif name == "vae":
            m = fit_vae(level, s["epochs"], s["anneal_cap"], min_users=args.vae_min,
                        eval_fn=s.get("eval_fn"), eval_every=s.get("eval_every", 0))
        else:
            raise ValueError(name)
        yield s, m, time.time() - t


def tune(name, level_name, data, settings, args):
    """Pick a peer's setting on the validation split (NDCG@10 per work)."""
    vlevel = data["val_level"][level_name]
    scorer = data["val_scorer"]
    users = sorted(scorer.relevant)
    rows = []
    if name == "vae":
        # The epoch count is chosen on validation as well: one run per setting, scored every
        # few epochs.
        tried = []
        for s in settings:
            s = dict(s, epochs=args.vae_epochs, eval_every=args.vae_eval_every)
            s["eval_fn"] = lambda m: scorer.score(top_lists(vlevel, m, users))["work"][0]
            for s2, m, secs in fit_many(name, vlevel, [s], args):
                for ep, v in m.history:
                    setting = dict(anneal_cap=s["anneal_cap"], epochs=ep)
                    log(f"  val {name}/{level_name} {setting}: work ndcg {v:.4f}")
                    tried.append((v, setting, secs))
        best = max(tried, key=lambda x: x[0])
        return best[1], [(t[1], t[0]) for t in tried]
    for s, m, secs in fit_many(name, vlevel, settings, args):
        r = scorer.score(top_lists(vlevel, m, users))
        log(f"  val {name}/{level_name} {s}: work ndcg {r['work'][0]:.4f} isbn {r['isbn'][0]:.4f} ({secs:.0f}s)")
        rows.append((s, r["work"][0]))
        del m
    best = max(rows, key=lambda x: x[1])
    return best[0], rows


# ---------------------------------------------------------------------------------------------
# Output


HEAD = (f"{'model':<26} {'level':<5} {'NDCG@10':>8} {'Rec@20':>7} {'HR@10':>6} | {'NDCG@10':>8} "
        f"{'Rec@20':>7} {'HR@10':>6} | {'cover':>6} {'pop rank':>8} {'authors':>7} | {'train s':>7}  params")


def row_text(name, level, r, secs, params):
    si, sw = r["isbn"], r["work"]
    return (f"{name:<26} {level:<5} {si[0]:>8.4f} {si[1]:>7.4f} {si[2]:>6.4f} | {sw[0]:>8.4f} "
            f"{sw[1]:>7.4f} {sw[2]:>6.4f} | {r['coverage'] * 100:>5.2f}% {r['novelty']:>8.0f} "
            f"{r['diversity']:>7.3f} | {secs:>7.1f}  {params}")


def fmt_params(p):
    return " ".join(f"{k}={v:g}" if isinstance(v, (int, float)) else f"{k}={v}" for k, v in p.items()
                    if k not in ("eval_fn", "eval_every"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("split", help="directory with train.csv, test.csv, works.csv")
    ap.add_argument("--books", default="data/raw/BX-Books.csv", help="authors for diversity")
    ap.add_argument("--recs", action="append", default=[], help="NAME=FILE of Shelfwise lists to score")
    # Mult-VAE is off unless asked for: an epoch took ~10 minutes on the shared 2-core machine,
    # and picking the epoch count on validation then retraining takes dozens of them.
    ap.add_argument("--peers", nargs="+", default=[p for p in PEERS if p != "vae"], choices=PEERS)
    ap.add_argument("--skip", nargs="*", default=[], help="peers to leave out")
    ap.add_argument("--levels", nargs="+", default=["isbn", "works"], choices=["isbn", "works"])
    ap.add_argument("--grid", default="quick", choices=["quick", "full"])
    ap.add_argument("--params-in", help="JSON of chosen settings (no tuning)")
    ap.add_argument("--params-out", help="write the chosen settings here")
    ap.add_argument("--buckets", action="store_true", help="cold-start split: score per bucket")
    ap.add_argument("--val-seed", type=int, default=43)
    ap.add_argument("--als-iters", type=int, default=15)
    ap.add_argument("--ease-min", type=int, default=8)
    ap.add_argument("--ease-dtype", default="float32")
    ap.add_argument("--rp3-min", type=int, default=2)
    ap.add_argument("--slim-min", type=int, default=8)
    ap.add_argument("--slim-k", type=int, default=100)
    ap.add_argument("--sansa-min", type=int, default=2)
    ap.add_argument("--vae-min", type=int, default=10)
    ap.add_argument("--vae-epochs", type=int, default=15)
    ap.add_argument("--vae-eval-every", type=int, default=5)
    args = ap.parse_args()
    peers = [p for p in args.peers if p not in args.skip]

    work_of = read_works(os.path.join(args.split, "works.csv"))
    authors = read_authors(args.books)
    tu, ti, tr = read_bx(os.path.join(args.split, "train.csv"))
    vu, vi, vr = read_bx(os.path.join(args.split, "test.csv"))
    relevant = relevant_of(vu, vi, vr)

    def work_pop(isbns):
        out = {}
        for i in isbns:
            w = work_of.get(i, i)
            out[w] = out.get(w, 0) + 1
        return out

    test_scorer = Scorer(relevant, work_of, len(work_of), work_pop(ti), authors)
    levels = {name: Level(name, tu, ti, work_of) for name in args.levels}
    buckets = {}
    if args.buckets:
        with open(os.path.join(args.split, "buckets.csv")) as f:
            r = csv.reader(f)
            next(r)
            for u, n in r:
                buckets.setdefault(int(n), []).append(int(u))
    log(f"train {len(tu)} rows, {levels[args.levels[0]].X.shape[0]} users; "
        + "; ".join(f"{k}: {l.X.shape[1]} items" for k, l in levels.items())
        + f"; {len(relevant)} users scored; authors for {len(authors)} ISBNs")

    chosen = {}
    if args.params_in:
        with open(args.params_in) as f:
            chosen = json.load(f)
    else:
        (a, b, _), (hu, hi, hr) = validation_split(tu, ti, tr, args.val_seed)
        data = {"val_level": {n: Level(n, a, b, work_of) for n in args.levels},
                "val_scorer": Scorer(relevant_of(hu, hi, hr), work_of, len(work_of), work_pop(b), authors)}
        log(f"validation: {len(a)} train rows, {len(hu)} held out, {len(data['val_scorer'].relevant)} users scored")
    validation = []
    results = []
    test_users = sorted(relevant)
    for level_name in args.levels:
        level = levels[level_name]
        for name in peers:
            settings = grids(args.grid)[name]
            try:
                if args.params_in:
                    if name not in chosen.get(level_name, {}):
                        continue
                    best = chosen[level_name][name]
                elif len(settings) == 1 and name != "vae":
                    best = settings[0]
                else:
                    t = time.time()
                    best, tried = tune(name, level_name, data, settings, args)
                    validation.append((name, level_name, tried, time.time() - t))
                chosen.setdefault(level_name, {})[name] = best
                for s, m, secs in fit_many(name, level, [best], args):
                    lists = top_lists(level, m, test_users)
                    r = test_scorer.score(lists)
                    per_bucket = {n: test_scorer.score(lists, [u for u in us if u in relevant])
                                  for n, us in sorted(buckets.items())}
                    results.append((name, level_name, r, secs, fmt_params(best), per_bucket))
                    log(row_text(name, level_name, r, secs, fmt_params(best)))
                    del m
            except Exception as e:  # one peer failing must not lose the others' figures
                log(f"  {name}/{level_name} failed: {type(e).__name__}: {e}")
                results.append((name, level_name, None, float("nan"), f"FAILED: {type(e).__name__}: {e}", {}))
    if args.params_out:
        with open(args.params_out, "w") as f:
            json.dump(chosen, f, indent=1)

    for spec in args.recs:
        name, path = spec.split("=", 1)
        lists = {}
        with open(path) as f:
            r = csv.reader(f)
            next(r)
            for u, rank, isbn in r:
                lists.setdefault(int(u), []).append(isbn)
        r = test_scorer.score(lists)
        per_bucket = {n: test_scorer.score(lists, [u for u in us if u in relevant])
                      for n, us in sorted(buckets.items())}
        results.append((name, "works", r, float("nan"), "(Shelfwise's lists, rescored)", per_bucket))

    print(f"# {len(tu)} train rows, {len(vu)} held out, {len(relevant)} users scored; "
          + (f"settings from {args.params_in}" if args.params_in
             else f"settings chosen on validation (grid {args.grid})"))
    print("# per ISBN | per work | top-10 coverage of catalog editions, mean popularity rank of the"
          " works shown (1 = most read), distinct authors per top-10 | train seconds (chosen setting)")
    print(HEAD)
    for name, level, r, secs, params, _ in results:
        if r is None:
            print(f"{name:<26} {level:<5} {params}")
        else:
            print(row_text(name, level, r, secs, params))
    if buckets:
        sizes = sorted(buckets)
        print()
        print("# cold start: NDCG@10 / Recall@20 per work, readers with n training interactions"
              f" ({', '.join(f'n={n}: {sum(1 for u in buckets[n] if u in relevant)}' for n in sizes)} scored)")
        print(f"{'model':<26} {'level':<5} " + " ".join(f"{'n=' + str(n):>15}" for n in sizes))
        for name, level, r, secs, params, pb in results:
            if r is None:
                continue
            print(f"{name:<26} {level:<5} " + " ".join(
                f"{pb[n]['work'][0]:>7.4f}/{pb[n]['work'][1]:.4f}" for n in sizes))
        print("# the same per ISBN")
        for name, level, r, secs, params, pb in results:
            if r is None:
                continue
            print(f"{name:<26} {level:<5} " + " ".join(
                f"{pb[n]['isbn'][0]:>7.4f}/{pb[n]['isbn'][1]:.4f}" for n in sizes))
    if validation:
        print()
        print("# validation (NDCG@10 per work) of every setting tried")
        for name, level, tried, secs in validation:
            print(f"{name}/{level} ({secs:.0f}s): " + " · ".join(f"{fmt_params(s)} {v:.4f}" for s, v in tried))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"# peak RSS of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()

# Why Mult-VAE is off by default in peers.py: time one epoch of peers.fit_vae at full item
# scale (items with >= 10 readers) on the first 10,000 training users of a split and scale it to
# every user with such an item.   .venv/bin/python bench/vae_timing.py SPLIT_DIR
import sys, time, types
import numpy as np
sys.path.insert(0, "bench")
import peers
tu, ti, tr = peers.read_bx(sys.argv[1] + "/train.csv")
work_of = peers.read_works(sys.argv[1] + "/works.csv")
for name in ("works", "isbn"):
    lvl = peers.Level(name, tu, ti, work_of)
    cols = peers.restrict(lvl, 10)
    active = int((np.diff(lvl.X[:, cols].tocsr().indptr) > 0).sum())
    sub = types.SimpleNamespace(X=lvl.X[:10000], pop=lvl.pop)
    n_sub = int((np.diff(sub.X[:, cols].tocsr().indptr) > 0).sum())
    t = time.time()
    peers.fit_vae(sub, epochs=1, min_users=10)
    secs = time.time() - t
    print(f"{name}: {len(cols)} items with >= 10 readers, {active} users with one; "
          f"1 epoch over {n_sub} of them took {secs:.0f}s -> full epoch ~{secs * active / n_sub:.0f}s")

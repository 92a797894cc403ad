"""The scaling table and its plot, from the rows bench/scaling.sh collected.

    scaling_plot.py ROWS.tsv --logs DIR --commands FILE --table OUT.txt --svg OUT.svg

Reads the rows of engine/examples/scale_bench.rs (one per size and model) and each run's
/usr/bin/time -v log (DIR/log-LABEL-MODEL.txt, for the whole process's peak RSS), prints one
table, and plots cost against size per model, log-log: training time, peak RSS (with a
horizontal 24 GB line), model file size, fold-in p99. For each model a power law
(cost = a * size^b) is fitted through its two largest measured sizes, and the size at which its peak
RSS would cross 24 GB is extrapolated from it and marked (an extrapolation, said so in the plot
and the table). EASE without a memory budget is drawn too, computed rather than measured: its
n x n float32 Gram matrix over every work with 5+ readers at that size.
"""

import argparse
import csv
import math
import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

LIMIT_GB = 24.0
ORDER = ["popularity", "content", "item-knn", "als", "ease", "hybrid", "hybrid-reranked"]


def process_peak_mb(logs: Path, label: str, model: str) -> float:
    """The whole process's peak RSS from its /usr/bin/time -v log, in MB (NaN if absent)."""
    log = logs / f"log-{label}-{model}.txt"
    if not log.exists():
        return math.nan
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", log.read_text())
    return int(m.group(1)) * 1024 / 1e6 if m else math.nan


def scale_of(label: str) -> float:
    """x4 -> 4.0; the real data -> NaN (not on the synthetic curve)."""
    return float(label[1:]) if label.startswith("x") else math.nan


def fit(xs, ys):
    """Power law y = a x^b through the two largest sizes (least squares on log-log); None with
    fewer than two points. The two largest, because memory is a fixed part plus a part that
    grows with the data: the fixed part (EASE's budget, the bundle's own) flattens the curve at
    the small sizes, and a fit through them would understate the growth beyond."""
    pts = sorted((x, y) for x, y in zip(xs, ys) if x > 0 and y > 0 and math.isfinite(y))[-2:]
    if len(pts) < 2:
        return None
    lx = np.log([p[0] for p in pts])
    ly = np.log([p[1] for p in pts])
    b, la = np.polyfit(lx, ly, 1)
    return math.exp(la), b


def crossing(law, limit):
    """The x where a * x^b reaches limit (None if it never grows)."""
    if law is None or law[1] <= 0:
        return None
    a, b = law
    return (limit / a) ** (1 / b)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("rows")
    ap.add_argument("--logs", required=True)
    ap.add_argument("--commands")
    ap.add_argument("--table", required=True)
    ap.add_argument("--svg", required=True)
    args = ap.parse_args()
    logs = Path(args.logs)
    with open(args.rows) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for r in rows:
        r["process_peak_mb"] = process_peak_mb(logs, r["label"], r["model"])
        r["scale"] = scale_of(r["label"])
    models = [m for m in ORDER if any(r["model"] == m for r in rows)]

    out = []
    if args.commands and Path(args.commands).exists():
        out += [line.rstrip() for line in open(args.commands)]
    head = (
        f"{'size':<6} {'model':<15} {'readers':>9} {'works':>9} {'ratings':>10} {'EASE works':>10}"
        f" {'train s':>8} {'train peak GB':>13} {'process peak GB':>15} {'model MB':>9}"
        f" {'load s':>7} {'p50 ms':>7} {'p99 ms':>7}"
    )
    out += ["", head, "-" * len(head)]
    labels = sorted({r["label"] for r in rows}, key=lambda l: (not l.startswith("x"), scale_of(l) if l.startswith("x") else 0))
    for label in labels:
        for m in models:
            for r in rows:
                if r["label"] == label and r["model"] == m:
                    out.append(
                        f"{label:<6} {m:<15} {int(r['readers']):>9,} {int(r['works']):>9,}"
                        f" {int(r['ratings']):>10,} {int(r['ease_works']):>10,}"
                        f" {float(r['train_s']):>8.1f} {float(r['train_peak_mb']) / 1e3:>13.2f}"
                        f" {r['process_peak_mb'] / 1e3:>15.2f} {float(r['model_mb']):>9.1f}"
                        f" {float(r['load_s']):>7.2f} {float(r['p50_ms']):>7.2f} {float(r['p99_ms']):>7.2f}"
                    )

    # Power laws on the synthetic sizes: where each model's training peak crosses 24 GB.
    out += ["", "Power law through the two largest measured synthetic sizes (cost = a * scale^b); the"
            " 24 GB crossing is EXTRAPOLATED from it, not measured:"]
    crossings = {}
    for m in models:
        pts = [r for r in rows if r["model"] == m and math.isfinite(r["scale"])]
        xs = [r["scale"] for r in pts]
        law = fit(xs, [float(r["train_peak_mb"]) / 1e3 for r in pts])
        tlaw = fit(xs, [float(r["train_s"]) for r in pts])
        cross = crossing(law, LIMIT_GB)
        crossings[m] = (law, cross)
        sizes = "through " + ", ".join(f"x{x:g}" for x in sorted(xs)[-2:])
        if law is None:
            out.append(f"  {m:<15} too few sizes ({sizes})")
            continue
        out.append(
            f"  {m:<15} peak RSS ~ scale^{law[1]:.2f}, training time ~ scale^{tlaw[1]:.2f}"
            f" ({sizes}); 24 GB at about x{cross:.0f}" if cross else
            f"  {m:<15} peak RSS ~ scale^{law[1]:.2f} ({sizes}); does not grow"
        )
    # EASE with no budget: 4 n^2 bytes for the works with 5+ readers (computed, not measured).
    ease_rows = sorted((r for r in rows if r["model"] == "ease" and math.isfinite(r["scale"])),
                       key=lambda r: r["scale"])
    dense_law = fit([r["scale"] for r in ease_rows],
                    [4 * int(r["ease_eligible"]) ** 2 / 1e9 for r in ease_rows])
    if dense_law:
        n_limit = math.sqrt(LIMIT_GB * 1e9 / 4)
        cross = crossing(dense_law, LIMIT_GB)
        eligible = ", ".join(f"{r['label']} {int(r['ease_eligible']):,}" for r in ease_rows)
        out += ["", f"EASE without a budget (computed, not measured): its n x n float32 matrix over every"
                f" work with 5+ readers ({eligible}) alone is 24 GB at n = {n_limit:,.0f} works,"
                f" about x{cross:.1f} by the power law through those counts." if cross else ""]
    Path(args.table).write_text("\n".join(out) + "\n")
    print("\n".join(out))

    # The plot: four panels, cost vs scale, log-log.
    fig, axes = plt.subplots(2, 2, figsize=(12, 9))
    panels = [
        ("train_s", "training time (s)", 1.0),
        ("train_peak_mb", "training peak RSS (GB)", 1e-3),
        ("model_mb", "model file (MB)", 1.0),
        ("p99_ms", "fold-in + top 10 p99 (ms)", 1.0),
    ]
    colors = dict(zip(ORDER, plt.rcParams["axes.prop_cycle"].by_key()["color"]))
    xmax = 16.0
    for m in models:
        law, cross = crossings[m]
        if cross:
            xmax = max(xmax, min(cross * 1.5, 1e4))
    for ax, (key, title, mult) in zip(axes.flat, panels):
        for m in models:
            pts = sorted((r["scale"], float(r[key]) * mult) for r in rows
                         if r["model"] == m and math.isfinite(r["scale"]))
            if not pts:
                continue
            xs, ys = zip(*pts)
            ax.plot(xs, ys, "o-", color=colors[m], label=m)
            law = fit(xs, ys)
            if law and key == "train_peak_mb":
                grid = np.geomspace(max(xs), xmax, 50)
                ax.plot(grid, law[0] * grid ** law[1], "--", color=colors[m], alpha=0.6)
        if key == "train_peak_mb":
            ax.axhline(LIMIT_GB, color="red", lw=1)
            ax.text(1, LIMIT_GB * 0.6, "24 GB (this machine)", color="red")
            for m in models:
                law, cross = crossings[m]
                if cross and cross <= xmax:
                    ax.plot([cross], [LIMIT_GB], "x", color=colors[m], ms=10, mew=2)
                    ax.annotate(f"{m}: x{cross:.0f}", (cross, LIMIT_GB), textcoords="offset points",
                                xytext=(-10, -14 - 10 * models.index(m)), fontsize=7, color=colors[m])
            # EASE with no budget, computed from the works with 5+ readers at each size.
            if dense_law:
                grid = np.geomspace(1, xmax, 50)
                ax.plot(grid, dense_law[0] * grid ** dense_law[1], ":", color=colors["ease"],
                        label="EASE, no budget (computed n² · 4 B)")
                dense_cross = crossing(dense_law, LIMIT_GB)
                if dense_cross:
                    ax.plot([dense_cross], [LIMIT_GB], "x", color=colors["ease"], ms=10, mew=2)
                    ax.annotate(f"EASE, no budget: x{dense_cross:.1f}", (dense_cross, LIMIT_GB),
                                textcoords="offset points", xytext=(5, 8), fontsize=7,
                                color=colors["ease"])
        ax.set_xscale("log")
        ax.set_yscale("log")
        if key == "train_peak_mb":
            ax.set_ylim(0.1, LIMIT_GB * 10)
        ticks = [4 ** k for k in range(0, 8) if 4 ** k <= xmax * 1.01]
        ax.set_xticks(ticks, [f"x{t}" for t in ticks])
        ax.minorticks_off()
        ax.set_xlabel("size (x Book-Crossing's readers and works)")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
    axes.flat[1].legend(fontsize=8, loc="lower right")
    axes.flat[0].legend(fontsize=8, loc="upper left")
    fig.suptitle("Shelfwise: cost as the data grows (synthetic data of Book-Crossing's shape).\nDashed:"
                 " power law through the two largest measured sizes, EXTRAPOLATED; x: where it crosses"
                 " 24 GB", fontsize=10)
    fig.tight_layout()
    fig.savefig(args.svg)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Train Shelfwise's ALS component on Apache Spark MLlib (docs/spark.md).

Reads an export folder written by `shelfwise export-als` (interactions.csv: user,work,weight;
manifest.json), trains implicit-feedback ALS (Hu, Koren & Volinsky: confidence 1 + alpha *
weight, as the engine's own ALS) and writes a factor folder that `shelfwise train
--als-factors` loads:

    OUTPUT/item_factors/part-*.csv   work,f0,...,f{rank-1} (Spark's part files)
    OUTPUT/manifest.json             the export's manifest plus a "trainer" section

INPUT and OUTPUT are any path Spark's Hadoop file systems take: a local folder, hdfs://...,
s3:// on EMR (s3a:// elsewhere). Local mode for a test or a laptop:

    python spark/als.py EXPORT FACTORS --master 'local[2]' --driver-memory 4g

On a cluster, through spark-submit (the master comes from there):

    spark-submit spark/als.py s3://bucket/shelfwise/export s3://bucket/shelfwise/factors

Regularisation: Spark's ALS is ALS-WR: a row's lambda is reg-param times its number of
interactions, where the engine's lambda is one constant (0.01). Book-Crossing's rows have about
ten interactions on average, so the default 0.001 is about the engine's lambda for a typical
row; it gave the NDCG@10 closest to the engine's ALS in a sweep from 0.001 to 1
(docs/spark.md, bench/results/spark-als-2026-12-07.txt).
"""

import argparse
import json
import time

from pyspark.ml.recommendation import ALS
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

# The export layout this job reads (engine::recs::external_als::EXPORT_FORMAT).
EXPORT_FORMAT = 1


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("input", help="export folder (interactions.csv, manifest.json)")
    p.add_argument("output", help="factor folder to write (replaced if it exists)")
    # Defaults: the engine's AlsParams (factors 128, 15 iterations, alpha 5, min_users 2).
    p.add_argument("--rank", type=int, default=128, help="latent factors (default 128)")
    p.add_argument("--max-iter", type=int, default=15, help="alternations (default 15)")
    p.add_argument(
        "--reg-param",
        type=float,
        default=0.001,
        help="Spark's lambda, scaled per row by its interactions (ALS-WR; default 0.001)",
    )
    p.add_argument("--alpha", type=float, default=5.0, help="confidence slope (default 5)")
    p.add_argument(
        "--min-users",
        type=int,
        default=2,
        help="leave out works with fewer readers, as the engine's ALS does (default 2)",
    )
    p.add_argument("--seed", type=int, default=1, help="seed of the initial factors")
    p.add_argument(
        "--blocks",
        type=int,
        default=None,
        help="user and item blocks (default: Spark's, the input's partitions)",
    )
    p.add_argument(
        "--checkpoint-dir",
        default=None,
        help="checkpoint every 10 iterations here (long runs on a cluster: cuts the lineage)",
    )
    p.add_argument("--master", default=None, help="e.g. local[2]; default: spark-submit's")
    p.add_argument(
        "--driver-memory",
        default=None,
        help="e.g. 4g, for local mode (on a cluster give spark-submit --driver-memory)",
    )
    return p.parse_args()


def hadoop_path(spark, uri):
    """The Hadoop FileSystem and Path of a URI: local, hdfs:// or s3:// alike."""
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), path


def read_text(spark, uri):
    return spark.read.text(uri, wholetext=True).first()[0]


def write_text(spark, uri, text):
    fs, path = hadoop_path(spark, uri)
    out = fs.create(path, True)
    out.write(bytearray(text.encode("utf-8")))
    out.close()


def main():
    args = parse_args()
    # No console progress bars: a log, not a terminal, is where this runs.
    builder = SparkSession.builder.appName("shelfwise-als").config(
        "spark.ui.showConsoleProgress", "false"
    )
    if args.master:
        builder = builder.master(args.master)
        if args.master.startswith("local"):
            # A handful of shuffle partitions: Spark's 200 are for clusters.
            builder = builder.config("spark.sql.shuffle.partitions", "8")
    if args.driver_memory:
        builder = builder.config("spark.driver.memory", args.driver_memory)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    if args.checkpoint_dir:
        spark.sparkContext.setCheckpointDir(args.checkpoint_dir)

    src, dst = args.input.rstrip("/"), args.output.rstrip("/")
    manifest = json.loads(read_text(spark, f"{src}/manifest.json"))
    if manifest.get("format") != EXPORT_FORMAT:
        raise SystemExit(f"{src}: export format {manifest.get('format')}, this job reads {EXPORT_FORMAT}")
    if manifest.get("trainer"):
        raise SystemExit(f"{src}: a factor folder, not an export")

    # A manifest says its folder is complete: a previous run's goes before anything is written.
    fs, old = hadoop_path(spark, f"{dst}/manifest.json")
    if fs.exists(old):
        fs.delete(old, False)

    started = time.time()
    ratings = spark.read.csv(
        f"{src}/interactions.csv", header=True, schema="user INT, work INT, weight FLOAT"
    )
    # Works with too few readers are not modelled, as in the engine (AlsParams::min_users):
    # their factors would be noise, and readers' systems leave them out too.
    kept = ratings.groupBy("work").count().where(F.col("count") >= args.min_users).select("work")
    ratings = ratings.join(kept, "work").cache()
    interactions = ratings.count()

    als = ALS(
        rank=args.rank,
        maxIter=args.max_iter,
        regParam=args.reg_param,
        alpha=args.alpha,
        implicitPrefs=True,
        userCol="user",
        itemCol="work",
        ratingCol="weight",
        seed=args.seed,
        checkpointInterval=10,
    )
    if args.blocks:
        als = als.setNumUserBlocks(args.blocks).setNumItemBlocks(args.blocks)
    model = als.fit(ratings)

    columns = [F.col("id").alias("work")] + [
        F.col("features")[i].alias(f"f{i}") for i in range(args.rank)
    ]
    factors = model.itemFactors.select(*columns).cache()
    works = factors.count()
    factors.write.mode("overwrite").csv(f"{dst}/item_factors", header=True)
    seconds = time.time() - started

    manifest["trainer"] = {
        "name": f"spark-mllib-als {spark.version}",
        "rank": args.rank,
        "max_iter": args.max_iter,
        "reg_param": args.reg_param,
        "alpha": args.alpha,
        "min_users": args.min_users,
        "works": works,
        "seconds": round(seconds, 1),
    }
    # Written last: a folder with a manifest has all its part files.
    write_text(spark, f"{dst}/manifest.json", json.dumps(manifest, indent=2) + "\n")
    print(
        f"trained on {interactions} interactions; wrote {works} work factors of rank "
        f"{args.rank} to {dst} in {seconds:.1f} s"
    )
    spark.stop()


if __name__ == "__main__":
    main()

//! Write synthetic Book-Crossing files with the real data's shape at a multiple of its size
//! (`engine::datasets::synthetic`; what it keeps and what it does not: `docs/scaling.md`).
//!
//! ```text
//! cargo run --release -p engine --example synth_data -- --data data/raw --scale 4 --seed 1 --out DIR [--check]
//! ```
//!
//! Prints the source's shape and the generated one's. `--check` loads the written files back
//! with the Book-Crossing loader and prints the shape it sees, with the Kolmogorov–Smirnov
//! distance of each degree distribution from the source's.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use engine::datasets::load::load_bookcrossing;
use engine::datasets::synthetic::{generate, ks_distance, write_bookcrossing, Shape};

fn main() -> ExitCode {
    let usage = "usage: synth_data --data DIR --scale X --seed N --out DIR [--check]";
    let mut args = std::env::args().skip(1);
    let (mut data, mut scale, mut seed, mut out, mut check) =
        (PathBuf::from("data/raw"), 1.0f64, 1u64, None, false);
    while let Some(a) = args.next() {
        if a == "--check" {
            check = true;
            continue;
        }
        let Some(v) = args.next() else {
            eprintln!("{usage}");
            return ExitCode::from(2);
        };
        let ok = match a.as_str() {
            "--data" => {
                data = v.into();
                true
            }
            "--scale" => v.parse().map(|x| scale = x).is_ok(),
            "--seed" => v.parse().map(|x| seed = x).is_ok(),
            "--out" => {
                out = Some(PathBuf::from(v));
                true
            }
            _ => false,
        };
        if !ok {
            eprintln!("bad {a}\n{usage}");
            return ExitCode::from(2);
        }
    }
    let Some(out) = out else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    match run(&data, scale, seed, &out, check) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(
    data: &std::path::Path,
    scale: f64,
    seed: u64,
    out: &std::path::Path,
    check: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let t = Instant::now();
    let source = Shape::fit(&load_bookcrossing(data)?);
    println!("source {}:\n{}", data.display(), source.summary());
    let synthetic = generate(&source, scale, seed);
    write_bookcrossing(&source, &synthetic, out)?;
    println!(
        "generated x{scale} seed {seed} into {} in {:.1}s: {} readers, {} works, {} editions, \
         {} ratings ({} stubs unplaced)",
        out.display(),
        t.elapsed().as_secs_f64(),
        synthetic.readers.len(),
        synthetic.works.len(),
        synthetic.edition_start.last().copied().unwrap_or(0),
        synthetic.ratings.len(),
        synthetic.dropped
    );
    if check {
        let loaded = Shape::fit(&load_bookcrossing(out)?);
        println!("as loaded back:\n{}", loaded.summary());
        println!(
            "KS distance from the source: ratings per reader {:.4}, readers per edition {:.4}, \
             editions per work {:.4}",
            ks_distance(&source.reader_degrees(), &loaded.reader_degrees()),
            ks_distance(&source.edition_degrees(), &loaded.edition_degrees()),
            ks_distance(&source.group_sizes(), &loaded.group_sizes())
        );
    }
    Ok(())
}

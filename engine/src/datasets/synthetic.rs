//! Synthetic interaction data with Book-Crossing's shape, at any multiple of its size, for
//! measuring what training and serving cost as the data grows (`examples/synth_data.rs`,
//! `examples/scale_bench.rs`, `docs/scaling.md`).
//!
//! [`Shape::fit`] reads the shape of a loaded dataset: every reader's ratings (how many, and
//! which values: implicit 0 or explicit 1–10), every edition's number of readers, and how the
//! editions group into works by the engine's own rule ([`crate::text::work_key`]: title and
//! first author), with each work's author, title words, and each edition's publisher and year.
//! [`generate`] then makes `scale` times as many readers and works (whole copies of the source's
//! sequences, plus a seeded sample for a fractional remainder) and pairs them at random:
//!
//! - readers: each synthetic reader copies one source reader's ratings (their count and
//!   values), so the reader-degree distribution, the implicit/explicit mix (per reader, not
//!   only overall) and the explicit histogram are the source's;
//! - works: each synthetic work copies one source work's number of editions, and each edition
//!   its number of readers, year and publisher; titles are `Synthetic Work N` plus pseudo-words
//!   standing for the source title's words (`tw17`), later editions carry a bracketed note the
//!   work rule strips, so the loader groups exactly the same sizes;
//! - authors are new for each copy of the catalog (a bigger catalog has more authors, each with
//!   as many works as before); title words and publishers are shared between copies (the same
//!   language and publishing houses, used more often);
//! - interactions: a configuration model. Every reader has one "stub" per rating and every
//!   edition one per reader, the edition stubs are shuffled and paired with the reader stubs,
//!   and a repeated (reader, edition) pair is re-paired by swapping with a random other pair,
//!   round after round; the few a bounded number of rounds cannot place are dropped
//!   ([`Synthetic::dropped`]).
//!
//! What it does not keep: who reads what with whom (co-reading structure, taste, series,
//! authors' audiences), the correlation of an edition's popularity with its ratings' values,
//! ratings of ISBNs missing from the book table, and users without ratings. Recommendation
//! quality measured on it means nothing; only costs (time, memory, file sizes, latency) are
//! meaningful, and those only so far as they depend on the sizes and degree distributions
//! rather than on the co-reading structure (kNN's and EASE's sparsity patterns do depend on it:
//! random pairing spreads co-occurrences more evenly than real taste does).
//!
//! The files are written in Book-Crossing's own layout ([`write_bookcrossing`]), so every tool
//! that reads Book-Crossing reads them unchanged. Their titles, authors and publishers say
//! `Synthetic`; they are for benchmarks and never belong in a catalog.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use super::load::Dataset;
use crate::recs::data::{NO_AUTHOR, NO_PUBLISHER};
use crate::recs::rng::SplitMix64;
use crate::text;

/// One edition of a source work: what a synthetic copy of it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EditionShape {
    /// Its number of readers (ratings of it).
    pub readers: u32,
    /// Year of publication, 0 when unknown.
    pub year: u16,
    /// Publisher id, [`NO_PUBLISHER`] when unknown.
    pub publisher: u32,
}

/// One source work: its author, title words and editions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkShape {
    /// Author id, [`NO_AUTHOR`] when unknown.
    pub author: u32,
    /// Ids of the title's words (folded, see [`text::words`]).
    pub words: Vec<u32>,
    /// The editions, at least one.
    pub editions: Vec<EditionShape>,
}

/// The shape of a dataset that [`generate`] reproduces (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    /// Each reader's ratings (0 implicit, 1–10 explicit), one per rated edition.
    pub readers: Vec<Vec<u8>>,
    /// Each work.
    pub works: Vec<WorkShape>,
    /// Number of distinct author ids.
    pub authors: u32,
}

impl Shape {
    /// The shape of a loaded dataset.
    pub fn fit(data: &Dataset) -> Shape {
        let items = &data.items;
        let mut edition_readers = vec![0u32; items.len()];
        let mut by_user: HashMap<u32, Vec<u8>> = HashMap::new();
        for r in &data.ratings {
            edition_readers[r.item as usize] += 1;
            by_user.entry(r.user).or_default().push(r.rating);
        }
        // Readers in user-id order, so the shape does not depend on hashing.
        let mut users: Vec<(u32, Vec<u8>)> = by_user.into_iter().collect();
        users.sort_unstable_by_key(|u| u.0);
        let mut words: HashMap<String, u32> = HashMap::new();
        let mut authors = 0u32;
        let works = (0..items.work_count())
            .map(|w| {
                let author = items.work_author[w];
                if author != NO_AUTHOR {
                    authors = authors.max(author + 1);
                }
                let title_words = text::words(&items.meta[w].title)
                    .into_iter()
                    .map(|word| {
                        let next = words.len() as u32;
                        *words.entry(word).or_insert(next)
                    })
                    .collect();
                let editions = items.editions[w]
                    .iter()
                    .map(|&e| EditionShape {
                        readers: edition_readers[e as usize],
                        year: items.edition_year.get(e as usize).copied().unwrap_or(0),
                        publisher: items.edition_publisher[e as usize],
                    })
                    .collect();
                WorkShape {
                    author,
                    words: title_words,
                    editions,
                }
            })
            .collect();
        Shape {
            readers: users.into_iter().map(|u| u.1).collect(),
            works,
            authors,
        }
    }

    /// Every reader's number of ratings, sorted.
    pub fn reader_degrees(&self) -> Vec<u32> {
        sorted(self.readers.iter().map(|r| r.len() as u32))
    }

    /// Every edition's number of readers, sorted.
    pub fn edition_degrees(&self) -> Vec<u32> {
        sorted(
            self.works
                .iter()
                .flat_map(|w| w.editions.iter().map(|e| e.readers)),
        )
    }

    /// Every work's number of editions, sorted.
    pub fn group_sizes(&self) -> Vec<u32> {
        sorted(self.works.iter().map(|w| w.editions.len() as u32))
    }

    /// Number of ratings of each value 0–10.
    pub fn rating_histogram(&self) -> [u64; 11] {
        let mut h = [0u64; 11];
        for &r in self.readers.iter().flatten() {
            h[usize::from(r.min(10))] += 1;
        }
        h
    }

    /// A one-paragraph description: counts, the implicit share, degree quantiles.
    pub fn summary(&self) -> String {
        let h = self.rating_histogram();
        let ratings: u64 = h.iter().sum();
        let q = |v: &[u32]| {
            [0.5, 0.9, 0.99, 1.0]
                .iter()
                .map(|&p| quantile(v, p).to_string())
                .collect::<Vec<_>>()
                .join(" / ")
        };
        let groups = self.group_sizes();
        format!(
            "{} readers, {} works, {} editions, {} ratings ({:.1} % implicit); explicit 1..10: {}\n\
             ratings per reader p50/p90/p99/max: {}; readers per edition: {}; editions per work: {}",
            self.readers.len(),
            self.works.len(),
            groups.iter().map(|&g| u64::from(g)).sum::<u64>(),
            ratings,
            100.0 * h[0] as f64 / ratings.max(1) as f64,
            h[1..]
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(" / "),
            q(&self.reader_degrees()),
            q(&self.edition_degrees()),
            q(&groups),
        )
    }
}

fn sorted(v: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut v: Vec<u32> = v.collect();
    v.sort_unstable();
    v
}

/// The `p`-quantile (0–1) of a sorted sequence, 0 when empty.
pub fn quantile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() - 1) as f64 * p.clamp(0.0, 1.0)).round() as usize]
}

/// The Kolmogorov–Smirnov distance between the empirical distributions of two sorted
/// sequences: the largest gap between their cumulative shares.
pub fn ks_distance(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return if a.len() == b.len() { 0.0 } else { 1.0 };
    }
    let (mut i, mut j, mut d) = (0usize, 0usize, 0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] == x {
            i += 1;
        }
        while j < b.len() && b[j] == x {
            j += 1;
        }
        d = d.max((i as f64 / a.len() as f64 - j as f64 / b.len() as f64).abs());
    }
    d
}

/// Rounds of re-pairing repeated (reader, edition) pairs before the rest are dropped; each
/// round leaves a small fraction of the previous one's repeats, so this many leave none or
/// almost none.
const REPAIR_ROUNDS: usize = 32;

/// Generated data: which source reader and work each synthetic one copies, and the ratings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synthetic {
    /// Source reader of each synthetic reader (user id = position + 1).
    pub readers: Vec<u32>,
    /// (source work, copy number) of each synthetic work.
    pub works: Vec<(u32, u32)>,
    /// First edition of each synthetic work (editions are numbered work by work), and the
    /// total at the end.
    pub edition_start: Vec<u32>,
    /// (user id, edition, rating), sorted by user then edition, no pair repeated.
    pub ratings: Vec<(u32, u32, u8)>,
    /// Stubs left unpaired: repeated pairs not re-paired, plus the difference between the
    /// readers' and the editions' totals at a fractional scale.
    pub dropped: u64,
}

/// `round(scale · n)` (source index, copy) pairs: `floor(scale)` whole copies, then a seeded
/// sample without replacement for the fraction.
fn replicate(n: usize, scale: f64, rng: &mut SplitMix64) -> Vec<(u32, u32)> {
    let whole = scale.max(0.0).floor() as usize;
    let mut out: Vec<(u32, u32)> = (0..whole)
        .flat_map(|c| (0..n).map(move |i| (i as u32, c as u32)))
        .collect();
    let extra = (((scale.max(0.0) - whole as f64) * n as f64).round() as usize).min(n);
    if extra > 0 {
        let mut pick: Vec<u32> = (0..n as u32).collect();
        // A partial Fisher–Yates: the first `extra` places get a uniform sample.
        for i in 0..extra {
            let j = i + rng.below(n - i);
            pick.swap(i, j);
        }
        let mut pick = pick[..extra].to_vec();
        pick.sort_unstable();
        out.extend(pick.into_iter().map(|i| (i, whole as u32)));
    }
    out
}

/// Generate `scale` times the shape's readers and works, seeded (see the module docs).
pub fn generate(shape: &Shape, scale: f64, seed: u64) -> Synthetic {
    let mut rng = SplitMix64::new(seed);
    let readers = replicate(shape.readers.len(), scale, &mut rng);
    let works = replicate(shape.works.len(), scale, &mut rng);
    let mut edition_start = Vec::with_capacity(works.len() + 1);
    let mut editions = 0u32;
    let mut edition_stubs: Vec<u32> = Vec::new();
    for &(w, _) in &works {
        edition_start.push(editions);
        for e in &shape.works[w as usize].editions {
            edition_stubs.extend(std::iter::repeat_n(editions, e.readers as usize));
            editions += 1;
        }
    }
    edition_start.push(editions);
    // Reader stubs, reader by reader: `starts[u]..starts[u + 1]` are user u + 1's.
    let mut starts = Vec::with_capacity(readers.len() + 1);
    let mut values: Vec<u8> = Vec::new();
    for &(r, _) in &readers {
        starts.push(values.len());
        values.extend_from_slice(&shape.readers[r as usize]);
    }
    starts.push(values.len());
    rng.shuffle(&mut edition_stubs);
    let mut dropped = 0u64;
    // A fractional scale samples readers and works independently, so the totals differ:
    // cut the shuffled edition stubs, or add stubs drawn from them (popular editions more).
    if edition_stubs.len() > values.len() {
        dropped += (edition_stubs.len() - values.len()) as u64;
        edition_stubs.truncate(values.len());
    } else if !edition_stubs.is_empty() {
        let have = edition_stubs.len();
        for _ in have..values.len() {
            let e = edition_stubs[rng.below(have)];
            edition_stubs.push(e);
        }
    } else {
        dropped += values.len() as u64;
        values.clear();
        starts.iter_mut().for_each(|s| *s = 0);
    }
    repair(&starts, &mut edition_stubs, &mut rng);
    let mut ratings = Vec::with_capacity(values.len());
    for u in 0..readers.len() {
        let range = starts[u]..starts[u + 1];
        let mut pairs: Vec<(u32, u8)> = edition_stubs[range.clone()]
            .iter()
            .copied()
            .zip(values[range].iter().copied())
            .collect();
        pairs.sort_unstable_by_key(|p| p.0);
        let before = pairs.len();
        pairs.dedup_by_key(|p| p.0);
        dropped += (before - pairs.len()) as u64;
        ratings.extend(pairs.into_iter().map(|(e, v)| (u as u32 + 1, e, v)));
    }
    Synthetic {
        readers: readers.into_iter().map(|r| r.0).collect(),
        works,
        edition_start,
        ratings,
        dropped,
    }
}

/// Re-pair repeated (reader, edition) pairs: each repeat swaps its edition with a random other
/// stub's, for [`REPAIR_ROUNDS`] rounds or until none is left.
fn repair(starts: &[usize], stubs: &mut [u32], rng: &mut SplitMix64) {
    if stubs.is_empty() {
        return;
    }
    for _ in 0..REPAIR_ROUNDS {
        let mut repeats = Vec::new();
        for w in starts.windows(2) {
            let row = &mut stubs[w[0]..w[1]];
            row.sort_unstable();
            repeats.extend(
                (1..row.len())
                    .filter(|&i| row[i] == row[i - 1])
                    .map(|i| w[0] + i),
            );
        }
        if repeats.is_empty() {
            return;
        }
        for i in repeats {
            let j = rng.below(stubs.len());
            stubs.swap(i, j);
        }
    }
}

/// The ISBN key of synthetic edition `e`: 13 digits under a `979` prefix (which
/// [`crate::isbn::normalize`] keeps as it is).
pub fn isbn_of(e: u32) -> String {
    format!("979{e:010}")
}

/// Write `BX-Books.csv`: one row per synthetic edition.
pub fn write_books(shape: &Shape, data: &Synthetic, out: &mut impl Write) -> std::io::Result<()> {
    out.write_all(
        b"\"ISBN\";\"Book-Title\";\"Book-Author\";\"Year-Of-Publication\";\"Publisher\";\
          \"Image-URL-S\";\"Image-URL-M\";\"Image-URL-L\"\r\n",
    )?;
    let mut title = String::new();
    for (j, &(w, copy)) in data.works.iter().enumerate() {
        let work = &shape.works[w as usize];
        title.clear();
        title.push_str(&format!("Synthetic Work {}", j + 1));
        for word in &work.words {
            title.push_str(&format!(" tw{word}"));
        }
        // Authors are new per copy of the catalog (see the module docs).
        let author = if work.author == NO_AUTHOR {
            String::new()
        } else {
            format!(
                "Synthetic Author {}",
                u64::from(copy) * u64::from(shape.authors) + u64::from(work.author) + 1
            )
        };
        for (k, e) in work.editions.iter().enumerate() {
            let id = data.edition_start[j] + k as u32;
            let publisher = if e.publisher == NO_PUBLISHER {
                String::new()
            } else {
                format!("Synthetic Press {}", e.publisher + 1)
            };
            // Later editions carry a note the work rule strips: the same work, as in the
            // source ("Dune (Paperback)").
            let note = if k == 0 {
                String::new()
            } else {
                format!(" (Edition {})", k + 1)
            };
            write!(
                out,
                "\"{}\";\"{title}{note}\";\"{author}\";\"{}\";\"{publisher}\";\"\";\"\";\"\"\r\n",
                isbn_of(id),
                e.year
            )?;
        }
    }
    Ok(())
}

/// Write `BX-Book-Ratings.csv`.
pub fn write_ratings(data: &Synthetic, out: &mut impl Write) -> std::io::Result<()> {
    out.write_all(b"\"User-ID\";\"ISBN\";\"Book-Rating\"\r\n")?;
    for &(u, e, v) in &data.ratings {
        write!(out, "\"{u}\";\"{}\";\"{v}\"\r\n", isbn_of(e))?;
    }
    Ok(())
}

/// Write `BX-Users.csv`: every synthetic reader, no age.
pub fn write_users(data: &Synthetic, out: &mut impl Write) -> std::io::Result<()> {
    out.write_all(b"\"User-ID\";\"Location\";\"Age\"\r\n")?;
    for u in 1..=data.readers.len() {
        write!(out, "\"{u}\";\"synthetic\";NULL\r\n")?;
    }
    Ok(())
}

/// Write the three Book-Crossing files into `dir` (created if missing).
pub fn write_bookcrossing(shape: &Shape, data: &Synthetic, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let file = |name: &str| {
        std::fs::File::create(dir.join(name)).map(|f| std::io::BufWriter::with_capacity(1 << 20, f))
    };
    let mut books = file("BX-Books.csv")?;
    write_books(shape, data, &mut books)?;
    books.flush()?;
    let mut ratings = file("BX-Book-Ratings.csv")?;
    write_ratings(data, &mut ratings)?;
    ratings.flush()?;
    let mut users = file("BX-Users.csv")?;
    write_users(data, &mut users)?;
    users.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datasets::load::load_bookcrossing_from;
    use crate::records::Book;
    use crate::recs::data::{Interaction, ItemIndex};
    use proptest::prelude::*;

    /// A small source with Book-Crossing's traits: heavy-tailed reader and edition degrees,
    /// works of several editions (grouped by a bracketed note), unknown authors and
    /// publishers, mostly implicit ratings.
    fn source() -> Dataset {
        let mut rng = SplitMix64::new(5);
        let mut books = Vec::new();
        for w in 0..120u32 {
            let editions = [1, 1, 1, 1, 2, 2, 3, 5][rng.below(8)];
            for k in 0..editions {
                let title = if k == 0 {
                    format!("Tale of the {w} moons")
                } else {
                    format!("Tale of the {w} moons (Reprint {k})")
                };
                let author = if w % 17 == 0 {
                    String::new()
                } else {
                    format!("Writer {}", w % 40)
                };
                let mut b = Book::new(format!("K{w:04}{k}"), title, author);
                if w % 9 != 0 {
                    b = b.with_publisher(format!("House {}", w % 7));
                }
                books.push(b.with_year(1950 + (w % 60) as u16));
            }
        }
        let items = ItemIndex::from_books(books);
        let mut ratings = Vec::new();
        for user in 0..400u32 {
            // Zipf-like reader degrees: most read one or two books, a few read dozens.
            let degree = (60.0 / f64::from(user + 1)).ceil() as usize;
            let mut seen = std::collections::HashSet::new();
            for _ in 0..degree {
                // Zipf-like edition popularity.
                let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                let item = ((items.len() as f64).powf(u) - 1.0) as u32;
                if seen.insert(item) {
                    let rating = if rng.below(3) == 0 {
                        1 + rng.below(10) as u8
                    } else {
                        0
                    };
                    ratings.push(Interaction { user, item, rating });
                }
            }
        }
        ratings.sort_unstable_by_key(|r| (r.user, r.item));
        Dataset {
            items,
            ratings,
            ..Dataset::default()
        }
    }

    fn files(shape: &Shape, data: &Synthetic) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let (mut b, mut r, mut u) = (Vec::new(), Vec::new(), Vec::new());
        write_books(shape, data, &mut b).unwrap();
        write_ratings(data, &mut r).unwrap();
        write_users(data, &mut u).unwrap();
        (b, r, u)
    }

    #[test]
    fn the_written_files_load_with_the_source_shape() {
        let src = source();
        let shape = Shape::fit(&src);
        let data = generate(&shape, 3.0, 1);
        let (books, ratings, users) = files(&shape, &data);
        let loaded = load_bookcrossing_from(&books[..], &ratings[..]).unwrap();
        assert_eq!(loaded.ratings.len(), data.ratings.len());
        let again = Shape::fit(&loaded);
        // Every work is one work again, of the same size: three copies of the source's.
        let mut want: Vec<u32> = (0..3).flat_map(|_| shape.group_sizes()).collect();
        want.sort_unstable();
        assert_eq!(again.group_sizes(), want);
        assert_eq!(again.works.len(), 3 * shape.works.len());
        assert_eq!(again.authors, 3 * shape.authors);
        // Degrees and the rating mix within a tolerance (only re-paired repeats move them).
        let dropped = data.dropped as f64 / (3 * src.ratings.len()) as f64;
        assert!(dropped < 0.01, "dropped {dropped}");
        assert!(ks_distance(&shape.reader_degrees(), &again.reader_degrees()) < 0.02);
        assert!(ks_distance(&shape.edition_degrees(), &again.edition_degrees()) < 0.02);
        let (h0, h1) = (shape.rating_histogram(), again.rating_histogram());
        let share = |h: &[u64; 11], v: usize| h[v] as f64 / h.iter().sum::<u64>() as f64;
        for v in 0..=10 {
            assert!((share(&h0, v) - share(&h1, v)).abs() < 0.01, "rating {v}");
        }
        // Every reader in the users file, every rating's user a reader.
        let mut report = crate::records::ImportReport::default();
        let mut n = 0;
        crate::datasets::bookcrossing::read_users(&users[..], &mut report, |_| n += 1).unwrap();
        assert_eq!(n, 3 * shape.readers.len());
        assert!(report.rejected.is_empty());
    }

    #[test]
    fn titles_and_authors_are_plainly_synthetic() {
        let shape = Shape::fit(&source());
        let (books, _, _) = files(&shape, &generate(&shape, 1.0, 3));
        let loaded =
            load_bookcrossing_from(&books[..], &b"\"User-ID\";\"ISBN\";\"Book-Rating\"\r\n"[..])
                .unwrap();
        for m in &loaded.items.meta {
            assert!(m.title.starts_with("Synthetic Work "), "{}", m.title);
            assert!(m.author.is_empty() || m.author.starts_with("Synthetic Author "));
        }
    }

    #[test]
    fn ks_distance_is_zero_for_equal_shapes_and_one_for_disjoint() {
        assert_eq!(ks_distance(&[1, 2, 2, 3], &[1, 1, 2, 2, 2, 2, 3, 3]), 0.0);
        assert_eq!(ks_distance(&[1, 1], &[5, 6]), 1.0);
        assert!((ks_distance(&[1, 2], &[2, 2]) - 0.5).abs() < 1e-12);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]

        /// The same seed writes the same bytes; the sizes follow the scale.
        #[test]
        fn seeded_and_sized_by_the_scale(seed in any::<u64>(), tenths in 1u32..35) {
            let shape = Shape::fit(&source());
            let scale = f64::from(tenths) / 10.0;
            let a = generate(&shape, scale, seed);
            let b = generate(&shape, scale, seed);
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(files(&shape, &a), files(&shape, &b));
            let near = |got: usize, of: usize| {
                got == (scale * of as f64).round() as usize
            };
            prop_assert!(near(a.readers.len(), shape.readers.len()));
            prop_assert!(near(a.works.len(), shape.works.len()));
            // Ratings: the sampled readers' stubs, less the unplaced ones.
            let stubs: usize = a.readers.iter().map(|&r| shape.readers[r as usize].len()).sum();
            prop_assert!(a.ratings.len() <= stubs);
            prop_assert!(a.ratings.len() as u64 + a.dropped >= stubs as u64);
            // No repeated pair, every edition exists.
            let editions = *a.edition_start.last().unwrap();
            for w in a.ratings.windows(2) {
                prop_assert!((w[0].0, w[0].1) < (w[1].0, w[1].1));
            }
            prop_assert!(a.ratings.iter().all(|r| r.1 < editions));
        }

        /// Different seeds pair differently (the shape alone is not the data).
        #[test]
        fn another_seed_pairs_differently(seed in any::<u64>()) {
            let shape = Shape::fit(&source());
            let a = generate(&shape, 1.0, seed);
            let b = generate(&shape, 1.0, seed.wrapping_add(1));
            prop_assert_ne!(a.ratings, b.ratings);
        }
    }
}

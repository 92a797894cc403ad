//! Offline benchmark of the item-to-item rows ("Readers who liked this also liked", "Because
//! you liked …", "Similar books"): how often a row seeded with one of a reader's books holds
//! a book they went on to like.
//!
//! ```text
//! cargo run --release -p engine --example similar_eval -- --data data/raw \
//!     [--seeds N] [--max-users N] [--cap N] [--seed N]
//! ```
//!
//! Protocol: the Book-Crossing hold-out of `recs_eval` ([`engine::recs::split::holdout`],
//! same seed). Every held-out reader with a relevant held-out book (explicit rating ≥ 7)
//! contributes up to `--seeds` (3) of their training works, drawn with a fixed seed. Each
//! row is seeded with one of them and cut to its top 10, leaving out every work the reader has
//! in training (as a book page leaves out the reader's books) and at most `--cap` (2, the
//! app's rule) works by one author. A hit is a relevant held-out work in those 10; HR@10 and
//! NDCG@10 are averaged over (reader, seed) pairs, overall and by the seed's number of
//! training readers (< 5, 5–20, > 20). `len` is the row's mean length: a row may be short when
//! its model knows few similar works, and an empty row is a miss.
//!
//! Rows scored: what Shelfwise serves ([`Serving::similar`] per model, the rows the app shows)
//! and the rows it served before this benchmark (`before:`, rebuilt from the same trained
//! models), variants tried on the way, and the peers' item-item lists computed on the same
//! binary users × works matrix: EASE's `B` (the trained model's row), RP3beta (Paudel et al.
//! 2017, a small α, β grid) and item cosine. Then, for a few named books, the top 10 titles of
//! each row, to be read.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use rayon::prelude::*;

use engine::recs::data::{TrainMatrix, NO_AUTHOR};
use engine::recs::eval::{load, DataSource};
use engine::recs::metrics;
use engine::recs::models::content::Likeness;
use engine::recs::models::knn::ItemKnn;
use engine::recs::models::ModelKind;
use engine::recs::rng::SplitMix64;
use engine::recs::serve::{AuthorCap, Request, Rules, Serving};
use engine::recs::split::{holdout, relevant_by_user, Protocol};
use engine::recs::trained::{TrainParams, TrainedModels};

/// Row length scored.
const K: usize = 10;

struct Args {
    data: PathBuf,
    seeds: usize,
    max_users: Option<usize>,
    cap: usize,
    seed: u64,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        data: "data/raw".into(),
        seeds: 3,
        max_users: None,
        cap: 2,
        seed: 7,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let bad = |_| format!("bad value for {flag}");
        match flag.as_str() {
            "--data" => a.data = value()?.into(),
            "--seeds" => a.seeds = value()?.parse().map_err(bad)?,
            "--max-users" => a.max_users = Some(value()?.parse().map_err(bad)?),
            "--cap" => a.cap = value()?.parse().map_err(bad)?,
            "--seed" => a.seed = value()?.parse().map_err(bad)?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(a)
}

/// One held-out reader.
struct Reader {
    /// Their training works, sorted.
    works: Vec<u32>,
    /// Their training editions' keys (what a book page is told they have).
    keys: Vec<String>,
    /// Their relevant held-out works, sorted.
    relevant: Vec<u32>,
}

/// How a row is built.
#[derive(Clone)]
enum Row {
    /// [`Serving::similar`] of a model: what Shelfwise serves.
    Served(ModelKind),
    /// Item-kNN's neighbours by the shrunk cosine alone (trained without the support
    /// factor, as before).
    Knn,
    /// [`Row::Knn`]'s neighbours, each similarity times `c / (c + λ)`, `c` the co-readers.
    KnnSupport(f32),
    /// [`Row::Knn`]'s neighbours with at least this many co-readers.
    KnnMinCo(u32),
    /// Content by these weights.
    Content(Likeness),
    /// EASE's row of `B` (positive weights).
    Ease,
    /// RP3beta (α, β) on the binary matrix.
    Rp3(f32, f32),
    /// Cosine on the binary matrix.
    Cosine,
    /// The first row when the seed has at least this many training readers, else the second.
    Fallback(u32, Box<Row>, Box<Row>),
    /// The first row, topped up by the second when short.
    TopUp(Box<Row>, Box<Row>),
    /// EASE's row plus [`Row::KnnSupport`] (λ), each scaled by its largest score, kNN's
    /// weighted by the given factor.
    Blend(f32, f32),
}

/// The co-reading of one seed with every other work.
struct Co {
    /// Co-readers per work.
    count: Vec<u32>,
    /// Σ over co-readers of deg(u)^-0.5 and deg(u)^-1 (RP3beta's two α).
    rp05: Vec<f32>,
    rp10: Vec<f32>,
    touched: Vec<u32>,
}

impl Co {
    fn new(n: usize) -> Co {
        Co {
            count: vec![0; n],
            rp05: vec![0.0; n],
            rp10: vec![0.0; n],
            touched: Vec::new(),
        }
    }

    fn fill(&mut self, m: &TrainMatrix, degree: &[u32], seed: u32) {
        for &j in &self.touched {
            let j = j as usize;
            self.count[j] = 0;
            self.rp05[j] = 0.0;
            self.rp10[j] = 0.0;
        }
        self.touched.clear();
        let (t_indptr, x_indptr) = (m.by_work.indptr(), m.by_user.indptr());
        let (tp, ti) = (t_indptr.raw_storage(), m.by_work.indices());
        let (xp, xi) = (x_indptr.raw_storage(), m.by_user.indices());
        for &u in &ti[tp[seed as usize]..tp[seed as usize + 1]] {
            let u = u as usize;
            let d = degree[u].max(1) as f32;
            let (a05, a10) = (d.powf(-0.5), 1.0 / d);
            for &j in &xi[xp[u]..xp[u + 1]] {
                if j == seed {
                    continue;
                }
                let ju = j as usize;
                if self.count[ju] == 0 {
                    self.touched.push(j);
                }
                self.count[ju] += 1;
                self.rp05[ju] += a05;
                self.rp10[ju] += a10;
            }
        }
    }
}

/// Everything a row needs for one (reader, seed) pair.
struct Ctx<'a> {
    serving: Serving<'a>,
    /// Item-kNN trained without the support factor.
    plain_knn: &'a ItemKnn,
    m: &'a TrainMatrix,
    co: &'a Co,
    seed: u32,
    /// The reader's training works, sorted (empty for the named seeds).
    excluded: &'a [u32],
    request: &'a Request,
    cap: usize,
}

impl Ctx<'_> {
    fn author(&self, w: u32) -> Option<u32> {
        let a = self.serving.models.items.work_author[w as usize];
        (a != NO_AUTHOR).then_some(a)
    }

    fn allowed(&self, w: u32) -> bool {
        w != self.seed && self.excluded.binary_search(&w).is_err()
    }

    /// The top `K` of scored candidates under the exclusions and the author cap.
    fn top(&self, mut cand: Vec<(f32, u32)>) -> Vec<u32> {
        cand.retain(|c| c.0.is_finite() && c.0 > 0.0 && self.allowed(c.1));
        cand.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut cap = AuthorCap::new(self.cap);
        let mut out = Vec::with_capacity(K);
        for (_, w) in cand {
            if out.len() == K {
                break;
            }
            if cap.admit(self.author(w)) {
                out.push(w);
            }
        }
        out
    }

    fn dense(&self, f: impl FnOnce(&mut [f32])) -> Vec<(f32, u32)> {
        let mut scores = vec![f32::NEG_INFINITY; self.serving.models.items.work_count()];
        f(&mut scores);
        scores
            .iter()
            .enumerate()
            .filter(|x| x.1.is_finite())
            .map(|(w, &s)| (s, w as u32))
            .collect()
    }

    fn knn_scores(&self, weigh: impl Fn(u32, f32) -> f32) -> Vec<(f32, u32)> {
        let (nb, sim) = self.plain_knn.neighbours(self.seed);
        nb.iter()
            .zip(sim)
            .map(|(&j, &s)| (weigh(j, s), j))
            .collect()
    }

    fn knn(&self, weigh: impl Fn(u32, f32) -> f32) -> Vec<u32> {
        self.top(self.knn_scores(weigh))
    }

    fn row(&self, row: &Row) -> Vec<u32> {
        let models = self.serving.models;
        let co = self.co;
        match row {
            Row::Served(kind) => {
                let key = &models.items.keys[models.shown[self.seed as usize] as usize];
                self.serving
                    .similar(*kind, key, K, self.request)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|r| r.work)
                    .collect()
            }
            Row::Knn => self.knn(|_, s| s),
            Row::KnnSupport(lambda) => self.knn(|j, s| {
                let c = co.count[j as usize] as f32;
                s * c / (c + lambda)
            }),
            Row::KnnMinCo(min) => self.knn(|j, s| {
                if co.count[j as usize] >= *min {
                    s
                } else {
                    f32::NEG_INFINITY
                }
            }),
            Row::Content(how) => match models.content.as_ref() {
                Some(c) => self.top(self.dense(|s| c.similar_by(self.seed, how, s))),
                None => Vec::new(),
            },
            Row::Ease => match models.ease.as_ref() {
                Some(e) => self.top(self.dense(|s| {
                    e.row_scores(self.seed, s);
                })),
                None => Vec::new(),
            },
            Row::Rp3(alpha, beta) => {
                let acc = if *alpha < 0.75 { &co.rp05 } else { &co.rp10 };
                self.top(
                    co.touched
                        .iter()
                        .map(|&j| {
                            let n = self.m.work_users[j as usize].max(1) as f32;
                            (acc[j as usize] / n.powf(*beta), j)
                        })
                        .collect(),
                )
            }
            Row::Cosine => {
                let ni = self.m.work_users[self.seed as usize].max(1) as f32;
                self.top(
                    co.touched
                        .iter()
                        .map(|&j| {
                            let nj = self.m.work_users[j as usize].max(1) as f32;
                            (co.count[j as usize] as f32 / (ni * nj).sqrt(), j)
                        })
                        .collect(),
                )
            }
            Row::Blend(lambda, share) => {
                let co = self.co;
                let knn = self.knn_scores(|j, s| {
                    let c = co.count[j as usize] as f32;
                    s * c / (c + lambda)
                });
                let ease = match models.ease.as_ref() {
                    Some(e) => self.dense(|s| {
                        e.row_scores(self.seed, s);
                    }),
                    None => Vec::new(),
                };
                let max = |v: &[(f32, u32)]| {
                    v.iter()
                        .map(|x| x.0)
                        .fold(0f32, f32::max)
                        .max(f32::MIN_POSITIVE)
                };
                let (mk, me) = (max(&knn), max(&ease));
                let mut sum: HashMap<u32, f32> = HashMap::new();
                for (s, j) in ease {
                    *sum.entry(j).or_default() += s / me;
                }
                for (s, j) in knn {
                    *sum.entry(j).or_default() += share * s / mk;
                }
                self.top(sum.into_iter().map(|(j, s)| (s, j)).collect())
            }
            Row::Fallback(min, known, unknown) => {
                if self.m.work_users[self.seed as usize] >= *min {
                    self.row(known)
                } else {
                    self.row(unknown)
                }
            }
            Row::TopUp(first, then) => {
                let mut out = self.row(first);
                if out.len() < K {
                    let mut cap =
                        AuthorCap::counting(self.cap, out.iter().map(|&w| self.author(w)));
                    for w in self.row(then) {
                        if out.len() == K {
                            break;
                        }
                        if !out.contains(&w) && cap.admit(self.author(w)) {
                            out.push(w);
                        }
                    }
                }
                out
            }
        }
    }
}

/// Sums of one row's metrics over a bucket of seeds.
#[derive(Clone, Copy, Default)]
struct Sums {
    n: u64,
    hr: f64,
    ndcg: f64,
    len: f64,
}

impl Sums {
    fn add(&mut self, row: &[u32], relevant: &[u32]) {
        let hits = metrics::hit_flags(row, relevant);
        self.n += 1;
        self.hr += metrics::hit_rate_at(&hits, K);
        self.ndcg += metrics::ndcg_at(&hits, relevant.len(), K);
        self.len += row.len() as f64;
    }

    fn merge(mut self, o: Sums) -> Sums {
        self.n += o.n;
        self.hr += o.hr;
        self.ndcg += o.ndcg;
        self.len += o.len;
        self
    }

    fn cell(&self) -> String {
        let n = self.n.max(1) as f64;
        format!(
            "{:>6.4} {:>7.4} {:>4.1}",
            self.hr / n,
            self.ndcg / n,
            self.len / n
        )
    }
}

/// The seed's bucket by training readers: < 5, 5–20, > 20.
fn bucket(readers: u32) -> usize {
    match readers {
        0..=4 => 0,
        5..=20 => 1,
        _ => 2,
    }
}

fn rows() -> Vec<(String, Row)> {
    let b = |r: Row| Box::new(r);
    let gate = Likeness::default();
    let mut out: Vec<(String, Row)> = vec![
        ("before: also liked / because (knn)".into(), Row::Knn),
        (
            "before: similar books (content)".into(),
            Row::Content(Likeness::PLAIN),
        ),
        (
            "now: also liked / because (hybrid)".into(),
            Row::Served(ModelKind::Hybrid),
        ),
        (
            "now: similar books (content)".into(),
            Row::Served(ModelKind::Content),
        ),
        ("now: knn neighbours".into(), Row::Served(ModelKind::Knn)),
        ("now: ease row".into(), Row::Served(ModelKind::Ease)),
    ];
    for lambda in [3.0, 10.0, 30.0, 100.0] {
        out.push((format!("try: knn·c/(c+{lambda})"), Row::KnnSupport(lambda)));
    }
    for min in [2, 3] {
        out.push((format!("try: knn co-readers≥{min}"), Row::KnnMinCo(min)));
    }
    for (name, how) in [
        (
            "content author×3 words×0.5",
            Likeness {
                author: 3.0,
                word: 0.5,
                ..Likeness::PLAIN
            },
        ),
        (
            "content words≥2 author×1.5",
            Likeness {
                author: 1.5,
                ..gate
            },
        ),
        ("content words≥2 words×0.5", Likeness { word: 0.5, ..gate }),
        (
            "content words≥2 publisher,decade×0.5",
            Likeness {
                publisher: 0.5,
                decade: 0.5,
                ..gate
            },
        ),
        (
            "content words≥3",
            Likeness {
                min_words: 3,
                ..gate
            },
        ),
        (
            "content words≥2, publisher as a word",
            Likeness {
                publisher_alone: false,
                ..gate
            },
        ),
        (
            "content words≥3, publisher as a word",
            Likeness {
                min_words: 3,
                publisher_alone: false,
                ..gate
            },
        ),
    ] {
        out.push((format!("try: {name}"), Row::Content(how)));
    }
    for min in [5, 20] {
        out.push((
            format!("try: knn if ≥{min} readers else ease"),
            Row::Fallback(min, b(Row::Knn), b(Row::Ease)),
        ));
    }
    out.push((
        "try: ease ⊕ knn·c/(c+30) ⊕ content".into(),
        Row::TopUp(
            b(Row::Ease),
            b(Row::TopUp(b(Row::KnnSupport(30.0)), b(Row::Content(gate)))),
        ),
    ));
    for share in [1.0, 0.5, 0.25] {
        out.push((
            format!("try: ease + {share}·knn·c/(c+30)"),
            Row::Blend(30.0, share),
        ));
    }
    out.push((
        "try: ≥5: blend ⊕ content, else content ⊕ knn".into(),
        Row::Fallback(
            5,
            b(Row::TopUp(b(Row::Blend(30.0, 0.5)), b(Row::Content(gate)))),
            b(Row::TopUp(b(Row::Content(gate)), b(Row::KnnSupport(30.0)))),
        ),
    ));
    out.push(("peer: ease B".into(), Row::Ease));
    for alpha in [0.5, 1.0] {
        for beta in [0.0, 0.3, 0.5, 0.7] {
            out.push((
                format!("peer: rp3beta a{alpha} b{beta}"),
                Row::Rp3(alpha, beta),
            ));
        }
    }
    out.push(("peer: item cosine".into(), Row::Cosine));
    out
}

/// Books whose rows are printed: (title, author) as folded prefixes.
const NAMED: [(&str, &str); 5] = [
    ("the testament", "john grisham"),
    ("hyperion", "dan simmons"),
    ("the lovely bones", "alice sebold"),
    ("dune", "herbert"),
    ("the hobbit", "tolkien"),
];

fn main() -> ExitCode {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let start = std::time::Instant::now();
    let say = |s: &str| eprintln!("[{:7.1}s] {s}", start.elapsed().as_secs_f64());
    say("loading");
    let dataset = match load(&DataSource::BookCrossing(args.data.clone())) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let protocol = Protocol::default();
    let split = holdout(&dataset.ratings, &protocol);
    // ALS and the tuned hybrid have no item-to-item row of their own.
    let params = TrainParams {
        models: vec![
            ModelKind::Popularity,
            ModelKind::Content,
            ModelKind::Knn,
            ModelKind::Ease,
        ],
        ..TrainParams::default()
    };
    let m = TrainMatrix::build(&dataset.items, &split.train, &params.weighting);
    let progress = |p: &engine::recs::Progress| say(&p.stage);
    let model =
        match TrainedModels::fit(dataset.items.clone(), &m, &split.train, &params, &progress) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
    say("training item-knn without the support factor");
    let plain_knn = ItemKnn::train_with_support(&m, &params.knn, 0.0);
    let serving = model.serve(Rules {
        max_per_author: args.cap,
    });
    let items = &model.items;

    // The held-out readers and their seeds.
    let mut users = relevant_by_user(&split.test, protocol.relevant_min);
    if let Some(max) = args.max_users {
        users.truncate(max);
    }
    let mut rng = SplitMix64::new(args.seed);
    let mut readers = Vec::new();
    let mut by_seed: HashMap<u32, Vec<usize>> = HashMap::new();
    for (user, relevant) in users {
        let Some(&r) = m.user_row.get(&user) else {
            continue;
        };
        let mut works: Vec<u32> = m.row(r as usize).into_iter().map(|x| x.0).collect();
        if works.is_empty() {
            continue;
        }
        works.sort_unstable();
        let keys = engine::recs::data::row_of(&m.by_user_isbn, r as usize)
            .into_iter()
            .map(|x| items.keys[x.0 as usize].clone())
            .collect();
        let mut relevant: Vec<u32> = relevant
            .iter()
            .map(|&e| items.work_of[e as usize])
            .collect();
        relevant.sort_unstable();
        relevant.dedup();
        let mut seeds = works.clone();
        rng.shuffle(&mut seeds);
        seeds.truncate(args.seeds);
        for s in seeds {
            by_seed.entry(s).or_default().push(readers.len());
        }
        readers.push(Reader {
            works,
            keys,
            relevant,
        });
    }
    let mut seeds: Vec<(u32, Vec<usize>)> = by_seed.into_iter().collect();
    seeds.sort_unstable_by_key(|s| s.0);
    let pairs: usize = seeds.iter().map(|s| s.1.len()).sum();
    say(&format!(
        "{} readers, {} seeds, {pairs} (reader, seed) pairs",
        readers.len(),
        seeds.len()
    ));

    let degree: Vec<u32> = (0..m.by_user.rows())
        .map(|u| m.by_user.indptr().outer_inds_sz(u).len() as u32)
        .collect();
    let rows = rows();
    let n_rows = rows.len();
    let zero = || vec![[Sums::default(); 4]; n_rows];
    let done = std::sync::atomic::AtomicUsize::new(0);
    let sums = seeds
        .par_iter()
        .fold(
            || (Co::new(items.work_count()), zero()),
            |(mut co, mut acc), (seed, cases)| {
                co.fill(&m, &degree, *seed);
                let b = bucket(m.work_users[*seed as usize]);
                for &c in cases {
                    let reader = &readers[c];
                    let request = Request {
                        ratings: reader.keys.iter().map(|k| (k.clone(), 0)).collect(),
                        ..Request::default()
                    };
                    let ctx = Ctx {
                        serving,
                        plain_knn: &plain_knn,
                        m: &m,
                        co: &co,
                        seed: *seed,
                        excluded: &reader.works,
                        request: &request,
                        cap: args.cap,
                    };
                    for (i, (_, row)) in rows.iter().enumerate() {
                        let list = ctx.row(row);
                        acc[i][b].add(&list, &reader.relevant);
                        acc[i][3].add(&list, &reader.relevant);
                    }
                }
                let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if d.is_multiple_of(5000) {
                    say(&format!("seeds {d}/{}", seeds.len()));
                }
                (co, acc)
            },
        )
        .map(|x| x.1)
        .reduce(zero, |a, b| {
            a.into_iter()
                .zip(b)
                .map(|(x, y)| [0, 1, 2, 3].map(|i| x[i].merge(y[i])))
                .collect()
        });

    println!(
        "Book-Crossing, recs_eval's hold-out (seed {}): {} readers with a relevant held-out book, \
         up to {} training works each as seeds ({} pairs); top {K}, at most {} per author, the \
         reader's training works left out",
        protocol.seed,
        readers.len(),
        args.seeds,
        pairs,
        args.cap
    );
    let counts = sums.first().map(|r| r.map(|s| s.n)).unwrap_or_default();
    println!(
        "{:<36} | {:^19} | {:^19} | {:^19} | {:^19}",
        "row",
        format!("all ({})", counts[3]),
        format!("seed <5 readers ({})", counts[0]),
        format!("5-20 ({})", counts[1]),
        format!(">20 ({})", counts[2])
    );
    let head = format!("{:>6} {:>7} {:>4}", "HR@10", "NDCG@10", "len");
    println!("{:<36} | {head} | {head} | {head} | {head}", "");
    for ((name, _), s) in rows.iter().zip(&sums) {
        println!(
            "{name:<36} | {} | {} | {} | {}",
            s[3].cell(),
            s[0].cell(),
            s[1].cell(),
            s[2].cell()
        );
    }

    // The named books' rows, for a reader who has none of them.
    println!();
    let none = Request::default();
    let mut co = Co::new(items.work_count());
    for (title, author) in NAMED {
        let found = (0..items.work_count() as u32)
            .filter(|&w| {
                let meta = &items.meta[w as usize];
                engine::text::fold(&meta.title).starts_with(title)
                    && engine::text::fold(&meta.author).contains(author)
            })
            .max_by_key(|&w| m.work_users[w as usize]);
        let Some(seed) = found else {
            println!("{title} by {author}: not in the catalog");
            continue;
        };
        co.fill(&m, &degree, seed);
        println!(
            "== {} by {} ({} training readers)",
            items.meta[seed as usize].title,
            items.meta[seed as usize].author,
            m.work_users[seed as usize]
        );
        let ctx = Ctx {
            serving,
            plain_knn: &plain_knn,
            m: &m,
            co: &co,
            seed,
            excluded: &[],
            request: &none,
            cap: args.cap,
        };
        for (name, row) in rows.iter().filter(|r| {
            r.0.starts_with("before")
                || r.0.starts_with("now: also")
                || r.0.starts_with("now: sim")
                || r.0.starts_with("now: knn")
        }) {
            println!("  {name}");
            for w in ctx.row(row) {
                let meta = &items.meta[w as usize];
                println!(
                    "    {} — {} ({} readers)",
                    meta.title, meta.author, m.work_users[w as usize]
                );
            }
        }
    }
    say("done");
    ExitCode::SUCCESS
}

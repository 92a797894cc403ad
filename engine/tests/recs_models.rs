//! Properties of the recommender's models on small synthetic data: kNN similarity symmetric
//! and bounded, ALS loss decreasing and fold-in reproducing trained factors, EASE's B against a
//! direct solve, explanations summing to their scores, and the recommendation rules.

use engine::records::Book;
use engine::recs::data::{profile, Interaction, ItemIndex, TrainMatrix, Weighting};
use engine::recs::models::als::{Als, AlsParams};
use engine::recs::models::ease::{Ease, EaseParams};
use engine::recs::models::knn::{ItemKnn, KnnParams};
use engine::recs::models::ModelKind;
use engine::recs::models::Scorer;
use engine::recs::serve::Request;
use engine::recs::trained::{TrainParams, TrainedModels};
use proptest::prelude::*;
use test_support::rng::SplitMix64;

/// 60 books: 40 works, every fourth work in two editions, 8 authors.
fn catalog() -> ItemIndex {
    let mut books = Vec::new();
    for w in 0..40u32 {
        let editions = if w % 4 == 0 { 2 } else { 1 };
        for e in 0..editions {
            let title = if e == 0 {
                format!("Story number {w} of the sea")
            } else {
                format!("Story Number {w} of the Sea (Paperback)")
            };
            books.push(
                Book::new(
                    format!("{:09}{}", w * 10 + e, e),
                    title,
                    format!("Author {}", w % 8),
                )
                .with_year(1950 + (w as u16 % 5) * 10)
                .with_publisher(format!("House {}", w % 3)),
            );
        }
    }
    ItemIndex::from_books(books)
}

/// Random interactions with structure: users prefer works of their "taste" group.
fn interactions(items: &ItemIndex, users: u32, seed: u64) -> Vec<Interaction> {
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::new();
    for u in 0..users {
        let taste = u % 4;
        let n = 4 + rng.below(8);
        for _ in 0..n {
            let work = if rng.below(10) < 7 {
                (taste as usize * 10 + rng.below(10)) % items.work_count()
            } else {
                rng.below(items.work_count())
            };
            let eds = &items.editions[work];
            let item = eds[rng.below(eds.len())];
            let rating = [0u8, 0, 5, 7, 8, 9, 10][rng.below(7)];
            out.push(Interaction {
                user: u,
                item,
                rating,
            });
        }
    }
    out.sort_unstable_by_key(|r| (r.user, r.item));
    out.dedup_by_key(|r| (r.user, r.item));
    out
}

fn weighting() -> Weighting {
    Weighting {
        implicit: 1.0,
        explicit_low: 0.5,
        explicit_high: 2.0,
    }
}

#[test]
fn knn_similarity_is_symmetric_and_bounded() {
    let items = catalog();
    let m = TrainMatrix::build(&items, &interactions(&items, 80, 1), &weighting());
    // Keep every neighbour so that both directions are present.
    let knn = ItemKnn::train(
        &m,
        &KnnParams {
            neighbours: 1000,
            shrink: 5.0,
            min_users: 1,
        },
    );
    let sim = |i: u32, j: u32| {
        let (nb, s) = knn.neighbours(i);
        nb.iter().position(|&x| x == j).map(|p| s[p]).unwrap_or(0.0)
    };
    let mut pairs = 0;
    for i in 0..items.work_count() as u32 {
        let (nb, s) = knn.neighbours(i);
        for (&j, &v) in nb.iter().zip(s) {
            assert!(v > 0.0 && v < 1.0, "sim({i},{j}) = {v}");
            assert!((v - sim(j, i)).abs() < 1e-6, "asymmetric {i} {j}");
            assert_ne!(i, j);
            pairs += 1;
        }
    }
    assert!(pairs > 100);
}

#[test]
fn als_loss_decreases_every_iteration_and_fold_in_reproduces_factors() {
    let items = catalog();
    let m = TrainMatrix::build(&items, &interactions(&items, 60, 2), &weighting());
    let params = AlsParams {
        factors: 8,
        iterations: 12,
        regularization: 0.1,
        alpha: 2.0,
        cg_steps: 3,
        min_users: 1,
        seed: 3,
    };
    let mut losses = Vec::new();
    let model = Als::train(&m, &params, |_, a| losses.push(a.loss(&m)));
    for w in losses.windows(2) {
        assert!(w[1] <= w[0] * (1.0 + 1e-5), "loss went up: {losses:?}");
    }
    assert!(losses[losses.len() - 1] < losses[0]);

    // Converged factors: many exact-ish CG steps.
    let exact = Als::train(
        &m,
        &AlsParams {
            cg_steps: 8,
            iterations: 60,
            ..params
        },
        |_, _| {},
    );
    for row in 0..m.user_ids.len() {
        let folded = exact
            .fold_in(&m.row(row))
            .expect("profile has modelled works");
        let trained = exact.user_factors(row);
        let diff: f32 = folded
            .iter()
            .zip(trained)
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f32>()
            .sqrt();
        let norm: f32 = trained.iter().map(|a| a * a).sum::<f32>().sqrt();
        assert!(
            diff <= 2e-2 * norm.max(1.0),
            "row {row}: |Δ| = {diff}, |x| = {norm}"
        );
    }
    drop(model);
}

/// Invert a small SPD matrix by Gauss–Jordan in f64.
fn invert(mut a: Vec<f64>, n: usize) -> Vec<f64> {
    let mut inv = vec![0f64; n * n];
    for i in 0..n {
        inv[i * n + i] = 1.0;
    }
    for c in 0..n {
        let p = a[c * n + c];
        for j in 0..n {
            a[c * n + j] /= p;
            inv[c * n + j] /= p;
        }
        for r in 0..n {
            if r != c {
                let f = a[r * n + c];
                for j in 0..n {
                    a[r * n + j] -= f * a[c * n + j];
                    inv[r * n + j] -= f * inv[c * n + j];
                }
            }
        }
    }
    inv
}

#[test]
fn ease_has_a_zero_diagonal_and_matches_a_direct_solve() {
    let items = catalog();
    let m = TrainMatrix::build(&items, &interactions(&items, 80, 4), &weighting());
    let lambda = 3.0;
    let ease = Ease::train(
        &m,
        &EaseParams {
            lambda,
            min_users: 1,
            max_items: 1000,
            user_damping: 0.0,
            keep_per_row: 0,
        },
    )
    .expect("SPD");
    let vocab = ease.vocab().to_vec();
    let n = vocab.len();
    assert!(n > 20);
    // Direct: G = XᵀX + λI over the vocabulary, P = G⁻¹, B_ij = −P_ij / P_jj, B_jj = 0.
    let mut g = vec![0f64; n * n];
    for u in 0..m.user_ids.len() {
        let row = m.row(u);
        for &(a, xa) in &row {
            for &(b, xb) in &row {
                let (Some(i), Some(j)) = (
                    vocab.iter().position(|&v| v == a),
                    vocab.iter().position(|&v| v == b),
                ) else {
                    continue;
                };
                g[i * n + j] += f64::from(xa) * f64::from(xb);
            }
        }
    }
    for i in 0..n {
        g[i * n + i] += f64::from(lambda);
    }
    let p = invert(g, n);
    for i in 0..n {
        assert_eq!(ease.weight(i, i), 0.0);
        for j in 0..n {
            if i != j {
                let direct = -p[i * n + j] / p[j * n + j];
                let got = f64::from(ease.weight(i, j));
                assert!((got - direct).abs() < 1e-4, "B[{i},{j}] {got} vs {direct}");
            }
        }
    }
}

/// A recommendation's reasons add up to its score, within `tolerance` of it (relative to the
/// score, or absolute below 1).
fn assert_shares_sum(r: &engine::recs::serve::Recommendation, tolerance: f32, what: &str) {
    let sum: f32 = r.because.iter().map(|b| b.1).sum();
    assert!(
        (sum - r.score).abs() <= tolerance * r.score.abs().max(1.0),
        "{what}: shares sum {sum} vs score {}",
        r.score
    );
}

fn trained() -> (TrainedModels, Vec<Interaction>) {
    let items = catalog();
    let train = interactions(&items, 120, 5);
    let params = TrainParams {
        ease: EaseParams {
            lambda: 5.0,
            min_users: 2,
            max_items: 1000,
            user_damping: 0.0,
            keep_per_row: 0,
        },
        als: AlsParams {
            factors: 8,
            iterations: 5,
            min_users: 1,
            ..AlsParams::default()
        },
        knn: KnnParams {
            min_users: 1,
            ..KnnParams::default()
        },
        max_per_author: 2,
        ..TrainParams::default()
    };
    // Exercise the relevance prior too: explanations must still sum to the scores.
    let mut params = params;
    for w in &mut params.blend.weights {
        w.prior = 0.5;
    }
    let model = TrainedModels::train(items, &train, &params, &|_| {}).expect("trains");
    (model, train)
}

/// What `user` rated in `train`, as a request carries it: (ISBN, rating).
fn ratings_of(model: &TrainedModels, train: &[Interaction], user: u32) -> Vec<(String, u8)> {
    train
        .iter()
        .filter(|r| r.user == user)
        .map(|r| (model.items.keys[r.item as usize].clone(), r.rating))
        .collect()
}

#[test]
fn explanations_sum_to_the_scores_they_explain() {
    let (model, train) = trained();
    let user_ratings = ratings_of(&model, &train, 7);
    assert!(!user_ratings.is_empty());
    for kind in ModelKind::ALL {
        let recs = model
            .serving()
            .recommend(
                kind,
                &Request {
                    ratings: user_ratings.clone(),
                    k: 10,
                    ..Request::default()
                },
            )
            .expect("trained");
        assert_eq!(recs.len(), 10, "{kind}");
        for r in recs.iter().filter(|r| r.score != 0.0) {
            assert_shares_sum(r, 1e-3, &kind.to_string());
        }
    }
}

#[test]
fn model_files_round_trip() {
    let (model, _) = trained();
    let dir = std::env::temp_dir().join(format!("shelfwise-recs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("model.bin");
    model.save(&path).expect("save");
    let back = TrainedModels::load(&path).expect("load");
    let req = Request {
        ratings: vec![
            (model.items.keys[0].clone(), 9),
            (model.items.keys[5].clone(), 0),
        ],
        k: 5,
        ..Request::default()
    };
    for kind in ModelKind::ALL {
        assert_eq!(
            model.serving().recommend(kind, &req).expect("a"),
            back.serving().recommend(kind, &req).expect("b")
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn no_recommendation_breaks_a_rule(
        rated in proptest::collection::vec((0usize..50, 0u8..=10), 0..12),
        shelved in proptest::collection::vec(0usize..50, 0..5),
        hidden in proptest::collection::vec(0usize..50, 0..5),
        kind in 0usize..6,
    ) {
        let (model, _) = &*MODEL;
        let key = |i: usize| model.items.keys[i].clone();
        let req = Request {
            ratings: rated.iter().map(|&(i, r)| (key(i), r)).collect(),
            shelved: shelved.iter().map(|&i| key(i)).collect(),
            not_interested: hidden.iter().map(|&i| key(i)).collect(),
            k: 10,
        };
        let kind = ModelKind::ALL[kind];
        let recs = model.serving().recommend(kind, &req).expect("trained");
        let work_of = |k: &str| model.items.work_of[model.items.find(k).expect("known") as usize];
        let banned: std::collections::HashSet<u32> = rated.iter().map(|x| x.0).chain(shelved.iter().copied()).chain(hidden.iter().copied())
            .map(|i| model.items.work_of[i]).collect();
        let mut works = std::collections::HashSet::new();
        let mut authors = std::collections::HashMap::new();
        for r in &recs {
            let w = work_of(&r.key);
            prop_assert_eq!(w, r.work);
            prop_assert!(!banned.contains(&w), "{} recommended a banned work", kind);
            prop_assert!(works.insert(w), "two editions of one work");
            let a = model.items.work_author[w as usize];
            *authors.entry(a).or_insert(0) += 1;
            prop_assert!(authors[&a] <= 2, "author cap");
        }
        let _ = profile;
    }
}

static MODEL: std::sync::LazyLock<(TrainedModels, Vec<Interaction>)> =
    std::sync::LazyLock::new(trained);

#[test]
fn scores_cover_only_modelled_works() {
    let (model, train) = &*MODEL;
    let m = TrainMatrix::build(&model.items, train, &model.params.weighting);
    let ease = model.ease.as_ref().expect("trained");
    let mut out = vec![f32::NEG_INFINITY; model.items.work_count()];
    ease.score(&m.row(0), &mut out);
    let scored = out.iter().filter(|s| s.is_finite()).count();
    assert_eq!(scored, ease.len());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn similar_books_follow_the_rules(
        book in 0usize..50,
        rated in proptest::collection::vec(0usize..50, 0..6),
        shelved in proptest::collection::vec(0usize..50, 0..4),
        k in 0usize..12,
        kind in prop_oneof![
            Just(ModelKind::Knn),
            Just(ModelKind::Ease),
            Just(ModelKind::Content),
            Just(ModelKind::Hybrid),
            Just(ModelKind::Popularity),
        ],
    ) {
        let (model, _) = &*MODEL;
        let key = |i: usize| model.items.keys[i].clone();
        let exclude = Request {
            ratings: rated.iter().map(|&i| (key(i), 8)).collect(),
            shelved: shelved.iter().map(|&i| key(i)).collect(),
            ..Request::default()
        };
        let recs = model.serving().similar(kind, &key(book), k, &exclude).expect("trained");
        prop_assert!(recs.len() <= k);
        let own = model.items.work_of[book];
        let banned: std::collections::HashSet<u32> = rated
            .iter()
            .chain(&shelved)
            .map(|&i| model.items.work_of[i])
            .collect();
        let mut works = std::collections::HashSet::new();
        let mut authors = std::collections::HashMap::new();
        for r in &recs {
            let e = model.items.find(&r.key).expect("known key");
            prop_assert_eq!(model.items.work_of[e as usize], r.work);
            prop_assert!(r.work != own, "{} returned the book's own work", kind);
            prop_assert!(!banned.contains(&r.work), "{} returned an excluded work", kind);
            prop_assert!(works.insert(r.work), "a work twice");
            let a = model.items.work_author[r.work as usize];
            *authors.entry(a).or_insert(0) += 1;
            prop_assert!(authors[&a] <= model.params.max_per_author, "author cap");
            prop_assert!(!r.because.is_empty());
            let sum: f32 = r.because.iter().map(|b| b.1).sum();
            prop_assert!((sum - r.score).abs() <= 1e-4 * r.score.abs().max(1.0));
        }
        // Best first.
        if kind != ModelKind::Hybrid {
            prop_assert!(recs.windows(2).all(|p| p[0].score >= p[1].score));
        }
    }
}

#[test]
fn similar_books_explain_themselves() {
    let (model, _) = &*MODEL;
    // An edition of a two-edition work: its other edition never comes back.
    let key = model.items.keys[0].clone();
    let own = model.items.work_of[0];
    assert_eq!(model.items.editions[own as usize].len(), 2);
    let none = Request::default();
    let cf = model
        .serving()
        .similar(ModelKind::Knn, &key, 5, &none)
        .expect("knn");
    assert!(!cf.is_empty());
    for r in &cf {
        assert_eq!(
            r.because,
            vec![(engine::recs::serve::Because::Book(key.clone()), r.score)]
        );
    }
    let content = model
        .serving()
        .similar(ModelKind::Content, &key, 5, &none)
        .expect("content");
    assert_eq!(content.len(), 5);
    for r in &content {
        assert!(r.because.iter().all(|b| matches!(
            &b.0,
            engine::recs::serve::Because::Feature(f) if f.to_string().contains(':')
        )));
        assert!(model.items.editions[own as usize]
            .iter()
            .all(|&e| model.items.keys[e as usize] != r.key));
    }
    // The same author first: the heaviest shared feature.
    assert!(content[0].because.iter().any(
        |b| matches!(&b.0, engine::recs::serve::Because::Feature(f) if f.to_string().starts_with("author:"))
    ));
    assert!(model
        .serving()
        .similar(ModelKind::Als, &key, 5, &none)
        .is_err());
    assert!(model
        .serving()
        .similar(ModelKind::Knn, "no such book", 5, &none)
        .is_err());
}

#[test]
fn a_book_added_after_training_has_similar_books_by_content() {
    let (model, _) = &*MODEL;
    // A new book by "Author 3", from "House 0", of the 1970s: none of it is in the model.
    let meta = engine::recs::data::WorkMeta {
        title: "A brand new story of the mountains".to_string(),
        author: "Author 3".to_string(),
        publisher: "House 0".to_string(),
        year: Some(1975),
        tags: Vec::new(),
    };
    let none = Request::default();
    let similar = model
        .serving()
        .similar_to_new(&meta, 5, &none)
        .expect("content");
    assert!(!similar.is_empty());
    let author_of =
        |r: &engine::recs::serve::Recommendation| model.items.meta[r.work as usize].author.clone();
    // The same author first, and said so.
    assert_eq!(author_of(&similar[0]), "Author 3");
    assert!(similar[0].because.iter().any(
        |b| matches!(&b.0, engine::recs::serve::Because::Feature(f) if f.to_string() == "author:author 3")
    ));
    for r in &similar {
        assert_shares_sum(r, 1e-4, "similar");
    }
    // What the reader rated or shelved is never shown; a book sharing nothing gets nothing.
    let first = similar[0].key.clone();
    let rated = Request {
        ratings: vec![(first.clone(), 8)],
        ..Request::default()
    };
    let again = model.serving().similar_to_new(&meta, 5, &rated).unwrap();
    assert!(again.iter().all(|r| r.key != first));
    let stranger = engine::recs::data::WorkMeta {
        title: "Zzyzx".to_string(),
        author: "Nobody Known".to_string(),
        ..Default::default()
    };
    assert!(model
        .serving()
        .similar_to_new(&stranger, 5, &none)
        .unwrap()
        .is_empty());
}

#[test]
fn a_model_trains_from_store_tuples() {
    let books: Vec<Book> = (0..6u32)
        .map(|i| {
            let word = ["alpha", "beta", "gamma", "delta", "alpha", "omega"][i as usize];
            Book::new(
                format!("K{i}"),
                format!("Title {word}"),
                format!("Writer {}", i % 3),
            )
            .with_year(2000)
            .with_publisher("Press")
        })
        .collect();
    // Readers 1–3 read books 0, 1, 2 together; 4 and 5 read 3 and 5. Index 9 is no book, a
    // score of 11 is no score: both are left out.
    let mut tuples = vec![(9u32, 9u32, 5u8), (8, 0, 11)];
    for u in 1..=3u32 {
        tuples.extend([(u, 0, 9), (u, 1, 8), (u, 2, 0)]);
    }
    for u in 4..=5u32 {
        tuples.extend([(u, 3, 7), (u, 5, 10)]);
    }
    let params = TrainParams {
        ease: EaseParams {
            lambda: 1.0,
            min_users: 1,
            max_items: 100,
            user_damping: 0.0,
            keep_per_row: 0,
        },
        als: AlsParams {
            factors: 4,
            iterations: 3,
            min_users: 1,
            ..AlsParams::default()
        },
        knn: KnnParams {
            min_users: 1,
            ..KnnParams::default()
        },
        ..TrainParams::default()
    };
    let model = TrainedModels::train_from_tuples(books, tuples, &params, &|_| {}).expect("trains");
    assert_eq!(model.items.len(), 6);
    let reader = Request {
        ratings: vec![("K0".into(), 9)],
        k: 2,
        ..Request::default()
    };
    for kind in ModelKind::ALL {
        let recs = model.serving().recommend(kind, &reader).expect("trained");
        assert_eq!(recs.len(), 2, "{kind}");
        assert!(recs.iter().all(|r| r.key != "K0"), "{kind}");
    }
    // Co-read books come first for the collaborative models.
    let top = &model
        .serving()
        .recommend(ModelKind::Knn, &reader)
        .expect("knn")[0];
    assert!(top.key == "K1" || top.key == "K2", "{}", top.key);
    let also = model
        .serving()
        .similar(ModelKind::Knn, "K3", 3, &Request::default())
        .expect("knn");
    assert_eq!(
        also.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
        vec!["K5"]
    );
}

#[test]
fn pruned_ease_keeps_each_rows_largest_weights_and_scores_with_them() {
    let items = catalog();
    let m = TrainMatrix::build(&items, &interactions(&items, 80, 4), &weighting());
    let params = EaseParams {
        lambda: 3.0,
        min_users: 1,
        max_items: 1000,
        user_damping: 0.0,
        keep_per_row: 0,
    };
    let dense = Ease::train(&m, &params).expect("SPD");
    let keep = 5;
    let sparse = Ease::train(
        &m,
        &EaseParams {
            keep_per_row: keep,
            ..params
        },
    )
    .expect("SPD");
    assert!(sparse.is_sparse() && !dense.is_sparse());
    let n = dense.len();
    for i in 0..n {
        let mut row: Vec<f32> = (0..n).map(|j| dense.weight(i, j).abs()).collect();
        row.sort_by(|a, b| b.total_cmp(a));
        let kept: Vec<usize> = (0..n).filter(|&j| sparse.weight(i, j) != 0.0).collect();
        assert_eq!(kept.len(), keep);
        for &j in &kept {
            assert_eq!(sparse.weight(i, j), dense.weight(i, j));
            assert!(dense.weight(i, j).abs() >= row[keep - 1]);
        }
    }
    // A profile's score is Σ x_i B_ij over the kept weights, and explanations still sum to it.
    let profile = m.row(3);
    let mut out = vec![f32::NEG_INFINITY; items.work_count()];
    sparse.score(&profile, &mut out);
    for (p, &w) in sparse.vocab().iter().enumerate() {
        let sum: f32 = sparse.explain(&profile, w).iter().map(|c| c.share).sum();
        assert!(
            (sum - out[w as usize]).abs() < 1e-5,
            "work {w} (position {p})"
        );
    }
}

/// The first edition of each work of `catalog()`, by work.
fn first_editions(items: &ItemIndex) -> Vec<u32> {
    items.editions.iter().map(|e| e[0]).collect()
}

#[test]
fn a_neighbour_read_by_one_co_reader_ranks_below_one_many_read_at_equal_cosine() {
    let items = catalog();
    let ed = first_editions(&items);
    let read = |user: u32, work: usize| Interaction {
        user,
        item: ed[work],
        rating: 0,
    };
    // Work 0 has ten readers. Work 1 has one, who read work 0; work 2 has four, two of whom
    // read work 0: both cosines are 1/√10.
    let mut train: Vec<Interaction> = (0..10).map(|u| read(u, 0)).collect();
    train.push(read(0, 1));
    train.extend([read(1, 2), read(2, 2), read(20, 2), read(21, 2)]);
    let m = TrainMatrix::build(&items, &train, &Weighting::BINARY);
    let params = KnnParams {
        neighbours: 10,
        shrink: 0.0,
        min_users: 1,
    };
    let sim = |knn: &ItemKnn, j: u32| {
        let (nb, s) = knn.neighbours(0);
        nb.iter()
            .position(|&x| x == j)
            .map(|p| s[p])
            .expect("a neighbour")
    };
    let (one, many) = (items.work_of[ed[1] as usize], items.work_of[ed[2] as usize]);
    let raw = ItemKnn::train_with_support(&m, &params, 0.0);
    assert!((sim(&raw, one) - sim(&raw, many)).abs() < 1e-6);
    let knn = ItemKnn::train(&m, &params);
    assert!(sim(&knn, many) > sim(&knn, one));
    assert_eq!(knn.neighbours(0).0[0], many);
}

#[test]
fn a_little_read_book_is_similar_by_content_first_a_well_read_one_by_co_readers() {
    let items = catalog();
    let ed = first_editions(&items);
    let read = |user: u32, work: usize| Interaction {
        user,
        item: ed[work],
        rating: 8,
    };
    // Works 1–3 are read together by twenty readers; work 4 by one reader, who also read
    // work 5 (by another author, from another house).
    let mut train = Vec::new();
    for u in 0..20 {
        train.extend([read(u, 1), read(u, 2), read(u, 3)]);
    }
    train.extend([read(30, 4), read(30, 5)]);
    let params = TrainParams {
        knn: KnnParams {
            min_users: 1,
            ..KnnParams::default()
        },
        ..TrainParams::default()
    };
    let model = TrainedModels::train(items, &train, &params, &|_| {}).expect("trains");
    // No author cap: the order of the row is what is under test.
    let serving = model.serve(engine::recs::serve::Rules {
        max_per_author: usize::MAX,
    });
    let key = |w: usize| model.items.keys[ed[w] as usize].clone();
    let work = |w: usize| model.items.work_of[ed[w] as usize];
    let none = Request::default();
    let is_book = |r: &engine::recs::serve::Recommendation| {
        r.because
            .iter()
            .all(|b| matches!(b.0, engine::recs::serve::Because::Book(_)))
    };

    let little = serving
        .similar(ModelKind::Hybrid, &key(4), 40, &none)
        .expect("trained");
    // Same author first, said so; the one co-read book only after every content match.
    assert_eq!(
        model.items.work_author[little[0].work as usize],
        model.items.work_author[work(4) as usize]
    );
    assert!(little[0].because.iter().any(
        |b| matches!(&b.0, engine::recs::serve::Because::Feature(f) if f.to_string().starts_with("author:"))
    ));
    let at = little
        .iter()
        .position(|r| r.work == work(5))
        .expect("the co-read book tops the row up");
    assert!(little[..at].iter().all(|r| !is_book(r)));
    assert!(is_book(&little[at]));

    let well = serving
        .similar(ModelKind::Hybrid, &key(1), 5, &none)
        .expect("trained");
    let firsts: Vec<u32> = well.iter().take(2).map(|r| r.work).collect();
    assert!(firsts.contains(&work(2)) && firsts.contains(&work(3)));
    assert!(well.iter().take(2).all(is_book));
}

/// [`trained`] with a reranker fitted on its own readers: each reader's candidates, the works
/// of their taste group marked as hits (the structure [`interactions`] plants).
fn reranked() -> (TrainedModels, Vec<Interaction>) {
    use engine::recs::models::rerank::{
        CandidateInput, Candidates, RerankParams, Reranker, TrainingCase,
    };
    let (mut model, train) = trained();
    let weighting = model.params.weighting;
    let cases: Vec<TrainingCase> = (0..120u32)
        .map(|u| {
            let ratings: Vec<(u32, u8)> = train
                .iter()
                .filter(|r| r.user == u)
                .map(|r| (r.item, r.rating))
                .collect();
            let profile = profile(&model.items, &ratings, &weighting);
            let hybrid = model.hybrid(&model.params.blend);
            let components = hybrid.component_scores(&profile, model.items.work_count());
            let candidates = Candidates::new(&CandidateInput {
                components: &components,
                profile: &profile,
                relevance: &model.relevance,
                work_author: &model.items.work_author,
            });
            let hits = candidates
                .works
                .iter()
                .map(|&w| w as usize / 10 == (u % 4) as usize)
                .collect();
            TrainingCase { candidates, hits }
        })
        .collect();
    let params = RerankParams {
        rounds: 20,
        min_profile: 1,
        ..RerankParams::default()
    };
    model.reranker = Reranker::fit(&cases, &params).unwrap();
    assert!(model.reranker.is_some());
    (model, train)
}

#[test]
fn a_reranked_hybrid_explains_its_scores_and_survives_its_file() {
    use engine::recs::models::hybrid::RERANKED;
    let (model, train) = reranked();
    let ratings = ratings_of(&model, &train, 7);
    let request = Request {
        ratings,
        k: 10,
        ..Request::default()
    };
    let recs = model
        .serving()
        .recommend(ModelKind::Hybrid, &request)
        .expect("trained");
    assert_eq!(recs.len(), 10);
    // The reranked candidates come first, and the reasons still add up to each score.
    assert!(recs[0].score >= RERANKED, "{}", recs[0].score);
    for r in &recs {
        assert_shares_sum(r, 1e-3, "reranked");
    }
    // A new reader whose bucket weighs kNN alone still gets a reason for every reranked book,
    // also for those only the components weighted 0 put forward.
    let short = Request {
        ratings: request.ratings[..2].to_vec(),
        k: 20,
        ..Request::default()
    };
    let mut knn_only = model.clone();
    knn_only.params.blend.weights[0] = engine::recs::models::hybrid::BlendWeights {
        knn: 1.0,
        ..Default::default()
    };
    for r in knn_only
        .serving()
        .recommend(ModelKind::Hybrid, &short)
        .expect("trained")
    {
        assert!(!r.because.is_empty(), "no reason for {}", r.key);
        assert_shares_sum(&r, 1e-3, "reranked, kNN alone");
    }
    // Without the reranker the same model gives another order.
    let mut plain = model.clone();
    plain.reranker = None;
    let unranked = plain
        .serving()
        .recommend(ModelKind::Hybrid, &request)
        .expect("trained");
    assert!(unranked.iter().all(|r| r.score < RERANKED));
    // The file keeps the reranker: the loaded model recommends the same.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.bin");
    model.save(&path).unwrap();
    let back = TrainedModels::load(&path).unwrap();
    assert!(back.reranker.is_some());
    let again = back
        .serving()
        .recommend(ModelKind::Hybrid, &request)
        .expect("trained");
    let keys = |v: &[engine::recs::serve::Recommendation]| -> Vec<String> {
        v.iter().map(|r| r.key.clone()).collect()
    };
    assert_eq!(keys(&again), keys(&recs));
}

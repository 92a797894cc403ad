//! The recommender on a slice of the real Book-Crossing files (`data/raw`): the protocol's
//! split, training, and the rules, fast enough for a debug build.
//!
//! The files are read from `$SHELFWISE_BX_DIR` (default `data/raw`). Skipped when they are
//! absent, unless `SHELFWISE_REQUIRE_DATA` is set, which turns their absence into a failure
//! (for CI machines that have the data): the rule of `test_support::data`.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use engine::datasets::load::load_bookcrossing_from;
use engine::recs::data::TrainMatrix;
use engine::recs::metrics::Scores;
use engine::recs::models::als::AlsParams;
use engine::recs::models::ease::EaseParams;
use engine::recs::models::knn::KnnParams;
use engine::recs::models::ModelKind;
use engine::recs::split::{holdout, relevant_by_user, Protocol};
use engine::recs::trained::{TrainParams, TrainedModels};
use test_support::data::bookcrossing_file;

/// The first `bytes` bytes of a file.
fn slice(path: &Path, bytes: u64) -> Vec<u8> {
    let mut out = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(bytes).read_to_end(&mut out))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    out
}

#[test]
fn a_real_slice_trains_and_follows_the_rules() {
    let (Some(books), Some(ratings)) = (
        bookcrossing_file("BX-Books.csv"),
        bookcrossing_file("BX-Book-Ratings.csv"),
    ) else {
        return;
    };
    let (books, ratings) = (slice(&books, 5_000_000), slice(&ratings, 1_500_000));
    let data = load_bookcrossing_from(&books[..], &ratings[..]).expect("slice parses");
    assert!(data.items.len() > 15_000, "{} books", data.items.len());
    assert!(data.ratings.len() > 2_000, "{} ratings", data.ratings.len());
    // Every kept rating names a catalog book, at most once per user.
    let mut pairs = HashSet::new();
    for r in &data.ratings {
        assert!((r.item as usize) < data.items.len());
        assert!(pairs.insert((r.user, r.item)));
    }

    let protocol = Protocol::default();
    let split = holdout(&data.ratings, &protocol);
    let params = TrainParams {
        ease: EaseParams {
            lambda: 50.0,
            min_users: 3,
            max_items: 400,
            user_damping: 0.0,
            keep_per_row: 0,
        },
        knn: KnnParams::default(),
        als: AlsParams {
            factors: 16,
            iterations: 3,
            min_users: 2,
            ..AlsParams::default()
        },
        ..TrainParams::default()
    };
    let m = TrainMatrix::build(&data.items, &split.train, &params.weighting);
    let model =
        TrainedModels::fit(data.items.clone(), &m, &split.train, &params, &|_| {}).expect("trains");
    let users = relevant_by_user(&split.test, protocol.relevant_min);
    assert!(users.len() > 20, "{} users", users.len());
    for kind in [
        ModelKind::Popularity,
        ModelKind::Knn,
        ModelKind::Ease,
        ModelKind::Hybrid,
    ] {
        let scorer = model.scorer(kind).expect("trained");
        let mut scores = Scores::default();
        for (user, relevant) in users.iter().take(40) {
            let row = m.user_row[user] as usize;
            let profile = m.row(row);
            let excluded: HashSet<u32> = profile.iter().map(|p| p.0).collect();
            let works =
                model
                    .serving()
                    .rank_with(&*scorer, &profile, &|w| excluded.contains(&w), 20);
            assert_eq!(works.len(), 20);
            let mut seen = HashSet::new();
            for (w, _) in &works {
                assert!(!excluded.contains(w), "{kind} recommended a training work");
                assert!(seen.insert(*w), "{kind} repeated a work");
            }
            let editions: Vec<u32> = works.iter().map(|w| model.shown[w.0 as usize]).collect();
            scores.add(&editions, relevant);
        }
        let s = scores.mean();
        assert!(
            s.users == users.len().min(40) && s.ndcg10 >= 0.0 && s.ndcg10 <= 1.0,
            "{kind}: {s:?}"
        );
    }
    // Book pages: the most read works' lists never hold the work itself or repeat a work.
    for &w in model.popularity.ranking.iter().take(20) {
        let key = &model.items.keys[model.shown[w as usize] as usize];
        for kind in [
            ModelKind::Knn,
            ModelKind::Ease,
            ModelKind::Content,
            ModelKind::Hybrid,
        ] {
            let list = model
                .serving()
                .similar(kind, key, 10, &Default::default())
                .expect("trained");
            let mut seen = HashSet::new();
            for r in &list {
                assert_ne!(r.work, w, "{kind} listed the book's own work");
                assert!(seen.insert(r.work), "{kind} repeated a work");
            }
        }
    }
}

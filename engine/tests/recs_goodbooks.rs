//! The recommender on the goodbooks-10k layout (the samples in `tests/fixtures/goodbooks`):
//! loading with tags, stars mapped to Shelfwise's scale, training and recommending.

use std::path::Path;

use engine::datasets::load::load_goodbooks;
use engine::recs::models::ease::EaseParams;
use engine::recs::models::ModelKind;
use engine::recs::serve::Request;
use engine::recs::trained::{TrainParams, TrainedModels};
use test_support::goodbooks::FIXTURES;

#[test]
fn the_goodbooks_layout_loads_and_trains() {
    let data = load_goodbooks(Path::new(FIXTURES)).expect("fixtures load");
    assert_eq!(data.items.len(), 99);
    assert!(!data.ratings.is_empty());
    // Stars 1–5 become 2–10: every rating is even and explicit.
    assert!(data
        .ratings
        .iter()
        .all(|r| r.rating % 2 == 0 && r.rating >= 2));
    // Ratings of books outside the sample are read but not kept.
    assert_eq!(data.ratings_read, 99);
    assert!(data.ratings.len() < 99);
    let params = TrainParams {
        ease: EaseParams {
            lambda: 1.0,
            min_users: 1,
            max_items: 100,
            user_damping: 0.0,
            keep_per_row: 0,
        },
        ..TrainParams::default()
    };
    let model =
        TrainedModels::train(data.items.clone(), &data.ratings, &params, &|_| {}).expect("trains");
    let first = &data.ratings[0];
    let req = Request {
        ratings: vec![(data.items.keys[first.item as usize].clone(), first.rating)],
        k: 5,
        ..Request::default()
    };
    for kind in ModelKind::ALL {
        let recs = model.serving().recommend(kind, &req).expect("trained");
        assert!(recs.len() <= 5);
        assert!(recs
            .iter()
            .all(|r| r.work != data.items.work_of[first.item as usize]));
    }
}

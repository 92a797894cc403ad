//! The recommendation lists a reader sees: "For you", "Because you liked", the book page's
//! two rows and the "Popular" row.
//!
//! Every list folds the reader's current library into the trained model on the request (no
//! retraining): a rating given a moment ago already counts. Lists never show a book the reader
//! rated, shelved or dismissed, show one edition per work, and at most two books by one author.
//! Until a model is ready, lists fall back to the popularity ranking. Each list is kept in
//! [`crate::backend::recs_cache`] until the reader's library or the model changes.

use engine::catalog::BookIdx;
use engine::recs::data::WorkMeta;
use engine::recs::models::ModelKind;
use engine::recs::serve::{cap_per_author, Because, Recommendation};
use engine::recs::trained::TrainedModels;

use crate::backend::cards::card;
use crate::backend::explain::explain;
use crate::backend::library::{fill_mine_from, state_of};
use crate::backend::reader::ReaderLibrary;
use crate::backend::recommender::RULES;
use crate::backend::state::AppState;
use crate::backend::store::library::LibraryBook;
use crate::error::AppError;
use crate::types::{BecauseRow, BookCard, ForYou, RecCard, SimilarBooks};

/// Books in a row.
pub const ROW: usize = 10;
/// "Because you liked" rows on the home page.
pub const BECAUSE_ROWS: usize = 3;

/// The reader's own state on recommended cards, from the library already loaded.
pub(crate) fn with_mine(state: &AppState, reader: &ReaderLibrary, recs: &mut [RecCard]) {
    let mut plain: Vec<BookCard> = recs.iter().map(|c| c.card.clone()).collect();
    fill_mine_from(state, &reader.library, &mut plain);
    for (c, p) in recs.iter_mut().zip(plain) {
        c.card = p;
    }
}

fn cards(
    state: &AppState,
    reader: &ReaderLibrary,
    recs: Vec<Recommendation>,
    why: impl Fn(&Recommendation) -> String,
) -> Result<Vec<RecCard>, AppError> {
    let catalog = state.catalog();
    let mut out: Vec<RecCard> = recs
        .iter()
        .filter_map(|r| {
            let idx = catalog.find(&r.key)?;
            Some(RecCard {
                card: card(&catalog, idx)?,
                why: why(r),
            })
        })
        .collect();
    with_mine(state, reader, &mut out);
    Ok(out)
}

/// The popularity ranking without the reader's works, capped per author.
pub fn popular(
    state: &AppState,
    reader: &ReaderLibrary,
    k: usize,
    why: &str,
) -> Result<Vec<RecCard>, AppError> {
    let own = reader.works(state);
    let catalog = &state.catalog();
    let ranked = catalog
        .popular(0, catalog.ranked_works())
        .iter()
        .filter(|w| !own.contains(w))
        .filter_map(|&w| catalog.work(w))
        .filter_map(|work| card(catalog, work.representative()));
    let mut out: Vec<RecCard> =
        cap_per_author(ranked, k, 2, |c| Some(engine::text::fold(&c.author)))
            .into_iter()
            .map(|card| RecCard {
                card,
                why: why.to_string(),
            })
            .collect();
    with_mine(state, reader, &mut out);
    Ok(out)
}

/// At most this many books readers added since the last training join a "For you" list.
const NEW_FOR_YOU: usize = 2;
/// Where they go: the third and the sixth place (or the end of a shorter list), so the
/// model's best stay first and new books are seen without a row of their own.
const NEW_PLACES: [usize; NEW_FOR_YOU] = [2, 5];
/// How many of the catalog's latest books are looked at for ones the model lacks: books are
/// numbered in the order they came, so those added since training are the last ones.
const NEW_SCAN: usize = 5_000;

/// The catalog's books the model was not trained on (the latest [`NEW_SCAN`] at most), with
/// what content needs to know of them.
fn new_books(state: &AppState, model: &TrainedModels) -> Vec<(String, WorkMeta)> {
    let catalog = state.catalog();
    let start = catalog.len().saturating_sub(NEW_SCAN) as BookIdx;
    (start..catalog.len() as BookIdx)
        .filter_map(|i| catalog.book(i))
        .filter(|b| model.items.find(&b.key).is_none())
        .map(|b| (b.key.clone(), WorkMeta::of(b)))
        .collect()
}

/// Put `new` books into the list at [`NEW_PLACES`], keeping it at most `k` long.
fn with_new_books(recs: &mut Vec<Recommendation>, new: Vec<Recommendation>, k: usize) {
    for (book, at) in new.into_iter().zip(NEW_PLACES) {
        recs.insert(at.min(recs.len()), book);
    }
    recs.truncate(k);
}

/// "For you" (kept in the cache until the reader's library or the model changes).
pub fn for_you(state: &AppState, reader: &ReaderLibrary, k: usize) -> Result<ForYou, AppError> {
    let (generation, model) = state.recommender.get_with_generation();
    let key = (reader.fingerprint, generation, k as u32);
    state
        .recs_cache
        .for_you
        .get_or_compute(key, || match model {
            Some(model) if reader.has_ratings() => {
                let request = reader.request(state, k);
                let kind = [ModelKind::Hybrid, ModelKind::Ease, ModelKind::Knn]
                    .into_iter()
                    .find(|k| model.scorer(*k).is_some())
                    .unwrap_or(ModelKind::Popularity);
                let serving = model.serve(RULES);
                let mut recs = serving.recommend(kind, &request)?;
                let new =
                    serving.recommend_new(&request, &new_books(state, &model), NEW_FOR_YOU)?;
                with_new_books(&mut recs, new, k);
                Ok(ForYou {
                    books: cards(state, reader, recs, |r| explain(state, &r.because))?,
                    personal: true,
                })
            }
            _ => Ok(ForYou {
                books: popular(state, reader, k, "Popular with readers")?,
                personal: false,
            }),
        })
}

/// The reader's best-rated books, most recent first.
fn favourites(reader: &ReaderLibrary) -> Vec<&LibraryBook> {
    let mut liked: Vec<&LibraryBook> = reader
        .library
        .iter()
        .filter(|b| b.rating.is_some_and(|r| r.value() >= 8))
        .collect();
    liked.sort_by_key(|b| {
        (
            std::cmp::Reverse(b.rating.map(|r| r.value()).unwrap_or(0)),
            std::cmp::Reverse(b.entry.map(|e| e.updated).unwrap_or(0)),
        )
    });
    // Most recent among the best: a reader's new five-star book leads.
    liked.sort_by_key(|b| std::cmp::Reverse(b.entry.map(|e| e.updated).unwrap_or(0)));
    liked
}

/// "Because you liked …" rows (cached like "For you").
pub fn because_rows(state: &AppState, reader: &ReaderLibrary) -> Result<Vec<BecauseRow>, AppError> {
    let (generation, model) = state.recommender.get_with_generation();
    let Some(model) = model else {
        return Ok(Vec::new());
    };
    state
        .recs_cache
        .because
        .get_or_compute((reader.fingerprint, generation), || {
            compute_because_rows(state, reader, &model)
        })
}

fn compute_because_rows(
    state: &AppState,
    reader: &ReaderLibrary,
    model: &TrainedModels,
) -> Result<Vec<BecauseRow>, AppError> {
    let request = reader.request(state, ROW);
    let mut rows = Vec::new();
    let catalog = state.catalog();
    for fav in favourites(reader) {
        if rows.len() == BECAUSE_ROWS {
            break;
        }
        let Some(book) = catalog.book(fav.book) else {
            continue;
        };
        let serving = model.serve(RULES);
        // A book added since the last training has no co-readers in the model yet: its row is
        // its content neighbours, each explained by what it shares with the book.
        let new_book = model.items.find(&book.key).is_none();
        let recs = if new_book {
            serving.similar_to_new(&WorkMeta::of(book), ROW, &request)
        } else {
            // EASE's row and the co-reader-weighted kNN row, topped up by content: the row
            // that finds readers' next books best (bench/results/similar-2026-12-07.txt).
            serving.similar(ModelKind::Hybrid, &book.key, ROW, &request)
        };
        let recs = match recs {
            Ok(r) if !r.is_empty() => r,
            _ => continue,
        };
        let title = book.title.clone();
        let Some(mut seed) = card(&catalog, fav.book) else {
            continue;
        };
        seed.mine = state_of(fav);
        rows.push(BecauseRow {
            seed,
            books: cards(state, reader, recs, |r| {
                // A content top-up says what it shares; a neighbour by readers says so.
                let by_readers = r.because.iter().any(|(b, _)| matches!(b, Because::Book(_)));
                if new_book || !by_readers {
                    explain(state, &r.because)
                } else {
                    format!("Readers who liked {title} liked it")
                }
            })?,
        });
    }
    Ok(rows)
}

/// The book page's rows (cached like "For you").
pub fn similar(
    state: &AppState,
    reader: &ReaderLibrary,
    book: BookIdx,
) -> Result<SimilarBooks, AppError> {
    let (generation, model) = state.recommender.get_with_generation();
    let Some(model) = model else {
        return Ok(SimilarBooks {
            also_liked: vec![],
            similar: vec![],
        });
    };
    state
        .recs_cache
        .similar
        .get_or_compute((reader.fingerprint, generation, book), || {
            compute_similar(state, reader, &model, book)
        })
}

fn compute_similar(
    state: &AppState,
    reader: &ReaderLibrary,
    model: &TrainedModels,
    book: BookIdx,
) -> Result<SimilarBooks, AppError> {
    let Some(book) = state.catalog().book(book).cloned() else {
        return Err(AppError::Internal);
    };
    let key = book.key.clone();
    let request = reader.request(state, ROW);
    let serving = model.serve(RULES);
    if model.items.find(&key).is_none() {
        // A book readers added since the model was trained: content knows it from its
        // metadata; readers' co-reading waits for the next training.
        let similar = serving
            .similar_to_new(&WorkMeta::of(&book), ROW, &request)
            .unwrap_or_default();
        return Ok(SimilarBooks {
            also_liked: Vec::new(),
            similar: cards(state, reader, similar, |r| explain(state, &r.because))?,
        });
    }
    let run = |kind| {
        serving
            .similar(kind, &key, ROW, &request)
            .unwrap_or_default()
    };
    // The hybrid row: see "Because you liked" above.
    let also_liked = cards(state, reader, run(ModelKind::Hybrid), |r| {
        if r.because.iter().any(|(b, _)| matches!(b, Because::Book(_))) {
            "Often read together".to_string()
        } else {
            explain(state, &r.because)
        }
    })?;
    let similar = cards(state, reader, run(ModelKind::Content), |r| {
        explain(state, &r.because)
    })?;
    Ok(SimilarBooks {
        also_liked,
        similar,
    })
}

//! Recommendation server functions: "For you", "Because you liked", the book page's two rows,
//! onboarding and "My taste".
//!
//! Every list folds the reader's current library into the trained model on the request (no
//! retraining): a rating given a moment ago already counts. Lists never show a book the reader
//! rated, shelved or dismissed, show one edition per work, and at most two books by one author.
//! Until a model is ready, lists fall back to the popularity ranking.

use leptos::prelude::*;

use crate::error::AppError;
use crate::models::{BecauseRow, ForYou, Onboarding, RecCard, SimilarBooks, Taste};

/// Most books one "For you" request returns.
pub const MAX_FOR_YOU: u32 = 100;
/// Books in a row.
pub const ROW: usize = 10;
/// "Because you liked" rows on the home page.
pub const BECAUSE_ROWS: usize = 3;
/// Books in the home page's "Popular" row.
pub const POPULAR_ROW: usize = 12;
/// Onboarding stays on the home page until the reader rated this many books (or skips it).
pub const ONBOARDING_RATINGS: u32 = 5;
/// Longest accepted interests argument, in characters.
pub const MAX_INTERESTS_CHARS: usize = 2_000;

/// Check a "For you" size.
pub fn validate_limit(limit: u32) -> Result<usize, AppError> {
    if limit == 0 || limit > MAX_FOR_YOU {
        return Err(AppError::Invalid(format!(
            "Ask for 1 to {MAX_FOR_YOU} recommendations; got {limit}."
        )));
    }
    Ok(limit as usize)
}

/// The reader's personal recommendations (hybrid of every model), best first.
#[server(endpoint = "for_you")]
pub async fn get_for_you(limit: u32) -> Result<ForYou, AppError> {
    use crate::state::{app_state, respond};
    let limit = validate_limit(limit).map_err(respond)?;
    let state = app_state()?;
    let reader = ssr::Reader::current(&state)?;
    ssr::for_you(&state, &reader, limit)
}

/// Rows of books like the reader's best-rated recent books.
#[server(endpoint = "because_rows")]
pub async fn because_rows() -> Result<Vec<BecauseRow>, AppError> {
    use crate::state::app_state;
    let state = app_state()?;
    let reader = ssr::Reader::current(&state)?;
    ssr::because_rows(&state, &reader)
}

/// The home page's "Popular" row: the most popular books the reader has no edition of, at
/// most two per author.
#[server(endpoint = "popular_row")]
pub async fn popular_row() -> Result<Vec<RecCard>, AppError> {
    use crate::state::app_state;
    let state = app_state()?;
    let reader = ssr::Reader::current(&state)?;
    ssr::popular(&state, &reader, POPULAR_ROW, "Popular with readers")
}

/// "Readers who liked this also liked" and "Similar books" for a book page.
#[server(endpoint = "similar_books")]
pub async fn get_similar_books(isbn: String) -> Result<SimilarBooks, AppError> {
    use crate::state::app_state;
    let state = app_state()?;
    let book = super::library::ssr::book_id(&state, &isbn)?;
    let reader = ssr::Reader::current(&state)?;
    ssr::similar(&state, &reader, book)
}

/// Onboarding: authors to pick, and books to rate chosen to learn the most about a new
/// reader. `authors` is the picked authors, separated by `|`.
#[server(endpoint = "onboarding")]
pub async fn get_onboarding(authors: String) -> Result<Onboarding, AppError> {
    use crate::state::{app_state, respond};
    if authors.chars().count() > MAX_INTERESTS_CHARS {
        return Err(respond(AppError::Invalid(format!(
            "Pick fewer interests (at most {MAX_INTERESTS_CHARS} characters)."
        ))));
    }
    let state = app_state()?;
    let reader = ssr::Reader::current(&state)?;
    let picked: Vec<String> = authors
        .split('|')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .take(50)
        .map(str::to_string)
        .collect();
    ssr::onboarding(&state, &reader, &picked)
}

/// The reader's profile: top authors, decades, rating distribution.
#[server(endpoint = "my_taste")]
pub async fn my_taste() -> Result<Taste, AppError> {
    use crate::state::app_state;
    let state = app_state()?;
    let reader = ssr::Reader::current(&state)?;
    Ok(ssr::taste(&state, &reader))
}

#[cfg(feature = "ssr")]
pub use ssr::RequestReader;

/// The server side: the reader's library as an engine request, and cards with explanations.
#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use std::collections::{HashMap, HashSet};

    use engine::catalog::BookIdx;
    use engine::recs::recommend::{Because, ModelKind, Recommendation, Request, TrainedModel};

    use super::{BECAUSE_ROWS, ROW};
    use crate::error::AppError;
    use crate::functions::catalog::ssr::card;
    use crate::functions::library::ssr::{fill_mine_from, state_of};
    use crate::models::{
        BecauseRow, BookCard, ForYou, Onboarding, RecCard, Shelf, SimilarBooks, Taste, TasteAuthor,
    };
    use crate::recs_cache::Fingerprint;
    use crate::state::{internal, AppState};
    use crate::store::library::LibraryBook;

    /// The reader of the request being answered, loaded by the first list that needs it: a
    /// page asks for four lists, and a reader with a thousand books would otherwise be read
    /// from the store four times. The server provides an empty slot per request (see
    /// `shelfwise::serve`); without one (a caller outside a request), each list loads its own.
    #[derive(Clone, Default)]
    pub struct RequestReader(std::sync::Arc<std::sync::OnceLock<std::sync::Arc<Reader>>>);

    /// The reader's library, loaded once per request.
    pub struct Reader {
        /// Everything they rated or shelved (empty for a visitor without a session).
        pub library: Vec<LibraryBook>,
        /// The library's digest: the key of the reader's cached lists.
        pub fingerprint: Fingerprint,
    }

    impl Reader {
        /// The current reader's library (shared by the request's lists, see [`RequestReader`]).
        pub fn current(state: &AppState) -> Result<std::sync::Arc<Reader>, AppError> {
            let slot = leptos::prelude::use_context::<RequestReader>();
            if let Some(reader) = slot.as_ref().and_then(|s| s.0.get()) {
                return Ok(reader.clone());
            }
            let library = match crate::auth::session::current(state)? {
                Some(c) => state.store.library_of(c.user()).map_err(internal)?,
                None => Vec::new(),
            };
            let reader = std::sync::Arc::new(Reader {
                fingerprint: Fingerprint::of(&library),
                library,
            });
            // Two lists racing to load it both load the same library; the first one is kept.
            Ok(match slot {
                Some(s) => s.0.get_or_init(|| reader).clone(),
                None => reader,
            })
        }

        /// Whether they rated anything.
        pub fn has_ratings(&self) -> bool {
            self.library
                .iter()
                .any(|b| b.rating.is_some_and(|r| r.is_explicit()))
        }

        /// The engine's view: ratings, shelved and dismissed books.
        pub fn request(&self, state: &AppState, k: usize) -> Request {
            let key = |b: &LibraryBook| state.catalog.book(b.book).map(|x| x.key.clone());
            let mut request = Request {
                k,
                ..Request::default()
            };
            for b in &self.library {
                let Some(k) = key(b) else { continue };
                if let Some(r) = b.rating {
                    request.ratings.push((k.clone(), r.value()));
                }
                match b.entry.and_then(|e| e.shelf) {
                    Some(Shelf::NotInterested) => request.not_interested.push(k),
                    Some(_) => request.shelved.push(k),
                    None => {}
                }
            }
            request
        }

        /// Works the reader has any edition of (never shown in lists).
        fn works(&self, state: &AppState) -> HashSet<u32> {
            self.library
                .iter()
                .filter_map(|b| state.catalog.work_of(b.book))
                .collect()
        }
    }

    fn title_of(state: &AppState, key: &str) -> Option<String> {
        let idx = state.catalog.find(key)?;
        state.catalog.book(idx).map(|b| b.title.clone())
    }

    /// A short explanation from the engine's reasons, largest share first.
    pub fn explain(state: &AppState, because: &[(Because, f32)]) -> String {
        let books: Vec<String> = because
            .iter()
            .filter(|(_, share)| *share > 0.0)
            .filter_map(|(b, _)| match b {
                Because::Book(key) => title_of(state, key),
                _ => None,
            })
            .take(2)
            .collect();
        match books.as_slice() {
            [a, b] => return format!("Because you liked {a} and {b}"),
            [a] => return format!("Because you liked {a}"),
            _ => {}
        }
        for (b, _) in because {
            if let Because::Feature(f) = b {
                if let Some((kind, value)) = f.split_once(':') {
                    return match kind {
                        "author" => {
                            format!("Same author as books you liked: {}", title_case(value))
                        }
                        "decade" => format!("From the {value}s, like books you liked"),
                        "tag" => format!("About {value}, like books you liked"),
                        _ => format!("Shares “{value}” with books you liked"),
                    };
                }
            }
        }
        "Popular with readers like you".to_string()
    }

    fn title_case(s: &str) -> String {
        s.split(' ')
            .map(|w| {
                let mut c = w.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().chain(c).collect(),
                    None => String::new(),
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The reader's own state on recommended cards, from the library already loaded.
    fn with_mine(state: &AppState, reader: &Reader, recs: &mut [RecCard]) {
        let mut plain: Vec<BookCard> = recs.iter().map(|c| c.card.clone()).collect();
        fill_mine_from(state, &reader.library, &mut plain);
        for (c, p) in recs.iter_mut().zip(plain) {
            c.card = p;
        }
    }

    fn cards(
        state: &AppState,
        reader: &Reader,
        recs: Vec<Recommendation>,
        why: impl Fn(&Recommendation) -> String,
    ) -> Result<Vec<RecCard>, AppError> {
        let mut out: Vec<RecCard> = recs
            .iter()
            .filter_map(|r| {
                let idx = state.catalog.find(&r.key)?;
                Some(RecCard {
                    card: card(&state.catalog, idx)?,
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
        reader: &Reader,
        k: usize,
        why: &str,
    ) -> Result<Vec<RecCard>, AppError> {
        let own = reader.works(state);
        let catalog = &state.catalog;
        let mut per_author: HashMap<String, usize> = HashMap::new();
        let mut out = Vec::new();
        for &w in catalog.popular(0, catalog.ranked_works()) {
            if out.len() == k {
                break;
            }
            if own.contains(&w) {
                continue;
            }
            let Some(work) = catalog.work(w) else {
                continue;
            };
            let idx = work.representative();
            let Some(c) = card(catalog, idx) else {
                continue;
            };
            let n = per_author.entry(engine::text::fold(&c.author)).or_default();
            if *n >= 2 {
                continue;
            }
            *n += 1;
            out.push(RecCard {
                card: c,
                why: why.to_string(),
            });
        }
        with_mine(state, reader, &mut out);
        Ok(out)
    }

    /// "For you" (kept in the cache until the reader's library or the model changes).
    pub fn for_you(state: &AppState, reader: &Reader, k: usize) -> Result<ForYou, AppError> {
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
                    let recs = model.recommend(kind, &request).map_err(internal)?;
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
    fn favourites(reader: &Reader) -> Vec<&LibraryBook> {
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
    pub fn because_rows(state: &AppState, reader: &Reader) -> Result<Vec<BecauseRow>, AppError> {
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
        reader: &Reader,
        model: &TrainedModel,
    ) -> Result<Vec<BecauseRow>, AppError> {
        let request = reader.request(state, ROW);
        let mut rows = Vec::new();
        for fav in favourites(reader) {
            if rows.len() == BECAUSE_ROWS {
                break;
            }
            let Some(book) = state.catalog.book(fav.book) else {
                continue;
            };
            let recs = match model.similar(ModelKind::Knn, &book.key, ROW, &request) {
                Ok(r) if !r.is_empty() => r,
                _ => continue,
            };
            let title = book.title.clone();
            let Some(mut seed) = card(&state.catalog, fav.book) else {
                continue;
            };
            seed.mine = state_of(fav);
            rows.push(BecauseRow {
                seed,
                books: cards(state, reader, recs, |_| {
                    format!("Readers who liked {title} liked it")
                })?,
            });
        }
        Ok(rows)
    }

    /// The book page's rows (cached like "For you").
    pub fn similar(
        state: &AppState,
        reader: &Reader,
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
        reader: &Reader,
        model: &TrainedModel,
        book: BookIdx,
    ) -> Result<SimilarBooks, AppError> {
        let Some(key) = state.catalog.book(book).map(|b| b.key.clone()) else {
            return Err(AppError::Internal);
        };
        let request = reader.request(state, ROW);
        let run = |kind| model.similar(kind, &key, ROW, &request).unwrap_or_default();
        let also_liked = cards(state, reader, run(ModelKind::Knn), |r| {
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

    /// Onboarding (cached per library and picked authors).
    pub fn onboarding(
        state: &AppState,
        reader: &Reader,
        picked: &[String],
    ) -> Result<Onboarding, AppError> {
        state
            .recs_cache
            .onboarding
            .get_or_compute((reader.fingerprint, picked.join("|")), || {
                compute_onboarding(state, reader, picked)
            })
    }

    fn compute_onboarding(
        state: &AppState,
        reader: &Reader,
        picked: &[String],
    ) -> Result<Onboarding, AppError> {
        let rated = reader.library.iter().filter(|b| b.rating.is_some()).count() as u32;
        if rated >= super::ONBOARDING_RATINGS {
            // Onboarding is over: the page only needs the count (and would otherwise carry a
            // dozen unseen cards in every page's hydration data).
            return Ok(Onboarding {
                authors: Vec::new(),
                books: Vec::new(),
                rated,
            });
        }
        let catalog = &state.catalog;
        let own = reader.works(state);
        let picked: HashSet<String> = picked.iter().map(|a| engine::text::fold(a)).collect();
        // Popular authors to choose from: the authors of the top works, once each.
        let mut authors = Vec::new();
        let mut seen_authors = HashSet::new();
        for &w in catalog.popular(0, 400.min(catalog.ranked_works())) {
            let Some(b) = catalog
                .work(w)
                .and_then(|x| catalog.book(x.representative()))
            else {
                continue;
            };
            let first = engine::text::first_author(&b.author);
            if first.is_empty() || !seen_authors.insert(engine::text::fold(first)) {
                continue;
            }
            authors.push(first.to_string());
            if authors.len() == 24 {
                break;
            }
        }
        // Books to rate: widely read (so many readers can be compared), one per author, and
        // spread over the decades (so each answer says something new); picked authors first.
        let mut first_pick = Vec::new();
        let mut rest = Vec::new();
        let mut used_authors = HashSet::new();
        let mut per_decade: HashMap<u16, usize> = HashMap::new();
        for &w in catalog.popular(0, 2_000.min(catalog.ranked_works())) {
            if own.contains(&w) {
                continue;
            }
            let Some(work) = catalog.work(w) else {
                continue;
            };
            let idx = work.representative();
            let Some(b) = catalog.book(idx) else { continue };
            let author = engine::text::fold(engine::text::first_author(&b.author));
            if !used_authors.insert(author.clone()) {
                continue;
            }
            if picked.contains(&author) {
                first_pick.push(idx);
                continue;
            }
            let decade = b.year.map(|y| y / 10 * 10).unwrap_or(0);
            let n = per_decade.entry(decade).or_default();
            if *n >= 4 {
                continue;
            }
            *n += 1;
            rest.push(idx);
        }
        let mut books: Vec<BookCard> = first_pick
            .into_iter()
            .take(8)
            .chain(rest)
            .take(12)
            .filter_map(|i| card(catalog, i))
            .collect();
        fill_mine_from(state, &reader.library, &mut books);
        Ok(Onboarding {
            authors,
            books,
            rated,
        })
    }

    /// "My taste".
    pub fn taste(state: &AppState, reader: &Reader) -> Taste {
        let catalog = &state.catalog;
        let mut authors: HashMap<String, (String, u32, u32, u32)> = HashMap::new();
        let mut decades: HashMap<u16, u32> = HashMap::new();
        let mut stars = vec![0u32; 5];
        for b in &reader.library {
            let Some(book) = catalog.book(b.book) else {
                continue;
            };
            let mine = state_of(b);
            if mine.shelf == Some(Shelf::NotInterested) && mine.stars.is_none() {
                continue;
            }
            let name = engine::text::first_author(&book.author);
            if !name.is_empty() {
                let e =
                    authors
                        .entry(engine::text::fold(name))
                        .or_insert((name.to_string(), 0, 0, 0));
                e.1 += 1;
                if let Some(s) = mine.stars {
                    e.2 += u32::from(s);
                    e.3 += 1;
                }
            }
            if let Some(y) = book.year {
                *decades.entry(y / 10 * 10).or_default() += 1;
            }
            if let Some(s) = mine.stars {
                stars[s as usize - 1] += 1;
            }
        }
        let mut authors: Vec<TasteAuthor> = authors
            .into_values()
            .map(|(name, books, sum, rated)| TasteAuthor {
                name,
                books,
                stars: (rated > 0).then(|| sum as f32 / rated as f32),
            })
            .collect();
        authors.sort_by(|a, b| {
            b.books
                .cmp(&a.books)
                .then(b.stars.unwrap_or(0.0).total_cmp(&a.stars.unwrap_or(0.0)))
                .then(a.name.cmp(&b.name))
        });
        authors.truncate(10);
        let mut decades: Vec<(u16, u32)> = decades.into_iter().collect();
        decades.sort();
        Taste {
            authors,
            decades,
            stars,
            books: reader.library.len() as u32,
        }
    }
}

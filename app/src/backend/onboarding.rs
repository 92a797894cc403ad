//! Onboarding: authors to pick, and books to rate chosen to learn the most about a new reader.

use std::collections::{HashMap, HashSet};

use crate::backend::cards::card;
use crate::backend::library::fill_mine_from;
use crate::backend::reader::ReaderLibrary;
use crate::backend::state::AppState;
use crate::error::AppError;
use crate::types::{BookCard, Onboarding, ONBOARDING_RATINGS};
/// Onboarding (cached per library and picked authors).
pub fn onboarding(
    state: &AppState,
    reader: &ReaderLibrary,
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
    reader: &ReaderLibrary,
    picked: &[String],
) -> Result<Onboarding, AppError> {
    let rated = reader.library.iter().filter(|b| b.rating.is_some()).count() as u32;
    if rated >= ONBOARDING_RATINGS {
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

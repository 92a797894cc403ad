//! Which Goodreads shelves say what a book is about (most say where it sits on a shelf).

use std::collections::HashMap;

/// Shelf names that only say where a book sits on a reader's shelves.
const SHELF_TAGS: &[&str] = &[
    "to-read",
    "currently-reading",
    "read",
    "favorites",
    "favourites",
    "favorite",
    "favourite",
    "fave",
    "faves",
    "favs",
    "owned",
    "own",
    "own-it",
    "mine",
    "i-own",
    "books-i-own",
    "default",
    "my-books",
    "my-library",
    "library",
    "home-library",
    "bookshelf",
    "on-my-shelf",
    "wish-list",
    "wishlist",
    "kindle",
    "ebook",
    "ebooks",
    "e-book",
    "e-books",
    "audiobook",
    "audiobooks",
    "audio",
    "audible",
    "to-buy",
    "did-not-finish",
    "dnf",
    "abandoned",
    "read-more-than-once",
    "tbr",
    "on-hold",
    "maybe",
    "books",
];
/// Parts of shelf names that mark a reading log, ownership, format or re-reading
/// (`read-in-2015`, `read-2016`, `owned-books`, `kindle-books`, `to-re-read`), whatever
/// surrounds them.
const SHELF_PARTS: &[&str] = &[
    "read-in-",
    "read-20",
    "owned",
    "to-read",
    "currently-reading",
    "to-buy",
    "favorite",
    "favourite",
    "kindle",
    "ebook",
    "e-book",
    "audiobook",
    "wish-list",
    "wishlist",
    "re-read",
    "reread",
];

/// Whether a Goodreads shelf name says something about the book's content (`fantasy`,
/// `classics`, `young-adult`) rather than about a reader's shelves (`to-read`, `owned`,
/// `kindle`, `read-in-2015`, `favorites`, `5-stars`) or nothing at all (`2015`, `--1-`).
///
/// A heuristic over the shelves goodbooks' most-used tags show; what it lets through with
/// small counts (`0-pgs-200-to-299`) is left to [`top_tags`]' ranking.
pub fn is_useful_tag(name: &str) -> bool {
    let name = name.trim().to_lowercase();
    if !name.chars().any(char::is_alphabetic) {
        return false;
    }
    // Readers number their shelves to sort them ("01-mine", "0-owned"): match without that.
    let core = name.trim_start_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    !SHELF_TAGS.contains(&core)
        && !core.starts_with("my-")
        && !SHELF_PARTS.iter().any(|part| name.contains(part))
        && !is_star_rating(&name)
}

/// Whether a shelf is a reader's rating (`5-stars`, `4-star`, `five-stars`).
fn is_star_rating(name: &str) -> bool {
    let name = name.strip_suffix('s').unwrap_or(name);
    name.strip_suffix("-star").is_some_and(|stars| {
        stars.bytes().all(|b| b.is_ascii_digit())
            || ["one", "two", "three", "four", "five"].contains(&stars)
    })
}

/// The `n` most used content tags (see [`is_useful_tag`]) of `(name, count)` pairs, most used
/// first, ties by name. A name given twice has its counts added; zero counts are ignored.
pub fn top_tags(tags: impl IntoIterator<Item = (String, u32)>, n: usize) -> Vec<String> {
    let mut totals: HashMap<String, u64> = HashMap::new();
    for (name, count) in tags {
        if count > 0 && is_useful_tag(&name) {
            *totals.entry(name).or_default() += u64::from(count);
        }
    }
    let mut ranked: Vec<(String, u64)> = totals.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.into_iter().take(n).map(|(name, _)| name).collect()
}

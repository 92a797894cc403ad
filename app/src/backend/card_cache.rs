//! Book cards rendered to HTML, kept between pages (server only).
//!
//! A card's HTML is a pure function of its [`BookCard`] (the book, its rating summary and the
//! reader's own state on it): [`crate::components::book_card::BookCardView`] reads nothing
//! else. So the server renders each distinct card once and afterwards writes the kept HTML
//! into the page instead of building the card's view again: building and rendering the ~60
//! cards of a home page, each with live stars and a shelf menu, was most of the page's CPU.
//! The browser still builds the real card and hydrates it against that HTML, which is byte for
//! byte what the card renders (the integration tests compare them).

use std::sync::Arc;

use quick_cache::sync::Cache;

use crate::types::BookCard;

/// Cards kept: about 2.5 KB of HTML and 0.3 KB of key each, so under 50 MB when full.
const CAPACITY: usize = 16_384;

/// Bytes reserved for a card's key: its title, author, ISBN, cover URL and a few numbers.
const KEY_CAPACITY: usize = 384;

/// Rendered cards by their content (or nothing kept, see [`CardHtml::off`]).
pub struct CardHtml(Option<Cache<Vec<u8>, Arc<str>>>);

impl Default for CardHtml {
    fn default() -> Self {
        CardHtml(Some(Cache::new(CAPACITY)))
    }
}

impl CardHtml {
    /// Keep nothing: every card is rendered in place (what the tests compare against).
    pub fn off() -> Self {
        CardHtml(None)
    }

    /// The HTML of `card`, rendered by `render` the first time this exact card is shown;
    /// `None` when the cache is off.
    pub fn get_or_render(
        &self,
        card: &BookCard,
        render: impl FnOnce() -> String,
    ) -> Option<Arc<str>> {
        let cache = self.0.as_ref()?;
        // The whole card is the key (every field shows or shapes the markup), serialised so a
        // field added later is part of the key without anyone remembering to add it; postcard
        // rather than JSON, since nothing needs escaping. Into a buffer sized for a whole key
        // at once: perf (2026-12-03) showed growing it from empty as most of the key's cost.
        let key = postcard::to_extend(card, Vec::with_capacity(KEY_CAPACITY)).ok()?;
        if let Some(html) = cache.get(&key) {
            return Some(html);
        }
        let html: Arc<str> = render().into();
        cache.insert(key, html.clone());
        Some(html)
    }

    /// Cards kept now.
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |c| c.len())
    }

    /// Whether no card is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl std::fmt::Debug for CardHtml {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CardHtml").field(&self.len()).finish()
    }
}

//! Rows and grids of recommended books, each card with its reason. Cards the reader had not
//! seen in the list before get a short fade-in, so a list that changed after a rating shows
//! what changed.

use std::collections::HashSet;

use leptos::prelude::*;

use super::book_card::BookCardView;
use crate::types::RecCard;

/// One recommended book with its reason under it.
#[component]
pub fn RecCardView(
    /// The book and why.
    rec: RecCard,
    /// Whether the card is new in its list.
    #[prop(optional)]
    fresh: bool,
) -> impl IntoView {
    let why = rec.why.clone();
    view! {
        <div class="rec" class:fresh=fresh data-testid="rec">
            <BookCardView book=rec.card />
            <p class="why" data-testid="why">{why}</p>
        </div>
    }
}

/// A titled, horizontally scrolling row of recommendations.
#[component]
pub fn RecRow(
    /// Heading of the row.
    #[prop(into)]
    title: String,
    /// The books.
    books: Vec<RecCard>,
    /// `data-testid` of the row.
    #[prop(into)]
    testid: String,
) -> impl IntoView {
    let heading_id = format!("row-{testid}");
    let labelled_by = heading_id.clone();
    view! {
        <section class="rec-row" aria-labelledby=labelled_by data-testid=testid>
            <h2 id=heading_id>{title}</h2>
            <div class="rec-scroller">
                {books.into_iter().map(|rec| view! { <RecCardView rec /> }).collect_view()}
            </div>
        </section>
    }
}

/// A grid of recommendations that remembers which books it showed before, to mark new ones.
#[component]
pub fn RecGrid(
    /// The books.
    books: Vec<RecCard>,
    /// The books shown in the previous version of this list.
    seen: StoredValue<HashSet<String>>,
) -> impl IntoView {
    let before = seen.get_value();
    let first_time = before.is_empty();
    seen.set_value(books.iter().map(|b| b.card.isbn.clone()).collect());
    view! {
        <div class="book-grid rec-grid" data-testid="for-you-list">
            {books
                .into_iter()
                .map(|rec| {
                    let fresh = !first_time && !before.contains(&rec.card.isbn);
                    view! { <RecCardView rec fresh /> }
                })
                .collect_view()}
        </div>
    }
}

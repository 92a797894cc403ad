//! A book in a grid or list.

use leptos::prelude::*;

use super::book_actions::BookActions;
use super::cover::Cover;
use super::stars::RatingSummary;
use crate::types::BookCard;

/// A book card: cover, title, author, rating summary, and the reader's stars and shelf.
///
/// Its markup must depend on `book` alone: the server keeps each card's HTML by its
/// [`BookCard`] (see [`crate::backend::card_cache`]) and writes the kept HTML for the same card later.
#[component]
pub fn BookCardView(
    /// The book.
    book: BookCard,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        use leptos::either::Either;
        use leptos::tachys::html::InertElement;
        // Only the cache's handle is taken from the state (not a clone of the whole state per
        // card), and outside `with_context`: rendering a card while it holds the context
        // would wait on it for good.
        let cache =
            with_context::<crate::backend::state::AppState, _>(|state| state.card_html.clone());
        let kept = cache.and_then(|c| c.get_or_render(&book, || card(book.clone()).to_html()));
        match kept {
            // Written into the page as it is: the HTML this card renders, kept.
            Some(html) => Either::Left(InertElement::new(String::from(&*html))),
            None => Either::Right(card(book)),
        }
    }
    #[cfg(not(feature = "ssr"))]
    {
        card(book)
    }
}

/// The card's view (what [`BookCardView`] renders, or hydrates in the browser).
fn card(book: BookCard) -> impl IntoView {
    let href = book.href();
    view! {
        <article class="book-card" data-testid="book-card">
            <a href=href class="book-card-link">
                <Cover
                    isbn=book.isbn.clone()
                    title=book.title.clone()
                    author=book.author.clone()
                    image_url=book.image_url.clone()
                />
                <h3 class="book-title">{book.title.clone()}</h3>
            </a>
            <p class="book-author">{book.author.clone()}</p>
            <RatingSummary average=book.average count=book.rating_count />
            <BookActions isbn=book.isbn.clone() mine=book.mine />
        </article>
    }
}

/// A responsive grid of book cards.
#[component]
pub fn BookGrid(
    /// The books, in order.
    books: Vec<BookCard>,
) -> impl IntoView {
    view! {
        <div class="book-grid">
            {books.into_iter().map(|book| view! { <BookCardView book /> }).collect_view()}
        </div>
    }
}

//! A book in a grid or list.

use leptos::prelude::*;

use super::book_actions::BookActions;
use super::cover::Cover;
use super::stars::RatingSummary;
use crate::models::BookCard;

/// A book card: cover, title, author, rating summary, and the reader's stars and shelf.
#[component]
pub fn BookCardView(
    /// The book.
    book: BookCard,
) -> impl IntoView {
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

//! `/add-book`: add a book the catalog lacks, by hand. The books it may already be are shown
//! first ("is it one of these?"); the reader adds it only when none is.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::book_card::BookGrid;
use crate::functions::catalog::AddBook;
use crate::routes::account::{failure, FormError};

/// The form, and what it answered.
#[component]
pub fn AddBookPage() -> impl IntoView {
    let add = ServerAction::<AddBook>::new();
    // From the search page's "add it" link: the words searched as the title to start from.
    let query = use_query_map();
    let start_title = query.read_untracked().get("title").unwrap_or_default();
    let answer = move || add.value().get().and_then(Result::ok);
    let offered = move || answer().is_some_and(|a| a.added.is_none() && !a.candidates.is_empty());
    view! {
        <Title text="Add a book" />
        <section class="page narrow add-book">
            <h1>"Add a book"</h1>
            <p class="lede">
                "Not in the catalog? Add it: it can be found, rated and shelved at once, by everyone."
            </p>
            <ActionForm action=add attr:class="stack-form" attr:data-testid="add-book-form">
                <label>
                    "Title"
                    <input name="title" required maxlength="500" value=start_title />
                </label>
                <label>
                    "Author(s)"
                    <input name="authors" required maxlength="300" placeholder="Andy Weir" />
                </label>
                <label>
                    "ISBN (optional)"
                    <input name="isbn" maxlength="20" inputmode="numeric" placeholder="978-0-593-13520-4" />
                </label>
                <label>
                    "Year published (optional)"
                    <input name="year" maxlength="4" inputmode="numeric" />
                </label>
                <label>
                    "Publisher (optional)"
                    <input name="publisher" maxlength="200" />
                </label>
                <Show when=offered>
                    <label class="inline" data-testid="none-of-these">
                        <input type="checkbox" name="confirmed" value="true" />
                        " None of the books below is mine: add it"
                    </label>
                </Show>
                <button type="submit" disabled=move || add.pending().get()>"Add book"</button>
                <FormError error=failure(add.value()) />
            </ActionForm>
            {move || answer().map(|a| match a.added {
                Some(book) => view! {
                    <p class="notice" role="status" data-testid="book-added">
                        "Added. "
                        <a href=format!("/book/{}", book.isbn)>{format!("Rate or shelve {}", book.title)}</a>
                    </p>
                }.into_any(),
                None => view! {
                    <div class="candidates" data-testid="candidates">
                        <h2>"Is it one of these?"</h2>
                        <p class="muted">"Rate or shelve it here if it is; if none is your book, tick the box above and add it."</p>
                        <BookGrid books=a.candidates />
                    </div>
                }.into_any(),
            })}
        </section>
    }
}

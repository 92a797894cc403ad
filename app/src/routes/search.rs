//! Search results, `/search?q=…`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::book_card::BookGrid;
use crate::components::error_view::ErrorView;
use crate::functions::catalog::{search_books, MAX_SEARCH_LIMIT};

/// The results of a search, best first, one edition per work.
#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let data = Resource::new(q, |q| search_books(q, MAX_SEARCH_LIMIT));
    view! {
        <Title text=move || format!("Search: {}", q()) />
        <section class="page">
            <Suspense fallback=|| view! { <p class="loading">"Searching…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(r) if r.query.is_empty() => {
                            view! {
                                <h1>"Search"</h1>
                                <p>"Type a title, an author or an ISBN in the box above."</p>
                            }
                                .into_any()
                        }
                        Ok(r) => {
                            let heading = format!("Results for “{}”", r.query);
                            let add = format!(
                                "/add-book?{}",
                                form_urlencoded::Serializer::new(String::new())
                                    .append_pair("title", &r.query)
                                    .finish()
                            );
                            let count = r.books.len();
                            view! {
                                <h1>{heading}</h1>
                                {if count == 0 {
                                    view! {
                                        <p class="empty">
                                            "No book matches. Check the spelling, or try fewer words."
                                        </p>
                                    }
                                        .into_any()
                                } else {
                                    view! {
                                        <p class="lede">
                                            {format!("{count} {}", if count == 1 { "book" } else { "books" })}
                                        </p>
                                        <BookGrid books=r.books />
                                    }
                                        .into_any()
                                }}
                                <p class="muted">
                                    "Not the book you mean? " <a href=add data-testid="add-book-link">"Add it to the catalog"</a>
                                </p>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

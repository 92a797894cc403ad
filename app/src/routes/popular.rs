//! `/popular`: the most popular books, paginated.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::book_card::BookGrid;
use crate::components::error_view::ErrorView;
use crate::components::pagination::Pagination;
use crate::functions::catalog::popular_books;

/// The popularity ranking (Bayesian average of explicit ratings), `?page=N`.
#[component]
pub fn PopularPage() -> impl IntoView {
    let query = use_query_map();
    // An unparseable page number becomes 0, which the server refuses with a clear message.
    let page = move || {
        query
            .read()
            .get("page")
            .map(|p| p.parse::<u32>().unwrap_or(0))
            .unwrap_or(1)
    };
    let data = Resource::new(page, popular_books);
    view! {
        <Title text="Popular books" />
        <section class="page">
            <h1>"Popular books"</h1>
            <p class="lede">
                "Ranked by readers' ratings, weighted so that a book needs many good ratings, "
                "not one lucky one, to climb."
            </p>
            <Suspense fallback=|| view! { <p class="loading">"Loading books…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(p) => {
                            view! {
                                <BookGrid books=p.books />
                                <Pagination page=p.page pages=p.pages />
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

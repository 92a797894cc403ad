//! Previous / next links between pages of a list.

use leptos::prelude::*;

/// "← Previous · Page 2 of 40 · Next →" as plain links, so paging works without JavaScript.
#[component]
pub fn Pagination(
    /// The current page, from 1.
    page: u32,
    /// Number of pages.
    pages: u32,
) -> impl IntoView {
    let link = |p: u32| {
        if p == 1 {
            "/popular".to_string()
        } else {
            format!("/popular?page={p}")
        }
    };
    view! {
        <nav class="pagination" aria-label="Pages">
            {(page > 1)
                .then(|| view! { <a rel="prev" href=link(page - 1)>"← Previous"</a> })}
            <span aria-current="page">{format!("Page {page} of {pages}")}</span>
            {(page < pages).then(|| view! { <a rel="next" href=link(page + 1)>"Next →"</a> })}
        </nav>
    }
}

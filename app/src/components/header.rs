//! The site header: name and the search box.

use leptos::prelude::*;

use super::search_box::SearchBox;

/// The header on every page.
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="site-header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"▤"</span>
                "Shelfwise"
            </a>
            <SearchBox />
        </header>
    }
}

//! `/my-books`: everything the reader rated or shelved, with counts, filters, sort orders and
//! the shape of their ratings.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::book_card::BookCardView;
use crate::components::error_view::ErrorView;
use crate::components::histogram::RatingHistogram;
use crate::functions::library::get_my_books;
use crate::providers::LibraryVersion;
use crate::types::{MyBooksSort, Shelf};

/// The reader's library. `?shelf=` filters (`rated` or a shelf), `?tag=` by one of their tags
/// or own shelves, `?sort=` orders.
#[component]
pub fn MyBooksPage() -> impl IntoView {
    let query = use_query_map();
    let sort = move || query.read().get("sort").unwrap_or_default();
    let shelf = move || query.read().get("shelf").unwrap_or_default();
    let tag = move || query.read().get("tag").unwrap_or_default();
    // A tag filter travels to the server as `tag:NAME` in the one filter argument.
    let filter = move || match tag() {
        t if t.is_empty() => shelf(),
        t => format!("tag:{t}"),
    };
    let version = use_context::<LibraryVersion>().map(|v| v.0);
    let data = Resource::new(
        move || (sort(), filter(), version.map(|v| v.get()).unwrap_or(0)),
        |(sort, filter, _)| get_my_books(sort, filter),
    );
    // `filter` is a shelf slug, or `tag:NAME`.
    let href = move |sort: &str, filter: &str| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        match filter.strip_prefix("tag:") {
            Some(tag) => {
                q.append_pair("tag", tag);
            }
            None if !filter.is_empty() => {
                q.append_pair("shelf", filter);
            }
            None => {}
        }
        if !sort.is_empty() {
            q.append_pair("sort", sort);
        }
        match q.finish() {
            q if q.is_empty() => "/my-books".to_string(),
            q => format!("/my-books?{q}"),
        }
    };
    view! {
        <Title text="My books" />
        <section class="page">
            <h1>"My books"</h1>
            <Transition fallback=|| view! { <p class="loading">"Loading your books…"</p> }>
                {move || Suspend::new(async move {
                    let my = match data.await {
                        Ok(my) => my,
                        Err(error) => return view! { <ErrorView error /> }.into_any(),
                    };
                    if my.total == 0 {
                        return view! {
                            <p class="empty" data-testid="my-books-empty">
                                "Nothing here yet. Rate a few books or put them on a shelf, and they will appear here. "
                                <a href="/">"Browse popular books"</a>
                            </p>
                        }
                            .into_any();
                    }
                    let (cur_sort, cur_shelf) = (sort(), filter());
                    let chip = |slug: &str, label: String, count: u32| {
                        let active = cur_shelf == slug;
                        view! {
                            <a
                                href=href(&cur_sort, slug)
                                class="chip"
                                class:active=active
                                aria-current=if active { Some("page") } else { None }
                            >
                                {format!("{label} ({count})")}
                            </a>
                        }
                    };
                    let mut chips = vec![
                        chip("", "All".into(), my.total),
                        chip("rated", "Rated".into(), my.rated),
                    ];
                    for (s, n) in Shelf::ALL.iter().zip(&my.shelf_counts) {
                        chips.push(chip(s.slug(), s.label().into(), *n));
                    }
                    let tag_chips = my
                        .tags
                        .iter()
                        .map(|(t, n)| chip(&format!("tag:{t}"), t.clone(), *n))
                        .collect::<Vec<_>>();
                    let sorts = MyBooksSort::ALL
                        .iter()
                        .map(|s| {
                            let active = cur_sort == s.slug()
                                || (cur_sort.is_empty() && *s == MyBooksSort::Recent);
                            view! {
                                <a href=href(s.slug(), &cur_shelf) class:active=active>
                                    {s.label()}
                                </a>
                            }
                        })
                        .collect_view();
                    let books = my
                        .books
                        .into_iter()
                        .map(|b| {
                            let updated = b.updated.clone();
                            view! {
                                <div class="my-book">
                                    <BookCardView book=b.card />
                                    {(!updated.is_empty())
                                        .then(|| view! { <p class="muted small">{format!("Added {updated}")}</p> })}
                                </div>
                            }
                        })
                        .collect_view();
                    view! {
                        <div class="my-books-summary">
                            <nav class="chips" aria-label="Filter by shelf" data-testid="shelf-filters">
                                {chips}
                            </nav>
                            {(!tag_chips.is_empty()).then(|| view! {
                                <nav class="chips" aria-label="Filter by tag" data-testid="tag-filters">
                                    {tag_chips}
                                </nav>
                            })}
                            {(my.rated > 0).then(|| view! {
                                <RatingHistogram counts=my.star_histogram caption="My ratings, 1 to 5 stars" />
                            })}
                        </div>
                        <p class="sort-links">"Sort by: " {sorts}</p>
                        <div class="book-grid" data-testid="my-books">{books}</div>
                    }
                        .into_any()
                })}
            </Transition>
        </section>
    }
}

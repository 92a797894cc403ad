//! `/taste`: the reader's profile drawn as small SVG charts (no chart library in the wasm).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::error_view::ErrorView;
use crate::components::histogram::RatingHistogram;
use crate::functions::recs::my_taste;
use crate::providers::LibraryVersion;
use crate::types::Taste;

/// "My taste".
#[component]
pub fn TastePage() -> impl IntoView {
    let version = use_context::<LibraryVersion>().map(|v| v.0);
    let data = Resource::new(
        move || version.map(|v| v.get()).unwrap_or(0),
        |_| my_taste(),
    );
    view! {
        <Title text="My taste" />
        <section class="page" data-testid="taste">
            <h1>"My taste"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(t) if t.books == 0 => view! {
                            <p class="empty">"Rate or shelve a few books and your taste will show here. " <a href="/">"Start here"</a></p>
                        }.into_any(),
                        Ok(t) => view! { <TasteView taste=t /> }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn TasteView(taste: Taste) -> impl IntoView {
    let max_books = taste
        .authors
        .iter()
        .map(|a| a.books)
        .max()
        .unwrap_or(1)
        .max(1);
    let row_h = 26u32;
    let authors_h = taste.authors.len() as u32 * row_h;
    let author_bars = taste
        .authors
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let y = i as u32 * row_h;
            let w = (f64::from(a.books) / f64::from(max_books) * 300.0)
                .round()
                .max(4.0);
            let label = match a.stars {
                Some(s) => format!(
                    "{} · {} book{} · ★ {:.1}",
                    a.name,
                    a.books,
                    if a.books == 1 { "" } else { "s" },
                    s
                ),
                None => format!(
                    "{} · {} book{}",
                    a.name,
                    a.books,
                    if a.books == 1 { "" } else { "s" }
                ),
            };
            view! {
                <g>
                    <rect class="bar" x="0" y=y + 4 width=w height=row_h - 8 rx="3" />
                    <text class="bar-text" x=w + 8.0 y=y + row_h / 2 + 5>{label}</text>
                </g>
            }
        })
        .collect_view();
    let max_decade = taste.decades.iter().map(|d| d.1).max().unwrap_or(1).max(1);
    let bar_w = 34u32;
    let decades_w = (taste.decades.len() as u32 * (bar_w + 8)).max(bar_w);
    let decade_bars = taste
        .decades
        .iter()
        .enumerate()
        .map(|(i, (decade, n))| {
            let h = (f64::from(*n) / f64::from(max_decade) * 90.0).round().max(2.0) as u32;
            let x = i as u32 * (bar_w + 8);
            view! {
                <g>
                    <title>{format!("{decade}s: {n}")}</title>
                    <rect class="bar" x=x y=90 - h width=bar_w height=h rx="2" />
                    <text class="bar-label" x=x + bar_w / 2 y="106" text-anchor="middle">{format!("{:02}s", decade % 100)}</text>
                </g>
            }
        })
        .collect_view();
    let decade_summary = taste
        .decades
        .iter()
        .map(|(d, n)| format!("{d}s: {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let author_summary = taste
        .authors
        .iter()
        .map(|a| format!("{}: {}", a.name, a.books))
        .collect::<Vec<_>>()
        .join(", ");
    let max_year = taste
        .years
        .iter()
        .map(|y| y.books)
        .max()
        .unwrap_or(1)
        .max(1);
    let years_w = (taste.years.len() as u32 * (bar_w + 8)).max(bar_w);
    let year_bars = taste
        .years
        .iter()
        .enumerate()
        .map(|(i, y)| {
            let h = (f64::from(y.books) / f64::from(max_year) * 90.0).round().max(2.0) as u32;
            let x = i as u32 * (bar_w + 8);
            let pages = if y.pages > 0 {
                format!(", {} pages", y.pages)
            } else {
                String::new()
            };
            view! {
                <g>
                    <title>{format!("{}: {} book{}{pages}", y.year, y.books, if y.books == 1 { "" } else { "s" })}</title>
                    <rect class="bar" x=x y=90 - h width=bar_w height=h rx="2" />
                    <text class="bar-label" x=x + bar_w / 2 y="106" text-anchor="middle">{format!("{}", y.year)}</text>
                </g>
            }
        })
        .collect_view();
    let year_summary = taste
        .years
        .iter()
        .map(|y| format!("{}: {} books, {} pages", y.year, y.books, y.pages))
        .collect::<Vec<_>>()
        .join(", ");
    let has_years = !taste.years.is_empty();
    let rated: u32 = taste.stars.iter().sum();
    view! {
        <p class="lede">{format!("{} books rated or shelved, {} rated.", taste.books, rated)}</p>
        <div class="taste-grid">
            <figure class="chart">
                <figcaption>"Top authors"</figcaption>
                <svg viewBox=format!("0 0 620 {}", authors_h.max(row_h)) role="img"
                    aria-label=format!("Books per author: {author_summary}") data-testid="taste-authors">
                    {author_bars}
                </svg>
            </figure>
            <figure class="chart">
                <figcaption>"Decades of publication"</figcaption>
                <svg viewBox=format!("0 0 {decades_w} 110") role="img"
                    aria-label=format!("Books per decade: {decade_summary}") data-testid="taste-decades">
                    {decade_bars}
                </svg>
            </figure>
            {has_years.then(|| view! {
                <figure class="chart">
                    <figcaption>"Books read per year"</figcaption>
                    <svg viewBox=format!("0 0 {years_w} 110") role="img"
                        aria-label=format!("Books read per year: {year_summary}") data-testid="taste-years">
                        {year_bars}
                    </svg>
                </figure>
            })}
            {(rated > 0).then(|| view! {
                <RatingHistogram counts=taste.stars.clone() caption="My ratings, 1 to 5 stars" />
            })}
        </div>
    }
}

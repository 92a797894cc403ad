//! `/taste`: the reader's profile drawn as small SVG charts (no chart library in the wasm).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::error_view::ErrorView;
use crate::components::histogram::RatingHistogram;
use crate::functions::recs::{my_taste, SetReadingGoal};
use crate::providers::{bump_library, LibraryVersion};
use crate::routes::account::{failure, FormError};
use crate::types::{ReadingGoal, Taste};

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

/// One column of a column chart: its label under it, its height, its tooltip.
struct Column {
    label: String,
    value: u32,
    title: String,
}

/// Column widths and gaps, in the charts' own units.
const BAR_W: u32 = 34;
const GAP: u32 = 8;

/// The columns of a chart scaled to its largest, and the chart's width.
fn columns(columns: &[Column]) -> (u32, impl IntoView) {
    let max = columns.iter().map(|c| c.value).max().unwrap_or(1).max(1);
    let width = (columns.len() as u32 * (BAR_W + GAP)).max(BAR_W);
    let bars = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let h = (f64::from(c.value) / f64::from(max) * 90.0).round().max(2.0) as u32;
            let x = i as u32 * (BAR_W + GAP);
            view! {
                <g>
                    <title>{c.title.clone()}</title>
                    <rect class="bar" x=x y=90 - h width=BAR_W height=h rx="2" />
                    <text class="bar-label" x=x + BAR_W / 2 y="106" text-anchor="middle">{c.label.clone()}</text>
                </g>
            }
        })
        .collect_view();
    (width, bars)
}

/// What a chart's columns say, for its accessible name.
fn summary_of(columns: &[Column]) -> String {
    columns
        .iter()
        .map(|c| c.title.as_str())
        .collect::<Vec<_>>()
        .join(", ")
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
    let author_summary = taste
        .authors
        .iter()
        .map(|a| format!("{}: {}", a.name, a.books))
        .collect::<Vec<_>>()
        .join(", ");
    let decades: Vec<Column> = taste
        .decades
        .iter()
        .map(|&(decade, n)| Column {
            label: format!("{:02}s", decade % 100),
            value: n,
            title: format!("{decade}s: {n}"),
        })
        .collect();
    let decade_summary = summary_of(&decades);
    let years: Vec<Column> = taste
        .years
        .iter()
        .map(|y| Column {
            label: y.year.to_string(),
            value: y.books,
            title: format!("{}: {} books, {} pages", y.year, y.books, y.pages),
        })
        .collect();
    let year_summary = summary_of(&years);
    let (decades_w, decade_bars) = columns(&decades);
    let (years_w, year_bars) = columns(&years);
    let has_years = !taste.years.is_empty();
    let rated: u32 = taste.stars.iter().sum();
    view! {
        <p class="lede">{format!("{} books rated or shelved, {} rated.", taste.books, rated)}</p>
        <GoalView goal=taste.goal year=taste.this_year />
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

/// This year's reading goal: progress drawn as a bar, and a form to set or change it. A saved
/// goal bumps [`LibraryVersion`], so the page refetches.
#[component]
fn GoalView(goal: Option<ReadingGoal>, year: i32) -> impl IntoView {
    let save = ServerAction::<SetReadingGoal>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            bump_library();
        }
    });
    let progress = goal.map(|g| {
        let share = (f64::from(g.read) / f64::from(g.books.max(1))).min(1.0);
        let text = format!("{} of {} books read in {}", g.read, g.books, g.year);
        view! {
            <svg viewBox="0 0 400 24" role="img" aria-label=text.clone() data-testid="goal-progress">
                <rect class="track" x="0" y="4" width="400" height="16" rx="8" />
                <rect class="bar" x="0" y="4" width=(share * 400.0).round().max(2.0) height="16" rx="8" />
            </svg>
            <p data-testid="goal-text">
                {text}
                {(g.read >= g.books).then_some(" — done!")}
            </p>
        }
    });
    view! {
        <section class="goal" data-testid="reading-goal">
            <h2>{format!("Reading goal for {year}")}</h2>
            {progress}
            <ActionForm action=save attr:class="inline-form">
                <label>
                    {if goal.is_some() { "Change it to " } else { "Read " }}
                    <input type="number" name="books" min="0" max="1000" required
                        value=goal.map(|g| g.books.to_string()).unwrap_or_default() />
                    " books"
                </label>
                <button type="submit" disabled=move || save.pending().get()>"Save goal"</button>
                <FormError error=failure(save.value()) />
            </ActionForm>
        </section>
    }
}

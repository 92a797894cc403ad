//! A small SVG bar chart of a book's ratings (no chart library: it would weigh on the wasm).

use leptos::prelude::*;

const BAR_W: u32 = 22;
const GAP: u32 = 6;
const HEIGHT: u32 = 80;

/// Bars of ratings 1..=N (10 for the community's, 5 for a reader's stars), with a text
/// alternative for screen readers.
#[component]
pub fn RatingHistogram(
    /// Counts of ratings 1..=N (index 0 = rating 1).
    counts: Vec<u32>,
    /// The caption under the chart.
    #[prop(default = "Ratings from 1 (worst) to 10 (best)")]
    caption: &'static str,
) -> impl IntoView {
    let top = counts.len();
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let width = counts.len() as u32 * (BAR_W + GAP);
    let summary = counts
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{}: {n}", i + 1))
        .collect::<Vec<_>>()
        .join(", ");
    let bars = counts
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let h = ((f64::from(n) / f64::from(max)) * f64::from(HEIGHT)).round() as u32;
            let h = if n > 0 { h.max(2) } else { 0 };
            let x = i as u32 * (BAR_W + GAP);
            view! {
                <g>
                    <title>{format!("Rated {}: {n}", i + 1)}</title>
                    <rect class="bar" x=x y=HEIGHT - h width=BAR_W height=h rx="2" />
                    <text class="bar-label" x=x + BAR_W / 2 y=HEIGHT + 14 text-anchor="middle">
                        {(i + 1).to_string()}
                    </text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="histogram">
            <svg
                viewBox=format!("0 0 {width} {}", HEIGHT + 18)
                role="img"
                aria-label=format!("Ratings from 1 to {top}: {summary}")
                data-testid="histogram"
            >
                {bars}
            </svg>
            <figcaption>{caption}</figcaption>
        </figure>
    }
}

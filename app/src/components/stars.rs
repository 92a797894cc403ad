//! A read-only rating summary.

use leptos::prelude::*;

/// Format a 1–10 mean as stars out of five, e.g. `8.6` → `"4.3"`.
pub fn stars_out_of_five(average: f32) -> String {
    format!("{:.1}", average / 2.0)
}

/// "★ 4.3 · 1,204 ratings", or "No ratings yet".
#[component]
pub fn RatingSummary(
    /// Mean on the 1–10 scale.
    average: Option<f32>,
    /// Number of explicit ratings.
    count: u32,
) -> impl IntoView {
    match average {
        Some(avg) if count > 0 => {
            let label = format!(
                "Rated {} out of 5 by {} readers",
                stars_out_of_five(avg),
                count
            );
            view! {
                <span class="rating-summary" aria-label=label>
                    <span class="star" aria-hidden="true">"★"</span>
                    {stars_out_of_five(avg)}
                    <span class="count">{format!(" · {}", group_thousands(count))}</span>
                </span>
            }
            .into_any()
        }
        _ => view! { <span class="rating-summary muted">"No ratings yet"</span> }.into_any(),
    }
}

/// `1204` → `"1,204"`.
pub fn group_thousands(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting() {
        assert_eq!(stars_out_of_five(8.6), "4.3");
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1204), "1,204");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
    }
}

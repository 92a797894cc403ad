//! The words of an explanation. The engine decides what explains a recommendation
//! ([`Explanation`]); the app says it.

use engine::recs::models::content::Feature;
use engine::recs::serve::{Because, Explanation};

use crate::backend::state::AppState;

fn title_of(state: &AppState, key: &str) -> Option<String> {
    let catalog = state.catalog();
    let idx = catalog.find(key)?;
    catalog.book(idx).map(|b| b.title.clone())
}

/// A short explanation from the engine's reasons, largest share first. Books the catalog
/// cannot name are passed over, so a reason never reads "Because you liked ".
pub fn explain(state: &AppState, because: &[(Because, f32)]) -> String {
    match Explanation::of_named(because, |key| title_of(state, key)) {
        Explanation::Books(titles) => match titles.as_slice() {
            [a, b, ..] => format!("Because you liked {a} and {b}"),
            [a] => format!("Because you liked {a}"),
            [] => popular(),
        },
        Explanation::Feature(feature) => match feature {
            Feature::Author(name) => {
                format!("Same author as books you liked: {}", title_case(&name))
            }
            Feature::Decade(decade) => format!("From the {decade}s, like books you liked"),
            Feature::Tag(tag) => format!("About {tag}, like books you liked"),
            Feature::Word(value) | Feature::Publisher(value) => {
                format!("Shares “{value}” with books you liked")
            }
        },
        Explanation::Popular => popular(),
    }
}

fn popular() -> String {
    "Popular with readers like you".to_string()
}

fn title_case(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

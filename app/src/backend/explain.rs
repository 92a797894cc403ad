//! The words of an explanation, from the engine's reasons for a recommendation.

use engine::recs::recommend::Because;

use crate::backend::state::AppState;
fn title_of(state: &AppState, key: &str) -> Option<String> {
    let idx = state.catalog.find(key)?;
    state.catalog.book(idx).map(|b| b.title.clone())
}

/// A short explanation from the engine's reasons, largest share first.
pub fn explain(state: &AppState, because: &[(Because, f32)]) -> String {
    let books: Vec<String> = because
        .iter()
        .filter(|(_, share)| *share > 0.0)
        .filter_map(|(b, _)| match b {
            Because::Book(key) => title_of(state, key),
            _ => None,
        })
        .take(2)
        .collect();
    match books.as_slice() {
        [a, b] => return format!("Because you liked {a} and {b}"),
        [a] => return format!("Because you liked {a}"),
        _ => {}
    }
    for (b, _) in because {
        if let Because::Feature(f) = b {
            if let Some((kind, value)) = f.split_once(':') {
                return match kind {
                    "author" => {
                        format!("Same author as books you liked: {}", title_case(value))
                    }
                    "decade" => format!("From the {value}s, like books you liked"),
                    "tag" => format!("About {value}, like books you liked"),
                    _ => format!("Shares “{value}” with books you liked"),
                };
            }
        }
    }
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

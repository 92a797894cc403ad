//! What a reader can do with a book from any card: rate it (1–5 stars) and shelve it.
//!
//! Both update at once (optimistically) and roll back with a message if the server refuses.
//! Every accepted change bumps [`LibraryVersion`](crate::providers::LibraryVersion), so lists that depend on the reader's library
//! (recommendations, "My books") refetch in place.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use crate::functions::library::{rate_book, shelve_book};
use crate::providers::bump_library;
use crate::types::{MyState, Shelf};

/// The star rating and the shelf menu of one book.
#[component]
pub fn BookActions(
    /// The book's ISBN.
    isbn: String,
    /// The reader's state when the page was rendered.
    mine: MyState,
) -> impl IntoView {
    let state = RwSignal::new(mine);
    let error = RwSignal::new(None::<String>);
    let isbn = StoredValue::new(isbn);
    view! {
        <div class="book-actions">
            <StarInput isbn state error />
            <ShelfSelect isbn state error />
            <p class="action-error" role="alert" aria-live="polite">
                {move || error.get()}
            </p>
        </div>
    }
}

/// The star buttons' accessible names (static: no string built per star per card).
const STAR_LABELS: [&str; 5] = ["1 star", "2 stars", "3 stars", "4 stars", "5 stars"];

/// Stars as a radio group: click a star, or focus the group and use the arrow keys to preview
/// and Enter to rate; Delete (or the × button) clears. Hovering previews.
#[component]
fn StarInput(
    isbn: StoredValue<String>,
    state: RwSignal<MyState>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let hover = RwSignal::new(None::<u8>);
    let shown = move || hover.get().or(state.get().stars).unwrap_or(0);
    let rate = move |stars: u8| {
        let before = state.get_untracked();
        if before.stars.unwrap_or(0) == stars {
            return;
        }
        state.update(|s| s.stars = (stars > 0).then_some(stars));
        error.set(None);
        leptos::task::spawn_local(async move {
            match rate_book(isbn.get_value(), stars).await {
                Ok(now) => {
                    state.set(now);
                    bump_library();
                }
                Err(e) => {
                    state.set(before);
                    error.set(Some(format!("Your rating was not saved: {e}")));
                }
            }
        });
    };
    let on_key = move |ev: KeyboardEvent| {
        let current = hover
            .get_untracked()
            .or(state.get_untracked().stars)
            .unwrap_or(0);
        match ev.key().as_str() {
            "ArrowRight" | "ArrowUp" => hover.set(Some((current + 1).min(5))),
            "ArrowLeft" | "ArrowDown" => hover.set(Some(current.saturating_sub(1).max(1))),
            "Home" => hover.set(Some(1)),
            "End" => hover.set(Some(5)),
            "Enter" | " " => {
                if let Some(v) = hover.get_untracked() {
                    rate(v);
                }
                hover.set(None);
            }
            "Delete" | "Backspace" | "0" => {
                hover.set(None);
                rate(0);
            }
            "Escape" => hover.set(None),
            k if k.len() == 1 && ("1"..="5").contains(&k) => {
                hover.set(None);
                rate(k.parse().unwrap_or(0));
            }
            _ => return,
        }
        ev.prevent_default();
    };
    let label = move || match state.get().stars {
        Some(s) => format!("Your rating: {s} of 5 stars. Arrow keys to change, Enter to save."),
        None => "Rate this book: arrow keys to choose, Enter to save.".to_string(),
    };
    view! {
        <div
            class="star-input"
            role="slider"
            tabindex="0"
            aria-valuemin="0"
            aria-valuemax="5"
            aria-valuenow=move || shown().to_string()
            aria-valuetext=move || format!("{} of 5 stars", shown())
            aria-label=label
            data-testid="star-input"
            data-rating=move || state.get().stars.unwrap_or(0).to_string()
            // The stars light up from this one attribute through the stylesheet, not from a
            // class per star: a page renders dozens of cards, and each reactive attribute
            // costs the server a closure and a node.
            data-shown=move || shown().to_string()
            class:previewing=move || hover.get().is_some()
            on:keydown=on_key
            on:mouseleave=move |_| hover.set(None)
            on:blur=move |_| hover.set(None)
        >
            {(1..=5u8)
                .map(|n| {
                    view! {
                        <button
                            type="button"
                            tabindex="-1"
                            class="star-button"
                            aria-label=STAR_LABELS[usize::from(n - 1)]
                            on:mouseenter=move |_| hover.set(Some(n))
                            on:click=move |_| {
                                hover.set(None);
                                rate(n);
                            }
                        >
                            "★"
                        </button>
                    }
                })
                .collect_view()}
            <button
                type="button"
                tabindex="-1"
                class="star-clear"
                aria-label="Clear my rating"
                title="Clear my rating"
                hidden=move || state.get().stars.is_none()
                on:click=move |_| rate(0)
            >
                "×"
            </button>
        </div>
    }
}

/// The shelf menu: a native select, so it works with every input method.
#[component]
fn ShelfSelect(
    isbn: StoredValue<String>,
    state: RwSignal<MyState>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let on_change = move |ev| {
        let slug = event_target_value(&ev);
        let before = state.get_untracked();
        state.update(|s| s.shelf = Shelf::from_slug(&slug));
        error.set(None);
        leptos::task::spawn_local(async move {
            match shelve_book(isbn.get_value(), slug).await {
                Ok(now) => {
                    state.set(now);
                    bump_library();
                }
                Err(e) => {
                    state.set(before);
                    error.set(Some(format!("Not saved: {e}")));
                }
            }
        });
    };
    // The initial choice is plain markup (it works before the wasm loads); afterwards the
    // select's value property follows the state.
    let initial = state.get_untracked().shelf;
    view! {
        <select
            class="shelf-select"
            aria-label="Shelf"
            data-testid="shelf-select"
            prop:value=move || state.get().shelf.map(|s| s.slug()).unwrap_or("")
            on:change=on_change
        >
            <option value="" selected=initial.is_none()>
                {move || if state.get().shelf.is_some() { "Remove from shelf" } else { "Add to shelf…" }}
            </option>
            {Shelf::ALL
                .into_iter()
                .map(|s| {
                    view! {
                        <option value=s.slug() selected=initial == Some(s)>
                            {s.label()}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}

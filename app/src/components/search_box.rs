//! The search box: a plain GET form (works without JavaScript) that, once hydrated, suggests
//! books as the reader types and can be driven entirely from the keyboard (WAI-ARIA combobox).

use std::time::Duration;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};

use crate::functions::catalog::search_books;
use crate::types::BookCard;

/// Wait this long after the last keystroke before asking the server: fast typists send one
/// request per pause instead of one per letter.
const DEBOUNCE: Duration = Duration::from_millis(150);
/// Suggestions shown under the box.
const SUGGESTIONS: u32 = 8;
/// Shortest query worth suggesting for.
const MIN_CHARS: usize = 2;

/// Search input with autocomplete.
#[component]
pub fn SearchBox() -> impl IntoView {
    let query = use_query_map();
    let location = use_location();
    let initial = query.read_untracked().get("q").unwrap_or_default();
    let (text, set_text) = signal(initial);
    let (hits, set_hits) = signal(Vec::<BookCard>::new());
    let (active, set_active) = signal(None::<usize>);
    let (open, set_open) = signal(false);
    let timer = StoredValue::new(None::<TimeoutHandle>);
    // Only the newest request may fill the list: an older, slower answer is dropped.
    let generation = StoredValue::new(0u64);

    // A new page (a picked suggestion, a submitted search) closes the list and shows its query.
    Effect::new(move |_| {
        let _ = location.pathname.get();
        set_open.set(false);
        set_active.set(None);
        if let Some(q) = query.read().get("q") {
            set_text.set(q);
        }
    });

    let close = move || {
        set_open.set(false);
        set_active.set(None);
    };

    let suggest = move |q: String| {
        if let Some(handle) = timer.get_value() {
            handle.clear();
        }
        if q.trim().chars().count() < MIN_CHARS {
            generation.update_value(|g| *g += 1);
            set_hits.set(Vec::new());
            close();
            return;
        }
        let handle = set_timeout_with_handle(
            move || {
                generation.update_value(|g| *g += 1);
                let mine = generation.get_value();
                leptos::task::spawn_local(async move {
                    if let Ok(results) = search_books(q, SUGGESTIONS).await {
                        if generation.get_value() == mine {
                            set_open.set(!results.books.is_empty());
                            set_hits.set(results.books);
                            set_active.set(None);
                        }
                    }
                });
            },
            DEBOUNCE,
        )
        .ok();
        timer.set_value(handle);
    };

    let navigate = use_navigate();
    let on_keydown = move |ev: KeyboardEvent| {
        let n = hits.with(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" if n > 0 => {
                ev.prevent_default();
                set_open.set(true);
                set_active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % n)));
            }
            "ArrowUp" if n > 0 => {
                ev.prevent_default();
                set_open.set(true);
                set_active.update(|a| *a = Some(a.map_or(n - 1, |i| (i + n - 1) % n)));
            }
            "Enter" => {
                let picked = active
                    .get_untracked()
                    .filter(|_| open.get_untracked())
                    .and_then(|i| hits.with_untracked(|h| h.get(i).map(BookCard::href)));
                if let Some(href) = picked {
                    ev.prevent_default();
                    close();
                    navigate(&href, Default::default());
                }
            }
            "Escape" => close(),
            _ => {}
        }
    };

    let option_id = |i: usize| format!("search-option-{i}");

    view! {
        <div class="search" role="search">
            <Form action="/search" method="get">
                <label for="search-input" class="visually-hidden">
                    "Search books by title, author or ISBN"
                </label>
                <input
                    id="search-input"
                    type="search"
                    name="q"
                    placeholder="Search title, author or ISBN"
                    autocomplete="off"
                    spellcheck="false"
                    maxlength="200"
                    role="combobox"
                    aria-autocomplete="list"
                    aria-controls="search-options"
                    aria-expanded=move || open.get().to_string()
                    aria-activedescendant=move || active.get().map(option_id)
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        set_text.set(value.clone());
                        suggest(value);
                    }
                    on:keydown=on_keydown
                    on:blur=move |_| {
                        // Let a click on a suggestion land before the list goes away.
                        set_timeout(close, Duration::from_millis(200));
                    }
                />
                <button type="submit" class="search-button">"Search"</button>
            </Form>
            <ul
                id="search-options"
                role="listbox"
                aria-label="Suggestions"
                class="search-options"
                hidden=move || !open.get()
            >
                {move || {
                    hits.get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, book)| {
                            let selected = move || active.get() == Some(i);
                            view! {
                                <li
                                    id=option_id(i)
                                    role="option"
                                    aria-selected=move || selected().to_string()
                                    class:active=selected
                                >
                                    <a href=book.href() tabindex="-1" on:click=move |_| close()>
                                        <span class="option-title">{book.title.clone()}</span>
                                        <span class="option-author">{book.author.clone()}</span>
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}

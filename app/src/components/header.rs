//! The site header: name, search box, and the reader's links.

use leptos::prelude::*;

use super::search_box::SearchBox;
use crate::functions::accounts::Logout;
use crate::providers::{reload_to, use_reader};

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
            <ReaderNav />
        </header>
    }
}

/// "Log in · Sign up", or the reader's pages and a log-out button.
#[component]
fn ReaderNav() -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            reload_to("/");
        }
    });
    let reader = use_reader();
    view! {
        <nav class="reader-nav" aria-label="Your account">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let reader = match reader {
                        Some(r) => r.0.await.ok().flatten(),
                        None => None,
                    };
                    match reader {
                        Some(r) if r.username.is_some() => {
                            let name = r.username.unwrap_or_default();
                            view! {
                                <a href="/my-books">"My books"</a>
                                <a href="/taste">"My taste"</a>
                                <a href="/settings" class="username" title="Settings">{name}</a>
                                <ActionForm action=logout attr:class="inline-form">
                                    <button type="submit" class="link-button">"Log out"</button>
                                </ActionForm>
                            }
                                .into_any()
                        }
                        Some(_) => {
                            view! {
                                <a href="/my-books">"My books"</a>
                                <a href="/taste">"My taste"</a>
                                <a href="/login">"Log in"</a>
                                <a href="/signup" class="button-link">"Sign up"</a>
                            }
                                .into_any()
                        }
                        None => {
                            view! {
                                <a href="/login">"Log in"</a>
                                <a href="/signup" class="button-link">"Sign up"</a>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </nav>
    }
}

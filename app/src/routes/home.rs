//! Home: "For you" from the first rating, "Because you liked" rows, onboarding for a new
//! reader, and the popular books last. Every list refetches in place when the reader rates or
//! shelves a book anywhere on the page.

use std::collections::HashSet;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::book_card::BookGrid;
use crate::components::error_view::ErrorView;
use crate::components::rec_row::{RecGrid, RecRow};
use crate::functions::recs::{
    because_rows, get_for_you, get_onboarding, popular_row, ONBOARDING_RATINGS,
};
use crate::providers::LibraryVersion;

/// "For you" shows this many at first, and this many more per "More".
const STEP: u32 = 20;

fn library_version() -> Signal<u64> {
    let v = use_context::<LibraryVersion>().map(|v| v.0);
    Signal::derive(move || v.map(|v| v.get()).unwrap_or(0))
}

/// The home page. Every resource is created here, at the top, and each section awaits them in
/// its own `Transition`: a resource created inside another's `Suspend` could leave an
/// async-rendered page waiting for good (seen as a request timeout in about one test run in three).
#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let skipped = move || query.read().get("onboarding").as_deref() == Some("skip");
    let version = library_version();
    let picked = RwSignal::new(Vec::<String>::new());
    let limit = RwSignal::new(STEP);
    // Kept here, above the parts that re-render on each rating, so "For you" can tell which
    // of its books are new since the reader's last action.
    let seen = StoredValue::new(HashSet::<String>::new());
    let onboarding = Resource::new(
        move || (picked.get().join("|"), version.get()),
        |(authors, _)| get_onboarding(authors),
    );
    let for_you = Resource::new(
        move || (limit.get(), version.get()),
        |(l, _)| get_for_you(l),
    );
    let because = Resource::new(move || version.get(), |_| because_rows());
    let popular = Resource::new(move || version.get(), |_| popular_row());
    view! {
        <Title text="Your next book" />
        <section class="page home">
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let rated = onboarding.await.map(|o| o.rated).unwrap_or(0);
                    if rated == 0 {
                        return ().into_any();
                    }
                    match for_you.await {
                        Ok(list) => view! { <ForYouSection list limit seen /> }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match onboarding.await {
                        Ok(ob) => {
                            let rated = ob.rated;
                            (rated < ONBOARDING_RATINGS && !skipped())
                                .then(|| view! { <OnboardingSection ob picked rated /> })
                                .into_any()
                        }
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    because
                        .await
                        .unwrap_or_default()
                        .into_iter()
                        .map(|row| {
                            let title = format!("Because you liked {}", row.seed.title);
                            view! { <RecRow title books=row.books testid="because" /> }
                        })
                        .collect_view()
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match popular.await {
                        Ok(books) => view! {
                            <RecRow title="Popular" books testid="popular" />
                            <p><a href="/popular">"See all popular books"</a></p>
                        }
                            .into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// "For you", with "More".
#[component]
fn ForYouSection(
    list: crate::types::ForYou,
    limit: RwSignal<u32>,
    seen: StoredValue<HashSet<String>>,
) -> impl IntoView {
    let full = list.books.len() as u32 >= limit.get_untracked();
    view! {
        <section class="for-you" aria-labelledby="for-you-heading" data-testid="for-you">
            <h1 id="for-you-heading">"For you"</h1>
            {(!list.personal).then(|| view! {
                <p class="muted">"Your recommendations are being prepared; meanwhile, these are popular."</p>
            })}
            <RecGrid books=list.books seen />
            {full.then(|| view! {
                <button class="more-button" on:click=move |_| limit.update(|l| *l += STEP)>
                    "More"
                </button>
            })}
        </section>
    }
}

/// Interests to pick and books to rate, for a reader who has rated little.
#[component]
fn OnboardingSection(
    ob: crate::types::Onboarding,
    picked: RwSignal<Vec<String>>,
    rated: u32,
) -> impl IntoView {
    let heading = if rated == 0 {
        "Welcome! Tell us what you like".to_string()
    } else {
        format!("Rate a few more to sharpen your list ({rated} of {ONBOARDING_RATINGS})")
    };
    let chips = ob
        .authors
        .into_iter()
        .map(|a| {
            let name = a.clone();
            let on = {
                let name = name.clone();
                move || picked.with(|p| p.contains(&name))
            };
            view! {
                <button
                    type="button"
                    class="chip"
                    class:active=on.clone()
                    aria-pressed=move || on().to_string()
                    on:click=move |_| {
                        let name = name.clone();
                        picked.update(|p| {
                            if let Some(i) = p.iter().position(|x| *x == name) {
                                p.remove(i);
                            } else {
                                p.push(name);
                            }
                        })
                    }
                >
                    {a}
                </button>
            }
        })
        .collect_view();
    view! {
        <section class="onboarding" aria-labelledby="onboarding-heading" data-testid="onboarding">
            <h2 id="onboarding-heading">{heading}</h2>
            <p class="lede">
                "Pick a few authors you enjoy, then rate any of these books you have read. "
                "Your recommendations appear after the first rating and get better with each one. "
                <a href="/?onboarding=skip">"Skip"</a>
            </p>
            <div class="chips" role="group" aria-label="Authors you like">{chips}</div>
            <BookGrid books=ob.books />
        </section>
    }
}

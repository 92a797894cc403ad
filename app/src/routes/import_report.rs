//! `/import`: what the last library import (Goodreads, StoryGraph or LibraryThing) did, row by
//! row where it could not.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::error_view::ErrorView;
use crate::functions::transfer::last_import;

/// The summary of the reader's last import.
#[component]
pub fn ImportReportPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| last_import());
    view! {
        <Title text="Import" />
        <section class="page narrow" data-testid="import-report">
            <h1>"Library import"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                        Ok(None) => view! {
                            <p>"No import yet. " <a href="/settings">"Import your Goodreads, StoryGraph or LibraryThing library"</a></p>
                        }.into_any(),
                        Ok(Some(s)) => {
                            if let Some(error) = s.error {
                                return view! {
                                    <p class="form-error" role="alert">{format!("The file was not imported: {error}")}</p>
                                    <p><a href="/settings">"Try another file"</a></p>
                                }.into_any();
                            }
                            let unmatched = s.unmatched.clone();
                            let rejected = s.rejected.clone();
                            view! {
                                <p class="lede" data-testid="import-counts">
                                    {format!(
                                        "{} of {} books found in the catalog, {} added to it: {} ratings and {} shelved books saved.",
                                        s.matched, s.rows, s.created, s.ratings, s.shelved
                                    )}
                                </p>
                                <p class="muted">
                                    {format!(
                                        "Matched by ISBN-10: {}, by ISBN-13: {}, by Goodreads id: {}, by title and author: {}.",
                                        s.by_isbn10, s.by_isbn13, s.by_source_id, s.by_title
                                    )}
                                </p>
                                <p><a href="/my-books">"See my books"</a></p>
                                {(!unmatched.is_empty()).then(|| view! {
                                    <h2>{format!("Not found in the catalog ({})", s.rows.saturating_sub(s.matched + s.created + rejected.len() as u32))}</h2>
                                    <p class="muted">"Sign up (or log in) and import the file again: the books not found are added to the catalog, and nothing you did here is lost."</p>
                                    <ul class="import-report" data-testid="unmatched">
                                        {unmatched.into_iter().map(|u| view! { <li>{u}</li> }).collect_view()}
                                    </ul>
                                })}
                                {(!rejected.is_empty()).then(|| view! {
                                    <h2>"Rows that could not be read"</h2>
                                    <ul class="import-report">
                                        {rejected.into_iter().map(|u| view! { <li>{u}</li> }).collect_view()}
                                    </ul>
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

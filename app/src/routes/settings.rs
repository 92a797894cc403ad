//! `/settings`: password, account deletion, and moving a library in and out (Goodreads,
//! StoryGraph or LibraryThing import, CSV and JSON export).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::functions::accounts::{ChangePassword, DeleteAccount};
use crate::providers::{reload_to, use_reader};
use crate::routes::account::{failure, FormError};

/// The settings page. Import and export work for anonymous readers too; the account parts
/// need an account.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let reader = use_reader();
    view! {
        <Title text="Settings" />
        <section class="page narrow">
            <h1>"Settings"</h1>
            <ImportExport />
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let reader = match reader {
                        Some(r) => r.0.await.ok().flatten(),
                        None => None,
                    };
                    match reader.and_then(|r| r.username) {
                        Some(name) => view! { <AccountSettings name /> }.into_any(),
                        None => view! {
                            <p>
                                <a href="/login">"Log in"</a> " or " <a href="/signup">"sign up"</a>
                                " to keep your books on every device."
                            </p>
                        }
                            .into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Import a Goodreads, StoryGraph or LibraryThing export; download my data.
#[component]
fn ImportExport() -> impl IntoView {
    view! {
        <section class="settings-block">
            <h2>"Import your library"</h2>
            <p>"Bring your books, ratings and shelves from Goodreads, StoryGraph or LibraryThing: export your library there, then choose the file here."</p>
            <ul class="muted">
                <li>"Goodreads: My Books → Import and export → Export library (a CSV file)."</li>
                <li>"StoryGraph: Manage account → Export StoryGraph library (a CSV file)."</li>
                <li>"LibraryThing: More → Import/Export → Export, tab-delimited text (a TSV file)."</li>
            </ul>
            <p>
                "Books are matched by ISBN, then by title and author; you will see which ones were not found. "
                "Everything the file holds is kept, and the CSV export below gives it back."
            </p>
            <form
                method="post"
                action="/import/library"
                enctype="multipart/form-data"
                class="stack-form"
                data-testid="import-form"
            >
                <input
                    type="file"
                    name="file"
                    accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values"
                    required
                />
                <button type="submit">"Import"</button>
            </form>
            <h2>"Export my data"</h2>
            <p>
                <a href="/export/goodreads.csv" download data-testid="export-csv">"Download CSV (Goodreads layout)"</a>
                " · "
                <a href="/export/shelfwise.json" download data-testid="export-json">"Download JSON"</a>
            </p>
        </section>
    }
}

/// Change password, delete account.
#[component]
fn AccountSettings(name: String) -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let delete = ServerAction::<DeleteAccount>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            reload_to("/");
        }
    });
    view! {
        <section class="settings-block">
            <h2>"Password"</h2>
            <p class="muted">{format!("Logged in as {name}. Changing the password logs out your other devices.")}</p>
            <ActionForm action=change attr:class="stack-form">
                <label>
                    "Current password"
                    <input type="password" name="current" autocomplete="current-password" required maxlength="128" />
                </label>
                <label>
                    "New password"
                    <input type="password" name="new" autocomplete="new-password" required minlength="8" maxlength="128" />
                </label>
                <button type="submit">"Change password"</button>
                <FormError error=failure(change.value()) />
                <p class="form-ok" aria-live="polite">
                    {move || matches!(change.value().get(), Some(Ok(()))).then_some("Password changed.")}
                </p>
            </ActionForm>
        </section>
        <section class="settings-block danger">
            <h2>"Delete account"</h2>
            <p>"Deletes your account with all your ratings and shelves. This cannot be undone; export your data first if you want to keep it."</p>
            <ActionForm action=delete attr:class="stack-form">
                <label>
                    "Password"
                    <input type="password" name="password" autocomplete="current-password" required maxlength="128" />
                </label>
                <button type="submit" class="danger-button">"Delete my account"</button>
                <FormError error=failure(delete.value()) />
            </ActionForm>
        </section>
    }
}

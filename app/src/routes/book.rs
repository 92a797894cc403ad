//! The book page, `/book/<isbn>`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::book_actions::BookActions;
use crate::components::cover::Cover;
use crate::components::error_view::ErrorView;
use crate::components::histogram::RatingHistogram;
use crate::components::rec_row::RecRow;
use crate::components::stars::{group_thousands, RatingSummary};
use crate::functions::catalog::get_book_detail;
use crate::functions::library::{my_notes, SaveNotes};
use crate::functions::recs::get_similar_books;
use crate::providers::{bump_library, LibraryVersion};
use crate::routes::account::{failure, FormError};
use crate::types::{BookDetail, MyNotes};

/// One edition: cover, facts, its work's ratings and editions.
#[component]
pub fn BookPage() -> impl IntoView {
    let params = use_params_map();
    let isbn = move || params.read().get("isbn").unwrap_or_default();
    let data = Resource::new(isbn, get_book_detail);
    // Created here beside the book's own resource, not inside its Suspend (a resource created
    // there could leave an async-rendered page waiting).
    let version = use_context::<LibraryVersion>().map(|v| v.0);
    let similar = Resource::new(
        move || (isbn(), version.map(|v| v.get()).unwrap_or(0)),
        |(isbn, _)| get_similar_books(isbn),
    );
    let notes = Resource::new(
        move || (isbn(), version.map(|v| v.get()).unwrap_or(0)),
        |(isbn, _)| my_notes(isbn),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading book…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(detail) => view! { <BookDetailView detail /> }.into_any(),
                    Err(error) => {
                        view! {
                            <Title text="Book not found" />
                            <ErrorView error />
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match notes.await {
                    Ok(notes) => view! { <NotesSection isbn=isbn() notes /> }.into_any(),
                    Err(_) => ().into_any(),
                }
            })}
        </Transition>
        <SimilarRows data=similar />
    }
}

/// The reader's notes on the book, and a form to write or edit them (folded away until
/// opened). A saved edit bumps [`LibraryVersion`], so the notes shown refetch.
#[component]
fn NotesSection(isbn: String, notes: Option<MyNotes>) -> impl IntoView {
    let save = ServerAction::<SaveNotes>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            bump_library();
        }
    });
    let editing = notes.clone().unwrap_or_default();
    let label = if notes.is_some() {
        "Edit my notes"
    } else {
        "Add a review, dates read, tags or notes"
    };
    view! {
        {notes.map(|notes| view! { <MyNotesView notes /> })}
        <details class="edit-notes" data-testid="edit-notes">
            <summary>{label}</summary>
            <ActionForm action=save attr:class="stack-form">
                <input type="hidden" name="isbn" value=isbn />
                <label>
                    "Review"
                    <textarea name="review" rows="6" maxlength="20000">{editing.review.clone()}</textarea>
                </label>
                <label class="inline">
                    <input type="checkbox" name="spoiler" value="true" checked=editing.spoiler />
                    " It gives the plot away"
                </label>
                <label>
                    "Dates read (a date, or a range for each reading)"
                    <input name="dates_read" placeholder="2024/03/09, 2019/03/01-2019/03/15" value=editing.dates_read.clone() maxlength="2300" />
                </label>
                <label>
                    "Times read"
                    <input name="read_count" inputmode="numeric" value=editing.read_count.clone() maxlength="4" />
                </label>
                <label>
                    "Date added"
                    <input name="date_added" placeholder="2024/01/20" value=editing.date_added.clone() maxlength="10" />
                </label>
                <label>
                    "Copies owned"
                    <input name="owned_copies" inputmode="numeric" value=editing.owned_copies.clone() maxlength="4" />
                </label>
                <label>
                    "Tags (comma-separated)"
                    <input name="tags" value=editing.tags.join(", ") maxlength="3000" />
                </label>
                <label>
                    "Private notes (only you see them)"
                    <textarea name="private_notes" rows="3" maxlength="5000">{editing.private_notes.clone()}</textarea>
                </label>
                <button type="submit" disabled=move || save.pending().get()>"Save notes"</button>
                <FormError error=failure(save.value()) />
            </ActionForm>
        </details>
    }
}

/// The reader's own notes on the book, from their import or the form: review, dates, tags,
/// private notes. The review's HTML was cleaned on the server (`backend::notes::clean_review`).
#[component]
fn MyNotesView(notes: MyNotes) -> impl IntoView {
    let facts: Vec<(&'static str, String)> = [
        ("Read", notes.dates_read.clone()),
        ("Added", notes.date_added.clone()),
        ("Times read", notes.read_count.clone()),
        ("Copies owned", notes.owned_copies.clone()),
        ("Tags", notes.tags.join(", ")),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty() && v != "0")
    .collect();
    view! {
        <section class="my-notes" data-testid="my-notes">
            <h2>"Your notes"</h2>
            <dl class="facts">
                {facts.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
            </dl>
            {(!notes.review_html.is_empty()).then(|| view! {
                <h3>{if notes.spoiler { "Your review (spoilers)" } else { "Your review" }}</h3>
                <div class="review" data-testid="my-review" inner_html=notes.review_html.clone()></div>
            })}
            {(!notes.private_notes.is_empty()).then(|| view! {
                <h3>"Private notes (only you see them)"</h3>
                <p class="private-notes">{notes.private_notes.clone()}</p>
            })}
        </section>
    }
}

#[component]
fn BookDetailView(detail: BookDetail) -> impl IntoView {
    let card = detail.card.clone();
    let total: u32 = detail.histogram.iter().sum();
    let current = card.isbn.clone();
    let editions = detail.editions.clone();
    let edition_count = editions.len();
    view! {
        <Title text=card.title.clone() />
        <article class="book-page">
            <div class="book-page-cover">
                <Cover
                    isbn=card.isbn.clone()
                    title=card.title.clone()
                    author=card.author.clone()
                    image_url=card.image_url.clone()
                    large=true
                />
            </div>
            <div class="book-page-facts">
                <h1>{card.title.clone()}</h1>
                <p class="byline">"by " <span class="author">{card.author.clone()}</span></p>
                <RatingSummary average=card.average count=card.rating_count />
                <BookActions isbn=card.isbn.clone() mine=card.mine />
                <dl class="facts">
                    <dt>"Published"</dt>
                    <dd>{card.year.map(|y| y.to_string()).unwrap_or_else(|| "Unknown".into())}</dd>
                    <dt>"Publisher"</dt>
                    <dd>
                        {if detail.publisher.is_empty() {
                            "Unknown".to_string()
                        } else {
                            detail.publisher.clone()
                        }}
                    </dd>
                    <dt>"ISBN"</dt>
                    <dd>
                        {card.isbn.clone()}
                        {detail.isbn13.clone().map(|i| format!(" · {i}"))}
                    </dd>
                    <dt>"Readers"</dt>
                    <dd>
                        {format!(
                            "{} rated it, {} more have it on their shelves",
                            group_thousands(total),
                            group_thousands(detail.implicit_count),
                        )}
                    </dd>
                </dl>
                {(!detail.tags.is_empty())
                    .then(|| {
                        view! {
                            <ul class="tags" aria-label="Subjects">
                                {detail
                                    .tags
                                    .iter()
                                    .map(|t| view! { <li>{t.clone()}</li> })
                                    .collect_view()}
                            </ul>
                        }
                    })}
                <section aria-labelledby="ratings-heading">
                    <h2 id="ratings-heading">"Ratings"</h2>
                    {if total > 0 {
                        view! { <RatingHistogram counts=detail.histogram.clone() /> }.into_any()
                    } else {
                        view! { <p class="muted">"Nobody has rated this book yet."</p> }
                            .into_any()
                    }}
                </section>
            </div>
        </article>
        <section class="editions" aria-labelledby="editions-heading">
            <h2 id="editions-heading">
                {format!("Editions ({edition_count})")}
            </h2>
            <ul>
                {editions
                    .into_iter()
                    .map(|e| {
                        let is_current = e.isbn == current;
                        let label = format!(
                            "{} · {} · {}",
                            e.title,
                            e.year.map(|y| y.to_string()).unwrap_or_else(|| "year unknown".into()),
                            if e.publisher.is_empty() { "publisher unknown".into() } else { e.publisher.clone() },
                        );
                        view! {
                            <li class:current=is_current>
                                {if is_current {
                                    view! { <span aria-current="page">{label}</span> }.into_any()
                                } else {
                                    view! { <a href=format!("/book/{}", e.isbn)>{label}</a> }.into_any()
                                }}
                                <span class="muted">
                                    {format!(
                                        " — {} {}",
                                        group_thousands(e.ratings),
                                        if e.ratings == 1 { "rating" } else { "ratings" },
                                    )}
                                </span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>

    }
}

/// "Readers who liked this also liked" (collaborative) and "Similar books" (content).
#[component]
fn SimilarRows(
    data: Resource<Result<crate::types::SimilarBooks, crate::error::AppError>>,
) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p class="loading">"Finding similar books…"</p> }>
            {move || Suspend::new(async move {
                let Ok(rows) = data.await else {
                    return ().into_any();
                };
                let (also, similar) = (rows.also_liked, rows.similar);
                view! {
                    {if also.is_empty() {
                        view! {
                            <section class="rec-row" data-testid="also-liked">
                                <h2>"Readers who liked this also liked"</h2>
                                <p class="muted">"Not enough readers have rated this book yet."</p>
                            </section>
                        }.into_any()
                    } else {
                        view! { <RecRow title="Readers who liked this also liked" books=also testid="also-liked" /> }.into_any()
                    }}
                    {(!similar.is_empty()).then(|| view! {
                        <RecRow title="Similar books" books=similar testid="similar" />
                    })}
                }
                .into_any()
            })}
        </Transition>
    }
}

//! Checks of the Book-Crossing reader against the real dataset files.
//!
//! The files are not in the repository (about 120 MB, and not ours to redistribute). The tests
//! look for them in `$SHELFWISE_BX_DIR`, by default `data/raw/` at the workspace root, and
//! skip with a note when they are absent, unless `SHELFWISE_REQUIRE_DATA` is set (see
//! `test_support::data`). The exact counts below were measured on the files as
//! published (271,379 books, 1,149,780 ratings, 278,858 users).

use std::collections::HashSet;
use std::fs::File;

use engine::datasets::bookcrossing::{read_books, read_ratings, read_users};
use engine::records::ImportReport;

/// A BX-*.csv file, opened, if it is there (see [`test_support::data::bookcrossing_file`]).
fn bx_file(name: &str) -> Option<File> {
    let path = test_support::data::bookcrossing_file(name)?;
    Some(File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// Print what an import kept and rejected, by reason, with an example line per reason.
fn print_report(file: &str, report: &ImportReport) {
    eprintln!(
        "{file}: read {}, kept {}, rejected {}",
        report.read,
        report.kept,
        report.rejected.len()
    );
    for (reason, count) in report.reasons() {
        let example = report
            .rejected
            .iter()
            .find(|r| r.reason.starts_with(&reason))
            .map(|r| format!("line {}: {}", r.line, r.reason))
            .unwrap_or_default();
        eprintln!("  {count:>7} {reason}  (e.g. {example})");
    }
}

/// How many rows a report rejected for a reason kind.
fn rejected(report: &ImportReport, kind: &str) -> u64 {
    report
        .reasons()
        .into_iter()
        .find(|(reason, _)| reason == kind)
        .map_or(0, |(_, count)| count)
}

#[test]
fn books_ratings_and_users_as_published() {
    let (Some(books_file), Some(ratings_file), Some(users_file)) = (
        bx_file("BX-Books.csv"),
        bx_file("BX-Book-Ratings.csv"),
        bx_file("BX-Users.csv"),
    ) else {
        return;
    };

    let mut checks: Vec<(&str, u64, u64)> = Vec::new();

    let mut report = ImportReport::default();
    let mut keys = HashSet::new();
    let mut with_year = 0u64;
    let mut with_image = 0u64;
    read_books(books_file, &mut report, |book| {
        // Up to 2025 only, so that the count does not change as the clock moves the limit
        // for "future" years (the file has books dated 2026, 2030, 2037, 2038 and 2050).
        with_year += u64::from(book.year.is_some_and(|y| y <= 2025));
        with_image += u64::from(book.image_url.is_some());
        keys.insert(book.key);
    })
    .unwrap();
    print_report("BX-Books.csv", &report);
    eprintln!(
        "  {} distinct keys, {with_year} with a year, {with_image} with an image",
        keys.len()
    );
    checks.push(("books read", report.read, 271_379));
    // Three ISBNs with junk in them: "3518365479<90", "3442248027  3", "0385722206  0".
    checks.push(("books kept", report.kept, 271_376));
    checks.push((
        "books rejected for a bad ISBN",
        rejected(&report, "bad ISBN"),
        3,
    ));
    // 315 editions appear twice once normalised (mostly "…x" and "…X").
    checks.push(("distinct book keys", keys.len() as u64, 271_061));
    // 4,619 books have year 0 (unknown), 12 are dated 2026 or later.
    checks.push(("books with a year", with_year, 266_745));

    let mut report = ImportReport::default();
    let (mut in_books, mut explicit) = (0u64, 0u64);
    read_ratings(ratings_file, &mut report, |rating| {
        in_books += u64::from(keys.contains(&rating.book));
        explicit += u64::from(rating.rating.is_explicit());
    })
    .unwrap();
    print_report("BX-Book-Ratings.csv", &report);
    eprintln!("  {in_books} name a book of BX-Books.csv, {explicit} explicit");
    checks.push(("ratings read", report.read, 1_149_780));
    checks.push(("ratings kept", report.kept, 1_146_047));
    checks.push((
        "ratings rejected for a bad ISBN",
        rejected(&report, "bad ISBN"),
        3_733,
    ));
    checks.push(("explicit ratings", explicit, 431_944));
    // The dataset's usual figure, matching ISBNs trimmed and upper-cased, is 1,031,178;
    // isbn::normalize also matches 9-digit SBNs, lower-case x, dotted and spaced ISBNs.
    checks.push(("ratings of a known book", in_books, 1_032_198));

    let mut report = ImportReport::default();
    let (mut ages, mut ids) = (0u64, HashSet::new());
    let mut joined = false;
    read_users(users_file, &mut report, |user| {
        // The one location with a line break in it.
        joined |= user.id == 275_081 && user.location == "cernusco s , milan, italy";
        ages += u64::from(user.age.is_some());
        ids.insert(user.id);
    })
    .unwrap();
    print_report("BX-Users.csv", &report);
    eprintln!("  {ages} with a plausible age");
    checks.push(("users read", report.read, 278_858));
    checks.push(("users kept", report.kept, 278_858));
    checks.push(("distinct user ids", ids.len() as u64, 278_858));
    // 110,761 ages are NULL and 978 implausible (0–4 or over 110).
    checks.push(("users with an age", ages, 167_118));
    checks.push(("user 275081 joined over two lines", u64::from(joined), 1));

    // Every figure is printed before any is asserted, so one run shows all that changed.
    let wrong: Vec<String> = checks
        .iter()
        .filter(|(_, got, want)| got != want)
        .map(|(what, got, want)| format!("{what}: got {got}, expected {want}"))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

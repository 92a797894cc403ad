//! Cells a spreadsheet would run as a formula.
//!
//! A CSV cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is taken as a
//! formula by Excel, LibreOffice and Google Sheets when the file is opened ("CSV injection":
//! `=HYPERLINK(...)` in a book title a reader added). Exports write such cells behind a
//! leading `'`, which spreadsheets show as text and hide; imports take that `'` off again, so
//! an export read back gives the same text.

use std::borrow::Cow;

/// Whether a spreadsheet would treat a cell starting with `c` as a formula.
fn starts_formula(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// Whether `cell` is some `'`s (maybe none) followed by a formula character.
fn quotes_then_formula(cell: &str) -> bool {
    cell.trim_start_matches('\'').starts_with(starts_formula)
}

/// `cell` as written to an export: behind one more `'` if it is a formula, or a formula behind
/// `'`s already (so that [`restore`] can tell the two apart and give back exactly `cell`).
pub fn defuse(cell: &str) -> Cow<'_, str> {
    if quotes_then_formula(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A cell as read from an export: the `'` that [`defuse`] put before a formula taken off.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if quotes_then_formula(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formulas_are_written_as_text() {
        for (cell, written) in [
            (
                "=HYPERLINK(\"http://x\",\"Dune\")",
                "'=HYPERLINK(\"http://x\",\"Dune\")",
            ),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("Dune", "Dune"),
            ("", ""),
            ("'Salem's Lot", "'Salem's Lot"),
            ("'=x", "''=x"),
            ("a=b", "a=b"),
        ] {
            assert_eq!(defuse(cell), written, "{cell:?}");
            assert_eq!(restore(&defuse(cell)), cell, "{cell:?}");
        }
    }

    proptest! {
        #[test]
        fn what_is_defused_is_restored(cell in "['=+@ -]{0,4}[^\\p{C}]{0,8}") {
            let written = defuse(&cell);
            prop_assert!(!written.starts_with(starts_formula));
            prop_assert_eq!(restore(&written), cell.as_str());
        }
    }
}

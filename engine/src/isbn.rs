//! ISBN normalisation: one key per edition whatever way a file spells it.
//!
//! Datasets write ISBNs in mixed case, with spaces and hyphens, as ISBN-13, or as 9-digit SBNs
//! that lost their leading zero. The catalog keys every edition by its ISBN-10 when one exists,
//! so that all those spellings meet on the same record.

/// Normalise an ISBN as a file spells it into the catalog key.
///
/// - spaces, hyphens, dots, quotes and a Goodreads-style `="..."` wrapper are removed, letters
///   upper-cased;
/// - an ISBN-13 in the 978 range becomes its ISBN-10; other ISBN-13s are kept as 13 digits;
/// - a 9-digit SBN becomes its ISBN-10 by a leading `0` (that is how the standard converts it);
/// - any other 10-character alphanumeric code (Amazon ASINs appear in Book-Crossing) is kept.
///
/// Returns `None` for anything else. Check digits are not enforced: the datasets contain real
/// editions under mistyped ISBNs, and the key only needs to be the same on every row.
pub fn normalize(raw: &str) -> Option<String> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '\t' | '-' | '.' | '"' | '\'' | '=' | '\u{a0}'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let all_digits = cleaned.bytes().all(|b| b.is_ascii_digit());
    match cleaned.len() {
        13 if all_digits && cleaned.starts_with("978") => Some(isbn13_to_isbn10(&cleaned)),
        13 if all_digits => Some(cleaned),
        9 if all_digits => Some(format!("0{cleaned}")),
        10 if cleaned.bytes().all(|b| b.is_ascii_alphanumeric()) => Some(cleaned),
        _ => None,
    }
}

/// A query without the label a reader may type or paste before an ISBN ("ISBN", "isbn:",
/// "ISBN-13:", "ISBN 10"); any other query unchanged.
pub fn strip_label(query: &str) -> &str {
    let trimmed = query.trim_start();
    let Some(head) = trimmed.get(..4) else {
        return query;
    };
    if !head.eq_ignore_ascii_case("isbn") {
        return query;
    }
    let rest = trimmed[4..].trim_start_matches([' ', '-', ':']);
    let rest = rest
        .strip_prefix("13")
        .or_else(|| rest.strip_prefix("10"))
        .filter(|r| r.starts_with([' ', ':']))
        .unwrap_or(rest);
    rest.trim_start_matches([' ', ':'])
}

/// Whether a reader typed a real ISBN: 10 characters (the last may be `X`) or 13 digits,
/// spaces and hyphens allowed, whose check digit is right. Used where a reader creates a
/// book by hand: a mistyped ISBN would file it under another edition's key. (Datasets are
/// not held to it: see [`normalize`].)
pub fn valid_checksum(raw: &str) -> bool {
    let cleaned: Vec<u8> = raw
        .bytes()
        .filter(|b| !matches!(b, b' ' | b'-'))
        .map(|b| b.to_ascii_uppercase())
        .collect();
    let digit = |b: u8| u32::from(b - b'0');
    match cleaned.len() {
        10 if cleaned[..9].iter().all(u8::is_ascii_digit)
            && (cleaned[9].is_ascii_digit() || cleaned[9] == b'X') =>
        {
            let sum: u32 = cleaned
                .iter()
                .enumerate()
                .map(|(i, &b)| {
                    let v = if b == b'X' { 10 } else { digit(b) };
                    (10 - i as u32) * v
                })
                .sum();
            sum.is_multiple_of(11)
        }
        13 if cleaned.iter().all(u8::is_ascii_digit) => {
            let sum: u32 = cleaned
                .iter()
                .enumerate()
                .map(|(i, &b)| if i % 2 == 0 { digit(b) } else { 3 * digit(b) })
                .sum();
            sum.is_multiple_of(10)
        }
        _ => false,
    }
}

/// Whether a string looks like someone typed an ISBN (for search: go to the edition directly).
pub fn looks_like_isbn(query: &str) -> bool {
    let digits = query.chars().filter(|c| c.is_ascii_digit()).count();
    digits >= 9 && normalize(query).is_some()
}

/// The ISBN-10 of a `978` ISBN-13 (13 ASCII digits).
fn isbn13_to_isbn10(isbn13: &str) -> String {
    let body = &isbn13[3..12];
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| (10 - i as u32) * u32::from(b - b'0'))
        .sum();
    let check = (11 - sum % 11) % 11;
    let check = if check == 10 {
        'X'
    } else {
        char::from(b'0' + check as u8)
    };
    format!("{body}{check}")
}

/// The ISBN-13 of an ISBN-10 key (for display and export); `None` when the key is not an ISBN-10.
pub fn to_isbn13(key: &str) -> Option<String> {
    let b = key.as_bytes();
    if b.len() != 10 || !b[..9].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let body = format!("978{}", &key[..9]);
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, d)| u32::from(d - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    Some(format!("{body}{}", (10 - sum % 10) % 10))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn check_digits_are_checked() {
        for good in [
            "0439023483",
            "978-0-439-02348-1",
            "043942089X",
            "043942089x",
            "9780439420891",
            "0 441 17271 7",
        ] {
            assert!(valid_checksum(good), "{good}");
        }
        for bad in [
            "0439023484",
            "9780439023482",
            "04390234",
            "B000FC1PJI",
            "",
            "X439023483",
        ] {
            assert!(!valid_checksum(bad), "{bad}");
        }
    }

    proptest! {
        /// Changing any one digit of a valid ISBN-13 makes it invalid.
        #[test]
        fn one_wrong_digit_is_caught(body in "978[0-9]{9}", at in 0usize..13, delta in 1u32..10) {
            let digits: Vec<u32> = body.bytes().map(|b| u32::from(b - b'0')).collect();
            let sum: u32 = digits.iter().enumerate().map(|(i, d)| if i % 2 == 0 { *d } else { 3 * d }).sum();
            let mut isbn = body.clone();
            isbn.push(char::from_digit((10 - sum % 10) % 10, 10).unwrap());
            prop_assert!(valid_checksum(&isbn));
            let mut bytes = isbn.into_bytes();
            bytes[at] = b'0' + ((u32::from(bytes[at] - b'0') + delta) % 10) as u8;
            prop_assert!(!valid_checksum(std::str::from_utf8(&bytes).unwrap()));
        }
    }

    #[test]
    fn a_typed_isbn_label_is_dropped() {
        for q in [
            "isbn 0156027321",
            "ISBN: 0156027321",
            "ISBN-13: 978-0-15-602732-8",
            "ISBN 10 0156027321",
            "isbn13 9780156027328",
        ] {
            let key = normalize(strip_label(q));
            assert_eq!(key.as_deref(), Some("0156027321"), "{q}");
        }
        assert_eq!(strip_label("isbn"), "");
        assert_eq!(strip_label("the isbn book"), "the isbn book");
        assert_eq!(strip_label("dune"), "dune");
        assert!(!looks_like_isbn(strip_label("ISBNé")));
    }

    #[test]
    fn mixed_case_spaces_and_hyphens_meet_on_one_key() {
        assert_eq!(normalize("034545104x").as_deref(), Some("034545104X"));
        assert_eq!(normalize(" 0-345-45104-X ").as_deref(), Some("034545104X"));
        assert_eq!(normalize("=\"0439023483\"").as_deref(), Some("0439023483"));
        assert_eq!(normalize("2.02.032126.2").as_deref(), Some("2020321262"));
    }

    #[test]
    fn isbn13_in_978_becomes_isbn10() {
        assert_eq!(normalize("9780439023481").as_deref(), Some("0439023483"));
        assert_eq!(
            normalize("978-0-345-45104-0").as_deref(),
            Some("034545104X")
        );
        assert_eq!(normalize("9791032305690").as_deref(), Some("9791032305690"));
    }

    #[test]
    fn sbn_gets_its_leading_zero_and_junk_is_refused() {
        assert_eq!(normalize("342310538").as_deref(), Some("0342310538"));
        assert_eq!(normalize("B0000BLD7X").as_deref(), Some("B0000BLD7X"));
        assert_eq!(normalize("N3453124715"), None);
        assert_eq!(normalize(""), None);
        assert_eq!(normalize("12"), None);
        assert_eq!(normalize("03454510é4"), None);
    }

    #[test]
    fn isbn13_round_trip_known_value() {
        assert_eq!(to_isbn13("0439023483").as_deref(), Some("9780439023481"));
        assert_eq!(to_isbn13("B0000BLD7X"), None);
    }

    #[test]
    fn isbn_detection() {
        assert!(looks_like_isbn("0-439-02348-3"));
        assert!(!looks_like_isbn("harry potter"));
        assert!(!looks_like_isbn("B0000BLD7X"));
    }

    proptest! {
        #[test]
        fn normalising_is_idempotent(s in "[0-9xX -]{0,16}") {
            if let Some(k) = normalize(&s) {
                prop_assert_eq!(normalize(&k), Some(k.clone()));
            }
        }

        #[test]
        fn isbn10_to_13_and_back(body in "[0-9]{9}") {
            let key = normalize(&format!("978{body}0")).unwrap();
            let thirteen = to_isbn13(&key).unwrap();
            prop_assert_eq!(normalize(&thirteen), Some(key));
        }
    }
}

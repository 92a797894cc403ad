//! Text clean-up shared by the importers, search and edition grouping.

/// Decode Latin-1 (ISO-8859-1) bytes: every byte is the code point of the same value.
pub fn decode_latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Decode a row of a file published as Latin-1 whose rows are not all Latin-1.
///
/// Book-Crossing was assembled from several sources: most rows are Latin-1, about 2,900 are
/// UTF-8 ("Saint-Exupéry" would read "Saint-ExupÃ©ry" as Latin-1), and a few were UTF-8
/// encoded twice. Valid UTF-8 is taken as UTF-8 (Latin-1 text with accents is almost never
/// valid UTF-8), anything else as Latin-1; then up to two layers of double encoding are undone.
pub fn decode_mixed(bytes: &[u8]) -> String {
    let mut text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => decode_latin1(bytes),
    };
    for _ in 0..2 {
        match undo_double_encoding(&text) {
            Some(fixed) => text = fixed,
            None => break,
        }
    }
    text
}

/// `"ExupÃ©ry"` → `"Exupéry"`: the text's characters, taken as Latin-1 bytes, form valid UTF-8
/// with at least one multi-byte character. `None` when that does not hold.
fn undo_double_encoding(text: &str) -> Option<String> {
    if text.is_ascii() || text.chars().any(|c| u32::from(c) > 0xFF) {
        return None;
    }
    let bytes: Vec<u8> = text.chars().map(|c| c as u8).collect();
    let fixed = String::from_utf8(bytes).ok()?;
    (fixed != text).then_some(fixed)
}

/// Clean a field as published: HTML entities decoded (`&amp;` → `&`), backslash escapes
/// removed (`\"` → `"`, a stray `\` dropped), whitespace collapsed and trimmed.
pub fn clean_field(raw: &str) -> String {
    let decoded = html_escape::decode_html_entities(raw);
    let mut out = String::with_capacity(decoded.len());
    let mut chars = decoded.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                // Keep the escaped character, drop the backslash itself.
                if let Some(&next) = chars.peek() {
                    if next == '\\' {
                        chars.next();
                    }
                }
            }
            c if c.is_whitespace() || c.is_control() => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

/// Fold text for matching: lower case, Latin accents removed, anything not a letter or a digit
/// turned into a single space. `"Les Misérables (Folio)"` → `"les miserables folio"`.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c == '\'' || c == '’' {
            // "Sorcerer's" and "Sorcerers" should match: drop apostrophes without a gap.
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            for l in c.to_lowercase() {
                out.push(strip_accent(l));
            }
        } else {
            pending_space = true;
        }
    }
    out
}

/// The folded words of a text.
pub fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The base letter of an accented Latin letter (lower case); other characters unchanged.
fn strip_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
        'ç' | 'č' | 'ć' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' | 'ń' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => 'u',
        'ý' | 'ÿ' => 'y',
        'š' | 'ś' => 's',
        'ž' | 'ź' | 'ż' => 'z',
        'ß' => 's',
        c => c,
    }
}

/// The first author of an author field ("J.K. Rowling, Mary GrandPré" → "J.K. Rowling").
pub fn first_author(author: &str) -> &str {
    let end = [",", ";", "&", " and ", " / "]
        .iter()
        .filter_map(|sep| author.find(sep))
        .min()
        .unwrap_or(author.len());
    author[..end].trim()
}

/// The key that groups editions into one work: folded title without bracketed notes, plus the
/// first author's surname and first initial.
///
/// `"Harry Potter and the Sorcerer's Stone (Book 1)"` by `"J. K. Rowling"` and the same title
/// by `"J.K. Rowling"` share a key; so do hardback and paperback editions whose titles differ
/// only by a `(Paperback)` note. Different authors never share one.
pub fn work_key(title: &str, author: &str) -> String {
    let title = fold(&strip_brackets(title));
    let names = words(first_author(author));
    let author = match (names.first(), names.last()) {
        (Some(first), Some(last)) if names.len() > 1 => {
            format!("{last} {}", first.chars().next().unwrap_or(' '))
        }
        (Some(only), _) => only.clone(),
        _ => String::new(),
    };
    format!("{title}|{author}")
}

/// Remove `(...)` and `[...]` notes, nested or not; an unbalanced bracket is kept as text.
fn strip_brackets(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut depth = 0usize;
    for c in title.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' if depth > 0 => depth -= 1,
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    if out.trim().is_empty() {
        // A title that is all brackets ("(untitled)") keeps its text.
        title.to_string()
    } else {
        out
    }
}

/// Text a reader supplied (a title, a name) made safe to keep and show: Unicode NFC, control
/// characters turned into spaces, bidirectional overrides and isolates removed (they would
/// reorder what is shown around them), whitespace collapsed, and at most `max_chars`
/// characters. HTML is not touched here: pages escape it when they show it.
pub fn untrusted(text: &str, max_chars: usize) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    let mut pending_space = false;
    let mut kept = 0;
    for c in text.nfc() {
        if matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
        {
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            pending_space = !out.is_empty();
            continue;
        }
        if kept + usize::from(pending_space) + 1 > max_chars {
            break;
        }
        if pending_space {
            out.push(' ');
            kept += 1;
            pending_space = false;
        }
        out.push(c);
        kept += 1;
    }
    out
}

/// Text of many lines a reader wrote (a review, notes) made safe to keep: Unicode NFC, `\r\n`
/// as `\n`, line breaks and tabs kept, every other control character and the bidirectional
/// overrides and isolates removed, trimmed. HTML is not touched here.
pub fn untrusted_lines(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let kept: String = text
        .replace("\r\n", "\n")
        .nfc()
        .filter(|&c| {
            !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
                && (c == '\n' || c == '\t' || !c.is_control())
        })
        .collect();
    kept.trim().to_string()
}

/// A stable 64-bit FNV-1a hash (the same in every build, unlike std's hasher): keys made from
/// text, such as a reader-added book's, must be the same after an upgrade.
pub fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn latin1_bytes_decode_to_their_code_points() {
        assert_eq!(decode_latin1(b"Mis\xe9rables \xa9"), "Misérables ©");
    }

    #[test]
    fn mixed_encodings_are_all_decoded() {
        // Latin-1 row.
        assert_eq!(decode_mixed(b"Saint-Exup\xe9ry"), "Saint-Exupéry");
        // UTF-8 row.
        assert_eq!(decode_mixed("Saint-Exupéry".as_bytes()), "Saint-Exupéry");
        // UTF-8 encoded twice.
        assert_eq!(
            decode_mixed(b"Saint-Exup\xc3\x83\xc2\xa9ry"),
            "Saint-Exupéry"
        );
        // Plain Latin-1 that is not UTF-8 in disguise stays as it is.
        assert_eq!(
            decode_mixed(b"\xa9 2001 \xc0 la carte"),
            "© 2001 À la carte"
        );
        assert_eq!(decode_mixed(b"plain"), "plain");
    }

    #[test]
    fn entities_and_backslashes_are_cleaned() {
        assert_eq!(
            clean_field("W. W. Norton &amp; Company"),
            "W. W. Norton & Company"
        );
        assert_eq!(clean_field(r#"The Word \"Desire\""#), "The Word \"Desire\"");
        assert_eq!(clean_field("Caf&#233; \\ Society  "), "Café Society");
        assert_eq!(clean_field("a\\\\b"), "ab");
    }

    #[test]
    fn folding_drops_case_accents_and_punctuation() {
        assert_eq!(fold("Les Misérables (Folio)"), "les miserables folio");
        assert_eq!(fold("Sorcerer's Stone"), "sorcerers stone");
        assert_eq!(fold("  --  "), "");
    }

    #[test]
    fn editions_meet_on_one_work_key() {
        let a = work_key(
            "Harry Potter and the Sorcerer's Stone (Book 1)",
            "J. K. Rowling",
        );
        let b = work_key("Harry Potter and the Sorcerer's Stone", "J.K. Rowling");
        let c = work_key("HARRY POTTER AND THE SORCERER'S STONE", "Joanne K. Rowling");
        assert_eq!(a, b);
        assert_eq!(b, c);
        assert_ne!(
            a,
            work_key("Harry Potter and the Sorcerer's Stone", "Someone Else")
        );
        assert_eq!(
            work_key("The Hunger Games", "Suzanne Collins, Someone"),
            work_key("The Hunger Games (The Hunger Games, #1)", "Suzanne Collins")
        );
    }

    #[test]
    fn first_author_of_a_list() {
        assert_eq!(first_author("J.K. Rowling, Mary GrandPré"), "J.K. Rowling");
        assert_eq!(first_author("Mary-Kate & Ashley Olsen"), "Mary-Kate");
        assert_eq!(first_author("Stephen King"), "Stephen King");
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in "\\PC{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
            prop_assert!(!once.starts_with(' ') && !once.ends_with(' '));
        }

        #[test]
        fn clean_field_never_panics_and_trims(s in "\\PC{0,60}") {
            let c = clean_field(&s);
            prop_assert_eq!(c.trim(), c.as_str());
        }
    }

    #[test]
    fn reader_text_is_normalised_and_stripped() {
        // "e" + combining acute becomes one "é"; a right-to-left override goes; controls and
        // line breaks become single spaces.
        assert_eq!(untrusted("Cafe\u{301}\u{202E} gnirts", 100), "Café gnirts");
        assert_eq!(untrusted("  a\n\tb\u{0007}c  ", 100), "a b c");
        assert_eq!(untrusted("abcdef", 3), "abc");
        assert_eq!(untrusted("ab cdef", 3), "ab");
        assert_eq!(untrusted("<b>bold</b>", 100), "<b>bold</b>");
    }

    proptest! {
        #[test]
        fn cleaned_text_is_bounded_and_free_of_controls(text in any::<String>(), max in 0usize..40) {
            let clean = untrusted(&text, max);
            prop_assert!(clean.chars().count() <= max);
            let unsafe_char = |c: char| {
                c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
            };
            let clean_of_unsafe = !clean.chars().any(unsafe_char);
            prop_assert!(clean_of_unsafe);
            prop_assert_eq!(&clean, clean.trim());
            prop_assert_eq!(untrusted(&clean, max), clean.clone());
        }
    }
}

//! Postal code normalisation.
//!
//! US codes keep their five digits (`61820-1234` → `61820`); Canadian codes are
//! upper-cased into the single form `A1A 1A1` (`t6e1z9` → `T6E 1Z9`), and a Canadian
//! district alone (`t5j`, as Yelp ships some codes) into `T5J`. Anything else is kept
//! trimmed and upper-cased, so a foreign code still matches itself.
//!
//! ```
//! use yelpsearch::bench::normalize_postal_code;
//! assert_eq!(normalize_postal_code("61820-1234").as_deref(), Some("61820"));
//! assert_eq!(normalize_postal_code(" t6e1z9 ").as_deref(), Some("T6E 1Z9"));
//! assert_eq!(normalize_postal_code(""), None);
//! ```

/// The normalised form of a postal code, or `None` when it is empty.
pub fn normalize_postal_code(raw: &str) -> Option<String> {
    let t = raw.trim();
    if t.is_empty() {
        return None;
    }
    let b = t.as_bytes();
    // US ZIP or ZIP+4.
    if b.len() >= 5 && b[..5].iter().all(u8::is_ascii_digit) {
        let rest = &t[5..];
        let plus4 = rest.len() == 5
            && rest.starts_with('-')
            && rest[1..].bytes().all(|c| c.is_ascii_digit());
        if rest.is_empty() || plus4 || (rest.len() == 4 && rest.bytes().all(|c| c.is_ascii_digit()))
        {
            return Some(t[..5].to_string());
        }
    }
    // Canadian: letter digit letter, optional space or hyphen, digit letter digit.
    let compact: String = t
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase();
    let c = compact.as_bytes();
    if c.len() == 6 {
        let pattern = [true, false, true, false, true, false]; // true = letter
        if c.iter().zip(pattern).all(|(ch, letter)| {
            if letter {
                ch.is_ascii_alphabetic()
            } else {
                ch.is_ascii_digit()
            }
        }) {
            return Some(format!("{} {}", &compact[..3], &compact[3..]));
        }
    }
    Some(t.to_uppercase())
}

/// Whether `s` looks like a postal code a user typed (US ZIP, ZIP+4, Canadian, or a
/// Canadian district: letter, digit, letter, like `T5J`).
pub fn looks_like_postal_code(s: &str) -> bool {
    let t = s.trim();
    let us = t.len() >= 5
        && t.as_bytes()[..5].iter().all(u8::is_ascii_digit)
        && normalize_postal_code(t).is_some_and(|n| n.len() == 5);
    us || normalize_postal_code(t).is_some_and(|n| n.len() == 7 && n.as_bytes()[3] == b' ')
        || is_district(t)
}

/// A Canadian forward sortation area alone: letter, digit, letter (`T5J`).
fn is_district(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 3
        && b[0].is_ascii_alphabetic()
        && b[1].is_ascii_digit()
        && b[2].is_ascii_alphabetic()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn us_and_canadian_forms() {
        for (raw, want) in [
            ("61820", "61820"),
            ("61820-1234", "61820"),
            ("618201234", "61820"),
            ("T6E 1Z9", "T6E 1Z9"),
            ("t6e1z9", "T6E 1Z9"),
            ("T6E-1Z9", "T6E 1Z9"),
            ("sw1a 1aa", "SW1A 1AA"),
        ] {
            assert_eq!(normalize_postal_code(raw).as_deref(), Some(want), "{raw}");
        }
        assert_eq!(normalize_postal_code("   "), None);
        assert!(looks_like_postal_code("61820") && looks_like_postal_code("t6e 1z9"));
        assert!(!looks_like_postal_code("pasta") && !looks_like_postal_code("1234"));
        assert!(!looks_like_postal_code("618201"));
        assert_eq!(normalize_postal_code("t5j").as_deref(), Some("T5J"));
        assert!(looks_like_postal_code("T5J") && looks_like_postal_code("t5j"));
        assert!(!looks_like_postal_code("5TJ") && !looks_like_postal_code("bbq"));
    }
}

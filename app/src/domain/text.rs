//! What counts as text anyone may type: the rule every free-text value meets, in the browser (as
//! the person types) and on the server (for every request, in `request_decoder`).
//!
//! PostgreSQL cannot store NUL, and a NUL or another control character in a name or an email
//! address reaches headers and screens where it does harm (a NUL reached an email's `To:`).
//! Line breaks and tabs are ordinary text. Invalid UTF-8 never gets this far: the request decoder
//! refuses it rather than replacing it.

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    /// U+0000.
    Nul,
    /// Another C0 or C1 control character (not a tab, line feed or carriage return), or DEL.
    Control,
}

impl TextProblem {
    /// What to change, for a field's error message.
    pub fn message(self) -> &'static str {
        match self {
            TextProblem::Nul => "Remove the NUL character from this text",
            TextProblem::Control => {
                "Remove the control character from this text (line breaks and tabs are fine)"
            }
        }
    }
}

/// Whether `text` holds only characters a person can type.
pub fn check_plain_text(text: &str) -> Result<(), TextProblem> {
    for c in text.chars() {
        if c == '\0' {
            return Err(TextProblem::Nul);
        }
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
            return Err(TextProblem::Control);
        }
    }
    Ok(())
}

/// The longest email address there is (RFC 5321's path limit less its angle brackets).
pub const EMAIL_MAX_CHARS: usize = 254;

/// One `@` with up to 64 characters before it and a dotted domain after it, no spaces or control
/// characters, 254 characters at most: enough to catch typing slips and hostile values without
/// refusing real addresses.
pub fn is_email_address(email: &str) -> bool {
    if email.chars().count() > EMAIL_MAX_CHARS
        || email.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return false;
    }
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && local.chars().count() <= 64
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_with_nul_or_control_characters_is_refused() {
        assert_eq!(check_plain_text("a\0b"), Err(TextProblem::Nul));
        assert_eq!(check_plain_text("bell\u{7}"), Err(TextProblem::Control));
        assert_eq!(check_plain_text("del\u{7f}"), Err(TextProblem::Control));
        assert_eq!(check_plain_text("c1\u{85}"), Err(TextProblem::Control));
        assert_eq!(check_plain_text("Line one\r\nline two\tand a tab"), Ok(()));
        assert_eq!(check_plain_text("Zoë, Łukasz, مریم, 🙂"), Ok(()));
    }

    #[test]
    fn email_addresses_are_bounded_and_plain() {
        assert!(is_email_address("s.whitfield@brookfield.example"));
        assert!(!is_email_address("a\0@example.org"));
        assert!(!is_email_address("a@example..org"));
        let long_local = format!("{}@example.org", "a".repeat(65));
        assert!(!is_email_address(&long_local));
        let long = format!("{}@{}.org", "a".repeat(60), "b".repeat(200));
        assert!(long.len() > EMAIL_MAX_CHARS);
        assert!(!is_email_address(&long));
        let longest = format!("{}@{}.org", "a".repeat(60), "b".repeat(189));
        assert_eq!(longest.len(), EMAIL_MAX_CHARS);
        assert!(is_email_address(&longest));
    }

    proptest! {
        #[test]
        fn accepted_text_never_holds_a_control_character(text in any::<String>()) {
            if check_plain_text(&text).is_ok() {
                prop_assert!(text.chars().all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r')));
            }
        }

        #[test]
        fn accepted_addresses_fit_in_an_email_header(email in any::<String>()) {
            if is_email_address(&email) {
                prop_assert!(email.chars().count() <= EMAIL_MAX_CHARS);
                prop_assert!(!email.chars().any(|c| c.is_control() || c.is_whitespace()));
            }
        }
    }
}

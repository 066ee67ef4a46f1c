//! Rules for a new password (NIST SP 800-63B): long enough, not too long to hash, not the person's
//! own email or name. No composition rules; paste and password managers welcome. The list of
//! common and breached passwords is checked on the server (it is too big to send to the browser).

/// At least this many characters (we suggest 15 or more).
pub const MIN_CHARS: usize = 8;
/// At most this many: far beyond the 64 we must allow, short enough to hash cheaply.
pub const MAX_CHARS: usize = 256;

/// Every problem with a new password, each saying what to do.
pub fn check_new_password(password: &str, personal: &[&str]) -> Vec<String> {
    let mut problems = Vec::new();
    let chars = password.chars().count();
    if password.is_empty() {
        problems.push("Enter a password".to_string());
    } else if chars < MIN_CHARS {
        problems.push(format!(
            "Password must be {MIN_CHARS} characters or more (15 or more is better: try three or four random words)"
        ));
    } else if chars > MAX_CHARS {
        problems.push(format!("Password must be {MAX_CHARS} characters or fewer"));
    }
    if password.contains('\0') {
        problems.push("Password must not contain a null character".to_string());
    }
    let lower = password.to_lowercase();
    if personal
        .iter()
        .any(|p| !p.trim().is_empty() && lower == p.trim().to_lowercase())
    {
        problems.push("Password must not be your email address or name".to_string());
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_counts_characters_not_bytes_and_allows_long_passphrases() {
        assert_eq!(
            check_new_password("ćwiczeń", &[]).len(),
            1,
            "7 characters, 10 bytes"
        );
        assert!(check_new_password("ćwiczenia", &[]).is_empty());
        assert!(
            check_new_password(&"correct horse ".repeat(5), &[]).is_empty(),
            "70 allowed"
        );
        assert_eq!(check_new_password(&"x".repeat(257), &[]).len(), 1);
        assert_eq!(
            check_new_password("", &[]),
            vec!["Enter a password".to_string()]
        );
    }

    #[test]
    fn the_persons_own_email_or_name_is_refused() {
        let problems = check_new_password(
            "Priya.Sharma@northdale.example",
            &["priya.sharma@northdale.example"],
        );
        assert_eq!(
            problems,
            vec!["Password must not be your email address or name".to_string()]
        );
        assert!(check_new_password("a different long password", &["priya", ""]).is_empty());
    }
}

//! The shipped list of common and breached passwords (see `app/data/README.md`).

use std::collections::HashSet;
use std::sync::LazyLock;

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .map(str::trim)
        .collect()
});

/// Whether the password is on the list (compared in lower case, as the list is).
pub fn is_common(password: &str) -> bool {
    COMMON.contains(password.trim().to_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    #[test]
    fn well_known_passwords_are_on_the_list_and_passphrases_are_not() {
        assert!(super::COMMON.len() > 19_000);
        for common in [
            "password",
            "123456",
            "qwerty",
            "Password",
            "iloveyou",
            "liverpool",
        ] {
            assert!(super::is_common(common), "{common}");
        }
        assert!(!super::is_common("northdale-demo-2026"));
        assert!(!super::is_common("correct horse battery staple"));
    }
}

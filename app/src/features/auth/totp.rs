//! Time-based one-time passwords (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps), the format
//! every authenticator app reads, and single-use recovery codes. Server only: secrets never reach
//! the browser except once, on the setup page.
//!
//! The code itself is `totp-rs`'s (compared in constant time); what is ours is the rule around
//! it: one step of drift either side, each step usable once (`matching_step` says which step a
//! code matched, for `users.totp_last_step`), spaces ignored.

use data_encoding::BASE32_NOPAD;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, TOTP};

pub const STEP_SECONDS: i64 = 30;
const DIGITS: usize = 6;
/// Codes from one step either side are accepted: phone clocks drift.
const SKEW_STEPS: i64 = 1;

/// A new secret: 160 random bits, base32 as authenticator apps expect.
pub fn new_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes)?;
    Ok(BASE32_NOPAD.encode(&bytes))
}

/// The generator for a secret, checking one step at a time (the drift is ours, below); `None`
/// if the secret is not base32 or shorter than 128 bits.
fn generator(secret_base32: &str) -> Option<TOTP> {
    let key = BASE32_NOPAD.decode(secret_base32.as_bytes()).ok()?;
    TOTP::new(Algorithm::SHA1, DIGITS, 0, STEP_SECONDS as u64, key).ok()
}

/// The code for one 30-second step, or `None` if the secret is not usable.
pub fn code_at_step(secret_base32: &str, step: i64) -> Option<String> {
    let step = u64::try_from(step).ok()?;
    Some(generator(secret_base32)?.generate(step * STEP_SECONDS as u64))
}

/// The step a typed code matches at `unix_time`, if it is newer than `last_used_step` (each code
/// works once). Spaces in the typed code are ignored.
pub fn matching_step(
    secret_base32: &str,
    typed: &str,
    unix_time: i64,
    last_used_step: Option<i64>,
) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS || !typed.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let totp = generator(secret_base32)?;
    let now = unix_time.div_euclid(STEP_SECONDS);
    (now - SKEW_STEPS..=now + SKEW_STEPS)
        .filter(|step| last_used_step.is_none_or(|last| *step > last))
        .find(|&step| {
            u64::try_from(step).is_ok_and(|step| totp.check(&typed, step * STEP_SECONDS as u64))
        })
}

/// The `otpauth://` address an authenticator app scans.
pub fn otpauth_uri(secret_base32: &str, account: &str) -> String {
    let label = crate::ui::text::percent_encode(&format!("ePEP:{account}"));
    format!(
        "otpauth://totp/{label}?secret={secret_base32}&issuer=ePEP&algorithm=SHA1&digits=6&period=30"
    )
}

/// The address as a QR code, an SVG drawn with attributes only (no inline styles, for the CSP).
pub fn qr_svg(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .dark_color(qrcode::render::svg::Color("#0b0c0c"))
            .light_color(qrcode::render::svg::Color("#ffffff"))
            .build(),
    )
}

/// Ten recovery codes like `k7qm-2xd4-hpza`: 60 random bits each, shown once, stored hashed.
pub fn new_recovery_codes() -> Result<Vec<String>, getrandom::Error> {
    (0..10)
        .map(|_| {
            let mut bytes = [0u8; 8];
            getrandom::fill(&mut bytes)?;
            let text = BASE32_NOPAD.encode(&bytes).to_lowercase();
            Ok(format!("{}-{}-{}", &text[0..4], &text[4..8], &text[8..12]))
        })
        .collect()
}

/// What is stored for a recovery code: case, spaces and hyphens do not matter when typed.
pub fn recovery_code_hash(typed: &str) -> String {
    let normal: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Sha256::digest(normal.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 secret ("12345678901234567890"), last six digits of its vectors.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(
                code_at_step(RFC_SECRET, time / STEP_SECONDS).as_deref(),
                Some(code),
                "{time}"
            );
        }
    }

    #[test]
    fn a_code_works_within_one_step_either_side_and_only_once() {
        let now = 1_234_567_890;
        let code = code_at_step(RFC_SECRET, now / STEP_SECONDS).unwrap();
        let step = now / STEP_SECONDS;
        assert_eq!(matching_step(RFC_SECRET, &code, now, None), Some(step));
        assert_eq!(
            matching_step(RFC_SECRET, &code, now + 30, None),
            Some(step),
            "clock drift"
        );
        assert_eq!(
            matching_step(RFC_SECRET, &code, now + 90, None),
            None,
            "too old"
        );
        assert_eq!(
            matching_step(RFC_SECRET, &code, now, Some(step)),
            None,
            "replayed"
        );
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(
            matching_step(RFC_SECRET, &spaced, now, Some(step - 1)),
            Some(step)
        );
        assert_eq!(matching_step(RFC_SECRET, "12345", now, None), None);
        assert_eq!(matching_step(RFC_SECRET, "abcdef", now, None), None);
        assert_eq!(matching_step("not base32!", "123456", now, None), None);
    }

    #[test]
    fn new_secrets_are_random_base32_of_160_bits() {
        let a = new_secret().unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, new_secret().unwrap());
        assert!(code_at_step(&a, 1).is_some());
    }

    #[test]
    fn the_otpauth_address_and_qr_code_are_what_apps_expect() {
        let uri = otpauth_uri(RFC_SECRET, "s.whitfield@brookfield.example");
        assert_eq!(
            uri,
            "otpauth://totp/ePEP%3As.whitfield%40brookfield.example?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ePEP&algorithm=SHA1&digits=6&period=30"
        );
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.contains("<svg") && !svg.contains("style="), "{svg}");
    }

    #[test]
    fn recovery_codes_are_unique_and_typed_loosely() {
        let codes = new_recovery_codes().unwrap();
        assert_eq!(codes.len(), 10);
        assert_eq!(
            codes.iter().collect::<std::collections::HashSet<_>>().len(),
            10
        );
        assert_eq!(codes[0].len(), 14);
        assert_eq!(
            recovery_code_hash(&codes[0]),
            recovery_code_hash(&codes[0].to_uppercase().replace('-', " "))
        );
        assert_ne!(recovery_code_hash(&codes[0]), recovery_code_hash(&codes[1]));
    }
}

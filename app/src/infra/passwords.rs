//! Password hashing with Argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane).
//!
//! Each hash needs a 19 MiB work area, and the allocator keeps freed ones: ten hashes with
//! `PasswordHasher::hash_password` left ~175 MB resident. So hashing reuses one work area per
//! batch, and verification runs off the async threads, at most two at a time.

use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

/// At most this many verifications at once: bounds memory (19 MiB each) and CPU per server.
const CONCURRENT_VERIFICATIONS: usize = 2;
static VERIFY_PERMITS: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(CONCURRENT_VERIFICATIONS));

/// Hashes each password with its own salt, reusing one work area. Blocking: call it from
/// `spawn_blocking` on a server.
pub fn hash_passwords(passwords: &[&str]) -> Vec<String> {
    let params = Params::default();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut work_area = vec![Block::default(); params.m_cost() as usize];
    passwords
        .iter()
        .map(|password| {
            let salt = SaltString::generate(&mut OsRng);
            let mut salt_buffer = [0u8; 64];
            let salt_bytes = salt
                .as_salt()
                .decode_b64(&mut salt_buffer)
                .expect("a generated salt decodes");
            let mut hash = [0u8; Params::DEFAULT_OUTPUT_LEN];
            argon2
                .hash_password_into_with_memory(
                    password.as_bytes(),
                    salt_bytes,
                    &mut hash,
                    &mut work_area,
                )
                .expect("default parameters accept any password");
            PasswordHash {
                algorithm: Algorithm::Argon2id.ident(),
                version: Some(Version::V0x13.into()),
                params: ParamsString::try_from(&params).expect("default parameters encode"),
                salt: Some(salt.as_salt()),
                hash: Some(Output::new(&hash).expect("32 bytes is a valid output")),
            }
            .to_string()
        })
        .collect()
}

/// A hash to verify against when the account does not exist, so that a wrong email takes as long
/// as a wrong password and does not reveal who has an account.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash_passwords(&["not a real password"])
        .pop()
        .expect("one password in, one hash out")
});

/// Whether `password` matches `stored_hash` (or, with no hash, spends the same time and says no).
pub async fn verify_password(password: String, stored_hash: Option<String>) -> bool {
    let Ok(_permit) = VERIFY_PERMITS.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || {
        let (hash, real) = match &stored_hash {
            Some(hash) => (hash.as_str(), true),
            None => (DUMMY_HASH.as_str(), false),
        };
        let Ok(parsed) = PasswordHash::new(hash) else {
            return false;
        };
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        matches && real
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hashes = hash_passwords(&["correct horse battery staple", "another one"]);
        assert!(
            hashes[0].starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            hashes[0]
        );
        assert_ne!(hashes[0], hashes[1]);
        assert!(
            verify_password(
                "correct horse battery staple".into(),
                Some(hashes[0].clone())
            )
            .await
        );
        assert!(
            !verify_password(
                "correct horse battery stapl".into(),
                Some(hashes[0].clone())
            )
            .await
        );
        assert!(!verify_password("another one".into(), Some(hashes[0].clone())).await);
        assert!(
            !verify_password("not a real password".into(), None).await,
            "no account, no entry"
        );
        assert!(!verify_password("x".into(), Some("not a hash".into())).await);
    }
}

//! Rules for the ids the browser makes and the server stores, shared by every part of the PEP
//! (a leaf: it names nothing else in the crate).

/// Whether an id from the browser may name a part of this target: the page makes new ids as
/// `{target id}{tag}…` (`-a` an action, `-p` a PP+ request) so a retried save never adds the
/// same part twice, and an id of another target's part is refused.
pub fn is_part_id_of(target_id: &str, tag: &str, id: &str) -> bool {
    id.strip_prefix(target_id)
        .and_then(|rest| rest.strip_prefix(tag))
        .is_some_and(|rest| {
            !rest.is_empty()
                && rest.len() <= 40
                && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// Whether `id` may name an edit: 1 to 64 ASCII letters, digits, `-` or `_` (the page makes
/// them; the server stores them).
pub fn is_edit_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_ids_are_short_and_plain() {
        assert!(is_edit_id("k3x9-17"));
        assert!(is_edit_id(&"a".repeat(64)));
        assert!(!is_edit_id(""));
        assert!(!is_edit_id(&"a".repeat(65)));
        assert!(!is_edit_id("a b"));
        assert!(!is_edit_id("é"));
    }
}

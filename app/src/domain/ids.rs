//! Rules for the ids the browser makes and the server stores, shared by every part of the PEP
//! (a leaf: it names nothing else in the crate), and the ids' own types.

use serde::{Deserialize, Serialize};

/// An id type of its own for one kind of record, as it crosses server functions, so one kind's
/// id cannot be passed where another's is meant. The same text on the wire and in the database
/// (`serde(transparent)`); it reads as `&str` where one is asked for.
macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> $name {
                $name(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> $name {
                $name(id.to_string())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
    };
}

text_id!(
    /// A PEP's id.
    PepId
);
text_id!(
    /// A child's id.
    ChildId
);

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
    fn a_pep_id_is_plain_text_on_the_wire() {
        let id = PepId::from("demo-child-kai-pep");
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"demo-child-kai-pep\""
        );
        assert_eq!(
            serde_json::from_str::<PepId>("\"x\"").unwrap(),
            PepId::from("x")
        );
        assert_eq!(&*id, "demo-child-kai-pep");
    }

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

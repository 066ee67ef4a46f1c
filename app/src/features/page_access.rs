//! Whether a page refuses the person asking, decided before the page streams.
//!
//! Pages stream: their status line goes out before their data has loaded, so a page cannot say
//! 403 from inside its own loader. The server asks here first, with the same guards the pages'
//! loaders use (never a second copy of the rules), and sends the refusal page with 403. A page not
//! listed here answers 200 and says what it says.

use crate::error::AppError;
use crate::infra::db::Db;

/// The guard a page's loader applies, picked from its path.
enum PageGuard<'a> {
    /// The Virtual School's admin pages.
    Administrator,
    Child(&'a str),
    ChildRegister(&'a str),
    Pep(&'a str),
}

fn guard_for(path: &str) -> Option<PageGuard<'_>> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    Some(match segments.as_slice() {
        ["people"]
        | ["people", _]
        | ["section-rights"]
        | ["dashboard"]
        | ["deadline-rules"]
        | ["children", "new"] => PageGuard::Administrator,
        ["children", id] => PageGuard::Child(id),
        ["children", id, "edit"] => PageGuard::ChildRegister(id),
        ["peps", id] => PageGuard::Pep(id),
        _ => return None,
    })
}

/// Whether the page at `path` has a guard to ask (the others are never refused).
pub fn is_guarded(path: &str) -> bool {
    guard_for(path).is_some()
}

/// True when the page at `path` would show the person asking a refusal ("not yours"). Signed out
/// is not a refusal: those pages ask the person to sign in. Needs the request's context (its
/// parts, the database and auth), as a server function does.
pub async fn refuses(path: &str) -> bool {
    let Some(guard) = guard_for(path) else {
        return false;
    };
    let Ok(db) = Db::from_context("page access") else {
        return false;
    };
    let outcome: Result<(), AppError> = match guard {
        PageGuard::Administrator => crate::features::guard::administrator().await.map(drop),
        PageGuard::Child(id) => crate::features::guard::child_reader(&db, id)
            .await
            .map(drop),
        PageGuard::ChildRegister(id) => {
            crate::features::children::register::server::editor(&db, id)
                .await
                .map(drop)
        }
        PageGuard::Pep(id) => crate::features::pep_form::server::reached::pep_reader(&db, id).await,
    };
    matches!(outcome, Err(AppError::Forbidden))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guarded_pages_are_found_by_their_paths() {
        assert!(matches!(
            guard_for("/peps/p-1"),
            Some(PageGuard::Pep("p-1"))
        ));
        assert!(matches!(
            guard_for("/children/c-1"),
            Some(PageGuard::Child("c-1"))
        ));
        assert!(matches!(
            guard_for("/children/c-1/edit"),
            Some(PageGuard::ChildRegister("c-1"))
        ));
        assert!(matches!(
            guard_for("/children/new"),
            Some(PageGuard::Administrator)
        ));
        assert!(matches!(
            guard_for("/people/u-1"),
            Some(PageGuard::Administrator)
        ));
        assert!(guard_for("/").is_none());
        assert!(guard_for("/sign-in").is_none());
        assert!(guard_for("/peps/p-1/other").is_none());
    }
}

//! Identity and access: signing in (more arrives with invitations, sessions and second factor).

mod sign_in_form;
mod sign_in_page;

pub use sign_in_form::{SignInForm, check_sign_in_form};
pub use sign_in_page::SignInPage;

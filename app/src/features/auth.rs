//! Identity and access: signing in and out, sessions, throttling.

mod api;
mod current_user;
mod sign_in_form;
mod sign_in_page;

#[cfg(feature = "ssr")]
pub mod sessions;
#[cfg(feature = "ssr")]
pub mod throttle;

#[cfg(feature = "ssr")]
pub use api::server::{AuthContext, current_user, require_user};
pub use api::{
    MySessions, SessionSummary, SignIn, SignOut, WhoAmI, my_sessions, sign_in, sign_out, who_am_i,
};
pub use current_user::CurrentUser;
pub use sign_in_form::{SignInForm, check_sign_in_form};
pub use sign_in_page::SignInPage;

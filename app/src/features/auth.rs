//! Identity and access: signing in and out, sessions, throttling.

mod account_page;
pub(crate) mod api;
mod current_user;
#[cfg(feature = "ssr")]
mod device;
pub(crate) mod password_reset;
mod password_reset_page;
pub(crate) mod second_factor;
mod second_factor_page;
pub(crate) mod session_timeout;
mod sign_in_form;
mod sign_in_page;

#[cfg(feature = "ssr")]
pub mod sessions;
#[cfg(feature = "ssr")]
pub mod throttle;
#[cfg(feature = "ssr")]
pub mod totp;

pub use account_page::AccountPage;
#[cfg(feature = "ssr")]
pub use api::server::{
    AuthContext, current_user, require_user, set_status, start_signed_in_session,
};
pub use api::{
    EndMySession, MySessions, SessionSummary, SignIn, SignInOutcome, SignOut, WhoAmI,
    end_my_session, my_sessions, sign_in, sign_out, who_am_i,
};
pub use current_user::CurrentUser;
pub use password_reset::{
    RequestPasswordReset, ResetPassword, request_password_reset, reset_password,
};
pub use password_reset_page::{ForgotPasswordPage, ResetPasswordPage};
pub use second_factor::{
    ConfirmSecondFactor, SetupDetails, VerifySecondFactor, confirm_second_factor,
    second_factor_setup, verify_second_factor,
};
pub use second_factor_page::{SecondFactorPage, SecondFactorSetupPage};
pub use session_timeout::{
    SessionStatus, SessionTimeoutWarning, SessionTimes, StaySignedIn, session_status,
    stay_signed_in,
};
pub use sign_in_form::{SignInForm, check_sign_in_form, looks_like_email};
pub use sign_in_page::SignInPage;

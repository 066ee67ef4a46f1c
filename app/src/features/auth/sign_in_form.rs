//! The sign-in form's checks, shared by the browser (as the person presses "Sign in") and later by
//! the server function that signs people in.

use crate::ui::error_summary::FieldError;

/// What the person typed, untouched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInForm {
    pub email: String,
    pub password: String,
}

/// Every problem with the form at once, in page order, each saying what to do.
pub fn check_sign_in_form(form: &SignInForm) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let email = form.email.trim();
    if email.is_empty() {
        errors.push(FieldError::new("email", "Enter your email address"));
    } else if !looks_like_email(email) {
        errors.push(FieldError::new(
            "email",
            "Enter an email address in the correct format, like name@example.org",
        ));
    }
    if form.password.is_empty() {
        errors.push(FieldError::new("password", "Enter your password"));
    }
    errors
}

/// A plausible address: see `domain::text::is_email_address`.
pub fn looks_like_email(email: &str) -> bool {
    crate::domain::text::is_email_address(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(email: &str, password: &str) -> SignInForm {
        SignInForm {
            email: email.into(),
            password: password.into(),
        }
    }

    #[test]
    fn an_empty_form_gets_both_errors_in_page_order() {
        let errors = check_sign_in_form(&form("", ""));
        let fields: Vec<_> = errors.iter().map(|e| e.field_id).collect();
        assert_eq!(fields, ["email", "password"]);
        assert_eq!(errors[0].message, "Enter your email address");
    }

    #[test]
    fn email_typing_slips_are_caught_and_real_addresses_pass() {
        for bad in [
            "sarah",
            "sarah@",
            "@school.org",
            "sarah@school",
            "sa rah@school.org",
            "a@b@c.org",
        ] {
            assert_eq!(check_sign_in_form(&form(bad, "pw")).len(), 1, "{bad}");
        }
        for good in [
            "s.whitfield@brookfield.sch.uk",
            "  priya.sharma@northdale.gov.uk ",
        ] {
            assert!(check_sign_in_form(&form(good, "pw")).is_empty(), "{good}");
        }
    }
}

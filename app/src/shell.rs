//! The HTML document and the router: the only place that knows every page.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, StaticSegment,
    components::{Route, Router, Routes},
};

use crate::features::actions::MyActionsPage;
use crate::features::auth::{
    AccountPage, ForgotPasswordPage, ResetPasswordPage, SecondFactorPage, SecondFactorSetupPage,
    SignInPage,
};
use crate::features::calendars::CalendarsPage;
use crate::features::children::{ChildPage, EditChildPage, NewChildPage};
use crate::features::dashboard::DashboardPage;
use crate::features::deadline_rules::DeadlineRulesPage;
use crate::features::home::HomePage;
use crate::features::invitations::RegisterPage;
use crate::features::people::{InviteColleaguePage, PeoplePage, PersonPage, SectionRightsPage};
use crate::features::pep_form::PepPage;
use crate::ui::layout::{NotFound, PageLayout};

/// The document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en-GB">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The app: the same tree on the server and in the browser.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="epep-style" href="/pkg/epep.css" />
        <Title formatter=|page: String| format!("{page} – ePEP") />
        <Router>
            <PageLayout>
                <Routes fallback=NotFound>
                    <Route path=StaticSegment("") view=HomePage />
                    <Route path=StaticSegment("sign-in") view=SignInPage />
                    <Route path=StaticSegment("register") view=RegisterPage />
                    <Route path=StaticSegment("account") view=AccountPage />
                    <Route path=StaticSegment("forgot-password") view=ForgotPasswordPage />
                    <Route path=StaticSegment("reset-password") view=ResetPasswordPage />
                    <Route path=StaticSegment("second-factor") view=SecondFactorPage />
                    <Route path=StaticSegment("people") view=PeoplePage />
                    <Route path=(StaticSegment("people"), ParamSegment("id")) view=PersonPage />
                    <Route path=StaticSegment("section-rights") view=SectionRightsPage />
                    <Route path=StaticSegment("calendars") view=CalendarsPage />
                    <Route path=StaticSegment("dashboard") view=DashboardPage />
                    <Route path=StaticSegment("deadline-rules") view=DeadlineRulesPage />
                    <Route path=(StaticSegment("children"), StaticSegment("new")) view=NewChildPage />
                    <Route path=(StaticSegment("children"), ParamSegment("id")) view=ChildPage />
                    <Route
                        path=(StaticSegment("children"), ParamSegment("id"), StaticSegment("edit"))
                        view=EditChildPage
                    />
                    <Route path=(StaticSegment("peps"), ParamSegment("id")) view=PepPage />
                    <Route path=StaticSegment("my-actions") view=MyActionsPage />
                    <Route path=StaticSegment("invite-colleague") view=InviteColleaguePage />
                    <Route
                        path=(StaticSegment("second-factor"), StaticSegment("setup"))
                        view=SecondFactorSetupPage
                    />
                </Routes>
            </PageLayout>
        </Router>
    }
}

/// Scripts run only from our origin or with this response's nonce (Leptos puts it on the hydration
/// script); `wasm-unsafe-eval` lets the browser compile our WASM, and nothing else is allowed.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    use axum::http::{HeaderValue, header};
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

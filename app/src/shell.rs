//! The HTML document and the router: the only place that knows every page.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    StaticSegment,
    components::{Route, Router, Routes},
};

use crate::features::{auth::SignInPage, home::HomePage};
use crate::ui::layout::{NotFound, PageLayout};

/// The document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
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
                </Routes>
            </PageLayout>
        </Router>
    }
}

//! The page frame: skip link, header, main landmark, footer.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::roles::Role;
use crate::features::auth::{SessionTimeoutWarning, SignOut, who_am_i};
use crate::features::service::DemoBanner;

#[component]
pub fn PageLayout(children: Children) -> impl IntoView {
    view! {
        <a href="#main-content" class="skip-link" on:click=crate::ui::in_page_link::focus_in_page_target>
            "Skip to main content"
        </a>
        <header class="site-header">
            <div class="width-container site-header__inner">
                <a href="/" class="site-header__name">
                    <span class="site-header__logo" aria-hidden="true">"PEP"</span>
                    "ePEP"
                </a>
                <AccountNav />
            </div>
        </header>
        <DemoBanner />
        <div class="width-container">
            <main id="main-content" class="main" tabindex="-1">
                {children()}
            </main>
        </div>
        <SessionTimeoutWarning />
        <footer class="site-footer">
            <div class="width-container">
                <p>
                    "ePEP: Personal Education Plans for children in care, written together by the "
                    "Virtual School, schools, social workers, carers and young people."
                </p>
            </div>
        </footer>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <h1 class="heading-xl">"Page not found"</h1>
        <p class="body">"If you typed the web address, check it is correct."</p>
        <p class="body">
            "If you pasted the web address, check you copied the entire address. "
            <a href="/">"Go to the start page"</a>"."
        </p>
    }
}

/// "Signed in as …" with a sign-out button, or a sign-in link.
#[component]
fn AccountNav() -> impl IntoView {
    // Asked again at each move within the app and when the window comes back into focus: a
    // session ended in another tab, or a second factor just set up, shows in the header at once
    // (it was read once per full page load).
    let location = leptos_router::hooks::use_location();
    let focus_returns = RwSignal::new(0_u32);
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::focus, move |_| {
            focus_returns.update(|n| *n += 1)
        });
        on_cleanup(move || handle.remove());
    }
    let user = Resource::new(
        move || (location.pathname.get(), focus_returns.get()),
        |_| who_am_i(),
    );
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            let _ = window().location().set_href("/");
        }
    });
    let sign_in_link = || view! { <a href="/sign-in" class="site-header__link">"Sign in"</a> };
    view! {
        <nav aria-label="Account" class="site-header__account">
            <Transition fallback=sign_in_link>
                // Awaited in a `Suspend`, not read with `.get()` (see `DemoBanner`).
                {move || Suspend::new(async move {
                    match user.await {
                            Ok(Some(user)) => {
                                // Who may invite: the Virtual School (People), a designated
                                // teacher (a colleague at their school).
                                let admin: &[(&str, &str)] = match user.role {
                                    _ if user.second_factor_pending => &[],
                                    role if role.is_virtual_school() => &[("/people", "People")],
                                    // Their own school's calendar, and a colleague.
                                    Role::DesignatedTeacher => &[
                                        ("/calendars", "School calendar"),
                                        ("/invite-colleague", "Invite a colleague"),
                                    ],
                                    _ => &[],
                                };
                                let admin = admin
                                    .iter()
                                    .map(|&(href, text)| {
                                        view! {
                                            <a href=href class="site-header__link">
                                                {text}
                                            </a>
                                        }
                                    })
                                    .collect_view();
                                let actions = (!user.second_factor_pending).then(|| view! {
                                    <a href="/my-actions" class="site-header__link">"My actions"</a>
                                });
                                view! {
                                    {actions}
                                    {admin}
                                    <a href="/account" class="site-header__link site-header__user">
                                        {user.display_name}
                                    </a>
                                    <ActionForm action=sign_out attr:class="site-header__form">
                                        <button type="submit" class="site-header__button">
                                            "Sign out"
                                        </button>
                                    </ActionForm>
                                }
                                    .into_any()
                            }
                            _ => sign_in_link().into_any(),
                    }
                })}
            </Transition>
        </nav>
    }
}

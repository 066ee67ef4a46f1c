//! Links to a place on the same page (the skip link, the PEP's task list, the error summary).
//! The router scrolls to the place but leaves focus on the link, so the next Tab jumps back to
//! where the person started. Here the place takes focus, as a browser gives it for a fragment
//! link with no router (WCAG 2.4.1 and 2.4.3).

/// The click (or Enter) on an in-page link: focuses the element its `#id` names, making it
/// focusable first (`tabindex="-1"`) when it is not a control, and keeps the router out of it.
/// A link whose place is not on the page is left to the browser.
pub fn focus_in_page_target(ev: leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let link = ev
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .and_then(|element| element.closest("a[href^='#']").ok().flatten());
        let Some(id) = link
            .and_then(|link| link.get_attribute("href"))
            .and_then(|href| href.strip_prefix('#').map(str::to_string))
        else {
            return;
        };
        let Some(place) = leptos::prelude::document()
            .get_element_by_id(&id)
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            return;
        };
        ev.prevent_default();
        let control = matches!(
            place.tag_name().as_str(),
            "A" | "BUTTON" | "INPUT" | "SELECT" | "TEXTAREA"
        );
        if !control && !place.has_attribute("tabindex") {
            let _ = place.set_attribute("tabindex", "-1");
        }
        let _ = place.focus();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

//! A table that scrolls sideways inside its own focusable region on a phone, never the whole page
//! (WCAG 1.4.10 reflow), named by its caption.

use leptos::prelude::*;

#[component]
pub fn ScrollingTable(
    /// The caption's id, which also names the scrolling region.
    id: &'static str,
    #[prop(into)] caption: String,
    /// Keep the caption for screen readers only (when a heading above already says it).
    #[prop(optional)]
    hide_caption: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-labelledby=id>
            <table class="table">
                <caption id=id class:visually-hidden=hide_caption>
                    {caption}
                </caption>
                {children()}
            </table>
        </div>
    }
}

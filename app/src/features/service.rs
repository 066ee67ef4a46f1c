//! Facts about this running service that every page may show, such as the demo banner.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceInfo {
    /// The demo council is loaded: everything shown is invented, and the banner says so.
    pub demo: bool,
}

#[server(name = GetServiceInfo, prefix = "/api", endpoint = "service/info")]
pub async fn service_info() -> Result<ServiceInfo, AppError> {
    use_context::<ServiceInfo>()
        .ok_or_else(|| crate::error::internal("service info", "not provided by the server"))
}

/// "This is a demonstration": shown on every page while the demo data is loaded.
#[component]
pub fn DemoBanner() -> impl IntoView {
    let info = Resource::new(|| (), |_| service_info());
    view! {
        <Transition fallback=|| ()>
            // Awaited in a `Suspend` rather than read with `.get()`: several boundaries reading
            // resources with `.get()` can deadlock server rendering (leptos-rs/leptos#4578).
            {move || Suspend::new(async move {
                info.await
                    .ok()
                    .filter(|info| info.demo)
                    .map(|_| {
                        view! {
                            <div class="demo-banner" role="region" aria-label="Demonstration">
                                <div class="width-container">
                                    <strong class="tag">"Demo"</strong>
                                    " This is a demonstration. The children, people and schools are invented: "
                                    "do not enter real information."
                                </div>
                            </div>
                        }
                    })
            })}
        </Transition>
    }
}

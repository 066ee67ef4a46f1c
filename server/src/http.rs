//! The HTTP side: router, middleware, health check, start-up and graceful shutdown.

pub mod page_status;
pub mod request_decoding;
pub mod security;
pub mod serving;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context;
use app::features::auth::AuthContext;
use app::features::auth::sessions::CookiePolicy;
use app::features::live::LiveHub;
use app::features::live::socket::{LiveDeps, live_socket};
use app::features::service::ServiceInfo;
use app::infra::db::Db;
use app::infra::mail::Mailer;
use axum::extract::{FromRef, State};
use axum::http::{HeaderName, Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::cli::ServeArgs;

/// The largest request body accepted. PEP fields are text; files are not uploaded here.
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Everything a request handler or server function can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub transport: security::Transport,
    pub auth: AuthContext,
    pub service: ServiceInfo,
    /// The live rooms of PEPs open on this server.
    pub live: LiveHub,
}

impl AppState {
    pub fn new(
        leptos_options: LeptosOptions,
        db: Db,
        public_url: &str,
        demo: bool,
        mailer: Mailer,
        session_idle_minutes: u16,
    ) -> Self {
        let https = public_url.starts_with("https://");
        let live = LiveHub::in_process();
        live.start(db.clone());
        AppState {
            leptos_options,
            db,
            transport: security::Transport { https },
            auth: AuthContext {
                cookies: CookiePolicy { secure: https },
                public_url: public_url.to_string(),
                mailer,
                session_idle: chrono::Duration::minutes(i64::from(session_idle_minutes)),
            },
            service: ServiceInfo { demo },
            live,
        }
    }
}

impl FromRef<AppState> for LiveDeps {
    fn from_ref(state: &AppState) -> Self {
        LiveDeps {
            db: state.db.clone(),
            auth: state.auth.clone(),
            hub: state.live.clone(),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for Db {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}

pub fn leptos_options(args: &ServeArgs) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("epep")
        .site_root(args.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(args.addr)
        .build()
}

/// The app's pages, listed once per process. Listing renders the app with resource loading
/// switched off for the whole process (leptos-rs/leptos#4773): a page being served elsewhere whose
/// resource first ran inside that window waited forever, so a second router (the tests run many
/// apps in one process) must reuse the first listing rather than list again.
fn page_routes() -> Vec<AxumRouteListing> {
    static PAGE_ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    PAGE_ROUTES
        .get_or_init(|| generate_route_list(app::App))
        .clone()
}

/// The whole app as an axum router (tests serve it on port 0).
pub fn router(state: AppState) -> Router {
    let routes = page_routes();
    let db = state.db.clone();
    let auth = state.auth.clone();
    let service = state.service;
    let live = state.live.clone();
    // Server functions and pages reach the database through context, never a global; the "not
    // found" page gets it too (its header asks who is signed in, its banner whether this is the
    // demo).
    let context = move || {
        provide_context(db.clone());
        provide_context(auth.clone());
        provide_context(service);
        provide_context(live.clone());
        provide_context(app::infra::live_signal::LiveSignal(Arc::new(live.clone())));
    };
    Router::new()
        .route("/healthz", get(healthz))
        .route("/live/pep/{pep_id}", get(live_socket))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || app::shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            context,
            app::shell,
        ))
        .with_state(state.clone())
        .layer(axum::middleware::from_fn({
            let (db, auth) = (state.db.clone(), state.auth.clone());
            move |request, next| {
                page_status::refusals_answer_403(db.clone(), auth.clone(), request, next)
            }
        }))
        .layer(axum::middleware::from_fn(request_decoding::decode_server_fn_requests))
        .layer(axum::middleware::from_fn(security::refuse_cross_site))
        .layer(axum::middleware::from_fn(move |request, next| {
            security::security_headers(state.transport, request, next)
        }))
        // Refuses oversized bodies with 413 before anything reads them.
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let request_id = request
                .headers()
                .get(REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", id = %request_id, method = %request.method(), path = %request.uri().path())
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        // Outermost: a client's id is kept only when it is short and plain, else replaced.
        .layer(axum::middleware::from_fn(security::drop_unsafe_request_id))
}

/// 200 when the database answers, 503 when it does not (for load balancers and monitoring).
async fn healthz(State(db): State<Db>) -> impl IntoResponse {
    match tokio::time::timeout(Duration::from_secs(3), db.ping()).await {
        Ok(Ok(())) => (
            StatusCode::OK,
            Json(serde_json::json!({ "status": "ok", "database": db.backend_name() })),
        ),
        outcome => {
            let reason = match outcome {
                Ok(Err(e)) => e.to_string(),
                _ => "timed out".to_string(),
            };
            tracing::error!(%reason, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "unavailable", "database": "unreachable" })),
            )
        }
    }
}

/// Binds, serves, and returns after SIGTERM or Ctrl-C once in-flight requests have finished.
pub async fn serve(db: Db, args: ServeArgs, demo: bool, mailer: Mailer) -> anyhow::Result<()> {
    // Listen for SIGTERM before the port opens: a stop sent as soon as the port answers (the
    // listing of the pages takes a moment after binding) must be a graceful one, not the
    // default kill.
    let stop_requested = shutdown_signal();
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}: is another program using port {}? Stop it, or choose another \
             address with LEPTOS_SITE_ADDR (for example 127.0.0.1:3100)",
                args.addr,
                args.addr.port()
            )
        })?;
    if !args.site_root.join("pkg").is_dir() {
        tracing::warn!(
            site_root = %args.site_root.display(),
            "no built client here: pages render but will not hydrate (build with scripts/build-site)"
        );
    }
    let state = AppState::new(
        leptos_options(&args),
        db,
        &args.public_url,
        demo,
        mailer,
        args.session_idle_minutes,
    );
    tracing::info!("ePEP listening on http://{}", listener.local_addr()?);
    let live = state.live.clone();
    serving::serve_connections(
        listener,
        router(state),
        serving::HEADER_READ_TIMEOUT,
        async move {
            stop_requested.await;
            // Live connections never finish by themselves: tell them the server is going, and
            // their browsers reconnect to the next one.
            live.close_all();
        },
    )
    .await;
    tracing::info!("ePEP stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM. SIGTERM's handler is installed when this is called, not when awaited.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let terminate = async move {
            match terminate {
                Some(mut signal) => {
                    signal.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            () = ctrl_c => {},
            () = terminate => {},
        }
        tracing::info!("shutting down: finishing requests in flight");
    }
}

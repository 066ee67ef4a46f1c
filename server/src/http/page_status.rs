//! A page that refuses the person asking answers 403, not 200: `app::features::page_access` asks
//! the page's own guard before the page streams (its status line goes out before its data loads),
//! and the refusal page the app renders is then sent with 403. Everything else passes untouched.

use app::features::auth::AuthContext;
use app::features::page_access;
use app::infra::db::Db;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use leptos::prelude::provide_context;
use leptos::reactive::computed::ScopedFuture;
use leptos::reactive::owner::Owner;

pub async fn refusals_answer_403(
    db: Db,
    auth: AuthContext,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    if request.method() != Method::GET || !page_access::is_guarded(&path) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let owner = Owner::new();
    let asked = parts.clone();
    let refused = owner
        .with(|| {
            ScopedFuture::new_untracked(async move {
                provide_context(db);
                provide_context(auth);
                provide_context(asked);
                page_access::refuses(&path).await
            })
        })
        .await;
    drop(owner);
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if refused && response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::FORBIDDEN;
    }
    response
}

//! Web hardening applied to every response and every state-changing request.
//!
//! - Headers: `nosniff`, `Referrer-Policy: no-referrer`, no framing, `Cache-Control: no-store` on
//!   everything but the built client (pages can show children's data), HSTS when served over https,
//!   and a locked-down CSP for responses that did not set their own (pages set one with a
//!   per-response nonce in `app::shell`).
//! - Cross-site requests: server functions carry no CSRF token, so every request that is not
//!   GET/HEAD/OPTIONS must come from our own origin (`Sec-Fetch-Site`, else `Origin`), or be refused
//!   with 403. Requests with neither header do not come from a browser and cannot be forged by one.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Whether the public address is https (decides HSTS and, later, `Secure` cookies).
#[derive(Clone, Copy, Debug)]
pub struct Transport {
    pub https: bool,
}

pub async fn security_headers(transport: Transport, request: Request, next: Next) -> Response {
    let is_built_client = request.uri().path().starts_with("/pkg/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
        );
    }
    if !is_built_client {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if transport.https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    response
}

pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || is_same_origin(&request)
    {
        next.run(request).await
    } else {
        tracing::warn!(
            method = %request.method(),
            path = %request.uri().path(),
            "refused a cross-site request"
        );
        (
            StatusCode::FORBIDDEN,
            "Requests from other sites are not accepted.",
        )
            .into_response()
    }
}

fn is_same_origin(request: &Request<Body>) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site") {
        // "none": typed in the address bar or a bookmark, which cannot carry a forged body.
        return site == "same-origin" || site == "none";
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (origin.split_once("://"), host) {
        (Some((_scheme, origin_host)), Some(host)) => origin_host.eq_ignore_ascii_case(host),
        _ => false,
    }
}

/// The longest `x-request-id` a client may choose (a UUID is 36 characters).
pub const REQUEST_ID_MAX_CHARS: usize = 64;

/// A client's `x-request-id` is logged and echoed, so it is kept only when it is at most
/// [`REQUEST_ID_MAX_CHARS`] of letters, digits, `-`, `_` and `.`; otherwise it is dropped and the
/// server makes its own (no markup, no log lines of kilobytes).
pub async fn drop_unsafe_request_id(mut request: Request, next: Next) -> Response {
    let safe = |id: &[u8]| {
        !id.is_empty()
            && id.len() <= REQUEST_ID_MAX_CHARS
            && id
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    let headers = request.headers_mut();
    let ids: Vec<_> = headers.get_all("x-request-id").iter().collect();
    if ids.len() > 1 || ids.first().is_some_and(|id| !safe(id.as_bytes())) {
        headers.remove("x-request-id");
    }
    next.run(request).await
}

//! Every server function's request is read by `app::request_decoder` before server_fn sees it:
//! a body that is not a form, invalid UTF-8, a field sent twice, a control character or a value
//! that does not fit is refused with 400 (415 for a body that is not a form) naming the field,
//! logged at WARN without the value, instead of server_fn's `500 {"Transport": …}` at ERROR.

use std::collections::HashMap;
use std::sync::OnceLock;

use app::request_decoder::{Decoder, decoders};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::BODY_LIMIT_BYTES;

fn decoder_for(path: &str) -> Option<Decoder> {
    static DECODERS: OnceLock<HashMap<&'static str, Decoder>> = OnceLock::new();
    DECODERS
        .get_or_init(|| decoders().into_iter().collect())
        .get(path)
        .copied()
}

pub async fn decode_server_fn_requests(request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(decoder) = decoder_for(request.uri().path()) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return (StatusCode::PAYLOAD_TOO_LARGE, "The request is too large.").into_response();
        }
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    if let Err(refusal) = decoder(content_type, &bytes) {
        tracing::warn!(
            path = %parts.uri.path(),
            field = refusal.field.as_deref().unwrap_or("-"),
            reason = %refusal.message,
            "refused a server function request that could not be read"
        );
        let status = StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::BAD_REQUEST);
        let body = serde_json::to_string(&refusal.into_app_error()).unwrap_or_default();
        return (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

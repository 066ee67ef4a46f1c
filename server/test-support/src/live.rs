//! A page's live channel, opened as a browser opens it.

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A page's live channel to `pep_id` from `since`, as a browser opens it (its cookie and our
/// origin, no Nagle delay on small frames).
pub async fn open_live(base: &str, pep_id: &str, since: i64, cookie: &str) -> Socket {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let url = format!(
        "{}/live/pep/{pep_id}?since={since}",
        base.replace("http://", "ws://")
    );
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("cookie", cookie.parse().unwrap());
    request
        .headers_mut()
        .insert("origin", base.parse().unwrap());
    tokio_tungstenite::connect_async_with_config(request, None, true)
        .await
        .unwrap()
        .0
}

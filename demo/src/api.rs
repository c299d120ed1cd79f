//! The shop's JSON API over HTTP: orders, the status the widget polls, Midtrans' notifications.
//! What each request means for the shop is in `orders` and `payments`; this file reads the
//! request, asks them, and answers.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Extension;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use gopay_widget::device::{self, ClientHints, Device};

use crate::db::{self, Order};
use crate::orders::{self, Line, Lookup, PlaceError, ReorderError};
use crate::payments::{self, Notified, Unshown};
use crate::server::{self, ClientAddr};
use crate::{catalogue, App, OrderLimit};

pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(crate::page::shop_page))
        .route("/api/config", get(shop_config))
        .route("/api/orders", post(create_order))
        .route("/api/orders/{order_id}", get(get_order))
        .route("/api/orders/{order_id}/status", get(order_status))
        .route("/api/orders/{order_id}/retry", post(retry_order))
        .route("/api/midtrans/notification", post(notification))
}

/// An error in the Midtrans shape the widget and page already read.
pub(crate) fn error(http: StatusCode, message: &str) -> Response {
    let body = json!({ "status_code": http.as_str(), "status_message": message });
    (http, Json(body)).into_response()
}

fn storage_error(error: db::Error) -> Response {
    tracing::error!("storage error: {error}");
    self::error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "The shop could not store or read the order",
    )
}

/// Whether the request says its body is JSON. Browsers send a cross-site form or `text/plain`
/// POST without asking first; `application/json` needs a CORS preflight, which this shop never
/// grants, so requiring it keeps other sites from creating orders in a visitor's name.
pub(crate) fn declares_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

pub(crate) fn not_json() -> Response {
    error(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "Send the body as application/json",
    )
}

/// Takes one order from the client's allowance; when it is used up, the refusal (429), which
/// says when to try again.
async fn order_refusal(
    app: &App,
    client: Option<ClientAddr>,
    headers: &HeaderMap,
) -> Option<Response> {
    let ClientAddr(peer) = client?;
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let ip = server::client_behind(peer, &forwarded, &app.config.limits.trusted_proxies);
    let wait = match &app.order_limit {
        OrderLimit::Local(limiter) => {
            // Forget clients whose allowance is full again, so the table stays small.
            if limiter.len() > 10_000 {
                limiter.retain_recent();
            }
            let not_until = limiter.check_key(&ip).err()?;
            use governor::clock::{Clock, DefaultClock};
            not_until.wait_time_from(DefaultClock::default().now())
        }
        OrderLimit::Shared { db, every, burst } => {
            match db
                .take_order_allowance(&ip.to_string(), *every, *burst)
                .await
            {
                Ok(wait) => wait?,
                Err(e) => {
                    // Placing the order needs the database too, and fails there if it is down.
                    tracing::warn!("order limit: cannot read the allowance of {ip}: {e}");
                    return None;
                }
            }
        }
    };
    let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
    let mut response = error(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many orders from this address; please wait a moment",
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    Some(response)
}

/// The kind of device a request comes from, by the widget's own rule: the User-Agent, and
/// Chromium's `Sec-CH-UA-Mobile` client hint when sent. (A server cannot see touch points, so
/// an iPad that reports a Mac is taken for a desktop: it gets the QR, which it can show.)
fn device_of(headers: &HeaderMap) -> &'static str {
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let mobile = headers
        .get("sec-ch-ua-mobile")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim() == "?1");
    let hints = mobile.map(|mobile| ClientHints {
        mobile: Some(mobile),
        platform: None,
    });
    match device::classify(user_agent, hints.as_ref(), 0) {
        Device::Phone => "phone",
        Device::Tablet => "tablet",
        Device::Desktop => "desktop",
    }
}

async fn shop_config(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    Json(json!({
        "device": device_of(&headers),
        "environment": app.config.environment(),
        "simulator_url": app.config.simulator_page(),
        "expiry_seconds": app.config.expiry_seconds,
        "products": catalogue::PRODUCTS,
    }))
    .into_response()
}

/// A charge response as Midtrans sent it, passed on to the page.
fn charge_json(http: StatusCode, raw: String) -> Response {
    (http, [(header::CONTENT_TYPE, "application/json")], raw).into_response()
}

impl IntoResponse for Lookup {
    fn into_response(self) -> Response {
        match self {
            Lookup::InvalidId => error(StatusCode::BAD_REQUEST, "Invalid order id"),
            Lookup::NotFound => error(StatusCode::NOT_FOUND, "Order not found"),
            Lookup::Storage(e) => storage_error(e),
        }
    }
}

impl IntoResponse for PlaceError {
    fn into_response(self) -> Response {
        match self {
            PlaceError::Invalid(message) => error(StatusCode::BAD_REQUEST, message),
            PlaceError::Storage(e) => storage_error(e),
            PlaceError::Unreachable => error(
                StatusCode::BAD_GATEWAY,
                "The payment provider could not be reached. Please try again.",
            ),
            PlaceError::Refused { http, raw } => charge_json(http, raw),
            PlaceError::Interrupted => error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The order could not be completed",
            ),
        }
    }
}

#[derive(Deserialize)]
struct OrderRequest {
    items: Vec<Line>,
    device: Option<String>,
}

async fn create_order(
    State(app): State<Arc<App>>,
    client: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !declares_json(&headers) {
        return not_json();
    }
    if let Some(refused) = order_refusal(&app, client.map(|Extension(c)| c), &headers).await {
        return refused;
    }
    let request: OrderRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "Expected {\"items\": [{\"id\", \"qty\"}], \"device\"}",
            )
        }
    };
    // The page's explicit choice, else this request's device.
    let device = match request.device.as_deref() {
        Some(chosen @ ("phone" | "tablet" | "desktop")) => chosen,
        _ => device_of(&headers),
    };
    match orders::place(app, &request.items, Some(device)).await {
        Ok(raw) => charge_json(StatusCode::OK, raw),
        Err(e) => e.into_response(),
    }
}

/// "Get a new QR": the lines of an order that ended unpaid, ordered again.
async fn retry_order(
    State(app): State<Arc<App>>,
    client: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    Path(order_id): Path<String>,
) -> Response {
    if !declares_json(&headers) {
        return not_json();
    }
    let (lines, device) = match orders::reorderable(&app, &order_id).await {
        Ok(found) => found,
        Err(ReorderError::Lookup(lookup)) => return lookup.into_response(),
        Err(ReorderError::StillPayable) => {
            return error(StatusCode::CONFLICT, "This order can still be paid")
        }
        Err(ReorderError::Paid) => return error(StatusCode::CONFLICT, "This order was paid"),
        Err(ReorderError::Unreadable) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The order's lines could not be read",
            )
        }
    };
    if let Some(refused) = order_refusal(&app, client.map(|Extension(c)| c), &headers).await {
        return refused;
    }
    match orders::place(app, &lines, Some(&device)).await {
        Ok(raw) => charge_json(StatusCode::OK, raw),
        Err(e) => e.into_response(),
    }
}

/// The stored charge response, so a page the customer returns to can show the widget again.
async fn get_order(State(app): State<Arc<App>>, Path(order_id): Path<String>) -> Response {
    match orders::find(&app, &order_id).await {
        Ok(Order {
            charge: Some(charge),
            ..
        }) => charge_json(StatusCode::OK, charge),
        Ok(_) => error(StatusCode::NOT_FOUND, "This order has no payment"),
        Err(lookup) => lookup.into_response(),
    }
}

/// The widget's status endpoint: the order's payment in the Midtrans status shape.
async fn order_status(State(app): State<Arc<App>>, Path(order_id): Path<String>) -> Response {
    match payments::current(&app, &order_id).await {
        Ok(order) => Json(order.status_view()).into_response(),
        Err(Unshown::NoPayment) => error(StatusCode::NOT_FOUND, "This order has no payment"),
        Err(Unshown::Lookup(lookup)) => lookup.into_response(),
    }
}

/// A 503 that Midtrans retries (it retries any answer but 2xx), saying when to try again.
fn retry_later(after: Duration, message: &str) -> Response {
    let mut response = error(StatusCode::SERVICE_UNAVAILABLE, message);
    let seconds = after.as_secs() + u64::from(after.subsec_nanos() > 0);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
    response
}

/// Midtrans' HTTP notification (`payments::notification` decides what it means): 401 for a
/// forged one, 2xx once nothing more can come of it, 503 for one to send again.
async fn notification(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    if !declares_json(&headers) {
        return not_json();
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "Notification is not JSON");
    };
    match payments::notification(&app, &body).await {
        Notified::Forged => error(StatusCode::UNAUTHORIZED, "Invalid signature"),
        Notified::CodeDoesNotFit => error(
            StatusCode::UNAUTHORIZED,
            "The signature does not cover this transaction_status",
        ),
        Notified::UnknownOrder(lookup) => lookup.into_response(),
        Notified::NoStatus => error(
            StatusCode::BAD_REQUEST,
            "Notification has no transaction_status",
        ),
        Notified::NotThisPayment { now } | Notified::UnknownToMidtrans { now } => {
            Json(json!({ "applied": false, "transaction_status": now })).into_response()
        }
        Notified::Stored { applied, now } => {
            Json(json!({ "applied": applied, "transaction_status": now })).into_response()
        }
        Notified::Confirmed {
            applied,
            now,
            confirmed,
        } => Json(json!({ "applied": applied, "transaction_status": now, "confirmed": confirmed }))
            .into_response(),
        Notified::RetryLater { after, reason } => retry_later(after, reason),
        Notified::Storage(e) => storage_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_device_is_read_by_the_widgets_rule() {
        let with = |pairs: &[(&'static str, &'static str)]| {
            let mut headers = HeaderMap::new();
            for (name, value) in pairs {
                headers.insert(*name, HeaderValue::from_static(value));
            }
            device_of(&headers)
        };
        let android_phone = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36";
        let android_tablet = "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
        let linux = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
        assert_eq!(with(&[("user-agent", android_phone)]), "phone");
        assert_eq!(with(&[("user-agent", android_tablet)]), "tablet");
        assert_eq!(with(&[("user-agent", linux)]), "desktop");
        assert_eq!(
            with(&[("user-agent", linux), ("sec-ch-ua-mobile", "?1")]),
            "phone"
        );
        assert_eq!(with(&[]), "desktop");
    }

    #[test]
    fn json_is_declared_by_its_media_type_only() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(value).unwrap());
            declares_json(&headers)
        };
        assert!(with("application/json"));
        assert!(with("Application/JSON; charset=utf-8"));
        assert!(!with("text/plain"));
        assert!(!with("text/plain; application/json"));
        assert!(!with("application/x-www-form-urlencoded"));
        assert!(!with("multipart/form-data; boundary=x"));
        assert!(!declares_json(&HeaderMap::new()));
    }
}

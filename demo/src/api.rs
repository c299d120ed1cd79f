//! The shop's JSON API: orders, status for the widget, Midtrans notifications, test controls.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::db::{NewOrder, Order, Update};
use crate::{catalogue, midtrans, status, App};

pub(crate) fn routes(test_controls: bool) -> Router<Arc<App>> {
    let router = Router::new()
        .route("/", get(crate::page::shop_page))
        .route("/api/config", get(shop_config))
        .route("/api/orders", post(create_order))
        .route("/api/orders/{order_id}", get(get_order))
        .route("/api/orders/{order_id}/status", get(order_status))
        .route("/api/midtrans/notification", post(notification));
    if test_controls {
        router.route("/api/test/faults", post(set_faults))
    } else {
        router
    }
}

/// An error in the Midtrans shape the widget and page already read.
fn error(http: StatusCode, message: &str) -> Response {
    let body = json!({ "status_code": http.as_str(), "status_message": message });
    (http, Json(body)).into_response()
}

fn storage_error(error: rusqlite::Error) -> Response {
    eprintln!("storage error: {error}");
    self::error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "The shop could not store or read the order",
    )
}

/// Midtrans' order id rules: 1 to 50 letters, digits, `-`, `_`, `~`, `.`.
fn valid_order_id(id: &str) -> bool {
    (1..=50).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~' | b'.'))
}

/// For log lines: untrusted text, quoted and cut short.
fn loggable(text: &str) -> String {
    format!("{:?}", text.chars().take(60).collect::<String>())
}

fn new_order_id() -> String {
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut random = [0u8; 6];
    // Without OS randomness order ids could repeat; refusing to start orders is safer.
    getrandom::fill(&mut random).expect("the operating system's random generator");
    let suffix: String = random
        .iter()
        .map(|b| CHARS[usize::from(*b) % CHARS.len()] as char)
        .collect();
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("SHOP-{secs}-{suffix}")
}

async fn shop_config(State(app): State<Arc<App>>) -> Response {
    Json(json!({
        "environment": app.config.environment(),
        "simulator_url": app.config.simulator_page(),
        "expiry_seconds": app.config.expiry_seconds,
        "products": catalogue::PRODUCTS,
    }))
    .into_response()
}

#[derive(Deserialize)]
struct OrderRequest {
    items: Vec<OrderLine>,
    device: Option<String>,
}

#[derive(Deserialize)]
struct OrderLine {
    id: String,
    qty: u64,
}

async fn create_order(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let request: OrderRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "Expected {\"items\": [{\"id\", \"qty\"}], \"device\"}",
            )
        }
    };
    if request.items.is_empty() || request.items.len() > 10 {
        return error(StatusCode::BAD_REQUEST, "An order has 1 to 10 lines");
    }
    let mut item_details = Vec::new();
    let mut total: u64 = 0;
    for line in &request.items {
        let Some(product) = catalogue::find(&line.id) else {
            return error(StatusCode::BAD_REQUEST, "Unknown product");
        };
        if !(1..=10).contains(&line.qty) {
            return error(StatusCode::BAD_REQUEST, "Quantities are 1 to 10");
        }
        total += product.price * line.qty;
        item_details.push(json!({
            "id": product.id,
            "price": product.price,
            "quantity": line.qty,
            "name": product.name,
        }));
    }
    // Phones get the GoPay deeplink; computers and tablets a QRIS code to scan.
    let (device, payment_type) = match request.device.as_deref() {
        Some("phone") => ("phone", "gopay"),
        Some("tablet") => ("tablet", "qris"),
        _ => ("desktop", "qris"),
    };
    let order_id = new_order_id();
    let mut charge = json!({
        "payment_type": payment_type,
        "transaction_details": { "order_id": order_id, "gross_amount": total },
        "item_details": item_details,
        "customer_details": {
            "first_name": "Budi",
            "last_name": "Utomo",
            "email": "budi.utomo@example.com",
            "phone": "081223323423",
        },
    });
    if payment_type == "gopay" {
        charge["gopay"] = json!({
            "enable_callback": true,
            "callback_url": format!("{}/", app.public_url),
        });
    } else {
        charge["qris"] = json!({ "acquirer": "gopay" });
    }
    if let Some(secs) = app.config.expiry_seconds {
        charge["custom_expiry"] = json!({ "expiry_duration": secs, "unit": "second" });
    }
    let gross_amount = format!("{total}.00");
    let items = json!(request
        .items
        .iter()
        .map(|l| json!({ "id": l.id, "qty": l.qty }))
        .collect::<Vec<_>>());
    // Stored before the charge, so a notification that beats the charge response finds it.
    if let Err(e) = app.db.insert(&NewOrder {
        order_id: &order_id,
        device,
        payment_type,
        gross_amount: &gross_amount,
        items: &items,
    }) {
        return storage_error(e);
    }
    let answer = match app.midtrans.charge(&charge).await {
        Ok(answer) => answer,
        Err(unreachable) => {
            eprintln!("charge {order_id}: {unreachable}");
            let _ = app.db.charge_failed(&order_id);
            return error(
                StatusCode::BAD_GATEWAY,
                "The payment provider could not be reached. Please try again.",
            );
        }
    };
    let created = answer.error_status().is_none()
        && answer.body["status_code"] == "201"
        && answer.body["order_id"] == order_id.as_str()
        && answer.body["transaction_id"].is_string();
    if !created {
        eprintln!(
            "charge {order_id} refused: HTTP {} status_code {} {}",
            answer.http.as_u16(),
            answer.body["status_code"],
            answer.body["status_message"]
        );
        let _ = app.db.charge_failed(&order_id);
        let http = answer.error_status().unwrap_or(StatusCode::BAD_GATEWAY);
        return (
            http,
            [(header::CONTENT_TYPE, "application/json")],
            answer.raw,
        )
            .into_response();
    }
    let update = Update::from_midtrans(&answer.body).unwrap_or_default();
    if let Err(e) = app.db.charge_created(&order_id, &answer.raw, &update) {
        return storage_error(e);
    }
    eprintln!("order {order_id}: {payment_type} charge of Rp{total} for a {device}");
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        answer.raw,
    )
        .into_response()
}

/// Why an order cannot be looked up.
pub(crate) enum Lookup {
    InvalidId,
    NotFound,
    Storage(rusqlite::Error),
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

/// Looks an order up by a path id, validated before it touches storage.
pub(crate) fn find_order(app: &App, order_id: &str) -> Result<Order, Lookup> {
    if !valid_order_id(order_id) {
        return Err(Lookup::InvalidId);
    }
    match app.db.get(order_id) {
        Ok(Some(order)) => Ok(order),
        Ok(None) => Err(Lookup::NotFound),
        Err(e) => Err(Lookup::Storage(e)),
    }
}

/// The stored charge response, so a page the customer returns to can show the widget again.
async fn get_order(State(app): State<Arc<App>>, Path(order_id): Path<String>) -> Response {
    match find_order(&app, &order_id) {
        Ok(Order {
            charge: Some(charge),
            ..
        }) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            charge,
        )
            .into_response(),
        Ok(_) => error(StatusCode::NOT_FOUND, "This order has no payment"),
        Err(lookup) => lookup.into_response(),
    }
}

/// The shop's view of the transaction, for the widget to poll. Notifications keep it current;
/// while it is open it is also checked with Midtrans, at most once per order per interval.
async fn order_status(State(app): State<Arc<App>>, Path(order_id): Path<String>) -> Response {
    if take_status_fault(&app) {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Injected failure (test control)",
        );
    }
    let mut order = match find_order(&app, &order_id) {
        Ok(order) if order.charge.is_some() => order,
        Ok(_) => return error(StatusCode::NOT_FOUND, "This order has no payment"),
        Err(lookup) => return lookup.into_response(),
    };
    if status::is_open(&order.transaction_status) && app.claim_refresh(&order_id) {
        if let Some(fresh) = refresh(&app, &order_id).await {
            order = fresh;
        }
    }
    if !status::is_open(&order.transaction_status) {
        app.forget_refresh(&order_id);
    }
    Json(order.status_view()).into_response()
}

/// Asks Midtrans for the transaction's status and applies it. `None` when that fails; the
/// stored state is then still the best answer.
async fn refresh(app: &App, order_id: &str) -> Option<Order> {
    let answer = match app.midtrans.status(order_id, Duration::from_secs(3)).await {
        Ok(answer) => answer,
        Err(unreachable) => {
            eprintln!("status check {order_id}: {unreachable}");
            return None;
        }
    };
    if let Some(code) = answer.error_status() {
        eprintln!(
            "status check {order_id}: Midtrans answered {code} {}",
            answer.body["status_message"]
        );
        return None;
    }
    let body = &answer.body;
    let signature_ok =
        body.get("signature_key").is_none() || midtrans::signed(body, &app.config.server_key);
    if !signature_ok || body["order_id"] != order_id {
        eprintln!("status check {order_id}: answer does not match the order; ignored");
        return None;
    }
    let update = Update::from_midtrans(body)?;
    match app.db.apply(order_id, &update) {
        Ok(Some((true, now))) => eprintln!("order {order_id}: {now} (status check)"),
        Ok(_) => {}
        Err(e) => {
            eprintln!("storage error: {e}");
            return None;
        }
    }
    app.db.get(order_id).ok().flatten()
}

/// Midtrans' HTTP notification. The signature is checked before anything else is read, and
/// a forged one is answered 401 without a trace in the order.
async fn notification(State(app): State<Arc<App>>, body: Bytes) -> Response {
    if take_notification_fault(&app) {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Injected failure (test control)",
        );
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "Notification is not JSON");
    };
    if !midtrans::signed(&body, &app.config.server_key) {
        eprintln!(
            "notification rejected: bad signature (order_id {})",
            loggable(body["order_id"].as_str().unwrap_or_default())
        );
        return error(StatusCode::UNAUTHORIZED, "Invalid signature");
    }
    let order_id = body["order_id"].as_str().unwrap_or_default();
    let claimed = body["transaction_status"].as_str().unwrap_or_default();
    if !status::code_fits(claimed, body["status_code"].as_str().unwrap_or_default()) {
        eprintln!(
            "notification rejected: status_code does not fit {} (order_id {})",
            loggable(claimed),
            loggable(order_id)
        );
        return error(
            StatusCode::UNAUTHORIZED,
            "The signature does not cover this transaction_status",
        );
    }
    let order = match find_order(&app, order_id) {
        Ok(order) => order,
        Err(lookup) => {
            eprintln!("notification for unknown order {}", loggable(order_id));
            return lookup.into_response();
        }
    };
    let Some(update) = Update::from_midtrans(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "Notification has no transaction_status",
        );
    };
    // Genuine, but not about this order's payment: acknowledge so Midtrans stops, change nothing.
    let amount_matches = body["gross_amount"]
        .as_str()
        .is_some_and(|a| midtrans::same_amount(a, &order.gross_amount));
    let transaction_matches = match (&order.transaction_id, &update.transaction_id) {
        (Some(ours), Some(theirs)) => ours == theirs,
        _ => true,
    };
    if !amount_matches || !transaction_matches {
        eprintln!("notification for {order_id} does not match its amount or transaction; ignored");
        return Json(json!({ "applied": false, "transaction_status": order.transaction_status }))
            .into_response();
    }
    match app.db.apply(order_id, &update) {
        Ok(Some((applied, now))) => {
            let outcome = if applied {
                "applied".to_string()
            } else {
                format!("kept {now}")
            };
            eprintln!(
                "notification {order_id}: {} ({outcome})",
                update.transaction_status
            );
            Json(json!({ "applied": applied, "transaction_status": now })).into_response()
        }
        Ok(None) => error(StatusCode::NOT_FOUND, "Order not found"),
        Err(e) => storage_error(e),
    }
}

fn take_status_fault(app: &App) -> bool {
    let mut faults = app.faults();
    if faults.status_fail_until.is_some_and(|t| Instant::now() < t) {
        return true;
    }
    if faults.status_failures > 0 {
        faults.status_failures -= 1;
        return true;
    }
    false
}

fn take_notification_fault(app: &App) -> bool {
    let mut faults = app.faults();
    if faults.notification_failures > 0 {
        faults.notification_failures -= 1;
        return true;
    }
    false
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultRequest {
    /// The next N status requests answer 500.
    #[serde(default)]
    status_failures: u32,
    /// Status requests answer 500 for this many milliseconds.
    #[serde(default)]
    status_fail_ms: u64,
    /// The next N notifications answer 503.
    #[serde(default)]
    notification_failures: u32,
}

/// Arms faults (replacing those armed before). Routed only with SHOP_TEST_CONTROLS=1.
async fn set_faults(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<FaultRequest>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "Expected {\"status_failures\", \"status_fail_ms\", \"notification_failures\"}",
        );
    };
    let mut faults = app.faults();
    faults.status_failures = request.status_failures;
    faults.status_fail_until = (request.status_fail_ms > 0)
        .then(|| Instant::now() + Duration::from_millis(request.status_fail_ms));
    faults.notification_failures = request.notification_failures;
    Json(json!({
        "status_failures": faults.status_failures,
        "status_fail_ms": request.status_fail_ms,
        "notification_failures": faults.notification_failures,
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_ids_are_checked_before_use() {
        assert!(valid_order_id("SHOP-1764054191-K3F9QZ"));
        assert!(!valid_order_id(""));
        assert!(!valid_order_id("../../etc/passwd"));
        assert!(!valid_order_id("a b"));
        assert!(!valid_order_id("x%2F"));
        assert!(!valid_order_id(&"A".repeat(51)));
    }

    #[test]
    fn generated_order_ids_are_valid_and_distinct() {
        let a = new_order_id();
        let b = new_order_id();
        assert!(a.starts_with("SHOP-") && valid_order_id(&a), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn log_lines_cannot_be_forged() {
        assert_eq!(loggable("a\nFAKE LINE"), "\"a\\nFAKE LINE\"");
        assert_eq!(loggable(&"x".repeat(100)).len(), 62);
    }
}

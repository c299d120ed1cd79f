//! The shop's JSON API: orders, status for the widget, Midtrans notifications, test controls.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Extension;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::confirm::Claim;
use crate::db::{NewOrder, Order, Update};
use crate::server::ClientAddr;
use crate::{catalogue, midtrans, status, App};

pub(crate) fn routes(test_controls: bool) -> Router<Arc<App>> {
    let router = Router::new()
        .route("/", get(crate::page::shop_page))
        .route("/api/config", get(shop_config))
        .route("/api/orders", post(create_order))
        .route("/api/orders/{order_id}", get(get_order))
        .route("/api/orders/{order_id}/status", get(order_status))
        .route("/api/orders/{order_id}/retry", post(retry_order))
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
    tracing::error!("storage error: {error}");
    self::error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "The shop could not store or read the order",
    )
}

/// Whether the request says its body is JSON. Browsers send a cross-site form or `text/plain`
/// POST without asking first; `application/json` needs a CORS preflight, which this shop never
/// grants, so requiring it keeps other sites from creating orders in a visitor's name.
fn declares_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

fn not_json() -> Response {
    error(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "Send the body as application/json",
    )
}

/// Takes one order from the client's allowance; when it is used up, the refusal (429), which
/// says when to try again.
fn order_refusal(app: &App, client: Option<ClientAddr>) -> Option<Response> {
    let ClientAddr(ip) = client?;
    // Forget clients whose allowance is full again, so the table stays small.
    if app.order_limiter.len() > 10_000 {
        app.order_limiter.retain_recent();
    }
    let not_until = app.order_limiter.check_key(&ip).err()?;
    use governor::clock::{Clock, DefaultClock};
    let wait = not_until.wait_time_from(DefaultClock::default().now());
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

async fn create_order(
    State(app): State<Arc<App>>,
    client: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !declares_json(&headers) {
        return not_json();
    }
    if let Some(refused) = order_refusal(&app, client.map(|Extension(c)| c)) {
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
    place_order(app, &request.items, request.device.as_deref()).await
}

/// "Get a new QR" after a payment that failed or expired: the same lines are ordered again on
/// the same kind of device, as a new order with a charge of its own (Midtrans refuses a second
/// charge for an order id). An order that can still be paid, or was paid, is not ordered again.
async fn retry_order(
    State(app): State<Arc<App>>,
    client: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    Path(order_id): Path<String>,
) -> Response {
    if !declares_json(&headers) {
        return not_json();
    }
    let order = match find_order(&app, &order_id) {
        Ok(order) => order,
        Err(lookup) => return lookup.into_response(),
    };
    if !status::ended_unpaid(&order.transaction_status) {
        let message = if status::is_open(&order.transaction_status) {
            "This order can still be paid"
        } else {
            "This order was paid"
        };
        return error(StatusCode::CONFLICT, message);
    }
    if let Some(refused) = order_refusal(&app, client.map(|Extension(c)| c)) {
        return refused;
    }
    let Ok(lines) = serde_json::from_value::<Vec<OrderLine>>(order.items.clone()) else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The order's lines could not be read",
        );
    };
    place_order(app, &lines, Some(order.device.as_str())).await
}

/// Stores a new order of `lines` and creates its charge: GoPay's deeplink for a phone, a QRIS
/// code to scan for anything else.
async fn place_order(app: Arc<App>, lines: &[OrderLine], device: Option<&str>) -> Response {
    if lines.is_empty() || lines.len() > 10 {
        return error(StatusCode::BAD_REQUEST, "An order has 1 to 10 lines");
    }
    let mut item_details = Vec::new();
    let mut total: u64 = 0;
    for line in lines {
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
    let (device, payment_type) = match device {
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
    let items = json!(lines
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
    // The charge and its storage run on their own: a client that goes away meanwhile must not
    // leave a charge at Midtrans that the shop never stored.
    let task = tokio::spawn(charge_and_store(app, order_id, charge, device, total));
    task.await.unwrap_or_else(|_| {
        error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The order could not be completed",
        )
    })
}

async fn charge_and_store(
    app: Arc<App>,
    order_id: String,
    charge: Value,
    device: &'static str,
    total: u64,
) -> Response {
    let payment_type = charge["payment_type"].as_str().unwrap_or_default();
    let answer = match app.midtrans.charge(&charge).await {
        Ok(answer) => answer,
        Err(unreachable) => {
            tracing::warn!("charge {order_id}: {unreachable}");
            if unreachable.maybe_received {
                // Midtrans may hold the charge all the same: find out, and cancel it if so.
                crate::reconcile::check_later(app.clone(), order_id.clone());
            } else {
                let _ = app.db.charge_failed(&order_id);
            }
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
        tracing::warn!(
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
    tracing::info!("order {order_id}: {payment_type} charge of Rp{total} for a {device}");
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
        // A charge Midtrans knows: its response stored, or its id learnt since.
        Ok(order) if order.charge.is_some() || order.transaction_id.is_some() => order,
        Ok(_) => return error(StatusCode::NOT_FOUND, "This order has no payment"),
        Err(lookup) => return lookup.into_response(),
    };
    if status::is_open(&order.transaction_status) {
        // Polls never wait for Midtrans: while another poll's check of this order is in flight
        // or one was made moments ago, the stored state is the answer.
        if let Claim::Granted(ticket) = app.refreshes.claim(&order_id) {
            if let Some(fresh) = refresh(&app, &order_id).await {
                order = fresh;
            }
            drop(ticket);
        }
    }
    Json(order.status_view()).into_response()
}

/// What Midtrans' status API says about an order.
pub(crate) enum Checked {
    /// The transaction as Midtrans has it now.
    Found(Update),
    /// Midtrans has no transaction for this order id (404).
    Unknown,
}

/// Asks Midtrans' status API about `order_id` (already validated). `Err` when it cannot be
/// asked, fails, or answers about something else; the stored state then stays as it is.
pub(crate) async fn check_with_midtrans(app: &App, order_id: &str) -> Result<Checked, String> {
    let answer = app
        .midtrans
        .status(order_id, Duration::from_secs(3))
        .await
        .map_err(|unreachable| unreachable.to_string())?;
    if let Some(code) = answer.error_status() {
        if code == StatusCode::NOT_FOUND {
            return Ok(Checked::Unknown);
        }
        return Err(format!(
            "Midtrans answered {code} {}",
            answer.body["status_message"]
        ));
    }
    let body = &answer.body;
    let signature_ok =
        body.get("signature_key").is_none() || midtrans::signed(body, &app.config.server_key);
    if !signature_ok || body["order_id"] != order_id {
        return Err("the answer does not match the order".into());
    }
    Update::from_midtrans(body)
        .map(Checked::Found)
        .ok_or_else(|| "the answer has no transaction_status".into())
}

/// Asks Midtrans for the transaction's status and applies it. `None` when that fails; the
/// stored state is then still the best answer.
async fn refresh(app: &App, order_id: &str) -> Option<Order> {
    let update = match check_with_midtrans(app, order_id).await {
        Ok(Checked::Found(update)) => update,
        Ok(Checked::Unknown) => {
            tracing::info!("status check {order_id}: Midtrans does not know it");
            return None;
        }
        Err(reason) => {
            tracing::warn!("status check {order_id}: {reason}");
            return None;
        }
    };
    match app.db.apply(order_id, &update) {
        Ok(Some((true, now))) => tracing::info!("order {order_id}: {now} (status check)"),
        Ok(_) => {}
        Err(e) => {
            tracing::error!("storage error: {e}");
            return None;
        }
    }
    app.db.get(order_id).ok().flatten()
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

/// A genuine notification that would move an order out of pending (or on from a result): it
/// changes nothing by itself. Midtrans' status API is asked, and what it says is stored; the
/// notification counts as applied only when that is the status it claimed.
///
/// One confirmation at a time per order, and at most one per interval: a notification that
/// arrives while another confirmation of the order is in flight, or moments after one, is
/// answered 503 without asking, and so is one Midtrans cannot confirm yet (it still says pending) or
/// cannot be asked about. Midtrans sends a notification again until it gets a 2xx, so a
/// genuine one is applied on a later delivery; a replayed or forged one costs at most one
/// status call per order per interval, however many arrive.
async fn confirm_and_apply(app: &App, order: &Order, notified: &Update) -> Response {
    let claimed = notified.transaction_status.as_str();
    let order_id = order.order_id.as_str();
    let ticket = match app.confirmations.claim(order_id) {
        Claim::Granted(ticket) => ticket,
        Claim::InFlight => {
            return retry_later(
                Duration::from_secs(1),
                "This order is being confirmed with Midtrans; send it again later",
            )
        }
        Claim::TooSoon(left) => {
            return retry_later(
                left,
                "This order was checked with Midtrans moments ago; send it again later",
            )
        }
    };
    let checked = check_with_midtrans(app, order_id).await;
    drop(ticket);
    let update = match checked {
        Ok(Checked::Found(update)) => update,
        Ok(Checked::Unknown) => {
            tracing::info!("notification {order_id}: {claimed} not confirmed (Midtrans does not know the order)");
            return Json(
                json!({ "applied": false, "transaction_status": order.transaction_status }),
            )
            .into_response();
        }
        Err(reason) => {
            tracing::warn!("notification {order_id}: {claimed} not confirmed yet: {reason}");
            return retry_later(
                Duration::from_secs(5),
                "The status could not be confirmed with Midtrans; send it again later",
            );
        }
    };
    let same_transaction = match (&order.transaction_id, &update.transaction_id) {
        (Some(ours), Some(theirs)) => ours == theirs,
        _ => true,
    };
    if !same_transaction {
        tracing::info!(
            "notification {order_id}: Midtrans' status is about another transaction; ignored"
        );
        return Json(json!({ "applied": false, "transaction_status": order.transaction_status }))
            .into_response();
    }
    let confirmed = update.transaction_status.clone();
    // Confirmed as sent: the notification's own details are stored (its status code, which the
    // status API words differently for an expiry); otherwise what Midtrans says now.
    let agreed = confirmed == claimed;
    let stored = if agreed { notified } else { &update };
    let now = match app.db.apply(order_id, stored) {
        Ok(Some((_, now))) => now,
        Ok(None) => return error(StatusCode::NOT_FOUND, "Order not found"),
        Err(e) => return storage_error(e),
    };
    if agreed {
        tracing::info!("notification {order_id}: {claimed} (confirmed by Midtrans, applied)");
        return Json(json!({ "applied": true, "transaction_status": now, "confirmed": confirmed }))
            .into_response();
    }
    tracing::info!(
        "notification {order_id}: claimed {claimed}, Midtrans says {confirmed}; now {now}"
    );
    if status::is_open(&confirmed) {
        // Not (yet) what Midtrans says. If the notification is genuine, Midtrans will say so by
        // the time it is delivered again; a replay stays refused.
        return retry_later(
            Duration::from_secs(5),
            "Midtrans does not confirm this status (yet); send it again later",
        );
    }
    Json(json!({ "applied": false, "transaction_status": now, "confirmed": confirmed }))
        .into_response()
}

/// Midtrans' HTTP notification. The signature is checked before anything else is read, and
/// a forged one is answered 401 without a trace in the order. The signature covers only
/// order_id, status_code and gross_amount (not transaction_status), and one signature serves
/// every status with the same code: a settlement's also signs a refund or a chargeback, and a
/// cancel's (Midtrans signs it with 200) a settlement. So a signed notification is only worth
/// asking about: one that leaves the order open (pending) is stored as it is, and one that
/// would move it out of pending, or on from a result, is confirmed with Midtrans' status API
/// first ([`confirm_and_apply`]).
async fn notification(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    if take_notification_fault(&app) {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Injected failure (test control)",
        );
    }
    if !declares_json(&headers) {
        return not_json();
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "Notification is not JSON");
    };
    if !midtrans::signed(&body, &app.config.server_key) {
        tracing::warn!(
            "notification rejected: bad signature (order_id {})",
            loggable(body["order_id"].as_str().unwrap_or_default())
        );
        return error(StatusCode::UNAUTHORIZED, "Invalid signature");
    }
    let order_id = body["order_id"].as_str().unwrap_or_default();
    let claimed = body["transaction_status"].as_str().unwrap_or_default();
    if !status::code_fits(claimed, body["status_code"].as_str().unwrap_or_default()) {
        tracing::warn!(
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
            tracing::info!("notification for unknown order {}", loggable(order_id));
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
        tracing::info!(
            "notification for {order_id} does not match its amount or transaction; ignored"
        );
        return Json(json!({ "applied": false, "transaction_status": order.transaction_status }))
            .into_response();
    }
    if status::needs_confirmation(&order.transaction_status, &update.transaction_status) {
        return confirm_and_apply(&app, &order, &update).await;
    }
    // Pending, a duplicate, or older than what is stored: nothing is decided by it (the order
    // stays open, or keeps its state); missing details such as the transaction id fill in.
    match app.db.apply(order_id, &update) {
        Ok(Some((applied, now))) => {
            let outcome = if applied {
                "applied".to_string()
            } else {
                format!("kept {now}")
            };
            tracing::info!(
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
async fn set_faults(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    if !declares_json(&headers) {
        return not_json();
    }
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

    #[test]
    fn log_lines_cannot_be_forged() {
        assert_eq!(loggable("a\nFAKE LINE"), "\"a\\nFAKE LINE\"");
        assert_eq!(loggable(&"x".repeat(100)).len(), 62);
    }
}

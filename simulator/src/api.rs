//! The Core API endpoints (Basic auth by server key) and the simulator's JSON controls.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::store::{PaymentType, RefundError, Reversal, Status, Transaction, TransitionError};
use crate::{ids, jakarta, notify, qris, Sim};

pub(crate) fn routes() -> Router<Arc<Sim>> {
    let core = Router::new()
        .route("/v2/charge", post(charge))
        .route("/v2/{id}/status", get(status))
        .route("/v2/{id}/cancel", post(cancel))
        .route("/v2/{id}/expire", post(expire))
        .route("/v2/{id}/refund", post(refund))
        .route("/v2/qris/{id}/qr-code", get(qr_code))
        .route("/v2/gopay/{id}/qr-code", get(qr_code))
        .layer(axum::middleware::map_response(midtrans_shaped));
    let controls = Router::new()
        .route("/simulator/transactions", get(list))
        .route("/simulator/transactions/{id}", get(show))
        .route("/simulator/transactions/{id}/{action}", post(control))
        .route("/simulator/scan", post(scan))
        .route("/simulator/stats", get(stats));
    core.merge(controls)
}

const UNAUTHORIZED: &str = "Transaction cannot be authorized with the current client/server key.";
const DUPLICATE: &str = "The request could not be completed due to a conflict with the current state of the target resource, please try again";
const NOT_FOUND: &str = "Transaction doesn't exist.";
const SYNTAX: &str = "The request cannot be processed due to syntax error in the request body";
const INVALID: &str = "One or more parameters in the payload is invalid.";
const CANNOT_MODIFY: &str = "Merchant cannot modify the status of the transaction";
const NO_RESOURCE: &str = "The requested resource is not found";
const WRONG_METHOD: &str = "HTTP method is not allowed";

/// A Midtrans error body: `status_code` as a string, a message and a request id.
fn error(http: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "status_code": code, "status_message": message, "id": ids::uuid_v4() });
    (http, Json(body)).into_response()
}

/// Any path Midtrans has no endpoint for.
pub(crate) async fn unknown_route() -> Response {
    error(StatusCode::NOT_FOUND, "404", NO_RESOURCE)
}

/// A known path asked with a method it does not take.
pub(crate) async fn wrong_method() -> Response {
    error(StatusCode::METHOD_NOT_ALLOWED, "405", WRONG_METHOD)
}

/// Gives the errors the framework answers by itself on Core API paths (a method the path does
/// not take, a path segment that is not UTF-8, a body over the size limit) Midtrans' JSON
/// shape, with their HTTP status as `status_code`, so an SDK reads them like any other error.
async fn midtrans_shaped(response: Response) -> Response {
    let http = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if is_json || !(http.is_client_error() || http.is_server_error()) {
        return response;
    }
    let message = match http {
        StatusCode::NOT_FOUND => NO_RESOURCE,
        StatusCode::METHOD_NOT_ALLOWED => WRONG_METHOD,
        other => other.canonical_reason().unwrap_or("Error"),
    };
    let mut shaped = error(http, http.as_str(), message);
    if let Some(allow) = response.headers().get(header::ALLOW) {
        shaped.headers_mut().insert(header::ALLOW, allow.clone());
    }
    shaped
}

fn authorized(headers: &HeaderMap, key: &str) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, encoded)) = value.split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    // The user name is the server key; the password is empty and ignored.
    let user = decoded.split(|b| *b == b':').next().unwrap_or_default();
    !key.is_empty() && user == key.as_bytes()
}

/// A validated charge request.
struct ChargeRequest {
    payment_type: PaymentType,
    order_id: String,
    gross_amount: u64,
    expiry: Duration,
    callback_url: Option<String>,
    acquirer: Option<String>,
}

/// Midtrans allows letters, digits and `-_~.` in order ids, up to 50 characters.
pub(crate) fn valid_order_id(id: &str) -> bool {
    (1..=50).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~' | b'.'))
}

/// Whole rupiah from a JSON number or numeric string (IDR has no minor unit).
fn whole_rupiah(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && (0.0..1e15).contains(f))
                .map(|f| f as u64)
        }),
        Value::String(s) => {
            let digits = s.strip_suffix(".00").unwrap_or(s);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            digits.parse().ok()
        }
        _ => None,
    }
}

fn validate(body: &Value, config: &crate::Config) -> Result<ChargeRequest, Vec<String>> {
    let mut problems = Vec::new();
    let payment_type = match body["payment_type"].as_str() {
        Some("gopay") => Some(PaymentType::Gopay),
        Some("qris") => Some(PaymentType::Qris),
        Some(other) => {
            problems.push(format!(
                "payment_type {other:?} is not supported by this simulator (gopay, qris)"
            ));
            None
        }
        None => {
            problems.push("payment_type is required".into());
            None
        }
    };
    let details = &body["transaction_details"];
    let order_id = match details["order_id"].as_str() {
        Some(id) if valid_order_id(id) => Some(id.to_string()),
        Some(_) => {
            problems.push(
                "transaction_details.order_id must be 1 to 50 letters, digits or -_~.".into(),
            );
            None
        }
        None => {
            problems.push("transaction_details.order_id is required".into());
            None
        }
    };
    let gross_amount = match &details["gross_amount"] {
        Value::Null => {
            problems.push("transaction_details.gross_amount is required".into());
            None
        }
        value => {
            match whole_rupiah(value) {
                Some(n) if n >= 1 => Some(n),
                _ => {
                    problems.push("transaction_details.gross_amount must be a whole number of rupiah, at least 1".into());
                    None
                }
            }
        }
    };
    if let (Some(items), Some(total)) = (body["item_details"].as_array(), gross_amount) {
        let mut sum: Option<u64> = Some(0);
        for item in items {
            let price = whole_rupiah(&item["price"]);
            let quantity = item["quantity"].as_u64().filter(|q| *q >= 1);
            sum = match (sum, price, quantity) {
                (Some(s), Some(p), Some(q)) => p.checked_mul(q).and_then(|v| s.checked_add(v)),
                _ => None,
            };
        }
        match sum {
            None => problems.push(
                "item_details: each item needs a whole-rupiah price and a quantity of at least 1"
                    .into(),
            ),
            Some(sum) if sum != total => problems.push(format!(
                "transaction_details.gross_amount ({total}) is not equal to the sum of item_details ({sum})"
            )),
            Some(_) => {}
        }
    }
    let expiry = match &body["custom_expiry"] {
        Value::Null => Duration::from_secs(15 * 60),
        custom => {
            let unit_secs = match custom["unit"]
                .as_str()
                .map(|u| u.to_ascii_lowercase())
                .as_deref()
            {
                Some("second" | "seconds") => Some(1),
                Some("minute" | "minutes") => Some(60),
                Some("hour" | "hours") => Some(3600),
                Some("day" | "days") => Some(86_400),
                _ => None,
            };
            let duration = custom["expiry_duration"].as_u64();
            match (duration, unit_secs) {
                (Some(d), Some(u)) => {
                    let secs = Duration::from_secs(d.saturating_mul(u));
                    let max = Duration::from_secs(7 * 86_400);
                    if secs < config.min_expiry || secs > max {
                        problems.push(format!(
                            "custom_expiry must be between {} seconds and 7 days",
                            config.min_expiry.as_secs()
                        ));
                    }
                    secs
                }
                _ => {
                    problems.push("custom_expiry needs a positive expiry_duration and a unit (second, minute, hour, day)".into());
                    Duration::ZERO
                }
            }
        }
    };
    let mut callback_url = None;
    if payment_type == Some(PaymentType::Gopay) && body["gopay"]["enable_callback"] == json!(true) {
        match body["gopay"]["callback_url"].as_str() {
            Some(url) if reqwest::Url::parse(url).is_ok() => callback_url = Some(url.to_string()),
            Some(_) => problems.push("gopay.callback_url is not a valid URL".into()),
            None => {}
        }
    }
    let mut acquirer = None;
    if payment_type == Some(PaymentType::Qris) {
        match body["qris"]["acquirer"].as_str() {
            None | Some("gopay") => acquirer = Some("gopay".to_string()),
            Some("airpay shopee") => acquirer = Some("airpay shopee".to_string()),
            Some(other) => problems.push(format!(
                "qris.acquirer {other:?} is not supported (gopay, airpay shopee)"
            )),
        }
    }
    match (payment_type, order_id, gross_amount) {
        (Some(payment_type), Some(order_id), Some(gross_amount)) if problems.is_empty() => {
            Ok(ChargeRequest {
                payment_type,
                order_id,
                gross_amount,
                expiry,
                callback_url,
                acquirer,
            })
        }
        _ => Err(problems),
    }
}

async fn charge(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Response {
    if !authorized(&headers, &sim.config.server_key) {
        return error(StatusCode::UNAUTHORIZED, "401", UNAUTHORIZED);
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "413", SYNTAX);
    };
    let request = match validate(&body, &sim.config) {
        Ok(request) => request,
        Err(messages) => {
            let body = json!({
                "status_code": "400",
                "status_message": INVALID,
                "id": ids::uuid_v4(),
                "validation_messages": messages,
            });
            return (StatusCode::BAD_REQUEST, Json(body)).into_response();
        }
    };
    let now = jakarta::now_ms();
    let transaction_id = ids::uuid_v4();
    let qr_string = qris::build(&qris::Payment {
        merchant_id: &sim.config.merchant_id,
        merchant_name: &sim.config.merchant_name,
        city: "JAKARTA",
        amount: request.gross_amount,
        reference: &transaction_id,
    });
    let tx = Transaction {
        order_id: request.order_id,
        tref: format!("A1{}", ids::alphanumeric(20)),
        transaction_id,
        payment_type: request.payment_type,
        gross_amount: request.gross_amount,
        created_ms: now,
        expiry_ms: now + request.expiry.as_millis() as u64,
        status: Status::Pending,
        settlement_ms: None,
        callback_url: request.callback_url,
        qr_string,
        acquirer: request.acquirer,
        deliveries: Vec::new(),
        refunded: 0,
        charged_back: 0,
    };
    if !sim.store.insert(tx.clone()) {
        return error(StatusCode::NOT_ACCEPTABLE, "406", DUPLICATE);
    }
    tracing::info!(
        "charge {} {} Rp{} (expires {})",
        tx.payment_type.as_str(),
        tx.order_id,
        tx.gross_amount,
        tx.expiry_time()
    );
    notify::spawn(sim.clone(), tx.clone(), Duration::ZERO);
    notify::schedule_expiry(sim.clone(), tx.order_id.clone(), tx.expiry_ms);
    Json(charge_response(&sim, &tx)).into_response()
}

fn charge_response(sim: &Sim, tx: &Transaction) -> Value {
    let base = &sim.base;
    let tid = &tx.transaction_id;
    let qris_image = json!({
        "name": if tx.payment_type == PaymentType::Gopay { "generate-qr-code-v2" } else { "generate-qr-code" },
        "method": "GET",
        "url": format!("{base}/v2/qris/{tid}/qr-code"),
    });
    let mut body = json!({
        "status_code": "201",
        "status_message": match tx.payment_type {
            PaymentType::Gopay => "GoPay transaction is created",
            PaymentType::Qris => "QRIS transaction is created",
        },
        "transaction_id": tid,
        "order_id": tx.order_id,
        "merchant_id": sim.config.merchant_id,
        "gross_amount": tx.gross_amount_str(),
        "currency": "IDR",
        "payment_type": tx.payment_type.as_str(),
        "transaction_time": tx.transaction_time(),
        "transaction_status": "pending",
        "fraud_status": "accept",
        "expiry_time": tx.expiry_time(),
    });
    match tx.payment_type {
        PaymentType::Qris => {
            body["acquirer"] = json!(tx.acquirer);
            body["qr_string"] = json!(tx.qr_string);
            body["actions"] = json!([qris_image]);
        }
        PaymentType::Gopay => {
            // GoPay's own answer to Midtrans, as the GoPay charge response documents it.
            body["channel_response_code"] = json!("200");
            body["channel_response_message"] = json!("Success");
            body["actions"] = json!([
                qris_image,
                { "name": "generate-qr-code", "method": "GET", "url": format!("{base}/v2/gopay/{tid}/qr-code") },
                { "name": "deeplink-redirect", "method": "GET", "url": deeplink(base, tx) },
                { "name": "get-status", "method": "GET", "url": format!("{base}/v2/{tid}/status") },
                { "name": "cancel", "method": "POST", "url": format!("{base}/v2/{tid}/cancel") },
            ]);
        }
    }
    body
}

/// The simulated app's page for this transaction, carrying the callback like Midtrans' sandbox.
fn deeplink(base: &str, tx: &Transaction) -> String {
    let mut params = vec![("tref", tx.tref.as_str())];
    if let Some(callback) = &tx.callback_url {
        params.push(("callback_url", callback));
    }
    match reqwest::Url::parse_with_params(&format!("{base}/app/deeplink"), &params) {
        Ok(url) => url.into(),
        Err(_) => format!("{base}/app/deeplink?tref={}", tx.tref),
    }
}

/// The status API's body.
fn status_body(sim: &Sim, tx: &Transaction) -> Value {
    sim.signed_view(
        tx,
        tx.status.status_api_code(),
        "Success, transaction is found",
    )
}

async fn status(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !authorized(&headers, &sim.config.server_key) {
        return error(StatusCode::UNAUTHORIZED, "401", UNAUTHORIZED);
    }
    sim.status_calls.fetch_add(1, Ordering::Relaxed);
    match sim.store.find(&id) {
        Some(tx) => Json(status_body(&sim, &tx)).into_response(),
        None => error(StatusCode::NOT_FOUND, "404", NOT_FOUND),
    }
}

/// Counters: how often merchants asked for a status, how many transactions exist.
async fn stats(State(sim): State<Arc<Sim>>) -> Response {
    Json(json!({
        "status_calls": sim.status_calls.load(Ordering::Relaxed),
        "transactions": sim.store.list().len(),
    }))
    .into_response()
}

async fn cancel(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !authorized(&headers, &sim.config.server_key) {
        return error(StatusCode::UNAUTHORIZED, "401", UNAUTHORIZED);
    }
    match crate::act(&sim, &id, Status::Cancel) {
        Ok(tx) => {
            let mut body = status_body(&sim, &tx);
            body["status_code"] = json!("200");
            body["status_message"] = json!("Success, transaction is canceled");
            if let Some(map) = body.as_object_mut() {
                map.remove("signature_key");
            }
            Json(body).into_response()
        }
        Err(TransitionError::NotFound) => error(StatusCode::NOT_FOUND, "404", NOT_FOUND),
        Err(_) => error(StatusCode::PRECONDITION_FAILED, "412", CANNOT_MODIFY),
    }
}

/// Midtrans' "Expire Transaction": ends a pending transaction at once, answers with status code
/// 407 (HTTP 200, as the status API reports an expired transaction) and notifies the merchant
/// with the expire notification (202).
async fn expire(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !authorized(&headers, &sim.config.server_key) {
        return error(StatusCode::UNAUTHORIZED, "401", UNAUTHORIZED);
    }
    match crate::act(&sim, &id, Status::Expire) {
        Ok(tx) => Json(json!({
            "status_code": tx.status.status_api_code(),
            "status_message": "Success, transaction has expired",
            "transaction_id": tx.transaction_id,
            "order_id": tx.order_id,
            "payment_type": tx.payment_type.as_str(),
            "transaction_time": tx.transaction_time(),
            "transaction_status": tx.status.as_str(),
            "gross_amount": tx.gross_amount_str(),
        }))
        .into_response(),
        Err(TransitionError::NotFound) => error(StatusCode::NOT_FOUND, "404", NOT_FOUND),
        Err(_) => error(StatusCode::PRECONDITION_FAILED, "412", CANNOT_MODIFY),
    }
}

#[derive(Deserialize, Default)]
struct RefundRequest {
    refund_key: Option<String>,
    /// Whole rupiah; everything not yet refunded when absent.
    amount: Option<Value>,
}

/// Midtrans' refund: gives back all or part of a settled transaction and notifies the merchant
/// with `refund` or `partial_refund` (status code 200).
async fn refund(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if !authorized(&headers, &sim.config.server_key) {
        return error(StatusCode::UNAUTHORIZED, "401", UNAUTHORIZED);
    }
    let request = if body.is_empty() {
        RefundRequest::default()
    } else {
        match serde_json::from_slice::<RefundRequest>(&body) {
            Ok(request) => request,
            Err(_) => return error(StatusCode::BAD_REQUEST, "413", SYNTAX),
        }
    };
    let amount = match &request.amount {
        None => None,
        Some(value) => match whole_rupiah(value) {
            Some(amount) => Some(amount),
            None => return error(StatusCode::BAD_REQUEST, "400", INVALID),
        },
    };
    let (tx, given) = match sim.store.reverse(&id, Reversal::Refund, amount) {
        Ok(refunded) => refunded,
        Err(RefundError::NotFound) => return error(StatusCode::NOT_FOUND, "404", NOT_FOUND),
        Err(RefundError::NotPaid(_)) => {
            return error(StatusCode::PRECONDITION_FAILED, "412", CANNOT_MODIFY)
        }
        Err(RefundError::BadAmount { .. }) => {
            return error(StatusCode::BAD_REQUEST, "400", INVALID)
        }
    };
    tracing::info!("{} {} Rp{given}", tx.order_id, tx.status.as_str());
    notify::spawn(sim.clone(), tx.clone(), Duration::ZERO);
    Json(json!({
        "status_code": "200",
        "status_message": "Success, refund request is approved",
        "transaction_id": tx.transaction_id,
        "order_id": tx.order_id,
        "gross_amount": tx.gross_amount_str(),
        "payment_type": tx.payment_type.as_str(),
        "transaction_time": tx.transaction_time(),
        "transaction_status": tx.status.as_str(),
        "refund_amount": format!("{given}.00"),
        "refund_key": request.refund_key.unwrap_or_else(ids::uuid_v4),
    }))
    .into_response()
}

async fn qr_code(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Response {
    let Some(tx) = sim.store.find(&id) else {
        return error(StatusCode::NOT_FOUND, "404", NOT_FOUND);
    };
    match crate::png::qr_code(&tx.qr_string) {
        Some(png) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "public, max-age=86400, immutable"),
            ],
            png,
        )
            .into_response(),
        None => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "500",
            "QR code could not be drawn",
        ),
    }
}

/// What the simulator's JSON controls say about a transaction.
fn summary(tx: &Transaction) -> Value {
    json!({
        "order_id": tx.order_id,
        "transaction_id": tx.transaction_id,
        "tref": tx.tref,
        "payment_type": tx.payment_type.as_str(),
        "gross_amount": tx.gross_amount_str(),
        "transaction_status": tx.status.as_str(),
        "status_code": tx.status.notification_code(),
        "transaction_time": tx.transaction_time(),
        "expiry_time": tx.expiry_time(),
        "refunded": format!("{}.00", tx.refunded),
        "charged_back": format!("{}.00", tx.charged_back),
        "qr_string": tx.qr_string,
        "callback_url": tx.callback_url,
        "notifications": tx.deliveries.iter().map(|d| json!({
            "transaction_status": d.status.as_str(),
            "delivered": d.delivered,
            "outcome": d.outcome,
        })).collect::<Vec<_>>(),
    })
}

fn control_error(http: StatusCode, message: String) -> Response {
    (http, Json(json!({ "error": message }))).into_response()
}

async fn list(State(sim): State<Arc<Sim>>) -> Response {
    let all: Vec<Value> = sim.store.list().iter().map(summary).collect();
    Json(json!({ "transactions": all })).into_response()
}

async fn show(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Response {
    match sim.store.find(&id) {
        Some(tx) => Json(summary(&tx)).into_response(),
        None => control_error(StatusCode::NOT_FOUND, format!("no transaction {id}")),
    }
}

#[derive(Deserialize, Default)]
struct ControlRequest {
    /// Whole rupiah of a `partial_chargeback`.
    amount: Option<Value>,
}

/// `pay`, `deny`, `failure` or `expire` a pending transaction, as the customer, the payment
/// provider or the clock would; `refund` a paid one in full, as the merchant's dashboard
/// would; or take back what is left of a paid one with `chargeback`, or part of it with
/// `partial_chargeback` (`{"amount"}`, half of what is left when absent), as the payer's
/// provider would.
async fn control(
    State(sim): State<Arc<Sim>>,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let reversal = match action.as_str() {
        "refund" => Some((Reversal::Refund, false)),
        "chargeback" => Some((Reversal::Chargeback, false)),
        "partial_chargeback" => Some((Reversal::Chargeback, true)),
        _ => None,
    };
    if let Some((reversal, partial)) = reversal {
        let request = if body.is_empty() {
            ControlRequest::default()
        } else {
            match serde_json::from_slice::<ControlRequest>(&body) {
                Ok(request) => request,
                Err(_) => {
                    return control_error(
                        StatusCode::BAD_REQUEST,
                        "the body must be JSON, {\"amount\"} or nothing".into(),
                    )
                }
            }
        };
        return reverse(&sim, &id, reversal, partial, request.amount.as_ref());
    }
    let to = match action.as_str() {
        "pay" => Status::Settlement,
        "deny" => Status::Deny,
        "failure" => Status::Failure,
        "expire" => Status::Expire,
        _ => {
            return control_error(
                StatusCode::NOT_FOUND,
                format!(
                    "unknown action {action:?} \
                     (pay, deny, failure, expire, refund, chargeback, partial_chargeback)"
                ),
            )
        }
    };
    match crate::act(&sim, &id, to) {
        Ok(tx) => Json(summary(&tx)).into_response(),
        Err(e) => transition_error(&id, e),
    }
}

/// A refund or chargeback from the simulator's controls; a partial one must leave something.
fn reverse(
    sim: &Arc<Sim>,
    id: &str,
    reversal: Reversal,
    partial: bool,
    amount: Option<&Value>,
) -> Response {
    let Some(tx) = sim.store.find(id) else {
        return control_error(StatusCode::NOT_FOUND, format!("no transaction {id}"));
    };
    let amount = match (partial, amount) {
        (false, None) => None,
        (false, Some(_)) => {
            return control_error(
                StatusCode::BAD_REQUEST,
                format!(
                    "{action} takes all that is left: no amount",
                    action = action_name(reversal, partial)
                ),
            )
        }
        (true, None) => Some(tx.left() / 2),
        (true, Some(value)) => match whole_rupiah(value) {
            Some(amount) => Some(amount),
            None => {
                return control_error(
                    StatusCode::BAD_REQUEST,
                    "amount must be whole rupiah".into(),
                )
            }
        },
    };
    if partial && amount.is_some_and(|a| a == 0 || a >= tx.left()) {
        return control_error(
            StatusCode::CONFLICT,
            format!(
                "a partial chargeback takes at least 1 and less than the {}.00 left",
                tx.left()
            ),
        );
    }
    match sim.store.reverse(id, reversal, amount) {
        Ok((tx, given)) => {
            tracing::info!("{} {} Rp{given}", tx.order_id, tx.status.as_str());
            notify::spawn(sim.clone(), tx.clone(), Duration::ZERO);
            Json(summary(&tx)).into_response()
        }
        Err(RefundError::NotFound) => {
            control_error(StatusCode::NOT_FOUND, format!("no transaction {id}"))
        }
        Err(RefundError::NotPaid(status)) => control_error(
            StatusCode::CONFLICT,
            format!(
                "a {} transaction cannot have a {}",
                status.as_str(),
                action_name(reversal, partial)
            ),
        ),
        Err(RefundError::BadAmount { left }) => control_error(
            StatusCode::CONFLICT,
            format!("{left}.00 is left to give back"),
        ),
    }
}

fn action_name(reversal: Reversal, partial: bool) -> &'static str {
    match (reversal, partial) {
        (Reversal::Refund, _) => "refund",
        (Reversal::Chargeback, false) => "chargeback",
        (Reversal::Chargeback, true) => "partial_chargeback",
    }
}

fn transition_error(id: &str, error: TransitionError) -> Response {
    match error {
        TransitionError::NotFound => {
            control_error(StatusCode::NOT_FOUND, format!("no transaction {id}"))
        }
        other => control_error(StatusCode::CONFLICT, crate::describe(&other)),
    }
}

#[derive(Deserialize)]
struct ScanRequest {
    payload: String,
}

/// Finds the transaction a scanned QR payload (or deeplink, or id) belongs to.
async fn scan(State(sim): State<Arc<Sim>>, Json(request): Json<ScanRequest>) -> Response {
    match crate::lookup(&sim, &request.payload) {
        Ok(tx) => Json(summary(&tx)).into_response(),
        Err(message) => control_error(StatusCode::NOT_FOUND, message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_ids_follow_midtrans_rules() {
        assert!(valid_order_id("SHOP-1764054191-K3F9QZ"));
        assert!(valid_order_id("a.b_c~d"));
        assert!(!valid_order_id(""));
        assert!(!valid_order_id("has space"));
        assert!(!valid_order_id("slash/es"));
        assert!(!valid_order_id(&"x".repeat(51)));
    }

    #[test]
    fn rupiah_amounts() {
        assert_eq!(whole_rupiah(&json!(275000)), Some(275_000));
        assert_eq!(whole_rupiah(&json!(275000.0)), Some(275_000));
        assert_eq!(whole_rupiah(&json!("275000.00")), Some(275_000));
        assert_eq!(whole_rupiah(&json!(1.5)), None);
        assert_eq!(whole_rupiah(&json!(-3)), None);
        assert_eq!(whole_rupiah(&json!("12a")), None);
        assert_eq!(whole_rupiah(&json!("")), None);
    }

    #[test]
    fn basic_auth_by_server_key() {
        let mut headers = HeaderMap::new();
        assert!(!authorized(&headers, "key"));
        let good = base64::engine::general_purpose::STANDARD.encode("key:");
        headers.insert(
            header::AUTHORIZATION,
            format!("Basic {good}").parse().unwrap(),
        );
        assert!(authorized(&headers, "key"));
        assert!(!authorized(&headers, "other"));
        let bad = base64::engine::general_purpose::STANDARD.encode("ke:");
        headers.insert(
            header::AUTHORIZATION,
            format!("Basic {bad}").parse().unwrap(),
        );
        assert!(!authorized(&headers, "key"));
        headers.insert(header::AUTHORIZATION, "Bearer key".parse().unwrap());
        assert!(!authorized(&headers, "key"));
    }
}

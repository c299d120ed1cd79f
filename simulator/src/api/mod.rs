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

mod charge;
mod controls;

use charge::whole_rupiah;

pub(crate) fn routes() -> Router<Arc<Sim>> {
    let core = Router::new()
        .route("/v2/charge", post(charge::charge))
        .route("/v2/{id}/status", get(status))
        .route("/v2/{id}/cancel", post(cancel))
        .route("/v2/{id}/expire", post(expire))
        .route("/v2/{id}/refund", post(refund))
        .route("/v2/qris/{id}/qr-code", get(qr_code))
        .route("/v2/gopay/{id}/qr-code", get(qr_code))
        .layer(axum::middleware::map_response(midtrans_shaped));
    let controls = Router::new()
        .route("/simulator/transactions", get(controls::list))
        .route("/simulator/transactions/{id}", get(controls::show))
        .route(
            "/simulator/transactions/{id}/{action}",
            post(controls::control),
        )
        .route("/simulator/scan", post(controls::scan))
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

/// Midtrans' "Cancel Transaction": answers with the transaction as the status API shows it
/// (status code 200, no signature) and notifies the merchant with the cancel notification.
async fn cancel(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    end_by_merchant(&sim, &headers, &id, Status::Cancel, |sim, tx| {
        let mut body = status_body(sim, tx);
        body["status_code"] = json!("200");
        body["status_message"] = json!("Success, transaction is canceled");
        if let Some(map) = body.as_object_mut() {
            map.remove("signature_key");
        }
        body
    })
}

/// Midtrans' "Expire Transaction": ends a pending transaction at once, answers with status code
/// 407 (HTTP 200, as the status API reports an expired transaction) and notifies the merchant
/// with the expire notification (202).
async fn expire(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    end_by_merchant(&sim, &headers, &id, Status::Expire, |_, tx| {
        json!({
            "status_code": tx.status.status_api_code(),
            "status_message": "Success, transaction has expired",
            "transaction_id": tx.transaction_id,
            "order_id": tx.order_id,
            "payment_type": tx.payment_type.as_str(),
            "transaction_time": tx.transaction_time(),
            "transaction_status": tx.status.as_str(),
            "gross_amount": tx.gross_amount_str(),
        })
    })
}

/// A merchant's call that ends a transaction (`to`): 401 without the server key, 404 for an
/// unknown one, 412 for one that can no longer move there, else `answer`'s body.
fn end_by_merchant(
    sim: &Arc<Sim>,
    headers: &HeaderMap,
    id: &str,
    to: Status,
    answer: impl FnOnce(&Sim, &Transaction) -> Value,
) -> Response {
    if !authorized(headers, &sim.config.server_key) {
        return error(StatusCode::UNAUTHORIZED, "401", UNAUTHORIZED);
    }
    match crate::act(sim, id, to) {
        Ok(tx) => Json(answer(sim, &tx)).into_response(),
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

#[cfg(test)]
mod tests {
    use super::*;

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

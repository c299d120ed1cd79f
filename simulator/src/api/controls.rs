//! The simulator's JSON controls: list, show, act on and scan transactions.

use super::*;

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

pub(super) async fn list(State(sim): State<Arc<Sim>>) -> Response {
    let all: Vec<Value> = sim.store.list().iter().map(summary).collect();
    Json(json!({ "transactions": all })).into_response()
}

pub(super) async fn show(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Response {
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
pub(super) async fn control(
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
pub(super) struct ScanRequest {
    payload: String,
}

/// Finds the transaction a scanned QR payload (or deeplink, or id) belongs to.
pub(super) async fn scan(
    State(sim): State<Arc<Sim>>,
    Json(request): Json<ScanRequest>,
) -> Response {
    match crate::lookup(&sim, &request.payload) {
        Ok(tx) => Json(summary(&tx)).into_response(),
        Err(message) => control_error(StatusCode::NOT_FOUND, message),
    }
}

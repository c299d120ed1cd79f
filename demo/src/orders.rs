//! The shop's orders: looking one up, placing one (stored first, then charged at Midtrans), and
//! ordering one that ended unpaid again. No HTTP here: the API turns the outcomes into answers.

use std::sync::Arc;

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::db::{self, NewOrder, Order, Update};
use crate::{catalogue, status, App};

/// Why an order cannot be looked up.
pub enum Lookup {
    InvalidId,
    NotFound,
    Storage(db::Error),
}

/// Midtrans' order id rules: 1 to 50 letters, digits, `-`, `_`, `~`, `.`.
pub fn valid_order_id(id: &str) -> bool {
    (1..=50).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~' | b'.'))
}

/// Looks an order up by an untrusted id, validated before it touches storage.
pub async fn find(app: &App, order_id: &str) -> Result<Order, Lookup> {
    if !valid_order_id(order_id) {
        return Err(Lookup::InvalidId);
    }
    match app.db.get(order_id).await {
        Ok(Some(order)) => Ok(order),
        Ok(None) => Err(Lookup::NotFound),
        Err(e) => Err(Lookup::Storage(e)),
    }
}

/// One line of an order, as the page sends it and the shop stores it.
#[derive(Deserialize)]
pub struct Line {
    pub id: String,
    pub qty: u64,
}

/// Why an order was not placed.
pub enum PlaceError {
    /// The request itself is wrong; the message says how.
    Invalid(&'static str),
    Storage(db::Error),
    /// Midtrans could not be reached (the order is settled later if it may have a charge).
    Unreachable,
    /// Midtrans refused the charge: its HTTP status and answer, for the page.
    Refused {
        http: StatusCode,
        raw: String,
    },
    /// The task placing it stopped before it answered.
    Interrupted,
}

/// Why an order is not ordered again.
pub enum ReorderError {
    Lookup(Lookup),
    /// It can still be paid: the shopper should pay it, not get a second charge.
    StillPayable,
    Paid,
    /// Its stored lines could not be read.
    Unreadable,
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

/// Stores a new order of `lines` and creates its charge: GoPay's deeplink for a phone, a QRIS
/// code to scan for anything else. `Ok` is the charge response exactly as Midtrans sent it.
pub async fn place(
    app: Arc<App>,
    lines: &[Line],
    device: Option<&str>,
) -> Result<String, PlaceError> {
    if lines.is_empty() || lines.len() > 10 {
        return Err(PlaceError::Invalid("An order has 1 to 10 lines"));
    }
    let mut item_details = Vec::new();
    let mut total: u64 = 0;
    for line in lines {
        let Some(product) = catalogue::find(&line.id) else {
            return Err(PlaceError::Invalid("Unknown product"));
        };
        if !(1..=10).contains(&line.qty) {
            return Err(PlaceError::Invalid("Quantities are 1 to 10"));
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
    app.db
        .insert(&NewOrder {
            order_id: &order_id,
            device,
            payment_type,
            gross_amount: &gross_amount,
            items: &items,
        })
        .await
        .map_err(PlaceError::Storage)?;
    // The charge and its storage run on their own: a client that goes away meanwhile must not
    // leave a charge at Midtrans that the shop never stored.
    let task = tokio::spawn(charge_and_store(app, order_id, charge, device, total));
    task.await.unwrap_or(Err(PlaceError::Interrupted))
}

async fn charge_and_store(
    app: Arc<App>,
    order_id: String,
    charge: Value,
    device: &'static str,
    total: u64,
) -> Result<String, PlaceError> {
    let payment_type = charge["payment_type"].as_str().unwrap_or_default();
    let answer = match app.midtrans.charge(&charge).await {
        Ok(answer) => answer,
        Err(unreachable) => {
            tracing::warn!("charge {order_id}: {unreachable}");
            if unreachable.maybe_received {
                // Midtrans may hold the charge all the same: find out, and cancel it if so.
                crate::reconcile::check_later(app.clone(), order_id.clone());
            } else {
                let _ = app.db.charge_failed(&order_id).await;
            }
            return Err(PlaceError::Unreachable);
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
        let _ = app.db.charge_failed(&order_id).await;
        let http = answer.error_status().unwrap_or(StatusCode::BAD_GATEWAY);
        return Err(PlaceError::Refused {
            http,
            raw: answer.raw,
        });
    }
    let update = Update::from_midtrans(&answer.body).unwrap_or_default();
    app.db
        .charge_created(&order_id, &answer.raw, &update)
        .await
        .map_err(PlaceError::Storage)?;
    tracing::info!("order {order_id}: {payment_type} charge of Rp{total} for a {device}");
    Ok(answer.raw)
}

/// "Get a new QR" after a payment that failed or expired: the lines to order again, on the same
/// kind of device, as a new order with a charge of its own (Midtrans refuses a second charge
/// for an order id). An order that can still be paid, or was paid, is not ordered again.
pub async fn reorderable(app: &App, order_id: &str) -> Result<(Vec<Line>, String), ReorderError> {
    let order = find(app, order_id).await.map_err(ReorderError::Lookup)?;
    if !status::ended_unpaid(&order.transaction_status) {
        return Err(if status::is_open(&order.transaction_status) {
            ReorderError::StillPayable
        } else {
            ReorderError::Paid
        });
    }
    let lines =
        serde_json::from_value::<Vec<Line>>(order.items).map_err(|_| ReorderError::Unreadable)?;
    Ok((lines, order.device))
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
}

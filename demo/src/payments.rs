//! What the shop knows of each order's payment, and how it learns more: the status the widget
//! polls (refreshed from Midtrans while the order is open), and Midtrans' notifications, which
//! are only believed once Midtrans' status API confirms them. No HTTP here: the API turns the
//! outcomes into answers.

use std::time::Duration;

use serde_json::Value;

use crate::confirm::Claim;
use crate::db::{self, Order, Update};
use crate::midtrans::Checked;
use crate::orders::{self, Lookup};
use crate::{midtrans, status, App};

/// Why an order's payment cannot be shown.
pub enum Unshown {
    Lookup(Lookup),
    /// The order exists, but no charge of it is known (it was never made, or not yet).
    NoPayment,
}

/// The shop's view of an order's payment, for the widget to poll. Notifications keep it
/// current; while it is open it is also checked with Midtrans, at most once per order per
/// interval. Polls never wait for Midtrans: while another poll's check of this order is in
/// flight, or one was made moments ago, the stored state is the answer.
pub async fn current(app: &App, order_id: &str) -> Result<Order, Unshown> {
    let order = match orders::find(app, order_id).await {
        // A charge Midtrans knows: its response stored, or its id learnt since.
        Ok(order) if order.charge.is_some() || order.transaction_id.is_some() => order,
        Ok(_) => return Err(Unshown::NoPayment),
        Err(lookup) => return Err(Unshown::Lookup(lookup)),
    };
    if !status::is_open(&order.transaction_status) {
        return Ok(order);
    }
    let ticket = match app.refreshes.claim(order_id).await {
        Ok(Claim::Granted(ticket)) => ticket,
        Ok(_) => return Ok(order),
        Err(e) => {
            tracing::warn!("status check {order_id}: cannot claim it: {e}");
            return Ok(order);
        }
    };
    let fresh = refresh(app, order_id).await;
    ticket.release().await;
    Ok(fresh.unwrap_or(order))
}

/// Asks Midtrans for the transaction's status and applies it. `None` when that fails; the
/// stored state is then still the best answer.
async fn refresh(app: &App, order_id: &str) -> Option<Order> {
    let update = match app.midtrans.check(order_id).await {
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
    match app.db.apply(order_id, &update).await {
        Ok(Some((true, now))) => tracing::info!("order {order_id}: {now} (status check)"),
        Ok(_) => {}
        Err(e) => {
            tracing::error!("storage error: {e}");
            return None;
        }
    }
    app.db.get(order_id).await.ok().flatten()
}

/// What became of a notification.
pub enum Notified {
    /// The signature does not verify: nothing was read or changed.
    Forged,
    /// Signed, but its `status_code` cannot go with its `transaction_status` (a pending
    /// signature replayed with a result).
    CodeDoesNotFit,
    UnknownOrder(Lookup),
    /// No `transaction_status` to act on.
    NoStatus,
    /// Genuine, but not about this order's payment (another amount or transaction): nothing
    /// changes, and Midtrans may stop sending it.
    NotThisPayment {
        now: String,
    },
    /// Taken as it is (it leaves the order open, or says nothing new).
    Stored {
        applied: bool,
        now: String,
    },
    /// Checked with Midtrans' status API: `applied` when Midtrans confirmed the status claimed
    /// and this notification moved the order to it (of duplicates confirmed at once, one).
    Confirmed {
        applied: bool,
        now: String,
        confirmed: String,
    },
    /// Not confirmed now (a confirmation is in flight or was made moments ago, Midtrans still
    /// says pending, or cannot be asked): Midtrans should send it again after `after`.
    RetryLater {
        after: Duration,
        reason: &'static str,
    },
    /// Midtrans does not know the order: the claim is not applied.
    UnknownToMidtrans {
        now: String,
    },
    Storage(db::Error),
}

/// For log lines: untrusted text, quoted and cut short.
fn loggable(text: &str) -> String {
    format!("{:?}", text.chars().take(60).collect::<String>())
}

/// A Midtrans HTTP notification, already read as JSON. The signature is checked before
/// anything else is read, and a forged one leaves no trace. The signature covers only
/// order_id, status_code and gross_amount (not transaction_status), and one signature serves
/// every status with the same code: a settlement's also signs a refund or a chargeback, and a
/// cancel's (Midtrans signs it with 200) a settlement. So a signed notification is only worth
/// asking about: one that leaves the order open (pending) is stored as it is, and one that
/// would move it out of pending, or on from a result, is confirmed with Midtrans' status API
/// first ([`confirm_and_apply`]).
pub async fn notification(app: &App, body: &Value) -> Notified {
    if !midtrans::signed(body, &app.config.server_key) {
        tracing::warn!(
            "notification rejected: bad signature (order_id {})",
            loggable(body["order_id"].as_str().unwrap_or_default())
        );
        return Notified::Forged;
    }
    let order_id = body["order_id"].as_str().unwrap_or_default();
    let claimed = body["transaction_status"].as_str().unwrap_or_default();
    if !status::code_fits(claimed, body["status_code"].as_str().unwrap_or_default()) {
        tracing::warn!(
            "notification rejected: status_code does not fit {} (order_id {})",
            loggable(claimed),
            loggable(order_id)
        );
        return Notified::CodeDoesNotFit;
    }
    let order = match orders::find(app, order_id).await {
        Ok(order) => order,
        Err(lookup) => {
            tracing::info!("notification for unknown order {}", loggable(order_id));
            return Notified::UnknownOrder(lookup);
        }
    };
    let Some(update) = Update::from_midtrans(body) else {
        return Notified::NoStatus;
    };
    let amount_matches = body["gross_amount"]
        .as_str()
        .is_some_and(|a| midtrans::same_amount(a, &order.gross_amount));
    if !amount_matches || !same_transaction(&order, &update) {
        tracing::info!(
            "notification for {order_id} does not match its amount or transaction; ignored"
        );
        return Notified::NotThisPayment {
            now: order.transaction_status,
        };
    }
    if status::needs_confirmation(&order.transaction_status, &update.transaction_status) {
        return confirm_and_apply(app, &order, &update).await;
    }
    // Pending, a duplicate, or older than what is stored: nothing is decided by it (the order
    // stays open, or keeps its state); missing details such as the transaction id fill in.
    match app.db.apply(order_id, &update).await {
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
            Notified::Stored { applied, now }
        }
        Ok(None) => Notified::UnknownOrder(Lookup::NotFound),
        Err(e) => Notified::Storage(e),
    }
}

/// Whether `update` is about the order's own transaction (or the order has none yet).
fn same_transaction(order: &Order, update: &Update) -> bool {
    match (&order.transaction_id, &update.transaction_id) {
        (Some(ours), Some(theirs)) => ours == theirs,
        _ => true,
    }
}

/// A genuine notification that would move an order out of pending (or on from a result): it
/// changes nothing by itself. Midtrans' status API is asked, and what it says is stored; the
/// notification counts as applied only when that is the status it claimed.
///
/// One confirmation at a time per order, and at most one per interval: a notification that
/// arrives while another confirmation of the order is in flight, or moments after one, is not
/// asked about, and neither is one Midtrans does not confirm yet (it still says pending) or
/// cannot be asked about: each is to be sent again. Midtrans sends a notification again until
/// it gets a 2xx, so a genuine one is applied on a later delivery; a replayed or forged one
/// costs at most one status call per order per interval, however many arrive.
async fn confirm_and_apply(app: &App, order: &Order, notified: &Update) -> Notified {
    let claimed = notified.transaction_status.as_str();
    let order_id = order.order_id.as_str();
    let ticket = match app.confirmations.claim(order_id).await {
        Ok(Claim::Granted(ticket)) => ticket,
        Ok(Claim::InFlight) => {
            return Notified::RetryLater {
                after: Duration::from_secs(1),
                reason: "This order is being confirmed with Midtrans; send it again later",
            }
        }
        Ok(Claim::TooSoon(left)) => {
            return Notified::RetryLater {
                after: left,
                reason: "This order was checked with Midtrans moments ago; send it again later",
            }
        }
        Err(e) => {
            tracing::warn!("notification {order_id}: cannot claim its confirmation: {e}");
            return Notified::RetryLater {
                after: Duration::from_secs(5),
                reason: "The status could not be confirmed with Midtrans; send it again later",
            };
        }
    };
    let checked = app.midtrans.check(order_id).await;
    ticket.release().await;
    let update = match checked {
        Ok(Checked::Found(update)) => update,
        Ok(Checked::Unknown) => {
            tracing::info!(
                "notification {order_id}: {claimed} not confirmed (Midtrans does not know the order)"
            );
            return Notified::UnknownToMidtrans {
                now: order.transaction_status.clone(),
            };
        }
        Err(reason) => {
            tracing::warn!("notification {order_id}: {claimed} not confirmed yet: {reason}");
            return Notified::RetryLater {
                after: Duration::from_secs(5),
                reason: "The status could not be confirmed with Midtrans; send it again later",
            };
        }
    };
    if !same_transaction(order, &update) {
        tracing::warn!(
            "notification {order_id}: Midtrans' status is about another transaction; ignored"
        );
        return Notified::NotThisPayment {
            now: order.transaction_status.clone(),
        };
    }
    let confirmed = update.transaction_status.clone();
    // Confirmed as sent: the notification's own details are stored (its status code, which the
    // status API words differently for an expiry); otherwise what Midtrans says now.
    let agreed = confirmed == claimed;
    let stored = if agreed { notified } else { &update };
    let (changed, now) = match app.db.apply(order_id, stored).await {
        Ok(Some(outcome)) => outcome,
        Ok(None) => return Notified::UnknownOrder(Lookup::NotFound),
        Err(e) => return Notified::Storage(e),
    };
    if agreed {
        // Applied by this notification only if it moved the order: a duplicate confirmed at
        // the same time (on another instance, or by a poll's check) finds it moved already.
        let outcome = if changed { "applied" } else { "already stored" };
        tracing::info!("notification {order_id}: {claimed} (confirmed by Midtrans, {outcome})");
        return Notified::Confirmed {
            applied: changed,
            now,
            confirmed,
        };
    }
    tracing::info!(
        "notification {order_id}: claimed {claimed}, Midtrans says {confirmed}; now {now}"
    );
    if status::is_open(&confirmed) {
        // Not (yet) what Midtrans says. If the notification is genuine, Midtrans will say so by
        // the time it is delivered again; a replay stays refused.
        return Notified::RetryLater {
            after: Duration::from_secs(5),
            reason: "Midtrans does not confirm this status (yet); send it again later",
        };
    }
    Notified::Confirmed {
        applied: false,
        now,
        confirmed,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn log_lines_cannot_be_forged() {
        assert_eq!(super::loggable("a\nFAKE LINE"), "\"a\\nFAKE LINE\"");
        assert_eq!(super::loggable(&"x".repeat(100)).len(), 62);
    }
}

//! Orders whose charge response was never stored: the process stopped (a crash, a kill, a
//! power cut) between storing the order and storing its charge, or the charge's answer was
//! lost on the way (a timeout, a gateway's error page). Midtrans may or may not have the
//! charge; nobody was shown it. Each is asked about with the status API: unknown to Midtrans,
//! it is marked failed; still pending, it is cancelled (so it cannot be paid unseen) and stored
//! as cancelled; otherwise its status is stored as it is. Orders that cannot be settled now
//! (Midtrans unreachable) are tried again, with pauses growing to a minute.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;

use crate::db::Update;
use crate::midtrans::Checked;
use crate::{status, App};

/// What became of one order.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// Midtrans never got the charge.
    Failed,
    /// The charge was pending at Midtrans, and is cancelled now.
    Cancelled,
    /// The charge had already moved on (paid, expired, ...): that status is stored.
    Stored(String),
}

/// At start-up: reads the orders a previous run left without their charge and settles them
/// in the background.
pub(crate) fn spawn(app: Arc<App>) -> Result<(), String> {
    let orders = app
        .db
        .orders_without_charge()
        .map_err(|e| format!("cannot read the orders: {e}"))?;
    if orders.is_empty() {
        return Ok(());
    }
    tracing::info!(
        "reconciling {} orders stored without their charge",
        orders.len()
    );
    tokio::spawn(settle(app, orders, Duration::ZERO));
    Ok(())
}

/// A charge whose answer was lost: settles the order once Midtrans has had time to finish it.
pub(crate) fn check_later(app: Arc<App>, order_id: String) {
    tokio::spawn(settle(app, vec![order_id], Duration::from_secs(2)));
}

async fn settle(app: Arc<App>, orders: Vec<String>, first_pause: Duration) {
    tokio::time::sleep(first_pause).await;
    let mut left = orders;
    let mut pause = Duration::from_secs(1);
    let (mut failed, mut cancelled, mut stored) = (0, 0, 0);
    loop {
        let mut again = Vec::new();
        for order_id in left {
            match reconcile(&app, &order_id).await {
                Ok(outcome) => {
                    tracing::info!("reconciled {order_id}: {outcome:?}");
                    match outcome {
                        Outcome::Failed => failed += 1,
                        Outcome::Cancelled => cancelled += 1,
                        Outcome::Stored(_) => stored += 1,
                    }
                }
                Err(reason) => {
                    tracing::warn!("reconcile {order_id}: {reason}; trying again later");
                    again.push(order_id);
                }
            }
        }
        if again.is_empty() {
            break;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(60));
        left = again;
    }
    tracing::info!(
        "reconciled {} orders: {cancelled} cancelled at Midtrans, {failed} unknown to \
         Midtrans (failed), {stored} already resolved there",
        failed + cancelled + stored
    );
}

async fn reconcile(app: &App, order_id: &str) -> Result<Outcome, String> {
    let update = match app.midtrans.check(order_id).await? {
        Checked::Unknown => {
            app.db
                .charge_failed(order_id)
                .map_err(|e| format!("storage error: {e}"))?;
            return Ok(Outcome::Failed);
        }
        Checked::Found(update) => update,
    };
    if !status::is_open(&update.transaction_status) {
        let now = update.transaction_status.clone();
        store(app, order_id, &update)?;
        return Ok(Outcome::Stored(now));
    }
    // Still payable, but the customer never saw it: cancel, as Midtrans documents for a
    // pending transaction.
    let answer = app
        .midtrans
        .cancel(order_id)
        .await
        .map_err(|e| format!("cancel: {e}"))?;
    match answer.error_status() {
        None => {
            let cancelled = Update::from_midtrans(&answer.body)
                .filter(|_| answer.body["order_id"] == order_id)
                .ok_or("cancel: the answer does not match the order")?;
            // The status API's details (transaction id, times), then the cancel.
            store(app, order_id, &update)?;
            store(app, order_id, &cancelled)?;
            Ok(Outcome::Cancelled)
        }
        // Paid or expired in between: store what it is now.
        Some(StatusCode::PRECONDITION_FAILED) => match app.midtrans.check(order_id).await? {
            Checked::Found(update) => {
                let now = update.transaction_status.clone();
                store(app, order_id, &update)?;
                Ok(Outcome::Stored(now))
            }
            Checked::Unknown => Err("gone from Midtrans after a failed cancel".into()),
        },
        Some(code) => Err(format!(
            "cancel: Midtrans answered {code} {}",
            answer.body["status_message"]
        )),
    }
}

fn store(app: &App, order_id: &str, update: &Update) -> Result<(), String> {
    app.db
        .apply(order_id, update)
        .map(|_| ())
        .map_err(|e| format!("storage error: {e}"))
}

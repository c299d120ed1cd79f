//! HTTP notifications to the merchant, retried with exponential backoff until it answers 2xx.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::store::{Status, Transaction};
use crate::{jakarta, Sim};

/// The notification body Midtrans posts for `tx` in its current status.
pub fn body(tx: &Transaction, sim: &Sim) -> Value {
    sim.signed_view(
        tx,
        tx.status.notification_code(),
        "midtrans payment notification",
    )
}

/// Sends the notification for `tx`'s current status after `delay`, in the background.
pub fn spawn(sim: Arc<Sim>, tx: Transaction, delay: Duration) {
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        deliver(&sim, &tx).await;
    });
}

async fn deliver(sim: &Sim, tx: &Transaction) {
    let body = body(tx, sim);
    let index = sim.store.start_delivery(&tx.transaction_id, tx.status);
    let url = &sim.config.notify_url;
    let attempts = sim.config.notify_attempts.max(1);
    let mut wait = sim.config.retry_first_delay;
    for attempt in 1..=attempts {
        let result = sim
            .http
            .post(url)
            .json(&body)
            .timeout(Duration::from_secs(10))
            .send()
            .await;
        let failure = match result {
            Ok(response) if response.status().is_success() => {
                let outcome = format!(
                    "delivered (HTTP {}) on attempt {attempt}",
                    response.status().as_u16()
                );
                sim.store
                    .record_delivery(&tx.transaction_id, index, outcome, true);
                return;
            }
            Ok(response) => format!("HTTP {}", response.status().as_u16()),
            Err(error) if error.is_connect() => "merchant unreachable".to_string(),
            Err(error) if error.is_timeout() => "timed out".to_string(),
            Err(_) => "request failed".to_string(),
        };
        let last = attempt == attempts;
        let outcome = if last {
            format!("gave up after {attempt} attempts: {failure}")
        } else {
            format!("attempt {attempt} failed ({failure}); retrying in {wait:?}")
        };
        tracing::info!(
            "notification {} {} for order {}: {outcome}",
            tx.status.as_str(),
            url,
            tx.order_id
        );
        sim.store
            .record_delivery(&tx.transaction_id, index, outcome, false);
        if last {
            return;
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(sim.config.retry_max_delay);
    }
}

/// Expires the transaction `transaction_id` at its expiry time (unless it has ended or its
/// order was charged again by then), then notifies after the configured late delay.
pub fn schedule_expiry(sim: Arc<Sim>, transaction_id: String, expiry_ms: u64) {
    tokio::spawn(async move {
        let wait = expiry_ms.saturating_sub(jakarta::now_ms());
        tokio::time::sleep(Duration::from_millis(wait)).await;
        if let Ok(tx) = sim
            .store
            .transition(&transaction_id, Status::Expire, jakarta::now_ms())
        {
            tokio::time::sleep(sim.config.late_expire).await;
            deliver(&sim, &tx).await;
        }
    });
}

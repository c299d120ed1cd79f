//! Orders whose charge response was never stored: the process stopped (a crash, a kill, a
//! power cut) between storing the order and storing its charge, or the charge's answer was
//! lost on the way (a timeout, a gateway's error page). Midtrans may or may not have the
//! charge; nobody was shown it. Each is asked about with the status API: unknown to Midtrans,
//! it is marked failed; still pending, it is cancelled (so it cannot be paid unseen) and stored
//! as cancelled; otherwise its status is stored as it is. Orders that cannot be settled now
//! (Midtrans unreachable) are tried again, with pauses growing to a minute.
//!
//! On a SQLite file the shop is one process: at start-up nothing of its own is in flight, and
//! whatever the file holds without a charge was left by the run before. On a database that
//! several instances share, an order without its charge may be one another instance is
//! charging right now, and the instance that left an order over may be gone for good. So every
//! instance looks again every `reconcile_every`, and the one that holds the `reconcile` lease
//! (a row with an expiry, renewed while it works) reconciles the orders stored more than twice
//! the charge timeout ago; when it dies, its lease runs out and another takes over on its next
//! look. Reconciling one order twice would only cost extra status calls: each step asks
//! Midtrans first, and a second cancel is refused.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use tokio::task::JoinHandle;

use crate::db::Update;
use crate::midtrans::Checked;
use crate::{status, App};

/// The lease that lets one instance at a time reconcile.
const LEASE: &str = "reconcile";

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

/// At start-up. On a SQLite file: reads the orders a previous run left without their charge
/// and settles them in the background. On a shared database: starts this instance's periodic
/// look, which the caller stops (aborts) when the shop stops.
pub(crate) async fn spawn(app: Arc<App>) -> Result<Option<JoinHandle<()>>, String> {
    if app.db.shared().is_some() {
        return Ok(Some(tokio::spawn(watch(app))));
    }
    let orders = app
        .db
        .orders_without_charge(None)
        .await
        .map_err(|e| format!("cannot read the orders: {e}"))?;
    if !orders.is_empty() {
        tracing::info!(
            "reconciling {} orders stored without their charge",
            orders.len()
        );
        tokio::spawn(settle(app, orders, Duration::ZERO));
    }
    Ok(None)
}

/// Every `reconcile_every`, from start-up on: a turn at the reconcile, if the lease is free.
async fn watch(app: Arc<App>) {
    let mut looks = tokio::time::interval(app.config.reconcile_every);
    looks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        looks.tick().await;
        if let Err(e) = take_turn(&app).await {
            tracing::warn!("reconcile: {e}; looking again later");
        }
    }
}

/// With the lease: one pass over the left-over orders, renewing the lease meanwhile, and
/// stopping if it is lost (another instance may hold it by then). The lease lasts one
/// `reconcile_every`, so a holder that dies is replaced within two.
async fn take_turn(app: &App) -> Result<(), crate::db::Error> {
    let Some(db) = app.db.shared() else {
        return Ok(());
    };
    let ttl = app.config.reconcile_every;
    if !db.take_lease(LEASE, &app.instance, ttl).await? {
        return Ok(());
    }
    let work = pass(app);
    tokio::pin!(work);
    let mut renewals = tokio::time::interval(ttl / 3);
    renewals.tick().await;
    loop {
        tokio::select! {
            () = &mut work => break,
            _ = renewals.tick() => match db.take_lease(LEASE, &app.instance, ttl).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!("reconcile: the lease passed to another instance; stopping");
                    return Ok(());
                }
                Err(e) => {
                    tracing::warn!("reconcile: cannot renew the lease ({e}); stopping");
                    return Ok(());
                }
            },
        }
    }
    db.release_lease(LEASE, &app.instance).await
}

/// One pass on a shared database: the orders left without their charge (stored more than
/// twice the charge timeout ago: a charge still on its way is not left over), each tried once;
/// those that cannot be settled now are found again on a later pass. The shared tables are
/// tidied on the way.
async fn pass(app: &App) {
    if let Some(db) = app.db.shared() {
        if let Err(e) = db.prune(app.config.status_refresh).await {
            tracing::warn!("reconcile: cannot tidy the shared tables: {e}");
        }
    }
    let orders = match app
        .db
        .orders_without_charge(Some(app.config.charge_timeout * 2))
        .await
    {
        Ok(orders) if orders.is_empty() => return,
        Ok(orders) => orders,
        Err(e) => {
            tracing::warn!("reconcile: cannot read the orders: {e}");
            return;
        }
    };
    tracing::info!(
        "reconciling {} orders stored without their charge (instance {})",
        orders.len(),
        app.instance
    );
    let mut tally = Tally::default();
    for order_id in orders {
        if let Err(reason) = tally.settle_one(app, &order_id).await {
            tracing::warn!("reconcile {order_id}: {reason}; trying again on a later pass");
        }
    }
    tally.report();
}

/// A charge whose answer was lost: settles the order once Midtrans has had time to finish it.
pub(crate) fn check_later(app: Arc<App>, order_id: String) {
    tokio::spawn(settle(app, vec![order_id], Duration::from_secs(2)));
}

async fn settle(app: Arc<App>, orders: Vec<String>, first_pause: Duration) {
    tokio::time::sleep(first_pause).await;
    let mut left = orders;
    let mut pause = Duration::from_secs(1);
    let mut tally = Tally::default();
    loop {
        let mut again = Vec::new();
        for order_id in left {
            if let Err(reason) = tally.settle_one(&app, &order_id).await {
                tracing::warn!("reconcile {order_id}: {reason}; trying again later");
                again.push(order_id);
            }
        }
        if again.is_empty() {
            break;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(60));
        left = again;
    }
    tally.report();
}

/// What a run of reconciles came to.
#[derive(Default)]
struct Tally {
    failed: usize,
    cancelled: usize,
    stored: usize,
}

impl Tally {
    async fn settle_one(&mut self, app: &App, order_id: &str) -> Result<(), String> {
        let outcome = reconcile(app, order_id).await?;
        tracing::info!("reconciled {order_id}: {outcome:?}");
        match outcome {
            Outcome::Failed => self.failed += 1,
            Outcome::Cancelled => self.cancelled += 1,
            Outcome::Stored(_) => self.stored += 1,
        }
        Ok(())
    }

    fn report(&self) {
        let Tally {
            failed,
            cancelled,
            stored,
        } = self;
        tracing::info!(
            "reconciled {} orders: {cancelled} cancelled at Midtrans, {failed} unknown to \
             Midtrans (failed), {stored} already resolved there",
            failed + cancelled + stored
        );
    }
}

async fn reconcile(app: &App, order_id: &str) -> Result<Outcome, String> {
    let update = match app.midtrans.check(order_id).await? {
        Checked::Unknown => {
            app.db
                .charge_failed(order_id)
                .await
                .map_err(|e| format!("storage error: {e}"))?;
            return Ok(Outcome::Failed);
        }
        Checked::Found(update) => update,
    };
    if !status::is_open(&update.transaction_status) {
        let now = update.transaction_status.clone();
        store(app, order_id, &update).await?;
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
            store(app, order_id, &update).await?;
            store(app, order_id, &cancelled).await?;
            Ok(Outcome::Cancelled)
        }
        // Paid or expired in between: store what it is now.
        Some(StatusCode::PRECONDITION_FAILED) => match app.midtrans.check(order_id).await? {
            Checked::Found(update) => {
                let now = update.transaction_status.clone();
                store(app, order_id, &update).await?;
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

async fn store(app: &App, order_id: &str, update: &Update) -> Result<(), String> {
    app.db
        .apply(order_id, update)
        .await
        .map(|_| ())
        .map_err(|e| format!("storage error: {e}"))
}

//! Calls to Midtrans' status API, per order: one at a time, and at most one per interval.
//!
//! The shop asks Midtrans about an order for two reasons, each with a table of its own: the
//! widget's polls refresh an open order, and notifications that claim a result are confirmed.
//! Whoever asks first holds the order's slot until the answer is in; anyone else in the
//! meantime is told so, and nobody asks again about that order until the interval has passed
//! since the last question. A thousand polling widgets, or a storm of replayed notifications,
//! therefore cost at most one status call per order per interval each. The two tables are
//! apart so that a genuine notification arriving just after a poll's check is confirmed at
//! once rather than left to Midtrans' next delivery.
//!
//! A shop that runs as one process keeps the tables in memory ([`StatusCalls`]); several
//! instances on one PostgreSQL database keep them there ([`Calls::Shared`]), on the database's
//! clock, so the bounds hold across instances as they do within one.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::db::{self, postgres};

/// The per-order slots of one process.
pub struct StatusCalls {
    interval: Duration,
    slots: Mutex<HashMap<String, Slot>>,
}

#[derive(Clone, Copy)]
struct Slot {
    /// When the last call started.
    started: Instant,
    in_flight: bool,
}

/// The answer to "may I ask Midtrans about this order now?".
pub enum Claim<'a> {
    /// Yes: the slot is held until the ticket is dropped or released.
    Granted(Ticket<'a>),
    /// Another caller is asking right now.
    InFlight,
    /// The last call started less than the interval ago; this long is left.
    TooSoon(Duration),
}

/// A held slot. Releasing or dropping it (the answer is in, or the caller gave up) frees the
/// order for the next caller once the interval has passed.
#[must_use = "the slot is released when the ticket is dropped"]
pub struct Ticket<'a>(Held<'a>);

enum Held<'a> {
    Local {
        calls: &'a StatusCalls,
        order_id: String,
    },
    Shared {
        db: postgres::Db,
        purpose: &'static str,
        order_id: String,
        holder: i64,
    },
    Released,
}

impl Ticket<'_> {
    /// Frees the slot, and waits until the database has it (a dropped shared ticket frees it
    /// in the background).
    pub async fn release(mut self) {
        // A slot in memory is freed as the ticket drops, at the end of this call.
        if !matches!(self.0, Held::Shared { .. }) {
            return;
        }
        if let Held::Shared {
            db,
            purpose,
            order_id,
            holder,
        } = std::mem::replace(&mut self.0, Held::Released)
        {
            if let Err(e) = db.release_status_call(purpose, &order_id, holder).await {
                // The slot's hold runs out by itself.
                tracing::warn!("status call {order_id}: cannot release the slot: {e}");
            }
        }
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        match std::mem::replace(&mut self.0, Held::Released) {
            Held::Local { calls, order_id } => {
                if let Some(slot) = calls.lock().get_mut(&order_id) {
                    slot.in_flight = false;
                }
            }
            Held::Shared {
                db,
                purpose,
                order_id,
                holder,
            } => {
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    runtime.spawn(async move {
                        let _ = db.release_status_call(purpose, &order_id, holder).await;
                    });
                }
            }
            Held::Released => {}
        }
    }
}

/// The slots of one purpose, in this process or in the database the instances share.
pub enum Calls {
    Local(StatusCalls),
    Shared {
        db: postgres::Db,
        /// Names the table of slots within the database's.
        purpose: &'static str,
        interval: Duration,
    },
}

/// A number naming one held slot, so that only its holder's release frees it (a late release
/// after the hold ran out must not free a slot someone else holds by then).
fn ticket_id() -> i64 {
    let mut random = [0u8; 8];
    if getrandom::fill(&mut random).is_err() {
        // Unique enough without the OS generator: the time, to the nanosecond.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        random = (nanos as u64).to_le_bytes();
    }
    i64::from_le_bytes(random)
}

/// How long a shared slot stays held when its holder never gives it back (it died): longer
/// than any status call takes (`midtrans::Client::check` gives up after 3 s).
const SHARED_HOLD: Duration = Duration::from_secs(10);

impl Calls {
    /// Claims the next status call about `order_id`. `Err` only when the database cannot be
    /// asked.
    pub async fn claim(&self, order_id: &str) -> db::Result<Claim<'_>> {
        let (db, purpose, interval) = match self {
            Calls::Local(calls) => return Ok(calls.claim(order_id)),
            Calls::Shared {
                db,
                purpose,
                interval,
            } => (db, *purpose, *interval),
        };
        let holder = ticket_id();
        Ok(
            match db
                .claim_status_call(purpose, order_id, interval, SHARED_HOLD, holder)
                .await?
            {
                postgres::Claimed::Granted => Claim::Granted(Ticket(Held::Shared {
                    db: db.clone(),
                    purpose,
                    order_id: order_id.to_string(),
                    holder,
                })),
                postgres::Claimed::InFlight => Claim::InFlight,
                postgres::Claimed::TooSoon(left) => Claim::TooSoon(left),
            },
        )
    }
}

/// Slots kept before idle ones are forgotten.
const PRUNE_ABOVE: usize = 10_000;

impl StatusCalls {
    pub fn new(interval: Duration) -> StatusCalls {
        StatusCalls {
            interval,
            slots: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Slot>> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Claims the next status call about `order_id`.
    pub fn claim(&self, order_id: &str) -> Claim<'_> {
        let now = Instant::now();
        let mut slots = self.lock();
        if let Some(slot) = slots.get(order_id) {
            if slot.in_flight {
                return Claim::InFlight;
            }
            let since = now.saturating_duration_since(slot.started);
            if since < self.interval {
                return Claim::TooSoon(self.interval - since);
            }
        }
        if slots.len() > PRUNE_ABOVE {
            let interval = self.interval;
            slots.retain(|_, s| s.in_flight || now.saturating_duration_since(s.started) < interval);
        }
        slots.insert(
            order_id.to_string(),
            Slot {
                started: now,
                in_flight: true,
            },
        );
        Claim::Granted(Ticket(Held::Local {
            calls: self,
            order_id: order_id.to_string(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_call_at_a_time_and_one_per_interval() {
        let calls = StatusCalls::new(Duration::from_millis(200));
        let first = calls.claim("A");
        assert!(matches!(first, Claim::Granted(_)));
        assert!(matches!(calls.claim("A"), Claim::InFlight));
        assert!(
            matches!(calls.claim("B"), Claim::Granted(_)),
            "orders are independent"
        );
        drop(first);
        match calls.claim("A") {
            Claim::TooSoon(left) => assert!(left <= Duration::from_millis(200)),
            _ => panic!("asked again within the interval"),
        }
        std::thread::sleep(Duration::from_millis(220));
        assert!(matches!(calls.claim("A"), Claim::Granted(_)));
    }

    #[test]
    fn a_long_call_holds_the_slot_past_the_interval() {
        let calls = StatusCalls::new(Duration::from_millis(50));
        let held = calls.claim("A");
        std::thread::sleep(Duration::from_millis(80));
        assert!(matches!(calls.claim("A"), Claim::InFlight));
        drop(held);
        assert!(matches!(calls.claim("A"), Claim::Granted(_)));
    }

    #[test]
    fn idle_slots_are_forgotten_when_the_table_is_large() {
        let calls = StatusCalls::new(Duration::from_millis(1));
        for i in 0..=PRUNE_ABOVE {
            let _ = calls.claim(&format!("O-{i}"));
        }
        std::thread::sleep(Duration::from_millis(5));
        let _ = calls.claim("last");
        assert!(calls.lock().len() < 10, "{}", calls.lock().len());
    }
}

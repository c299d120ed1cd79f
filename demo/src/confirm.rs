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

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The per-order slots.
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
    /// Yes: the slot is held until the ticket is dropped.
    Granted(Ticket<'a>),
    /// Another caller is asking right now.
    InFlight,
    /// The last call started less than the interval ago; this long is left.
    TooSoon(Duration),
}

/// A held slot. Dropping it (the answer is in, or the caller gave up) frees the order for the
/// next caller once the interval has passed.
#[must_use = "the slot is released when the ticket is dropped"]
pub struct Ticket<'a> {
    calls: &'a StatusCalls,
    order_id: String,
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        if let Some(slot) = self.calls.lock().get_mut(&self.order_id) {
            slot.in_flight = false;
        }
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
        Claim::Granted(Ticket {
            calls: self,
            order_id: order_id.to_string(),
        })
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

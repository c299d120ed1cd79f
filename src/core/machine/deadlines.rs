//! The live phase's timer table: every instant the machine keeps while the outcome is open
//! is one [`Deadline`], so a clock set back shifts them all ([`Deadlines::shift`]) and
//! [`Deadlines::next_wakeup`] asks each one whether it wakes the machine, and when. A new
//! instant goes here, or it is missed by one of the two.

use std::ops::{Index, IndexMut};

use crate::core::schedule::Policy;

/// One instant of the table, and what it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Deadline {
    /// The request in flight was sent (set exactly while one is in flight). Wakes
    /// the machine at its watchdog, visible or not.
    Sent,
    /// The next request is due (never set while one is in flight). Wakes it while visible.
    NextFetch,
    /// The local (skew-corrected) expiry, until the machine has seen it pass; set
    /// again from the current skew at every settle. Wakes it while visible.
    Expiry,
    /// A return from the app stops showing "confirming". Wakes it while visible, if
    /// still ahead.
    ConfirmUntil,
    /// Quicker polling (page shown again, back online) ends. Never wakes it: it only
    /// shortens the next wait.
    BurstUntil,
    /// The last request ended; an extra check keeps the minimum gap from it. Never wakes it.
    FetchEnded,
    /// The current run of failures began. Never wakes it.
    FailingSince,
    /// The app was opened and the page has stayed visible and focused since: at this
    /// time the app did not open. Wakes it, visible or not (leaving the page clears it).
    AppCheck,
    /// The endpoint asked not to be asked before this (`Retry-After`): no request starts
    /// earlier, whatever else wants one. Never wakes it by itself: it delays `NextFetch`.
    NotBefore,
}

impl Deadline {
    /// Every deadline, in declaration order (checked below).
    pub(super) const ALL: [Deadline; 9] = [
        Deadline::Sent,
        Deadline::NextFetch,
        Deadline::Expiry,
        Deadline::ConfirmUntil,
        Deadline::BurstUntil,
        Deadline::FetchEnded,
        Deadline::FailingSince,
        Deadline::AppCheck,
        Deadline::NotBefore,
    ];

    /// When this deadline, set to `at`, wakes the machine, if it does.
    /// `visible`: the page is visible and the widget polls.
    pub(super) fn wake(
        self,
        at: i64,
        times: &Deadlines,
        visible: bool,
        last_now: i64,
        policy: &Policy,
    ) -> Option<i64> {
        match self {
            Deadline::Sent => Some(watchdog_at(at, policy)),
            Deadline::AppCheck => Some(at),
            Deadline::NextFetch => (visible && !times.in_flight())
                .then_some(times[Deadline::NotBefore].map_or(at, |nb| at.max(nb))),
            Deadline::Expiry => visible.then_some(at),
            Deadline::ConfirmUntil => (visible && at > last_now).then_some(at),
            Deadline::BurstUntil
            | Deadline::FetchEnded
            | Deadline::FailingSince
            | Deadline::NotBefore => None,
        }
    }
}

/// The machine gives up on a request sent at `sent` the driver never answered.
pub(super) fn watchdog_at(sent: i64, policy: &Policy) -> i64 {
    sent + i64::from(policy.timeout_ms) + policy.watchdog_slack_ms
}

// `Deadline::ALL` lists every deadline once, so the table has a slot for each.
const _: () = {
    let mut i = 0;
    while i < Deadline::ALL.len() {
        assert!(Deadline::ALL[i] as usize == i);
        i += 1;
    }
};

/// The live phase's instants, one optional slot per [`Deadline`].
#[derive(Debug, Default)]
pub(super) struct Deadlines([Option<i64>; Deadline::ALL.len()]);

impl Deadlines {
    /// Moves every instant set by `d` ms.
    pub(super) fn shift(&mut self, d: i64) {
        for t in self.0.iter_mut().flatten() {
            *t = t.saturating_add(d);
        }
    }

    /// A request is in flight (exactly while [`Deadline::Sent`] is set).
    pub(super) fn in_flight(&self) -> bool {
        self[Deadline::Sent].is_some()
    }

    /// The earliest instant that wakes the machine, if any (`visible` as for
    /// [`Deadline::wake`]).
    pub(super) fn next_wakeup(&self, visible: bool, last_now: i64, policy: &Policy) -> Option<i64> {
        Deadline::ALL
            .into_iter()
            .filter_map(|d| d.wake(self[d]?, self, visible, last_now, policy))
            .min()
    }
}

impl Index<Deadline> for Deadlines {
    type Output = Option<i64>;

    fn index(&self, d: Deadline) -> &Option<i64> {
        &self.0[d as usize]
    }
}

impl IndexMut<Deadline> for Deadlines {
    fn index_mut(&mut self, d: Deadline) -> &mut Option<i64> {
        &mut self.0[d as usize]
    }
}

//! The payment lifecycle as a sans-IO state machine: inputs with the time in, commands out.
//!
//! The browser side builds it with a [`Config`] (and a [`Snapshot`] saved by an
//! earlier page for the order, if any), feeds it inputs with the current time and
//! carries out the commands it returns; it asks [`Machine::next_wakeup`] when to
//! deliver the next [`Input::Tick`]. There is no clock, timer, request or storage
//! in here, so every timing rule can be tested with a fake clock.
//!
//! Rules worth knowing when driving it:
//! - [`Config`] carries the facts known at the start (the page's visibility, a
//!   page loaded by the app's callback, whether there is a status endpoint), so
//!   [`Input::Start`] needs no inputs before it: a hidden page does not ask and a
//!   return does not reopen the app. Inputs before `Start` are ignored, except
//!   `AppOpened` (a tap is remembered).
//! - Only the status endpoint decides success. The charge's own status only
//!   picks the first screen: `pending` starts in [`State::Pending`] (with the
//!   first `gopay-status`), anything else in [`State::Loading`] until the
//!   endpoint answers.
//! - One status request at a time. The driver answers each [`Command::Fetch`]
//!   with exactly one `StatusResponse` or `RequestFailed`, and after
//!   [`Command::AbortFetch`] it drops that request's result. Answers that arrive
//!   when no request is outstanding are ignored as duplicates.
//! - `gopay-error` means the widget has stopped for good: it fires once, in
//!   [`State::Error`], with no request in flight and nothing scheduled after it.
//!   Failures it keeps trying through (non-2xx, unreadable bodies, network errors,
//!   timeouts) are not errors: they slow polling down and raise the "trouble" flag,
//!   and past the retry budget one `gopay-status` with code `status_unreachable`
//!   tells the page; polling goes on, so the widget recovers by itself.
//! - An answer for another order is fatal (`order_mismatch`): an endpoint that answers
//!   for another order is misconfigured or tampered with, asking again cannot fix it,
//!   and nothing it says about this order can be trusted. So is an answer naming another
//!   transaction (`transaction_mismatch`) or another amount (`amount_mismatch`) than the
//!   charge's: a success needs an answer that agrees with the charge.
//! - A `capture` is a success only with `fraud_status` `accept`; `deny` is a failure, and
//!   a capture still under review (or without one) is waited on like `pending`.
//! - A charge that does not say pending and an endpoint that never confirms anything
//!   before the grace window ends: the widget stops with `status_unreachable` (it
//!   cannot claim an outcome, and waiting longer would be waiting for ever).
//! - After the (skew-corrected) expiry the state is `Confirming` for
//!   [`Policy::grace_ms`]. A settlement inside the window is a success; an
//!   endpoint `expire` ends it at once; otherwise the first request that ends
//!   after the window closes it as `expire`, decided locally (the events carry
//!   code `expired_locally`).
//! - Refunds and chargebacks end in [`State::Reversed`] and emit only
//!   `gopay-status` with the reversed status: the contract has no terminal
//!   event for them, and firing `gopay-success` would be wrong.
//! - Without a status endpoint (`polling: false`) the widget only displays the
//!   charge: it never asks, never opens the app by itself and never reports an
//!   outcome, and `Visibility` and `Online` change nothing.
//! - The app opens by itself at most once per transaction: only in the phone
//!   flow (`app_first`), with polling, on a page not loaded by the callback,
//!   visible, pending, soon after the first start, and never after a tap.
//! - A hidden page asks nothing and wants no wake-up except the watchdog of a
//!   request already out.
//!
//! Inside, the machine is in one `Phase` (`phase.rs`): not started, live, ended or
//! destroyed. What matters only while the outcome is open (the request in flight,
//! the schedule, the confirm window, failures) exists only in the live phase, and
//! every instant it keeps is one row of the `Deadline` table (`deadlines.rs`), which
//! says whether and when it wakes the machine. Its vocabulary (`vocabulary.rs`) is
//! what the driver, the view and the snapshot's text form share; the transitions
//! (`transitions.rs`) are how each input moves it.

mod deadlines;
mod phase;
#[cfg(test)]
mod tests;
mod transitions;
pub(in crate::core) mod vocabulary;

pub use vocabulary::{
    Command, Config, Event, EventKind, Input, Snapshot, State, View, CODE_AMOUNT_MISMATCH,
    CODE_EXPIRED_LOCALLY, CODE_ORDER_MISMATCH, CODE_TRANSACTION_MISMATCH, CODE_UNKNOWN_STATUS,
    CODE_UNREACHABLE,
};

use std::ops::ControlFlow;

use super::countdown;
use super::schedule::Policy;
use super::status;
use phase::{Outbox, Phase};

/// The payment lifecycle of one order on one page.
#[derive(Debug)]
pub struct Machine {
    config: Config,
    policy: Policy,
    phase: Phase,
    /// Canonical last known `transaction_status`.
    status: String,
    status_code: Option<String>,
    reply_transaction_id: Option<String>,
    reply_gross_amount: Option<String>,
    confirmed: bool,
    emitted_status: Option<String>,
    app_open_attempted: bool,
    unreachable_reported: bool,
    mismatch_reported: bool,
    skew_ms: i64,
    /// Local time of the first start for this order; the cadence counts from it.
    started_ms: i64,
    last_now: i64,
}

impl Machine {
    pub fn new(config: Config, restored: Option<Snapshot>, now_ms: i64) -> Machine {
        Machine::with_policy(config, restored, now_ms, Policy::default())
    }

    /// As [`Machine::new`] with other timings (tests, benchmarks).
    pub fn with_policy(
        config: Config,
        restored: Option<Snapshot>,
        now_ms: i64,
        policy: Policy,
    ) -> Machine {
        let restored = restored.filter(|s| s.order_id == config.order_id && s.is_consistent());
        let mut m = Machine {
            phase: Phase::NotStarted,
            status: status::canonical_status(&config.initial_status),
            status_code: None,
            reply_transaction_id: None,
            reply_gross_amount: None,
            confirmed: false,
            emitted_status: None,
            // A page loaded by the app's callback must not send the shopper back there.
            app_open_attempted: config.returned_from_app.is_some(),
            unreachable_reported: false,
            mismatch_reported: false,
            skew_ms: 0,
            started_ms: now_ms,
            last_now: now_ms,
            config,
            policy,
        };
        if let Some(s) = restored {
            if s.state.is_terminal() {
                m.phase = Phase::Ended(s.state);
            }
            m.status = s.transaction_status;
            m.status_code = s.status_code;
            m.confirmed = s.confirmed;
            m.app_open_attempted |= s.app_open_attempted;
            m.unreachable_reported = s.unreachable_reported;
            m.mismatch_reported = s.mismatch_reported;
            m.skew_ms = s.skew_ms;
            // A start "in the future" means the clock was changed: count from now.
            m.started_ms = s.started_ms.min(now_ms);
        }
        m
    }

    pub fn handle(&mut self, input: Input, now_ms: i64) -> Vec<Command> {
        if matches!(self.phase, Phase::Destroyed { .. }) {
            return Vec::new();
        }
        self.advance_clock(now_ms);
        let now = now_ms;
        if input == Input::Destroy {
            return self.destroy();
        }
        let mut out = Outbox::default();
        let mut live = match std::mem::replace(&mut self.phase, Phase::NotStarted) {
            Phase::Live(live) => live,
            Phase::NotStarted if input == Input::Start => self.start(now, &mut out),
            phase => {
                // Before the start the config has the facts; only a tap is remembered.
                if matches!(phase, Phase::NotStarted) && input == Input::AppOpened {
                    self.app_open_attempted = true;
                }
                self.phase = phase;
                return Vec::new();
            }
        };
        self.phase = match self.step(&mut live, input, now, &mut out) {
            ControlFlow::Continue(()) => Phase::Live(live),
            ControlFlow::Break(state) => Phase::Ended(state),
        };
        self.finish(out)
    }

    /// When to deliver the next `Tick`; `None` when nothing is due (terminal,
    /// destroyed, not started, or hidden with no request outstanding).
    pub fn next_wakeup(&self) -> Option<i64> {
        let Phase::Live(live) = &self.phase else {
            return None;
        };
        live.times
            .next_wakeup(live.visible, self.last_now, &self.policy)
            .map(|t| t.max(self.last_now))
    }

    pub fn view(&self, now_ms: i64) -> View {
        let remaining_ms = countdown::remaining_ms(self.config.expiry_ms, now_ms, self.skew_ms);
        let state = self.state();
        let live = !state.is_terminal();
        let trouble_since = match &self.phase {
            Phase::Live(l) => l.trouble_since(),
            Phase::Destroyed { trouble_since, .. } => *trouble_since,
            Phase::NotStarted | Phase::Ended(_) => None,
        };
        View {
            state,
            remaining_ms,
            trouble: live
                && trouble_since
                    .is_some_and(|t| now_ms.saturating_sub(t) >= self.policy.trouble_after_ms),
            local_expired: live && remaining_ms == 0,
            app_not_opened: matches!(&self.phase, Phase::Live(l) if l.app_not_opened),
            display_only: !self.config.polling,
            last_status: self.status.clone(),
        }
    }

    pub fn in_flight(&self) -> bool {
        matches!(&self.phase, Phase::Live(l) if l.in_flight())
    }

    pub fn state(&self) -> State {
        match &self.phase {
            Phase::NotStarted => State::Loading,
            Phase::Live(l) => l.stage.state(),
            Phase::Ended(state) | Phase::Destroyed { state, .. } => *state,
        }
    }

    /// Server time minus local time, as currently estimated.
    pub fn skew_ms(&self) -> i64 {
        self.skew_ms
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            order_id: self.config.order_id.clone(),
            state: self.state(),
            transaction_status: self.status.clone(),
            status_code: self.status_code.clone(),
            confirmed: self.confirmed,
            app_open_attempted: self.app_open_attempted,
            unreachable_reported: self.unreachable_reported,
            mismatch_reported: self.mismatch_reported,
            skew_ms: self.skew_ms,
            started_ms: self.started_ms,
        }
    }
}

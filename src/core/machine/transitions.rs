//! How each input moves the machine: the start, the answers and failures of the status
//! request, the page's signals, and the work that depends only on time (`settle`);
//! then the commands, in a safe order.

use std::ops::ControlFlow;

use super::deadlines::{watchdog_at, Deadline, Deadlines};
use super::phase::{Flow, Live, Outbox, Phase, Stage};
use super::vocabulary::{
    Command, Event, EventKind, Input, State, CODE_AMOUNT_MISMATCH, CODE_EXPIRED_LOCALLY,
    CODE_ORDER_MISMATCH, CODE_TRANSACTION_MISMATCH, CODE_UNKNOWN_STATUS, CODE_UNREACHABLE,
};
use super::Machine;
use crate::core::countdown;
use crate::core::schedule::SplitMix64;
use crate::core::snapshot::{MAX_SKEW_MS, MAX_TIME_MS};
use crate::core::status::{self, Outcome, StatusReply};

impl Machine {
    /// A clock set back moves every pending deadline with it, so nothing stalls
    /// for the size of the jump, and the skew keeps the countdown where it was.
    pub(super) fn advance_clock(&mut self, now: i64) {
        if now < self.last_now {
            let d = now - self.last_now;
            if let Phase::Live(live) = &mut self.phase {
                live.times.shift(d);
            }
            // Not before `Date`'s first moment: a snapshot holds no earlier start.
            self.started_ms = self.started_ms.saturating_add(d).max(-MAX_TIME_MS);
            self.skew_ms = self
                .skew_ms
                .saturating_sub(d)
                .clamp(-MAX_SKEW_MS, MAX_SKEW_MS);
        }
        self.last_now = now;
    }

    pub(super) fn destroy(&mut self) -> Vec<Command> {
        let (trouble_since, in_flight) = match &self.phase {
            Phase::Live(live) => (live.trouble_since(), live.in_flight()),
            _ => (None, false),
        };
        self.phase = Phase::Destroyed {
            state: self.state(),
            trouble_since,
        };
        if in_flight {
            vec![Command::AbortFetch]
        } else {
            Vec::new()
        }
    }

    pub(super) fn start(&mut self, now: i64, out: &mut Outbox) -> Live {
        let mut live = Live {
            stage: Stage::Loading,
            visible: self.config.visible && self.config.polling,
            times: Deadlines::default(),
            check_after_flight: false,
            failures: 0,
            confirm_hold: false,
            app_not_opened: false,
            page_hidden: !self.config.visible,
            rng: SplitMix64::new(self.config.seed),
        };
        live.times[Deadline::NextFetch] = Some(now);
        live.times[Deadline::Expiry] = Some(self.expiry_local());
        if let Some(result) = self.config.returned_from_app.clone() {
            self.begin_confirm(&mut live, result, now);
        }
        if self.charge_says_pending() {
            self.emit_status(None, None, out);
        }
        out.persist = true;
        live
    }

    /// One input to a live machine, then the work that depends only on time.
    pub(super) fn step(
        &mut self,
        live: &mut Live,
        input: Input,
        now: i64,
        out: &mut Outbox,
    ) -> Flow {
        if let Input::Visibility { visible } = input {
            live.page_hidden = !visible;
        }
        // The page hidden or unfocused after an app opening: the app (or its prompt) came up.
        if matches!(
            input,
            Input::Visibility { visible: false } | Input::Focus { focused: false }
        ) {
            live.times[Deadline::AppCheck] = None;
            live.app_not_opened = false;
        }
        match input {
            Input::Start | Input::Tick | Input::Destroy | Input::Focus { .. } => {}
            Input::StatusResponse {
                http_status,
                reply,
                date_ms,
                retry_after_ms,
            } => self.on_response(
                live,
                http_status,
                reply,
                (date_ms, retry_after_ms),
                now,
                out,
            )?,
            Input::RequestFailed { .. } => {
                if live.times[Deadline::Sent].take().is_some() {
                    live.times[Deadline::FetchEnded] = Some(now);
                    self.on_failure(live, now, out)?;
                }
            }
            // Display only: nothing to check, nothing to open.
            Input::Visibility { .. } | Input::Online if !self.config.polling => {}
            Input::Visibility { visible } => {
                if visible && !live.visible {
                    live.times[Deadline::BurstUntil] = Some(now + self.policy.burst_for_ms);
                    self.check_soon(live, now);
                }
                live.visible = visible;
            }
            Input::Online => {
                live.times[Deadline::BurstUntil] = Some(now + self.policy.burst_for_ms);
                self.check_soon(live, now);
            }
            Input::AppOpened => {
                if !self.app_open_attempted {
                    self.app_open_attempted = true;
                    out.persist = true;
                }
                self.check_app(live, now);
            }
        }
        self.settle(live, now, out)
    }

    /// The last known status (from the charge or a snapshot) is a real pending-like one.
    fn charge_says_pending(&self) -> bool {
        status::outcome(&self.status).is_pending_like() && !self.status.trim().is_empty()
    }

    /// A non-2xx answer's `Retry-After`: nothing is asked before it (bounded, so a hostile
    /// or mistaken header cannot silence the widget past the grace window).
    fn hold_off(&self, live: &mut Live, retry_after_ms: Option<i64>, now: i64) {
        let Some(ms) = retry_after_ms.filter(|&ms| ms > 0) else {
            return;
        };
        let until = now.saturating_add(ms.min(self.policy.retry_after_max_ms));
        let until = if now < self.grace_end() {
            until.min(self.grace_end())
        } else {
            until
        };
        live.times[Deadline::NotBefore] = Some(until);
        if let Some(next) = &mut live.times[Deadline::NextFetch] {
            *next = (*next).max(until);
        }
    }

    fn begin_confirm(&self, live: &mut Live, result: Option<String>, now: i64) {
        live.times[Deadline::ConfirmUntil] = Some(now + self.policy.confirm_window_ms);
        live.confirm_hold = result.is_some_and(|r| r.eq_ignore_ascii_case("success"));
    }

    /// An extra check as soon as the one-request rule and the minimum gap allow.
    fn check_soon(&self, live: &mut Live, now: i64) {
        if live.in_flight() {
            live.check_after_flight = true;
            return;
        }
        let earliest = live.times[Deadline::FetchEnded]
            .map_or(now, |end| (end + self.policy.min_gap_ms).max(now));
        let next = &mut live.times[Deadline::NextFetch];
        *next = Some(next.map_or(earliest, |t| t.min(earliest)));
    }

    fn on_response(
        &mut self,
        live: &mut Live,
        http_status: u16,
        reply: Option<StatusReply>,
        // What the answer's headers said: its `Date` and `Retry-After`.
        (date_ms, retry_after_ms): (Option<i64>, Option<i64>),
        now: i64,
        out: &mut Outbox,
    ) -> Flow {
        // Only the answer to the request out counts: a late or duplicate one (after the
        // watchdog gave up) changes nothing, its Retry-After included.
        let Some(sent) = live.times[Deadline::Sent].take() else {
            return ControlFlow::Continue(());
        };
        live.times[Deadline::FetchEnded] = Some(now);
        if let Some(date) = date_ms {
            self.observe_date(date, sent, now, out);
        }
        if !(200..300).contains(&http_status) {
            self.on_failure(live, now, out)?;
            self.hold_off(live, retry_after_ms, now);
            return ControlFlow::Continue(());
        }
        let Some(reply) = reply else {
            return self.on_failure(live, now, out);
        };
        let config = &self.config;
        let mismatch = if reply
            .order_id
            .as_ref()
            .is_some_and(|o| *o != config.order_id)
        {
            Some((
                CODE_ORDER_MISMATCH,
                "the status endpoint answered for another order_id; stopped checking",
            ))
        } else if reply.transaction_id.as_ref().is_some_and(|t| {
            !t.is_empty()
                && !config.transaction_id.is_empty()
                && !t.eq_ignore_ascii_case(&config.transaction_id)
        }) {
            Some((
                CODE_TRANSACTION_MISMATCH,
                "the status endpoint answered for another transaction_id; stopped checking",
            ))
        } else if reply
            .gross_amount
            .as_ref()
            .is_some_and(|g| !status::same_amount(g, &config.gross_amount))
        {
            Some((
                CODE_AMOUNT_MISMATCH,
                "the status endpoint's gross_amount is not the charge's; stopped checking",
            ))
        } else {
            None
        };
        if let Some((code, message)) = mismatch {
            self.mismatch_reported = true;
            return self.stop(code, message, out);
        }
        live.failures = 0;
        live.times[Deadline::FailingSince] = None;
        self.apply_reply(live, reply, now, out)
    }

    fn apply_reply(
        &mut self,
        live: &mut Live,
        reply: StatusReply,
        now: i64,
        out: &mut Outbox,
    ) -> Flow {
        let outcome = reply.outcome();
        if let Some(id) = reply.transaction_id.filter(|id| !id.is_empty()) {
            self.reply_transaction_id = Some(id);
        }
        if reply.gross_amount.is_some() {
            self.reply_gross_amount = reply.gross_amount;
        }
        if !self.confirmed || self.status_code != reply.status_code {
            out.persist = true;
        }
        self.confirmed = true;
        self.status = status::canonical_status(&reply.transaction_status);
        self.status_code = reply.status_code;
        let unknown = matches!(outcome, Outcome::Unknown(_)).then(|| {
            (
                CODE_UNKNOWN_STATUS,
                "unrecognised transaction_status, treated as pending".to_owned(),
            )
        });
        match unknown {
            Some((code, message)) => self.emit_status(Some(code), Some(message), out),
            None => self.emit_status(None, None, out),
        }
        let terminal = match outcome {
            Outcome::Paid => Some((State::Success, Some(EventKind::Success))),
            Outcome::Failed => Some((State::Failure, Some(EventKind::Failure))),
            Outcome::Expired => Some((State::Expire, Some(EventKind::Expire))),
            Outcome::Reversed => Some((State::Reversed, None)),
            Outcome::Pending | Outcome::Unknown(_) => None,
        };
        if let Some((state, kind)) = terminal {
            return self.end(state, kind, None, None, out);
        }
        // An answer ends confirming (every request is sent after the return, which only a
        // start brings), unless the app said success.
        if !live.confirm_hold {
            live.times[Deadline::ConfirmUntil] = None;
        }
        if self.past_grace(now) {
            return self.expire_locally(out);
        }
        self.schedule_next(live, now);
        ControlFlow::Continue(())
    }

    fn on_failure(&mut self, live: &mut Live, now: i64, out: &mut Outbox) -> Flow {
        live.failures = live.failures.saturating_add(1);
        let since = *live.times[Deadline::FailingSince].get_or_insert(now);
        let pending_like = status::outcome(&self.status).is_pending_like();
        if self.past_grace(now) && !pending_like {
            // The charge said it had ended, and the endpoint never confirmed anything:
            // no outcome can be claimed, and waiting longer would be waiting for ever.
            self.unreachable_reported = true;
            return self.stop(
                CODE_UNREACHABLE,
                "the status endpoint never confirmed the outcome before the grace window ended",
                out,
            );
        }
        let p = &self.policy;
        if !self.unreachable_reported
            && live.failures >= 3
            && (live.failures >= p.error_after_failures || now - since >= p.error_after_ms)
        {
            self.unreachable_reported = true;
            out.persist = true;
            let message = "the status endpoint keeps failing; still retrying".to_owned();
            let e = self.event(EventKind::Status, Some(CODE_UNREACHABLE), Some(message));
            out.events.push(e);
        }
        if self.past_grace(now) {
            return self.expire_locally(out);
        }
        self.schedule_next(live, now);
        ControlFlow::Continue(())
    }

    /// `Date` has 1 s resolution and stamps some moment of the round trip, so a
    /// new estimate replaces the old one only when they differ by more than that
    /// uncertainty: small skews are ignored and the countdown does not jitter.
    fn observe_date(&mut self, date_ms: i64, sent: i64, now: i64, out: &mut Outbox) {
        if date_ms <= 0 {
            return;
        }
        let rtt = (now - sent).max(0);
        let sample = date_ms.saturating_add(500).saturating_sub(sent + rtt / 2);
        if sample.abs() > MAX_SKEW_MS {
            return;
        }
        if (sample - self.skew_ms).abs() > 2_000 + rtt / 2 {
            self.skew_ms = sample;
            out.persist = true;
        }
    }

    fn schedule_next(&self, live: &mut Live, now: i64) {
        let mut wait = i64::from(self.cadence_ms(live, now));
        if live.failures > 0 {
            // Never sooner than the cadence, so a failing endpoint can only
            // lower the request count.
            let backoff = self.policy.backoff.delay_ms(live.failures, &mut live.rng);
            wait = wait.max(i64::from(backoff));
        }
        let mut next = now + wait;
        if std::mem::take(&mut live.check_after_flight) {
            next = next.min(now + self.policy.min_gap_ms);
        }
        let grace_end = self.grace_end();
        if now < grace_end {
            next = next.min(grace_end);
        }
        live.times[Deadline::NextFetch] = Some(next.max(now));
    }

    fn cadence_ms(&self, live: &Live, now: i64) -> u32 {
        let p = &self.policy;
        let mut ms = if self.locally_expired(now) {
            p.grace.at(now - self.expiry_local())
        } else {
            let left = countdown::remaining_ms(self.config.expiry_ms, now, self.skew_ms);
            p.cadence.at(now - self.started_ms).min(p.endgame.at(left))
        };
        if live.times[Deadline::ConfirmUntil].is_some_and(|t| now < t) {
            ms = ms.min(p.confirming_ms);
        }
        if live.times[Deadline::BurstUntil].is_some_and(|t| now < t) {
            ms = ms.min(p.burst_ms);
        }
        ms
    }

    fn expiry_local(&self) -> i64 {
        self.config.expiry_ms.saturating_sub(self.skew_ms)
    }

    fn grace_end(&self) -> i64 {
        self.expiry_local().saturating_add(self.policy.grace_ms)
    }

    fn locally_expired(&self, now: i64) -> bool {
        countdown::remaining_ms(self.config.expiry_ms, now, self.skew_ms) == 0
    }

    fn past_grace(&self, now: i64) -> bool {
        now >= self.grace_end()
    }

    /// The automatic app opening: once, in the phone flow with polling, on a page
    /// not loaded by the callback, visible, pending, soon after the first start.
    fn may_open_app(&self, live: &Live, now: i64) -> bool {
        self.config.app_first
            && self.config.polling
            && self.config.returned_from_app.is_none()
            && !self.app_open_attempted
            && live.visible
            && live.stage == Stage::Pending
            && now - self.started_ms <= self.policy.open_app_window_ms
    }

    /// The app is being opened: no hint until the check says it did not open. A page hidden
    /// already cannot tell, so it is not checked.
    fn check_app(&self, live: &mut Live, now: i64) {
        live.app_not_opened = false;
        live.times[Deadline::AppCheck] =
            (!live.page_hidden).then_some(now + self.policy.app_check_ms);
    }

    /// Work that depends only on time: the request watchdog, the expiry edge,
    /// the derived state, the automatic app opening and a due request.
    fn settle(&mut self, live: &mut Live, now: i64, out: &mut Outbox) -> Flow {
        if let Some(sent) = live.times[Deadline::Sent] {
            if now >= watchdog_at(sent, &self.policy) {
                live.times[Deadline::Sent] = None;
                live.times[Deadline::FetchEnded] = Some(now);
                out.abort = true;
                self.on_failure(live, now, out)?;
            }
        }
        let expired = self.locally_expired(now);
        if expired && live.times[Deadline::Expiry].is_some() && !live.in_flight() {
            let next = &mut live.times[Deadline::NextFetch];
            let soon = now + i64::from(self.policy.grace.at(0));
            *next = Some(next.map_or(soon, |t| t.min(soon)));
        }
        live.times[Deadline::Expiry] = (!expired).then(|| self.expiry_local());
        if live.times[Deadline::ConfirmUntil].is_some_and(|t| t <= now) {
            live.times[Deadline::ConfirmUntil] = None;
        }
        let desired = if expired || live.times[Deadline::ConfirmUntil].is_some_and(|t| now < t) {
            Stage::Confirming
        } else if self.confirmed || self.charge_says_pending() {
            Stage::Pending
        } else {
            Stage::Loading
        };
        if live.stage != desired {
            live.stage = desired;
            out.persist = true;
        }
        if self.may_open_app(live, now) {
            self.app_open_attempted = true;
            out.open_app = true;
            out.persist = true;
            self.check_app(live, now);
        }
        if live.times[Deadline::AppCheck].is_some_and(|t| t <= now) {
            live.times[Deadline::AppCheck] = None;
            live.app_not_opened = true;
        }
        if live.visible
            && !live.in_flight()
            && live.times[Deadline::NextFetch].is_some_and(|t| t <= now)
            && live.times[Deadline::NotBefore].is_none_or(|t| t <= now)
        {
            live.times[Deadline::NextFetch] = None;
            live.times[Deadline::NotBefore] = None;
            live.times[Deadline::Sent] = Some(now);
            out.fetch = true;
        }
        ControlFlow::Continue(())
    }

    fn emit_status(
        &mut self,
        code: Option<&'static str>,
        message: Option<String>,
        out: &mut Outbox,
    ) {
        if self.emitted_status.as_deref() == Some(self.status.as_str()) {
            return;
        }
        self.emitted_status = Some(self.status.clone());
        out.persist = true;
        let e = self.event(EventKind::Status, code, message);
        out.events.push(e);
    }

    fn expire_locally(&mut self, out: &mut Outbox) -> Flow {
        let message =
            "expiry_time passed and the merchant still reported pending after the grace window"
                .to_owned();
        self.status = "expire".to_owned();
        self.status_code = None;
        self.emit_status(Some(CODE_EXPIRED_LOCALLY), Some(message.clone()), out);
        self.end(
            State::Expire,
            Some(EventKind::Expire),
            Some(CODE_EXPIRED_LOCALLY),
            Some(message),
            out,
        )
    }

    /// The widget stops for good: the error state, its one `gopay-error`.
    fn stop(&mut self, code: &'static str, message: &str, out: &mut Outbox) -> Flow {
        self.end(
            State::Error,
            Some(EventKind::Error),
            Some(code),
            Some(message.to_owned()),
            out,
        )
    }

    /// The outcome is decided: the live phase ends (nothing is in flight here).
    fn end(
        &mut self,
        state: State,
        kind: Option<EventKind>,
        code: Option<&'static str>,
        message: Option<String>,
        out: &mut Outbox,
    ) -> Flow {
        out.persist = true;
        if let Some(kind) = kind {
            let e = self.event(kind, code, message);
            out.events.push(e);
        }
        ControlFlow::Break(state)
    }

    fn event(&self, kind: EventKind, code: Option<&'static str>, message: Option<String>) -> Event {
        let transaction_id = match &self.reply_transaction_id {
            Some(id) if self.config.transaction_id.is_empty() => id.clone(),
            _ => self.config.transaction_id.clone(),
        };
        let gross_amount = self
            .reply_gross_amount
            .clone()
            .or_else(|| Some(self.config.gross_amount.clone()).filter(|g| !g.is_empty()));
        Event {
            kind,
            order_id: self.config.order_id.clone(),
            transaction_id,
            transaction_status: self.status.clone(),
            status_code: self.status_code.clone(),
            gross_amount,
            code,
            message,
        }
    }

    pub(super) fn finish(&self, out: Outbox) -> Vec<Command> {
        let mut cmds = Vec::new();
        if out.abort {
            cmds.push(Command::AbortFetch);
        }
        if out.persist {
            cmds.push(Command::Persist(self.snapshot()));
        }
        cmds.extend(out.events.into_iter().map(Command::Emit));
        if out.open_app {
            cmds.push(Command::OpenApp);
        }
        if out.fetch {
            cmds.push(Command::Fetch {
                timeout_ms: self.policy.timeout_ms,
            });
        }
        cmds
    }
}

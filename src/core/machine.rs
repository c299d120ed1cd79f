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
//!   outcome, and `Visibility`, `Online` and `ReturnedFromApp` change nothing.
//! - The app opens by itself at most once per transaction: only in the phone
//!   flow (`app_first`), with polling, on a page not loaded by the callback,
//!   visible, pending, soon after the first start, and never after a tap.
//! - A hidden page asks nothing and wants no wake-up except the watchdog of a
//!   request already out.
//!
//! Inside, the machine is in one `Phase`: not started, live, ended or
//! destroyed. What matters only while the outcome is open (the request in flight,
//! the schedule, the confirm window, failures) exists only in the live phase, and
//! every instant it keeps is one row of the `Deadline` table, which says whether
//! and when it wakes the machine.

use std::ops::{ControlFlow, Index, IndexMut};

use super::countdown;
use super::json::Value;
use super::schedule::{Policy, SplitMix64};
use super::snapshot::{MAX_SKEW_MS, MAX_TIME_MS};
use super::status::{self, Outcome, StatusReply};

pub use super::snapshot::Snapshot;

/// Code on the one `gopay-status` sent when the status endpoint has kept failing past the
/// retry budget (polling goes on); and the `gopay-error` code when it never confirmed
/// anything for a charge that did not say pending, once the grace window is over.
pub const CODE_UNREACHABLE: &str = "status_unreachable";
/// `gopay-error` code: the endpoint answered for another order; the widget stops.
pub const CODE_ORDER_MISMATCH: &str = "order_mismatch";
/// `gopay-error` code: the endpoint named another transaction than the charge's; the widget
/// stops. Midtrans refuses a second charge with the same `order_id`, so another transaction
/// for this order is not an honest report on this charge.
pub const CODE_TRANSACTION_MISMATCH: &str = "transaction_mismatch";
/// `gopay-error` code: the endpoint's `gross_amount` is not the charge's (or not an amount);
/// the widget stops.
pub const CODE_AMOUNT_MISMATCH: &str = "amount_mismatch";
/// Code on a `gopay-status` whose status is not a known Midtrans one (treated as pending).
pub const CODE_UNKNOWN_STATUS: &str = "unknown_status";
/// Code on the `gopay-status` and `gopay-expire` the widget decided itself.
pub const CODE_EXPIRED_LOCALLY: &str = "expired_locally";

/// What the widget knows about the charge when it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub order_id: String,
    pub transaction_id: String,
    pub gross_amount: String,
    /// The charge's `expiry_time` as Unix milliseconds.
    pub expiry_ms: i64,
    /// The charge's `transaction_status`.
    pub initial_status: String,
    /// Seed for retry jitter.
    pub seed: u64,
    /// The phone flow, where the app opens by itself: the view shows the GoPay app button
    /// first and the page did not turn the automatic opening off ([`crate::core::plan::Plan`]).
    pub app_first: bool,
    /// A status endpoint was given. Without one the widget only displays the charge:
    /// it never asks, never opens the app by itself, never reports an outcome.
    pub polling: bool,
    /// The page is visible when the widget starts.
    pub visible: bool,
    /// The page was loaded by the app's callback for this order (`Some(result)`, the
    /// `result` parameter if any), or not (`None`).
    pub returned_from_app: Option<Option<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// First input after construction: the [`Config`] says everything known at the
    /// start. Inputs before it are ignored, except [`Input::AppOpened`].
    Start,
    /// The status request ended with an HTTP answer. `body` is `None` when it was
    /// not JSON; `date_ms` is the `Date` header, if any.
    StatusResponse {
        http_status: u16,
        body: Option<Value>,
        date_ms: Option<i64>,
        /// The `Retry-After` header of a non-2xx answer, in ms from now: the next request
        /// waits at least this long (up to [`Policy::retry_after_max_ms`]).
        retry_after_ms: Option<i64>,
    },
    /// Network error, offline, or aborted by its timeout.
    RequestFailed { timed_out: bool },
    /// The wake-up time (or a later time) arrived; extra ticks are harmless.
    Tick,
    /// The page was shown or hidden.
    Visibility { visible: bool },
    /// The browser is back online.
    Online,
    /// The app's callback for this order reached the page after the start (the driver
    /// checks the match). A page *loaded* by the callback says so in
    /// [`Config::returned_from_app`] instead.
    ReturnedFromApp { result: Option<String> },
    /// The shopper tapped "Open GoPay": no automatic attempt after this, and the check
    /// that the app did open starts.
    AppOpened,
    /// The page gained or lost the focus (the window's `focus` and `blur`).
    Focus { focused: bool },
    /// The widget is removed: abort what is in flight, then do nothing more.
    Destroy,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Start the one status request now, with this timeout.
    Fetch {
        timeout_ms: u32,
    },
    /// Abort the outstanding request and drop its result.
    AbortFetch,
    /// Open the deeplink automatically (at most once per transaction).
    OpenApp,
    Emit(Event),
    /// Store this for the order (sessionStorage); it is always emitted before
    /// the events it records, so a page that navigates away in an event handler
    /// does not fire them again after a reload.
    Persist(Snapshot),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    Status,
    Success,
    Failure,
    Expire,
    Error,
    /// The shopper asked for a new QR after a failure or expiry (sent by the view, never
    /// by the machine), with the detail of the event that ended the transaction.
    Retry,
}

impl EventKind {
    /// Every kind: the one list the names below are spelled from.
    pub const ALL: [EventKind; 6] = [
        EventKind::Status,
        EventKind::Success,
        EventKind::Failure,
        EventKind::Expire,
        EventKind::Error,
        EventKind::Retry,
    ];

    /// The `mount()` option of its callback.
    pub fn callback_name(self) -> &'static str {
        match self {
            EventKind::Status => "onStatus",
            EventKind::Success => "onSuccess",
            EventKind::Failure => "onFailure",
            EventKind::Expire => "onExpire",
            EventKind::Error => "onError",
            EventKind::Retry => "onRetry",
        }
    }

    /// The DOM event name.
    pub fn dom_name(self) -> &'static str {
        match self {
            EventKind::Status => "gopay-status",
            EventKind::Success => "gopay-success",
            EventKind::Failure => "gopay-failure",
            EventKind::Expire => "gopay-expire",
            EventKind::Error => "gopay-error",
            EventKind::Retry => "gopay-retry",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            EventKind::Success | EventKind::Failure | EventKind::Expire
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub kind: EventKind,
    pub order_id: String,
    pub transaction_id: String,
    /// Canonical lowercase for known statuses (`expired` is sent as `expire`),
    /// unknown ones as received.
    pub transaction_status: String,
    pub status_code: Option<String>,
    pub gross_amount: Option<String>,
    /// Set on `Error` events, and on the status/expire events described by the `CODE_*` constants.
    pub code: Option<&'static str>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    Loading,
    Pending,
    Confirming,
    Success,
    Failure,
    Expire,
    Reversed,
    /// The charge cannot be shown (the plan refused it): the error view, and no machine runs.
    Error,
}

impl State {
    /// Every state, in the order of a transaction's life.
    pub const ALL: [State; 8] = [
        State::Loading,
        State::Pending,
        State::Confirming,
        State::Success,
        State::Failure,
        State::Expire,
        State::Reversed,
        State::Error,
    ];

    /// The host's `data-state` value.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Loading => "loading",
            State::Pending => "pending",
            State::Confirming => "confirming",
            State::Success => "success",
            State::Failure => "failure",
            State::Expire => "expire",
            State::Reversed => "reversed",
            State::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        Some(match s {
            "loading" => State::Loading,
            "pending" => State::Pending,
            "confirming" => State::Confirming,
            "success" => State::Success,
            "failure" => State::Failure,
            "expire" => State::Expire,
            "reversed" => State::Reversed,
            "error" => State::Error,
            _ => return None,
        })
    }

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            State::Success | State::Failure | State::Expire | State::Reversed | State::Error
        )
    }
}

/// What a view needs to render at a given time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub state: State,
    /// Skew-corrected time left, `>= 0`.
    pub remaining_ms: i64,
    /// Show "having trouble reaching the shop, still trying".
    pub trouble: bool,
    /// Expiry passed on the server's clock while not terminal: the grace window.
    pub local_expired: bool,
    /// The app was opened and the page stayed visible and focused: it did not open.
    pub app_not_opened: bool,
    /// No status endpoint: nothing is ever confirmed here, the page owns the outcome.
    pub display_only: bool,
    pub last_status: String,
}

/// Commands gathered while handling one input, put in a safe order at the end.
#[derive(Default)]
struct Outbox {
    abort: bool,
    persist: bool,
    events: Vec<Event>,
    open_app: bool,
    fetch: bool,
}

/// Handling goes on, or the transaction has just ended in this terminal state.
type Flow = ControlFlow<State>;

/// Where the machine is in its life. What only matters while the outcome is open
/// lives in [`Live`], so an ended or destroyed machine has no request in flight,
/// no request scheduled and no failures to count.
#[derive(Debug)]
enum Phase {
    /// Built, waiting for [`Input::Start`].
    NotStarted,
    /// Started, and the outcome is still open.
    Live(Live),
    /// Decided, or restored decided: a terminal state; nothing happens any more.
    Ended(State),
    /// Destroyed: nothing happens any more; the view keeps what it showed.
    Destroyed {
        state: State,
        trouble_since: Option<i64>,
    },
}

/// The states of a live machine: the outcome is still open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Loading,
    Pending,
    Confirming,
}

impl Stage {
    fn state(self) -> State {
        match self {
            Stage::Loading => State::Loading,
            Stage::Pending => State::Pending,
            Stage::Confirming => State::Confirming,
        }
    }
}

/// Every instant the live phase keeps, as one table ([`Deadlines`]): a clock set
/// back shifts them all, and [`Machine::next_wakeup`] asks each one whether it
/// wakes the machine, and when. A new instant goes here, or it is missed by one of
/// the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Deadline {
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
    /// The current confirm window began: answers to requests sent before it do not
    /// end it. Never wakes it.
    ConfirmSince,
    /// The app was opened and the page has stayed visible and focused since: at this
    /// time the app did not open. Wakes it, visible or not (leaving the page clears it).
    AppCheck,
    /// The endpoint asked not to be asked before this (`Retry-After`): no request starts
    /// earlier, whatever else wants one. Never wakes it by itself: it delays `NextFetch`.
    NotBefore,
}

impl Deadline {
    /// Every deadline, in declaration order (checked below).
    const ALL: [Deadline; 10] = [
        Deadline::Sent,
        Deadline::NextFetch,
        Deadline::Expiry,
        Deadline::ConfirmUntil,
        Deadline::BurstUntil,
        Deadline::FetchEnded,
        Deadline::FailingSince,
        Deadline::ConfirmSince,
        Deadline::AppCheck,
        Deadline::NotBefore,
    ];

    /// When this deadline, set to `at`, wakes the machine, if it does.
    fn wake(self, at: i64, live: &Live, last_now: i64, policy: &Policy) -> Option<i64> {
        match self {
            Deadline::Sent => Some(watchdog_at(at, policy)),
            Deadline::AppCheck => Some(at),
            Deadline::NextFetch => (live.visible && !live.in_flight())
                .then_some(live.times[Deadline::NotBefore].map_or(at, |nb| at.max(nb))),
            Deadline::Expiry => live.visible.then_some(at),
            Deadline::ConfirmUntil => (live.visible && at > last_now).then_some(at),
            Deadline::BurstUntil
            | Deadline::FetchEnded
            | Deadline::FailingSince
            | Deadline::ConfirmSince
            | Deadline::NotBefore => None,
        }
    }
}

/// The machine gives up on a request sent at `sent` the driver never answered.
fn watchdog_at(sent: i64, policy: &Policy) -> i64 {
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
struct Deadlines([Option<i64>; Deadline::ALL.len()]);

impl Deadlines {
    /// Moves every instant set by `d` ms.
    fn shift(&mut self, d: i64) {
        for t in self.0.iter_mut().flatten() {
            *t = t.saturating_add(d);
        }
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

/// What the machine keeps while the outcome is open.
#[derive(Debug)]
struct Live {
    stage: Stage,
    /// The page is visible and there is a status endpoint: without one the widget
    /// acts as if nobody ever looked, so it never asks.
    visible: bool,
    times: Deadlines,
    /// A check was asked for while a request was in flight.
    check_after_flight: bool,
    /// Consecutive failures, since [`Deadline::FailingSince`].
    failures: u32,
    /// The app said `result=success`: keep confirming for the whole window.
    confirm_hold: bool,
    /// The last app opening was followed by no sign of the app (see [`Deadline::AppCheck`]).
    app_not_opened: bool,
    /// The page is hidden (tracked for the app check, also when the widget does not poll).
    page_hidden: bool,
    /// Retry jitter.
    rng: SplitMix64,
}

impl Live {
    fn in_flight(&self) -> bool {
        self.times[Deadline::Sent].is_some()
    }

    /// When the current run of failures began, once it counts for "trouble".
    fn trouble_since(&self) -> Option<i64> {
        self.times[Deadline::FailingSince].filter(|_| self.failures >= 2)
    }
}

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
        Deadline::ALL
            .into_iter()
            .filter_map(|d| d.wake(live.times[d]?, live, self.last_now, &self.policy))
            .min()
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

    /// A clock set back moves every pending deadline with it, so nothing stalls
    /// for the size of the jump, and the skew keeps the countdown where it was.
    fn advance_clock(&mut self, now: i64) {
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

    fn destroy(&mut self) -> Vec<Command> {
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

    fn start(&mut self, now: i64, out: &mut Outbox) -> Live {
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
    fn step(&mut self, live: &mut Live, input: Input, now: i64, out: &mut Outbox) -> Flow {
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
                body,
                date_ms,
                retry_after_ms,
            } => self.on_response(
                live,
                http_status,
                body.as_ref(),
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
            Input::Visibility { .. } | Input::Online | Input::ReturnedFromApp { .. }
                if !self.config.polling => {}
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
            Input::ReturnedFromApp { result } => {
                if !self.app_open_attempted {
                    self.app_open_attempted = true;
                    out.persist = true;
                }
                self.begin_confirm(live, result, now);
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
        live.times[Deadline::ConfirmSince] = Some(now);
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
        body: Option<&Value>,
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
        let Some(Ok(reply)) = body.map(status::parse_status) else {
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
        self.apply_reply(live, reply, sent, now, out)
    }

    fn apply_reply(
        &mut self,
        live: &mut Live,
        reply: StatusReply,
        sent: i64,
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
        // An answer to a request sent after the return ends confirming, unless the
        // app said success.
        if !live.confirm_hold
            && live.times[Deadline::ConfirmSince].is_some_and(|since| sent >= since)
        {
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

    fn finish(&self, out: Outbox) -> Vec<Command> {
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

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_800_000_000_000;

    fn config() -> Config {
        Config {
            order_id: "INV-1".into(),
            transaction_id: "tx".into(),
            gross_amount: "10000.00".into(),
            expiry_ms: T0 + 900_000,
            initial_status: "pending".into(),
            seed: 7,
            app_first: false,
            polling: true,
            visible: true,
            returned_from_app: None,
        }
    }

    fn reply(status: &str) -> Input {
        Input::StatusResponse {
            http_status: 200,
            body: Some(Value::Object(vec![(
                "transaction_status".into(),
                Value::String(status.into()),
            )])),
            date_ms: None,
            retry_after_ms: None,
        }
    }

    fn kinds(cmds: &[Command]) -> Vec<&'static str> {
        cmds.iter()
            .map(|c| match c {
                Command::Fetch { .. } => "fetch",
                Command::AbortFetch => "abort",
                Command::OpenApp => "open",
                Command::Emit(e) => e.kind.dom_name(),
                Command::Persist(_) => "persist",
            })
            .collect()
    }

    #[test]
    fn state_names_are_the_data_state_values() {
        let all = State::ALL;
        let names: Vec<&str> = all.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names,
            [
                "loading",
                "pending",
                "confirming",
                "success",
                "failure",
                "expire",
                "reversed",
                "error"
            ]
        );
        for s in all {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
        assert_eq!(State::parse("Success"), None);
        assert!(!State::Confirming.is_terminal());
        assert!(State::Reversed.is_terminal());
    }

    /// The app check: a tap, then the page still visible and focused 3 s later, is an app
    /// that did not open; hidden or unfocused in between, it opened.
    #[test]
    fn an_app_that_did_not_open_is_told_from_one_that_did() {
        let hint = |m: &Machine, at: i64| m.view(at).app_not_opened;
        let mut m = Machine::new(config(), None, T0);
        m.handle(Input::Start, T0);
        m.handle(reply("pending"), T0 + 50);
        m.handle(Input::AppOpened, T0 + 1_000);
        assert!(m.next_wakeup().is_some_and(|t| t <= T0 + 4_000));
        m.handle(Input::Tick, T0 + 3_999);
        assert!(!hint(&m, T0 + 3_999));
        m.handle(Input::Tick, T0 + 4_000);
        assert!(
            hint(&m, T0 + 4_000),
            "still visible and focused: it did not open"
        );
        // A new tap clears it and checks again; the page hidden in between: it opened.
        m.handle(Input::AppOpened, T0 + 5_000);
        assert!(!hint(&m, T0 + 5_000));
        m.handle(Input::Visibility { visible: false }, T0 + 5_400);
        m.handle(Input::Tick, T0 + 9_000);
        m.handle(Input::Visibility { visible: true }, T0 + 20_000);
        assert!(!hint(&m, T0 + 20_000));
        // The focus taken by the app's prompt: it opened too.
        m.handle(Input::AppOpened, T0 + 21_000);
        m.handle(Input::Focus { focused: false }, T0 + 21_300);
        m.handle(Input::Focus { focused: true }, T0 + 23_000);
        m.handle(Input::Tick, T0 + 30_000);
        assert!(!hint(&m, T0 + 30_000));
        // A tap on a page already hidden is not checked.
        m.handle(Input::Visibility { visible: false }, T0 + 31_000);
        m.handle(Input::AppOpened, T0 + 31_100);
        m.handle(Input::Tick, T0 + 40_000);
        assert!(!hint(&m, T0 + 40_000));
    }

    #[test]
    fn the_automatic_attempt_is_checked_too_also_without_polling() {
        let mut c = config();
        c.app_first = true;
        let mut m = Machine::new(c, None, T0);
        let cmds = m.handle(Input::Start, T0);
        m.handle(reply("pending"), T0 + 50);
        let opened = cmds.contains(&Command::OpenApp) || !m.handle(Input::Tick, T0 + 60).is_empty();
        assert!(opened || m.snapshot().app_open_attempted);
        m.handle(Input::Tick, T0 + 3_100);
        assert!(m.view(T0 + 3_100).app_not_opened);
        // Display only (no status endpoint): a tap is checked the same way.
        let mut c = config();
        c.polling = false;
        let mut m = Machine::new(c, None, T0);
        m.handle(Input::Start, T0);
        m.handle(Input::AppOpened, T0 + 100);
        assert_eq!(m.next_wakeup(), Some(T0 + 3_100));
        m.handle(Input::Tick, T0 + 3_100);
        assert!(m.view(T0 + 3_100).app_not_opened);
    }

    #[test]
    fn event_names() {
        assert_eq!(EventKind::Status.dom_name(), "gopay-status");
        assert_eq!(EventKind::Success.dom_name(), "gopay-success");
        assert_eq!(EventKind::Failure.dom_name(), "gopay-failure");
        assert_eq!(EventKind::Expire.dom_name(), "gopay-expire");
        assert_eq!(EventKind::Error.dom_name(), "gopay-error");
        assert!(!EventKind::Error.is_terminal());
        assert!(!EventKind::Status.is_terminal());
    }

    #[test]
    fn start_reports_pending_and_asks_at_once() {
        let mut m = Machine::new(config(), None, T0);
        assert_eq!(m.state(), State::Loading);
        assert_eq!(m.next_wakeup(), None);
        let cmds = m.handle(Input::Start, T0);
        assert_eq!(kinds(&cmds), ["persist", "gopay-status", "fetch"]);
        assert_eq!(m.state(), State::Pending);
        assert!(m.in_flight());
        // The watchdog is the only deadline while the request is out.
        assert_eq!(m.next_wakeup(), Some(T0 + 12_000));
        // The first confirmation is saved; the same status again changes nothing.
        let cmds = m.handle(reply("pending"), T0 + 100);
        assert_eq!(kinds(&cmds), ["persist"]);
        assert_eq!(m.next_wakeup(), Some(T0 + 100 + 2_400));
        m.handle(Input::Tick, T0 + 2_500);
        let cmds = m.handle(reply("pending"), T0 + 2_600);
        assert!(cmds.is_empty(), "{cmds:?}");
    }

    #[test]
    fn a_charge_without_status_is_loading_until_answered() {
        let mut cfg = config();
        cfg.initial_status = " ".into();
        let mut m = Machine::new(cfg, None, T0);
        let cmds = m.handle(Input::Start, T0);
        assert_eq!(kinds(&cmds), ["persist", "fetch"]);
        assert_eq!(m.state(), State::Loading);
        let cmds = m.handle(reply("pending"), T0 + 100);
        assert_eq!(kinds(&cmds), ["persist", "gopay-status"]);
        assert_eq!(m.state(), State::Pending);
    }

    #[test]
    fn inputs_before_start_are_only_recorded() {
        let mut m = Machine::new(config(), None, T0);
        assert!(m.handle(Input::Tick, T0).is_empty());
        assert!(m.handle(reply("settlement"), T0).is_empty());
        assert!(m.handle(Input::Online, T0).is_empty());
        assert_eq!(m.state(), State::Loading);
        assert!(!m.in_flight());
    }

    #[test]
    fn the_automatic_opening_comes_after_the_snapshot_that_records_it() {
        let mut cfg = config();
        cfg.app_first = true;
        let mut m = Machine::new(cfg, None, T0);
        let cmds = m.handle(Input::Start, T0);
        assert_eq!(kinds(&cmds), ["persist", "gopay-status", "open", "fetch"]);
        let Command::Persist(s) = &cmds[0] else {
            panic!("{cmds:?}")
        };
        assert!(s.app_open_attempted);
    }

    /// Drives `m` until its next request starts; returns when.
    fn next_fetch_at(m: &mut Machine, mut now: i64) -> i64 {
        for _ in 0..100 {
            let at = m.next_wakeup().expect("a live machine wakes");
            now = at.max(now);
            if m.handle(Input::Tick, now)
                .iter()
                .any(|c| matches!(c, Command::Fetch { .. }))
            {
                return now;
            }
        }
        panic!("no request");
    }

    #[test]
    fn an_ended_charge_never_confirmed_stops_in_error_after_the_grace_window() {
        let mut m = Machine::new(
            Config {
                initial_status: "settlement".into(),
                ..config()
            },
            None,
            T0,
        );
        assert_eq!(kinds(&m.handle(Input::Start, T0)), ["persist", "fetch"]);
        let mut now = T0;
        let mut events = Vec::new();
        while !m.state().is_terminal() {
            now = m.next_wakeup().expect("a live machine wakes").max(now);
            let cmds = m.handle(Input::Tick, now);
            if cmds.iter().any(|c| matches!(c, Command::Fetch { .. })) {
                now += 100;
                events.extend(m.handle(Input::RequestFailed { timed_out: false }, now));
            }
            assert!(now < T0 + 900_000 + 200_000, "still loading");
        }
        assert_eq!(m.state(), State::Error);
        assert!(now >= T0 + 900_000 + Policy::default().grace_ms);
        let emitted: Vec<_> = events
            .iter()
            .filter_map(|c| match c {
                Command::Emit(e) => Some((e.kind, e.code)),
                _ => None,
            })
            .collect();
        // Never a success from the charge alone; the one error comes last.
        assert_eq!(
            emitted.last(),
            Some(&(EventKind::Error, Some(CODE_UNREACHABLE)))
        );
        assert!(emitted.iter().all(|(k, _)| *k != EventKind::Success));
        assert_eq!(m.next_wakeup(), None);
        assert!(!m.in_flight());
    }

    #[test]
    fn retry_after_holds_the_next_request_back_within_bounds() {
        let busy = |ms| Input::StatusResponse {
            http_status: 429,
            body: None,
            date_ms: None,
            retry_after_ms: ms,
        };
        let mut m = Machine::new(config(), None, T0);
        m.handle(Input::Start, T0);
        m.handle(busy(Some(20_000)), T0 + 100);
        // Coming back online or to the page asks at once, but not before Retry-After.
        m.handle(Input::Online, T0 + 1_000);
        m.handle(Input::Visibility { visible: false }, T0 + 2_000);
        m.handle(Input::Visibility { visible: true }, T0 + 3_000);
        assert_eq!(next_fetch_at(&mut m, T0 + 3_000), T0 + 20_100);
        // A Retry-After of a day waits only the policy's longest.
        m.handle(busy(Some(86_400_000)), T0 + 20_200);
        let at = next_fetch_at(&mut m, T0 + 20_200);
        assert_eq!(at, T0 + 20_200 + Policy::default().retry_after_max_ms);
        // None, zero or negative: the usual back-off.
        for ms in [None, Some(0), Some(-5_000)] {
            let now = m.last_now;
            m.handle(busy(ms), now + 100);
            let at = next_fetch_at(&mut m, now + 100);
            assert!(at - (now + 100) <= 30_000, "{ms:?}: {}", at - now);
        }
        // A success answer's Retry-After means nothing.
        let mut m = Machine::new(config(), None, T0);
        m.handle(Input::Start, T0);
        let Input::StatusResponse { body, .. } = reply("pending") else {
            unreachable!()
        };
        let ok = Input::StatusResponse {
            http_status: 200,
            body,
            date_ms: None,
            retry_after_ms: Some(50_000),
        };
        m.handle(ok, T0 + 100);
        assert!(next_fetch_at(&mut m, T0 + 100) < T0 + 10_000);
        // A late answer, after the watchdog gave up on its request, holds nothing back.
        let mut m = Machine::new(config(), None, T0);
        m.handle(Input::Start, T0);
        let sent = m.next_wakeup().expect("the watchdog");
        m.handle(Input::Tick, sent);
        assert!(!m.in_flight(), "the watchdog gave up");
        let before = m.next_wakeup().expect("the next request");
        m.handle(busy(Some(60_000)), sent + 100);
        assert_eq!(
            m.next_wakeup(),
            Some(before),
            "a stale Retry-After counts for nothing"
        );
    }

    #[test]
    fn each_deadline_says_when_it_wakes() {
        let policy = Policy::default();
        let mut live = Live {
            stage: Stage::Pending,
            visible: true,
            times: Deadlines::default(),
            check_after_flight: false,
            failures: 0,
            confirm_hold: false,
            app_not_opened: false,
            page_hidden: false,
            rng: SplitMix64::new(1),
        };
        let wakes =
            |live: &Live, last_now: i64| Deadline::ALL.map(|d| d.wake(T0, live, last_now, &policy));
        let (t, watchdog) = (Some(T0), Some(T0 + 12_000));
        assert_eq!(
            wakes(&live, T0 - 1),
            [watchdog, t, t, t, None, None, None, None, t, None]
        );
        // Once its time has come the confirm window stops waking (settle closes it).
        assert_eq!(
            wakes(&live, T0),
            [watchdog, t, t, None, None, None, None, None, t, None]
        );
        // Nothing is due while a request is out but its watchdog.
        live.times[Deadline::Sent] = Some(T0);
        assert_eq!(
            wakes(&live, T0 - 1),
            [watchdog, None, t, t, None, None, None, None, t, None]
        );
        // Hidden: only the watchdog and the app check (hiding clears the latter).
        live.visible = false;
        live.times[Deadline::Sent] = None;
        assert_eq!(
            wakes(&live, T0 - 1),
            [watchdog, None, None, None, None, None, None, None, t, None]
        );
        // A Retry-After still ahead holds the next request back to it.
        live.visible = true;
        live.times[Deadline::NotBefore] = Some(T0 + 5_000);
        assert_eq!(
            wakes(&live, T0 - 1),
            [
                watchdog,
                Some(T0 + 5_000),
                t,
                t,
                None,
                None,
                None,
                None,
                t,
                None
            ]
        );
    }

    #[test]
    fn a_clock_set_back_shifts_every_deadline() {
        let mut times = Deadlines::default();
        for (i, d) in Deadline::ALL.into_iter().enumerate() {
            times[d] = Some(T0 + i as i64);
        }
        times[Deadline::BurstUntil] = None;
        times.shift(-3_600_000);
        for (i, d) in Deadline::ALL.into_iter().enumerate() {
            let want = (d != Deadline::BurstUntil).then_some(T0 + i as i64 - 3_600_000);
            assert_eq!(times[d], want, "{d:?}");
        }
    }

    /// The clock set to the last moment `Date` can hold, then to the first: the start moves
    /// back with it, and must stay a time a snapshot holds, or the page's reload loses it.
    #[test]
    fn a_clock_set_back_across_dates_whole_range_still_saves_what_a_reload_reads() {
        const DATE_MS: i64 = 8_640_000_000_000_000;
        let mut m = Machine::new(config(), None, T0);
        let mut saved = Vec::new();
        for (input, at) in [
            (Input::Start, T0),
            (reply("pending"), T0 + 100),
            (Input::Visibility { visible: false }, T0 + 200),
            (Input::Tick, DATE_MS),
            (Input::Visibility { visible: true }, -DATE_MS),
        ] {
            for c in m.handle(input, at) {
                if let Command::Persist(s) = c {
                    saved.push(s);
                }
            }
        }
        assert_eq!(saved.last(), Some(&m.snapshot()), "the jump back was saved");
        for s in &saved {
            assert_eq!(Snapshot::decode(&s.encode(), "INV-1").as_ref(), Some(s));
        }
        // The reload goes on from it: pending, asking at once.
        let restored = Snapshot::decode(&m.snapshot().encode(), "INV-1");
        let mut again = Machine::new(config(), restored, -DATE_MS + 1_000);
        let cmds = again.handle(Input::Start, -DATE_MS + 1_000);
        assert_eq!(again.state(), State::Pending);
        assert!(
            cmds.contains(&Command::Fetch { timeout_ms: 10_000 }),
            "{cmds:?}"
        );
    }

    #[test]
    fn skew_is_taken_only_when_clearly_off() {
        let mut m = Machine::new(config(), None, T0);
        m.handle(Input::Start, T0);
        // Server 1.4 s ahead: within Date's resolution plus the round trip.
        m.handle(
            Input::StatusResponse {
                http_status: 200,
                body: reply("pending").body_for_test(),
                date_ms: Some(T0 + 1_000),
                retry_after_ms: None,
            },
            T0 + 200,
        );
        assert_eq!(m.skew_ms(), 0);
        m.handle(Input::Tick, T0 + 2_600);
        // Server 30 s ahead.
        m.handle(
            Input::StatusResponse {
                http_status: 500,
                body: None,
                date_ms: Some(T0 + 32_000),
                retry_after_ms: None,
            },
            T0 + 2_800,
        );
        assert!((m.skew_ms() - 29_800).abs() <= 600, "{}", m.skew_ms());
        assert_eq!(
            m.view(T0 + 2_800).remaining_ms,
            900_000 - 2_800 - m.skew_ms()
        );
    }

    impl Input {
        fn body_for_test(self) -> Option<Value> {
            match self {
                Input::StatusResponse { body, .. } => body,
                _ => None,
            }
        }
    }
}

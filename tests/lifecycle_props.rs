//! Property tests of the payment lifecycle: random inputs on random clocks.
//!
//! Each sequence is checked against the lifecycle's promises: success only from
//! a settlement (or an accepted capture) answer for this order that agrees with the
//! charge's amount and transaction, at most one terminal event per
//! transaction (reloads included), one request at a time, no request while
//! hidden, after the end or without a status endpoint, and wake-ups never in
//! the past.

use gopay_widget::core::json::Value;
use gopay_widget::core::machine::{Command, Config, EventKind, Input, Machine, Snapshot, State};
use gopay_widget::core::status;
use proptest::prelude::*;

const T0: i64 = 1_800_000_000_000;
const ORDER: &str = "ORDER-PROP-1";

#[derive(Debug, Clone)]
enum Reply {
    Ok(&'static str),
    Http(u16, &'static str),
    NotJson,
    OtherOrder(&'static str),
    NoOrderId(&'static str),
    Garbage,
    Failed(bool),
    /// A 200 answer for this order with the given `gross_amount`, `transaction_id` and
    /// `fraud_status`, where set.
    With(&'static str, Extra),
}

#[derive(Debug, Clone)]
struct Extra {
    gross_amount: Option<&'static str>,
    transaction_id: Option<&'static str>,
    fraud_status: Option<&'static str>,
}

#[derive(Debug, Clone)]
enum Action {
    /// Let time pass, delivering every wake-up on the way.
    Advance(i64),
    /// The clock is set back (or forward) without any wake-up in between.
    Jump(i64),
    /// A tick at an arbitrary time (drivers may tick more often than asked).
    Tick,
    /// Answer the outstanding request, if any; the Date header is off by the given skew.
    Answer(Reply, Option<i64>),
    /// An answer when none is outstanding (duplicate or late).
    Stray(Reply),
    Visibility(bool),
    Online,
    /// The app's callback loads the page for this order (with this `result`): the page
    /// reloads, and the machine starts knowing it was loaded by the callback.
    Callback(Option<&'static str>),
    AppOpened,
    /// The page reloads and restores the last saved snapshot.
    Reload,
    Destroy,
}

const STATUSES: &[&str] = &[
    "pending",
    "settlement",
    "SETTLEMENT",
    "capture",
    "deny",
    "cancel",
    "expire",
    "expired",
    "refund",
    "chargeback",
    "authorize",
    "on_hold",
];

fn status() -> impl Strategy<Value = &'static str> {
    prop::sample::select(STATUSES)
}

fn reply() -> impl Strategy<Value = Reply> {
    prop_oneof![
        6 => status().prop_map(Reply::Ok),
        2 => (prop::sample::select(&[404u16, 500, 502, 503, 301, 199][..]), status())
            .prop_map(|(c, s)| Reply::Http(c, s)),
        1 => Just(Reply::NotJson),
        1 => status().prop_map(Reply::OtherOrder),
        1 => status().prop_map(Reply::NoOrderId),
        1 => Just(Reply::Garbage),
        2 => any::<bool>().prop_map(Reply::Failed),
        4 => (status(), extra()).prop_map(|(s, e)| Reply::With(s, e)),
    ]
}

fn extra() -> impl Strategy<Value = Extra> {
    let pick = |choices: &'static [&'static str]| prop::option::of(prop::sample::select(choices));
    (
        pick(&[
            "10000.00", "10000", "010000.0", "1.00", "10000.50", "Rp10.000", "",
        ]),
        pick(&["tx-1", "TX-1", "tx-2", ""]),
        pick(&["accept", "ACCEPT", "challenge", "deny", "weird"]),
    )
        .prop_map(|(gross_amount, transaction_id, fraud_status)| Extra {
            gross_amount,
            transaction_id,
            fraud_status,
        })
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        8 => prop_oneof![0i64..3_000, 0i64..60_000, 0i64..900_000].prop_map(Action::Advance),
        1 => prop_oneof![-3_600_000i64..0, 0i64..3_600_000].prop_map(Action::Jump),
        2 => Just(Action::Tick),
        8 => (reply(), prop::option::of(-600_000i64..600_000)).prop_map(|(r, d)| Action::Answer(r, d)),
        1 => reply().prop_map(Action::Stray),
        2 => any::<bool>().prop_map(Action::Visibility),
        1 => Just(Action::Online),
        1 => prop::option::of(prop::sample::select(&["success", "failure", "abort"][..]))
            .prop_map(Action::Callback),
        1 => Just(Action::AppOpened),
        1 => Just(Action::Reload),
        1 => Just(Action::Destroy),
    ]
}

fn config() -> impl Strategy<Value = Config> {
    (
        prop_oneof![
            3 => Just(900_000i64),
            1 => 20_000i64..7 * 86_400_000,
        ],
        prop::sample::select(&["pending", "settlement", "", "weird", "deny"][..]),
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(|(expiry, initial, app_first, seed)| Config {
            order_id: ORDER.into(),
            transaction_id: "tx-1".into(),
            gross_amount: "10000.00".into(),
            expiry_ms: T0 + expiry,
            initial_status: initial.into(),
            seed,
            app_first,
            polling: true,
            visible: true,
            returned_from_app: None,
        })
}

fn body(order: Option<&str>, status: &str) -> Value {
    let mut fields = vec![(
        "transaction_status".to_owned(),
        Value::String(status.into()),
    )];
    if let Some(o) = order {
        fields.push(("order_id".to_owned(), Value::String(o.into())));
    }
    Value::Object(fields)
}

/// The answer's HTTP status and body (`None` when it is not JSON), or `None` when the
/// request failed.
fn answer_of(r: &Reply) -> Option<(u16, Option<Value>)> {
    Some(match r {
        Reply::Ok(s) => (200, Some(body(Some(ORDER), s))),
        Reply::Http(c, s) => (*c, Some(body(Some(ORDER), s))),
        Reply::NotJson => (200, None),
        Reply::OtherOrder(s) => (200, Some(body(Some("SOMEONE-ELSE"), s))),
        Reply::NoOrderId(s) => (204, Some(body(None, s))),
        Reply::Garbage => (200, Some(Value::Array(vec![Value::Null]))),
        Reply::Failed(_) => return None,
        Reply::With(s, extra) => {
            let Value::Object(mut fields) = body(Some(ORDER), s) else {
                unreachable!()
            };
            for (key, value) in [
                ("gross_amount", extra.gross_amount),
                ("transaction_id", extra.transaction_id),
                ("fraud_status", extra.fraud_status),
            ] {
                if let Some(v) = value {
                    fields.push((key.to_owned(), Value::String(v.into())));
                }
            }
            (200, Some(Value::Object(fields)))
        }
    })
}

/// The input the driver makes of the answer: its body read by the core's status reader.
fn to_input(r: &Reply, date_ms: Option<i64>) -> Input {
    match (answer_of(r), r) {
        (Some((http_status, body)), _) => Input::StatusResponse {
            http_status,
            reply: body.and_then(|b| status::parse_status(&b).ok()),
            date_ms,
            retry_after_ms: None,
        },
        (None, Reply::Failed(timed_out)) => Input::RequestFailed {
            timed_out: *timed_out,
        },
        (None, _) => unreachable!(),
    }
}

/// A settlement, or a capture whose fraud review accepted it, for this order (or with no
/// order_id), naming the charge's amount (10,000) and transaction (`tx-1`) or none.
/// Read here from the answer itself, without the widget's parser.
fn proves_payment(r: &Reply) -> bool {
    match answer_of(r) {
        Some((http_status, Some(b))) if (200..300).contains(&http_status) => {
            let text = |key: &str| b.get(key).and_then(Value::as_str);
            let order_ok = match b.get("order_id") {
                None => true,
                Some(o) => o.as_str() == Some(ORDER),
            };
            let accepted = text("fraud_status").is_some_and(|f| f.eq_ignore_ascii_case("accept"));
            let paid = text("transaction_status").is_some_and(|s| {
                s.eq_ignore_ascii_case("settlement")
                    || s.eq_ignore_ascii_case("capture") && accepted
            });
            let amount_ok =
                text("gross_amount").is_none_or(|a| ["10000.00", "10000", "010000.0"].contains(&a));
            let transaction_ok = text("transaction_id")
                .is_none_or(|t| t.is_empty() || t.eq_ignore_ascii_case("tx-1"));
            order_ok && paid && amount_ok && transaction_ok
        }
        _ => false,
    }
}

struct Driver {
    config: Config,
    m: Machine,
    now: i64,
    visible: bool,
    in_flight: bool,
    destroyed: bool,
    saved: Option<String>,
    terminal_events: u32,
    ended_state: Option<State>,
    fetches: u32,
}

impl Driver {
    fn new(config: Config) -> Driver {
        let m = Machine::new(config.clone(), None, T0);
        let mut d = Driver {
            config,
            m,
            now: T0,
            visible: true,
            in_flight: false,
            destroyed: false,
            saved: None,
            terminal_events: 0,
            ended_state: None,
            fetches: 0,
        };
        d.handle(Input::Start);
        d
    }

    fn handle(&mut self, input: Input) -> Vec<Command> {
        self.feed(input, false)
    }

    /// The answer `r` to the request, as the driver hands it over.
    fn answer(&mut self, r: &Reply, date_ms: Option<i64>) -> Vec<Command> {
        self.feed(to_input(r, date_ms), proves_payment(r))
    }

    /// `proves`: the input is an answer that proves the payment.
    fn feed(&mut self, input: Input, proves: bool) -> Vec<Command> {
        let is_tick = input == Input::Tick;
        let was_terminal = self.m.state().is_terminal();
        let cmds = self.m.handle(input, self.now);
        for c in &cmds {
            match c {
                Command::Fetch { timeout_ms } => {
                    assert!(!self.in_flight, "two requests in flight");
                    assert!(self.visible, "request while hidden");
                    assert!(!self.destroyed, "request after destroy");
                    assert!(
                        self.ended_state.is_none() && !self.m.state().is_terminal(),
                        "request after the end"
                    );
                    assert!(*timeout_ms > 0);
                    self.in_flight = true;
                    self.fetches += 1;
                }
                Command::AbortFetch => self.in_flight = false,
                Command::Emit(e) => {
                    assert!(!self.destroyed, "event after destroy");
                    assert_eq!(e.order_id, ORDER);
                    if e.kind == EventKind::Success {
                        assert!(proves, "success without a settlement answer");
                    }
                    // gopay-error ends the transaction as the outcomes do.
                    if e.kind.is_terminal() || e.kind == EventKind::Error {
                        self.terminal_events += 1;
                        assert!(self.terminal_events <= 1, "second terminal event");
                    }
                    if e.kind == EventKind::Error {
                        assert_eq!(self.m.state(), State::Error, "an error that goes on");
                        assert_eq!(self.m.next_wakeup(), None, "an error that wakes again");
                        assert!(matches!(
                            e.code,
                            Some(
                                "order_mismatch"
                                    | "transaction_mismatch"
                                    | "amount_mismatch"
                                    | "status_unreachable"
                            )
                        ));
                    }
                }
                Command::Persist(s) => {
                    let text = s.encode();
                    assert_eq!(Snapshot::decode(&text, ORDER).as_ref(), Some(s));
                    self.saved = Some(text);
                }
                Command::OpenApp => {}
            }
        }
        if self.m.state() == State::Error && !was_terminal {
            // gopay-error comes last: nothing fires after it.
            let last = cmds.iter().rev().find_map(|c| match c {
                Command::Emit(e) => Some(e.kind),
                _ => None,
            });
            assert_eq!(last, Some(EventKind::Error), "ended in error: {cmds:?}");
        }
        assert_eq!(
            self.m.in_flight(),
            self.in_flight,
            "machine and driver disagree"
        );
        if was_terminal {
            assert!(cmds.is_empty(), "commands after the end: {cmds:?}");
        }
        let state = self.m.state();
        if let Some(ended) = self.ended_state {
            assert_eq!(state, ended, "terminal state changed");
        } else if state.is_terminal() {
            self.ended_state = Some(state);
        }
        if let Some(w) = self.m.next_wakeup() {
            assert!(w >= self.now, "wake-up {w} before now {}", self.now);
            if is_tick && cmds.is_empty() {
                assert!(
                    w > self.now,
                    "a tick that changes nothing asks for itself again"
                );
            }
        }
        let view = self.m.view(self.now);
        assert!(view.remaining_ms >= 0);
        if view.state == State::Success {
            assert!(matches!(
                view.last_status.as_str(),
                "settlement" | "capture"
            ));
        }
        cmds
    }

    fn advance(&mut self, dt: i64) {
        let until = self.now + dt;
        for _ in 0..10_000 {
            match self.m.next_wakeup() {
                Some(w) if w <= until => {
                    self.now = w;
                    self.handle(Input::Tick);
                }
                _ => break,
            }
        }
        self.now = until;
    }

    fn act(&mut self, a: &Action) {
        match a {
            Action::Advance(dt) => self.advance(*dt),
            Action::Jump(dt) => self.now += dt,
            Action::Tick => {
                self.handle(Input::Tick);
            }
            Action::Answer(r, skew) => {
                if self.in_flight {
                    self.in_flight = false;
                    let date = skew.map(|s| (self.now + s) / 1000 * 1000);
                    self.answer(r, date);
                }
            }
            Action::Stray(r) => {
                if !self.in_flight {
                    let cmds = self.answer(r, None);
                    assert!(
                        cmds.iter().all(|c| !matches!(c, Command::Emit(_))),
                        "a stray answer emitted events: {cmds:?}"
                    );
                }
            }
            Action::Visibility(v) => {
                self.visible = *v;
                self.handle(Input::Visibility { visible: *v });
            }
            Action::Online => {
                self.handle(Input::Online);
            }
            Action::Callback(r) => {
                // The callback's URL stays the page's: a later reload is loaded by it too.
                self.config.returned_from_app = Some(r.map(str::to_owned));
                self.act(&Action::Reload);
            }
            Action::AppOpened => {
                self.handle(Input::AppOpened);
            }
            Action::Reload => {
                if !self.destroyed {
                    self.handle(Input::Destroy);
                }
                self.in_flight = false;
                self.destroyed = false;
                let restored = self
                    .saved
                    .as_deref()
                    .and_then(|s| Snapshot::decode(s, ORDER));
                let config = Config {
                    visible: self.visible,
                    ..self.config.clone()
                };
                self.m = Machine::new(config, restored, self.now);
                // A restored terminal state must come back as it was.
                let state_before = self.ended_state;
                let cmds = self.handle(Input::Start);
                if let Some(s) = state_before {
                    assert_eq!(self.m.state(), s);
                    assert!(cmds.is_empty());
                }
            }
            Action::Destroy => {
                if !self.destroyed {
                    let cmds = self.handle(Input::Destroy);
                    self.destroyed = true;
                    self.in_flight = false;
                    assert!(cmds.iter().all(|c| *c == Command::AbortFetch));
                    assert_eq!(self.m.next_wakeup(), None);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn lifecycle_invariants(config in config(), actions in prop::collection::vec(action(), 1..120)) {
        let mut d = Driver::new(config);
        for a in &actions {
            d.act(a);
        }
    }

    /// A page that stays visible and whose endpoint always answers pending
    /// ends as expired within the grace window, having asked a bounded number
    /// of times, whatever the clock does in between.
    #[test]
    fn an_open_page_always_ends(steps in prop::collection::vec(0i64..30_000, 1..80), seed in any::<u64>()) {
        let config = Config {
            order_id: ORDER.into(),
            transaction_id: "tx-1".into(),
            gross_amount: "1.00".into(),
            expiry_ms: T0 + 900_000,
            initial_status: "pending".into(),
            seed,
            app_first: false,
            polling: true,
            visible: true,
            returned_from_app: None,
        };
        let mut d = Driver::new(config);
        let mut i = 0;
        while d.now < T0 + 1_200_000 {
            let dt = steps[i % steps.len()];
            i += 1;
            d.advance(dt);
            if d.in_flight {
                d.in_flight = false;
                d.answer(&Reply::Ok("pending"), None);
            }
        }
        d.advance(60_000);
        if d.in_flight {
            d.in_flight = false;
            d.answer(&Reply::Ok("pending"), None);
        }
        prop_assert_eq!(d.m.state(), State::Expire);
        prop_assert_eq!(d.terminal_events, 1);
        prop_assert!(d.fetches <= 130, "{} requests", d.fetches);
    }

    /// No state waits for ever: after any inputs, a page that is visible again and whose
    /// endpoint answers anything at all (failures, other orders, garbage, pending) has
    /// ended once the expiry, the grace window and the longest backoff are over; and until
    /// then a live machine always has a wake-up scheduled.
    #[test]
    fn nothing_waits_for_ever(
        config in config(),
        actions in prop::collection::vec(action(), 1..60),
        replies in prop::collection::vec(reply(), 1..20),
    ) {
        let expiry = config.expiry_ms;
        let mut d = Driver::new(config);
        for a in &actions {
            if matches!(a, Action::Destroy | Action::Jump(_)) {
                continue;
            }
            d.act(a);
        }
        d.act(&Action::Visibility(true));
        let end = d.now.max(expiry) + 120_000 + 600_000;
        let mut i = 0;
        while d.now < end && !d.m.state().is_terminal() {
            if d.in_flight {
                d.in_flight = false;
                let r = &replies[i % replies.len()];
                i += 1;
                d.answer(r, None);
                continue;
            }
            let wake = d.m.next_wakeup();
            prop_assert!(wake.is_some(), "a live, visible machine with nothing scheduled: {:?}", d.m);
            let dt = wake.unwrap_or(end) - d.now;
            d.advance(dt.max(1));
        }
        prop_assert!(d.m.state().is_terminal(), "still {:?} after the grace window", d.m.state());
        prop_assert_eq!(d.terminal_events.min(1), u32::from(d.m.state() != State::Reversed));
    }

    /// Hidden pages never ask, however long they stay hidden and whatever arrives.
    #[test]
    fn hidden_pages_never_ask(actions in prop::collection::vec(action(), 1..80)) {
        let config = Config {
            order_id: ORDER.into(),
            transaction_id: "tx-1".into(),
            gross_amount: "1.00".into(),
            expiry_ms: T0 + 900_000,
            initial_status: "pending".into(),
            seed: 1,
            app_first: true,
            polling: true,
            visible: false,
            returned_from_app: None,
        };
        let mut m = Machine::new(config.clone(), None, T0);
        let mut now = T0;
        let mut cmds = m.handle(Input::Start, now);
        for a in &actions {
            assert!(!cmds.iter().any(|c| matches!(c, Command::Fetch { .. } | Command::OpenApp)), "{cmds:?}");
            match a {
                Action::Advance(dt) => now += dt,
                Action::Visibility(_) | Action::Reload | Action::Destroy | Action::Jump(_) => continue,
                Action::Online => cmds = m.handle(Input::Online, now),
                Action::Callback(r) => {
                    // Loaded by the callback, still hidden.
                    let returned = Config { returned_from_app: Some(r.map(str::to_owned)), ..config.clone() };
                    m = Machine::new(returned, None, now);
                    cmds = m.handle(Input::Start, now);
                }
                Action::Stray(r) | Action::Answer(r, _) => cmds = m.handle(to_input(r, None), now),
                _ => cmds = m.handle(Input::Tick, now),
            }
            prop_assert!(!m.in_flight());
            prop_assert_eq!(m.next_wakeup(), None);
        }
        assert!(!cmds.iter().any(|c| matches!(c, Command::Fetch { .. } | Command::OpenApp)));
    }

    /// Without a status endpoint nothing that arrives makes the widget ask, open the
    /// app, report an outcome or want a wake-up, but the check that a tapped app opened.
    #[test]
    fn display_only_never_asks(
        config in config(),
        visible in any::<bool>(),
        returned in prop::option::of(prop::option::of(Just("success".to_owned()))),
        actions in prop::collection::vec(action(), 1..80),
    ) {
        let config = Config { polling: false, visible, returned_from_app: returned, ..config };
        let mut m = Machine::new(config.clone(), None, T0);
        let mut now = T0;
        let mut cmds = m.handle(Input::Start, now);
        let check_ms = gopay_widget::core::schedule::Policy::default().app_check_ms;
        let mut tapped: Option<i64> = None;
        for a in &actions {
            prop_assert!(
                cmds.iter().all(|c| match c {
                    Command::Persist(_) => true,
                    Command::Emit(e) => e.kind == EventKind::Status,
                    _ => false,
                }),
                "{:?}", cmds
            );
            prop_assert!(!m.in_flight());
            if let Some(at) = m.next_wakeup() {
                let due = tapped.map(|t| t + check_ms);
                prop_assert!(due.is_some_and(|d| at <= d.max(now)), "wake-up at {} with no tap check due", at);
            }
            if matches!(a, Action::AppOpened) {
                tapped = Some(now);
            }
            match a {
                Action::Advance(dt) | Action::Jump(dt) => now += dt,
                Action::Reload | Action::Destroy => continue,
                Action::Visibility(v) => cmds = m.handle(Input::Visibility { visible: *v }, now),
                Action::Online => cmds = m.handle(Input::Online, now),
                Action::Callback(r) => {
                    // Loaded by the callback: a new page, without an endpoint still.
                    let returned = Config { returned_from_app: Some(r.map(str::to_owned)), ..config.clone() };
                    m = Machine::new(returned, None, now);
                    cmds = m.handle(Input::Start, now);
                    tapped = None;
                }
                Action::AppOpened => cmds = m.handle(Input::AppOpened, now),
                Action::Stray(r) | Action::Answer(r, _) => cmds = m.handle(to_input(r, None), now),
                Action::Tick => cmds = m.handle(Input::Tick, now),
            }
        }
        prop_assert!(!m.state().is_terminal());
    }
}

#[test]
fn snapshot_decode_rejects_garbage() {
    let good = Snapshot {
        order_id: "INV/1 é&=%".into(),
        state: State::Pending,
        transaction_status: "pending".into(),
        status_code: Some("201".into()),
        confirmed: true,
        app_open_attempted: true,
        unreachable_reported: false,
        mismatch_reported: true,
        skew_ms: -1234,
        started_ms: T0,
    };
    let text = good.encode();
    assert_eq!(Snapshot::decode(&text, "INV/1 é&=%"), Some(good.clone()));
    let bad = [
        String::new(),
        "gpw1".into(),
        text.replace("gpw1", "gpw2"),
        // An error needs its reason among the flags.
        text.replace("s=pending", "s=error")
            .replace("f=cam", "f=ca"),
        text.replace("s=pending", "s=success"),
        text.replace("s=pending", "s=bogus"),
        text.replace("f=cam", "f=cc"),
        text.replace("f=cam", "f=x"),
        text.replace("k=-1234", "k=12a"),
        text.replace("k=-1234", "k=999999999999999999999"),
        text.replace("k=-1234", "k="),
        // Found by fuzzing: its absolute value overflowed (a panic, or a wrapped skew).
        text.replace("k=-1234", "k=-9223372036854775808"),
        // A start outside Date's range: the cadence's `now - started` would overflow.
        text.replace(&format!("b={T0}"), "b=-9223372036854775808"),
        text.replace(&format!("b={T0}"), "b=8640000000000001"),
        format!("{text}&k=1"),
        format!("{text}&z=1"),
        text.replace("&c=201", "&c=%ZZ"),
        text.replace("&c=201", "&c=%C3"),
        format!("{text}{}", "x".repeat(3000)),
    ];
    for b in bad {
        assert_eq!(Snapshot::decode(&b, "INV/1 é&=%"), None, "accepted {b}");
    }
    assert_eq!(Snapshot::decode(&text, "INV/2"), None);
    // A confirmed live state must be pending-like.
    let mut wrong = good;
    wrong.transaction_status = "settlement".into();
    assert_eq!(Snapshot::decode(&wrong.encode(), "INV/1 é&=%"), None);
}

proptest! {
    #[test]
    fn snapshot_decode_never_panics(s in ".{0,300}") {
        let _ = Snapshot::decode(&s, ORDER);
    }

    #[test]
    fn snapshot_round_trips(
        order in "[ -~]{1,60}",
        status in prop::sample::select(&["pending", "weird status", "", "authorize"][..]),
        code in prop::option::of("[0-9]{3}"),
        flags in any::<[bool; 4]>(),
        skew in -86_400_000i64..86_400_000,
        started in -8_640_000_000_000_000i64..=8_640_000_000_000_000,
    ) {
        let s = Snapshot {
            order_id: order.clone(),
            state: State::Confirming,
            transaction_status: status.into(),
            status_code: code,
            confirmed: flags[0],
            app_open_attempted: flags[1],
            unreachable_reported: flags[2],
            mismatch_reported: flags[3],
            skew_ms: skew,
            started_ms: started,
        };
        prop_assert_eq!(Snapshot::decode(&s.encode(), &order), Some(s));
    }
}

//! Table tests of the payment lifecycle: scripted event sequences on a fake clock.
//!
//! Each case is a table of steps: at a time, feed an input, then check what
//! happened since the previous step (the harness delivers wake-ups in between,
//! and can answer requests by itself with a fixed reply). The last tests pin the
//! exact commands of a start with each kind of `Config`.

use gopay_widget::core::json::Value;
use gopay_widget::core::machine::{
    Command, Config, Event, EventKind, Input, Machine, Snapshot, State, CODE_AMOUNT_MISMATCH,
    CODE_EXPIRED_LOCALLY, CODE_ORDER_MISMATCH, CODE_TRANSACTION_MISMATCH, CODE_UNKNOWN_STATUS,
    CODE_UNREACHABLE,
};
use gopay_widget::core::status::{self, StatusReply};

const T0: i64 = 1_800_000_000_000;
const ORDER: &str = "INV-2026-000731";
const EXPIRY_S: f64 = 900.0;

fn config() -> Config {
    Config {
        order_id: ORDER.into(),
        transaction_id: "7f1c1d2e-5a7b-4c3d-9e8f-0a1b2c3d4e5f".into(),
        gross_amount: "149500.00".into(),
        expiry_ms: T0 + (EXPIRY_S * 1000.0) as i64,
        initial_status: "pending".into(),
        seed: 42,
        app_first: false,
        polling: true,
        visible: true,
        returned_from_app: None,
    }
}

fn ms(s: f64) -> i64 {
    T0 + (s * 1000.0).round() as i64
}

fn body(order: &str, status: &str) -> Value {
    Value::Object(vec![
        ("order_id".into(), Value::String(order.into())),
        ("transaction_status".into(), Value::String(status.into())),
        ("status_code".into(), Value::String("201".into())),
        ("gross_amount".into(), Value::String("149500.00".into())),
    ])
}

/// The body as the driver hands it to the machine: read by the core's status reader.
fn read(body: Value) -> Option<StatusReply> {
    status::parse_status(&body).ok()
}

fn ok(status: &str) -> Input {
    Input::StatusResponse {
        http_status: 200,
        reply: read(body(ORDER, status)),
        date_ms: None,
        retry_after_ms: None,
    }
}

fn ok_dated(status: &str, date_ms: i64) -> Input {
    Input::StatusResponse {
        http_status: 200,
        reply: read(body(ORDER, status)),
        date_ms: Some(date_ms),
        retry_after_ms: None,
    }
}

fn http(code: u16, status_in_body: &str) -> Input {
    Input::StatusResponse {
        http_status: code,
        reply: read(body(ORDER, status_in_body)),
        date_ms: None,
        retry_after_ms: None,
    }
}

fn not_json() -> Input {
    Input::StatusResponse {
        http_status: 200,
        reply: None,
        date_ms: None,
        retry_after_ms: None,
    }
}

fn other_order(status: &str) -> Input {
    Input::StatusResponse {
        http_status: 200,
        reply: read(body("INV-SOMEONE-ELSE", status)),
        date_ms: None,
        retry_after_ms: None,
    }
}

/// A 200 answer for this order saying `status`, with `fields` added, replaced or (as
/// `None`) removed.
fn ok_with(status: &str, fields: &[(&str, Option<Value>)]) -> Input {
    let Value::Object(mut body) = body(ORDER, status) else {
        unreachable!()
    };
    for (key, value) in fields {
        body.retain(|(k, _)| k != key);
        if let Some(v) = value {
            body.push(((*key).into(), v.clone()));
        }
    }
    Input::StatusResponse {
        http_status: 200,
        reply: read(Value::Object(body)),
        date_ms: None,
        retry_after_ms: None,
    }
}

fn text(s: &str) -> Option<Value> {
    Some(Value::String(s.into()))
}

fn failed() -> Input {
    Input::RequestFailed { timed_out: false }
}

/// How the harness answers requests by itself.
#[derive(Clone, Debug)]
enum Serve {
    Manual,
    Status(&'static str),
    Http(u16),
    Offline,
}

/// One step of a table.
enum Do {
    /// A scripted answer to the outstanding request (asserted to exist).
    Answer(Input),
    /// An answer when none is outstanding: a duplicate or a very late reply.
    Stray(Input),
    /// Any other input.
    Feed(Input),
    /// Only let time pass.
    Wait,
    Serve(Serve),
}

#[derive(Default, Clone)]
struct Want {
    state: Option<State>,
    events: Option<Vec<EventKind>>,
    codes: Option<Vec<&'static str>>,
    fetched: Option<bool>,
    in_flight: Option<bool>,
    trouble: Option<bool>,
    local_expired: Option<bool>,
    status: Option<&'static str>,
    wakeup_none: Option<bool>,
    open_app: Option<u32>,
    min_fetches: Option<u32>,
    max_fetches: Option<u32>,
}

fn w() -> Want {
    Want::default()
}

impl Want {
    fn state(mut self, s: State) -> Self {
        self.state = Some(s);
        self
    }
    fn events(mut self, e: &[EventKind]) -> Self {
        self.events = Some(e.to_vec());
        self
    }
    fn codes(mut self, c: &[&'static str]) -> Self {
        self.codes = Some(c.to_vec());
        self
    }
    fn fetched(mut self, f: bool) -> Self {
        self.fetched = Some(f);
        self
    }
    fn in_flight(mut self, f: bool) -> Self {
        self.in_flight = Some(f);
        self
    }
    fn trouble(mut self, t: bool) -> Self {
        self.trouble = Some(t);
        self
    }
    fn local_expired(mut self, e: bool) -> Self {
        self.local_expired = Some(e);
        self
    }
    fn status(mut self, s: &'static str) -> Self {
        self.status = Some(s);
        self
    }
    fn asleep(mut self) -> Self {
        self.wakeup_none = Some(true);
        self
    }
    fn open_app(mut self, n: u32) -> Self {
        self.open_app = Some(n);
        self
    }
    fn fetches(mut self, lo: u32, hi: u32) -> Self {
        self.min_fetches = Some(lo);
        self.max_fetches = Some(hi);
        self
    }
}

struct Harness {
    m: Machine,
    now: i64,
    visible: bool,
    in_flight: bool,
    serve: Serve,
    answer_at: Option<i64>,
    events: Vec<Event>,
    fetches: u32,
    open_app: u32,
    snapshot: Option<Snapshot>,
    all_terminal: u32,
}

impl Harness {
    fn new(m: Machine, now: i64) -> Harness {
        Harness {
            m,
            now,
            visible: true,
            in_flight: false,
            serve: Serve::Manual,
            answer_at: None,
            events: Vec::new(),
            fetches: 0,
            open_app: 0,
            snapshot: None,
            all_terminal: 0,
        }
    }

    fn absorb(&mut self, cmds: Vec<Command>) {
        for c in cmds {
            match c {
                Command::Fetch { timeout_ms } => {
                    assert!(!self.in_flight, "second request while one is outstanding");
                    assert!(self.visible, "request while hidden");
                    assert_eq!(timeout_ms, 10_000);
                    self.in_flight = true;
                    self.fetches += 1;
                    if !matches!(self.serve, Serve::Manual) {
                        self.answer_at = Some(self.now + 200);
                    }
                }
                Command::AbortFetch => {
                    self.in_flight = false;
                    self.answer_at = None;
                }
                Command::Emit(e) => {
                    if e.kind.is_terminal() {
                        self.all_terminal += 1;
                    }
                    self.events.push(e);
                }
                Command::Persist(s) => {
                    assert_eq!(Snapshot::decode(&s.encode(), ORDER).as_ref(), Some(&s));
                    self.snapshot = Some(s);
                }
                Command::OpenApp => self.open_app += 1,
            }
        }
        assert_eq!(
            self.m.in_flight(),
            self.in_flight,
            "machine and driver disagree"
        );
        assert!(self.all_terminal <= 1, "two terminal events");
    }

    fn feed(&mut self, input: Input) {
        if let Input::Visibility { visible } = input {
            self.visible = visible;
        }
        let cmds = self.m.handle(input, self.now);
        self.absorb(cmds);
    }

    fn auto_answer(&self) -> Input {
        match self.serve {
            Serve::Status(s) => ok(s),
            Serve::Http(code) => http(code, "settlement"),
            Serve::Offline => failed(),
            Serve::Manual => unreachable!(),
        }
    }

    /// Delivers wake-ups and automatic answers up to `until`.
    fn run_until(&mut self, until: i64) {
        for _ in 0..100_000 {
            let wake = self.m.next_wakeup();
            if let Some(w) = wake {
                assert!(w >= self.now, "wake-up in the past");
            }
            let next = [wake, self.answer_at].into_iter().flatten().min();
            match next {
                Some(t) if t <= until => {
                    self.now = t;
                    if self.answer_at == Some(t) {
                        self.answer_at = None;
                        self.in_flight = false;
                        let a = self.auto_answer();
                        self.feed(a);
                    } else {
                        self.feed(Input::Tick);
                    }
                }
                _ => {
                    self.now = until;
                    return;
                }
            }
        }
        panic!("wake-ups do not advance");
    }

    fn step(&mut self, at: i64, what: Do) {
        self.run_until(at);
        self.apply(what);
    }

    fn apply(&mut self, what: Do) {
        match what {
            Do::Answer(input) => {
                assert!(
                    self.in_flight,
                    "scripted answer with no request outstanding"
                );
                self.in_flight = false;
                self.answer_at = None;
                self.feed(input);
            }
            Do::Stray(input) => {
                assert!(
                    !self.in_flight,
                    "stray reply while a request is outstanding"
                );
                self.feed(input);
            }
            Do::Feed(input) => self.feed(input),
            Do::Wait => {}
            Do::Serve(s) => {
                self.serve = s;
                if self.in_flight && !matches!(self.serve, Serve::Manual) {
                    self.answer_at = Some(self.now + 200);
                }
            }
        }
    }

    fn check(&mut self, case: &str, i: usize, want: &Want) {
        let ctx = format!("case `{case}`, step {i}");
        let view = self.m.view(self.now);
        let kinds: Vec<EventKind> = self.events.iter().map(|e| e.kind).collect();
        if let Some(s) = want.state {
            assert_eq!(view.state, s, "{ctx}: state");
        }
        if let Some(e) = &want.events {
            assert_eq!(&kinds, e, "{ctx}: events {:?}", self.events);
        }
        if let Some(c) = &want.codes {
            let codes: Vec<&str> = self.events.iter().filter_map(|e| e.code).collect();
            assert_eq!(&codes, c, "{ctx}: codes");
        }
        if let Some(f) = want.fetched {
            assert_eq!(self.fetches > 0, f, "{ctx}: fetched ({})", self.fetches);
        }
        if let Some(lo) = want.min_fetches {
            assert!(self.fetches >= lo, "{ctx}: {} fetches < {lo}", self.fetches);
        }
        if let Some(hi) = want.max_fetches {
            assert!(self.fetches <= hi, "{ctx}: {} fetches > {hi}", self.fetches);
        }
        if let Some(f) = want.in_flight {
            assert_eq!(self.m.in_flight(), f, "{ctx}: in flight");
        }
        if let Some(t) = want.trouble {
            assert_eq!(view.trouble, t, "{ctx}: trouble");
        }
        if let Some(e) = want.local_expired {
            assert_eq!(view.local_expired, e, "{ctx}: local_expired");
        }
        if let Some(s) = want.status {
            assert_eq!(view.last_status, s, "{ctx}: last status");
        }
        if want.wakeup_none == Some(true) {
            assert_eq!(self.m.next_wakeup(), None, "{ctx}: wake-up");
        }
        if let Some(n) = want.open_app {
            assert_eq!(self.open_app, n, "{ctx}: open app");
        }
        for e in &self.events {
            assert_eq!(e.order_id, ORDER, "{ctx}");
            if e.kind == EventKind::Success {
                assert!(
                    matches!(e.transaction_status.as_str(), "settlement" | "capture"),
                    "{ctx}: success without a settlement"
                );
            }
        }
        self.events.clear();
        self.fetches = 0;
    }
}

struct Case {
    name: &'static str,
    config: Config,
    restored: Option<Snapshot>,
    steps: Vec<(f64, Do, Want)>,
}

fn case(name: &'static str, steps: Vec<(f64, Do, Want)>) -> Case {
    Case {
        name,
        config: config(),
        restored: None,
        steps,
    }
}

/// The page is hidden when the widget starts.
fn hidden(mut c: Case) -> Case {
    c.config.visible = false;
    c
}

fn run(c: Case) -> Harness {
    let visible = c.config.visible;
    let mut h = Harness::new(Machine::new(c.config, c.restored, T0), T0);
    h.visible = visible;
    for (i, (at, what, want)) in c.steps.into_iter().enumerate() {
        h.run_until(ms(at));
        let applied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| h.apply(what)));
        if applied.is_err() {
            panic!(
                "case `{}`, step {i}: harness check failed (see above)",
                c.name
            );
        }
        h.check(c.name, i, &want);
    }
    h
}

use EventKind::{Error as Err_, Expire, Failure, Status, Success};

#[test]
fn payment_outcomes() {
    let cases = vec![
        case(
            "settlement on the first answer",
            vec![
                (
                    0.0,
                    Do::Feed(Input::Start),
                    w().state(State::Pending)
                        .events(&[Status])
                        .fetched(true)
                        .status("pending"),
                ),
                (
                    0.2,
                    Do::Answer(ok("settlement")),
                    w().state(State::Success)
                        .events(&[Status, Success])
                        .status("settlement")
                        .asleep(),
                ),
                (60.0, Do::Wait, w().events(&[]).fetched(false)),
            ],
        ),
        case(
            "capture counts as paid once its fraud review accepts it, case-insensitively",
            vec![
                (0.0, Do::Feed(Input::Start), w()),
                // Under review, or no review said: waiting, as for pending.
                (
                    0.2,
                    Do::Answer(ok_with("CAPTURE", &[("fraud_status", text("challenge"))])),
                    w().state(State::Pending)
                        .events(&[Status])
                        .status("capture"),
                ),
                (
                    3.0,
                    Do::Answer(ok("capture")),
                    w().state(State::Pending).events(&[]).in_flight(false),
                ),
                (
                    6.0,
                    Do::Answer(ok_with("capture", &[("fraud_status", text("Accept"))])),
                    w().state(State::Success)
                        .events(&[Success])
                        .status("capture")
                        .asleep(),
                ),
            ],
        ),
        case(
            "a capture whose fraud review denies it is a failure",
            vec![
                (0.0, Do::Feed(Input::Start), w()),
                (
                    0.2,
                    Do::Answer(ok_with("capture", &[("fraud_status", text("deny"))])),
                    w().state(State::Failure)
                        .events(&[Status, Failure])
                        .status("capture")
                        .asleep(),
                ),
            ],
        ),
        case(
            "a capture without a review is waited on until the settlement",
            vec![
                (0.0, Do::Feed(Input::Start), w()),
                (
                    0.2,
                    Do::Answer(ok("capture")),
                    w().state(State::Pending).events(&[Status]),
                ),
                (
                    3.0,
                    Do::Answer(ok("settlement")),
                    w().state(State::Success).events(&[Status, Success]),
                ),
            ],
        ),
        case(
            "deny is a failure",
            vec![
                (0.0, Do::Feed(Input::Start), w()),
                (
                    0.2,
                    Do::Answer(ok("deny")),
                    w().state(State::Failure).events(&[Status, Failure]),
                ),
            ],
        ),
        case(
            "refund after payment shows reversed, with no success event",
            vec![
                (0.0, Do::Feed(Input::Start), w()),
                (
                    0.2,
                    Do::Answer(ok("partial_refund")),
                    w().state(State::Reversed)
                        .events(&[Status])
                        .status("partial_refund")
                        .asleep(),
                ),
                (30.0, Do::Wait, w().fetched(false).events(&[])),
            ],
        ),
        case(
            "the endpoint's expired spelling",
            vec![
                (0.0, Do::Feed(Input::Start), w()),
                (
                    0.2,
                    Do::Answer(ok("Expired")),
                    w().state(State::Expire)
                        .events(&[Status, Expire])
                        .status("expire")
                        .codes(&[]),
                ),
            ],
        ),
    ];
    for c in cases {
        run(c);
    }
}

/// An answer that does not agree with the charge stops the widget, as one for another order.
fn stops_with(name: &'static str, answer: Input, code: &'static str) -> Case {
    case(
        name,
        vec![
            (0.0, Do::Feed(Input::Start), w().events(&[Status])),
            (
                0.2,
                Do::Answer(answer),
                w().state(State::Error)
                    .events(&[Err_])
                    .codes(&[code])
                    .status("pending")
                    .in_flight(false)
                    .asleep(),
            ),
            // Nothing more is asked, however long the page stays.
            (
                600.0,
                Do::Wait,
                w().state(State::Error).events(&[]).fetches(0, 0),
            ),
        ],
    )
}

fn pays(name: &'static str, answer: Input) -> Case {
    case(
        name,
        vec![
            (0.0, Do::Feed(Input::Start), w()),
            (
                0.2,
                Do::Answer(answer),
                w().state(State::Success).events(&[Status, Success]),
            ),
        ],
    )
}

#[test]
fn success_needs_an_answer_that_agrees_with_the_charge() {
    let amount = |v: Value| ok_with("settlement", &[("gross_amount", Some(v))]);
    let transaction = |id: &str| ok_with("settlement", &[("transaction_id", text(id))]);
    let cases = vec![
        stops_with(
            "a settlement of another amount",
            amount(Value::String("1.00".into())),
            CODE_AMOUNT_MISMATCH,
        ),
        stops_with(
            "a settlement of a larger amount, as a number",
            amount(Value::Number(149_501.0)),
            CODE_AMOUNT_MISMATCH,
        ),
        stops_with(
            "a settlement with sen on top",
            amount(Value::String("149500.50".into())),
            CODE_AMOUNT_MISMATCH,
        ),
        stops_with(
            "an amount that is not a number is not the charge's",
            amount(Value::String("Rp149.500".into())),
            CODE_AMOUNT_MISMATCH,
        ),
        stops_with(
            "a pending answer of another amount cannot be trusted either",
            ok_with("pending", &[("gross_amount", text("1.00"))]),
            CODE_AMOUNT_MISMATCH,
        ),
        stops_with(
            "a capture accepted for another amount",
            ok_with(
                "capture",
                &[
                    ("fraud_status", text("accept")),
                    ("gross_amount", text("1")),
                ],
            ),
            CODE_AMOUNT_MISMATCH,
        ),
        stops_with(
            "a settlement of another transaction",
            transaction("0a0b0c0d-0000-4000-8000-000000000000"),
            CODE_TRANSACTION_MISMATCH,
        ),
        stops_with(
            "a settlement of another transaction and another amount: the transaction is said",
            ok_with(
                "settlement",
                &[
                    ("transaction_id", text("another")),
                    ("gross_amount", text("1.00")),
                ],
            ),
            CODE_TRANSACTION_MISMATCH,
        ),
        pays(
            "the amount written without sen",
            amount(Value::String("149500".into())),
        ),
        pays("the amount as a number", amount(Value::Number(149_500.0))),
        pays(
            "no amount in the answer",
            ok_with("settlement", &[("gross_amount", None)]),
        ),
        pays(
            "the charge's transaction in capitals",
            transaction("7F1C1D2E-5A7B-4C3D-9E8F-0A1B2C3D4E5F"),
        ),
        pays(
            "no transaction in the answer",
            ok_with("settlement", &[("transaction_id", None)]),
        ),
    ];
    for c in cases {
        run(c);
    }
}

#[test]
fn an_answer_at_odds_with_the_charge_stays_an_error_after_a_reload() {
    let h = run(stops_with(
        "another amount",
        ok_with("settlement", &[("gross_amount", text("1.00"))]),
        CODE_AMOUNT_MISMATCH,
    ));
    let saved = h.snapshot.clone().expect("persisted");
    assert_eq!(saved.state, State::Error);
    let mut c = case(
        "reloaded after the mismatch",
        vec![(
            700.0,
            Do::Feed(Input::Start),
            w().state(State::Error).events(&[]).fetched(false).asleep(),
        )],
    );
    c.restored = Snapshot::decode(&saved.encode(), ORDER);
    assert!(c.restored.is_some());
    run(c);
}

#[test]
fn failures_never_decide_the_payment() {
    let cases = vec![
        case(
            "three 500s then settlement",
            vec![
                (0.0, Do::Feed(Input::Start), w().fetched(true)),
                (
                    0.2,
                    Do::Answer(http(500, "settlement")),
                    w().state(State::Pending).events(&[]).in_flight(false),
                ),
                (
                    5.0,
                    Do::Answer(http(500, "settlement")),
                    w().state(State::Pending).events(&[]).fetches(1, 1),
                ),
                (
                    10.0,
                    Do::Answer(http(503, "settlement")),
                    w().state(State::Pending).events(&[]).fetches(1, 1),
                ),
                (
                    20.0,
                    Do::Answer(ok("settlement")),
                    w().state(State::Success)
                        .events(&[Status, Success])
                        .trouble(false),
                ),
            ],
        ),
        case(
            "404 with a settlement body is not a settlement",
            vec![
                (0.0, Do::Feed(Input::Start), w()),
                (
                    0.2,
                    Do::Answer(http(404, "settlement")),
                    w().state(State::Pending).events(&[]),
                ),
            ],
        ),
        case(
            "malformed answers are retried",
            vec![
                (0.0, Do::Feed(Input::Start), w().events(&[Status])),
                (
                    0.1,
                    Do::Answer(not_json()),
                    w().state(State::Pending).events(&[]),
                ),
                (
                    3.0,
                    Do::Answer(Input::StatusResponse {
                        http_status: 200,
                        reply: read(Value::Object(vec![(
                            "transaction_status".into(),
                            Value::Number(1.0),
                        )])),
                        date_ms: None,
                        retry_after_ms: None,
                    }),
                    w().state(State::Pending).events(&[]),
                ),
                (
                    20.0,
                    Do::Answer(ok("settlement")),
                    w().state(State::Success).events(&[Status, Success]),
                ),
            ],
        ),
        case(
            "an answer for another order stops the widget for good",
            vec![
                (0.0, Do::Feed(Input::Start), w().events(&[Status])),
                (
                    0.1,
                    Do::Answer(other_order("settlement")),
                    w().state(State::Error)
                        .events(&[Err_])
                        .codes(&[CODE_ORDER_MISMATCH])
                        .status("pending")
                        .in_flight(false),
                ),
                // Nothing more is asked, however long the page stays.
                (
                    600.0,
                    Do::Wait,
                    w().state(State::Error).events(&[]).fetches(0, 0),
                ),
            ],
        ),
        case(
            "an answer without order_id is accepted",
            vec![
                (0.0, Do::Feed(Input::Start), w()),
                (
                    0.2,
                    Do::Answer(Input::StatusResponse {
                        http_status: 200,
                        reply: read(Value::Object(vec![(
                            "transaction_status".into(),
                            Value::String("settlement".into()),
                        )])),
                        date_ms: None,
                        retry_after_ms: None,
                    }),
                    w().state(State::Success),
                ),
            ],
        ),
        case(
            "endpoint down: trouble, one status_unreachable status event, then recovery",
            vec![
                (0.0, Do::Serve(Serve::Http(503)), w()),
                (0.0, Do::Feed(Input::Start), w()),
                (10.0, Do::Wait, w().state(State::Pending).trouble(false)),
                (
                    40.0,
                    Do::Wait,
                    w().state(State::Pending).trouble(true).events(&[]),
                ),
                (
                    150.0,
                    Do::Wait,
                    // Still trying: a status event with the code, not an error.
                    w().state(State::Pending)
                        .trouble(true)
                        .events(&[Status])
                        .codes(&[CODE_UNREACHABLE])
                        // Backing off: far fewer than the 2 s cadence would make.
                        .fetches(3, 12),
                ),
                (400.0, Do::Wait, w().events(&[]).fetches(5, 20)),
                (400.0, Do::Serve(Serve::Status("settlement")), w()),
                (
                    432.0,
                    Do::Wait,
                    w().state(State::Success)
                        .events(&[Status, Success])
                        .trouble(false),
                ),
            ],
        ),
        case(
            "offline, then online checks at once",
            vec![
                (0.0, Do::Serve(Serve::Offline), w()),
                (0.0, Do::Feed(Input::Start), w()),
                (60.0, Do::Wait, w().state(State::Pending).trouble(true)),
                (60.0, Do::Serve(Serve::Manual), w()),
                (70.0, Do::Wait, w()),
                (
                    70.0,
                    Do::Feed(Input::Online),
                    // Either a request is already out or one starts now.
                    w().in_flight(true),
                ),
                (
                    70.5,
                    Do::Answer(ok("settlement")),
                    w().state(State::Success),
                ),
            ],
        ),
        case(
            "a request the driver never answers is given up",
            vec![
                (0.0, Do::Feed(Input::Start), w().in_flight(true)),
                (11.9, Do::Wait, w().in_flight(true)),
                (
                    12.0,
                    Do::Wait,
                    w().in_flight(false).state(State::Pending).events(&[]),
                ),
                (15.0, Do::Wait, w().in_flight(true)),
                (
                    15.5,
                    Do::Answer(ok("settlement")),
                    w().state(State::Success),
                ),
            ],
        ),
        case(
            "timeouts are failures",
            vec![
                (0.0, Do::Feed(Input::Start), w()),
                (
                    10.0,
                    Do::Answer(Input::RequestFailed { timed_out: true }),
                    w().state(State::Pending).events(&[]),
                ),
                (
                    13.0,
                    Do::Answer(ok("pending")),
                    w().state(State::Pending).events(&[]),
                ),
            ],
        ),
    ];
    for c in cases {
        run(c);
    }
}

#[test]
fn duplicates_and_out_of_order_answers() {
    let cases = vec![
        case(
            "a duplicate reply is ignored",
            vec![
                (0.0, Do::Feed(Input::Start), w()),
                (0.2, Do::Answer(ok("pending")), w().events(&[])),
                (
                    0.3,
                    Do::Stray(ok("settlement")),
                    w().state(State::Pending).events(&[]).fetched(false),
                ),
                (
                    3.0,
                    Do::Answer(ok("settlement")),
                    w().state(State::Success).events(&[Status, Success]),
                ),
                (3.1, Do::Stray(ok("settlement")), w().events(&[])),
            ],
        ),
        case(
            "pending after settlement",
            vec![
                (0.0, Do::Feed(Input::Start), w()),
                (0.2, Do::Answer(ok("settlement")), w().state(State::Success)),
                (
                    5.0,
                    Do::Stray(ok("pending")),
                    w().state(State::Success)
                        .events(&[])
                        .fetched(false)
                        .status("settlement"),
                ),
                (
                    6.0,
                    Do::Feed(Input::Visibility { visible: true }),
                    w().fetched(false),
                ),
                (7.0, Do::Feed(Input::Online), w().fetched(false)),
            ],
        ),
        case(
            "expire racing settlement: the first verdict stands",
            vec![
                (0.0, Do::Feed(Input::Start), w()),
                (
                    0.2,
                    Do::Answer(ok("expire")),
                    w().state(State::Expire).events(&[Status, Expire]),
                ),
                (
                    0.3,
                    Do::Stray(ok("settlement")),
                    w().state(State::Expire).events(&[]),
                ),
            ],
        ),
        case(
            "settlement racing a late expire",
            vec![
                (0.0, Do::Feed(Input::Start), w()),
                (0.2, Do::Answer(ok("settlement")), w().state(State::Success)),
                (
                    0.3,
                    Do::Stray(ok("expire")),
                    w().state(State::Success).events(&[]),
                ),
            ],
        ),
        case(
            "the same pending twice emits one status event",
            vec![
                (0.0, Do::Feed(Input::Start), w().events(&[Status])),
                (0.2, Do::Answer(ok("pending")), w().events(&[])),
                (3.0, Do::Answer(ok("PENDING")), w().events(&[])),
            ],
        ),
        case(
            "unknown status: pending-like and reported once",
            vec![
                (0.0, Do::Serve(Serve::Status("on_hold")), w()),
                (
                    1.0,
                    Do::Feed(Input::Start),
                    w().events(&[Status]).status("pending"),
                ),
                (
                    30.0,
                    Do::Wait,
                    w().state(State::Pending)
                        .events(&[Status])
                        .codes(&[CODE_UNKNOWN_STATUS])
                        .status("on_hold")
                        .fetches(10, 20),
                ),
                (60.0, Do::Wait, w().events(&[])),
                (60.0, Do::Serve(Serve::Status("settlement")), w()),
                (
                    63.0,
                    Do::Wait,
                    w().state(State::Success).events(&[Status, Success]),
                ),
            ],
        ),
    ];
    for c in cases {
        run(c);
    }
}

#[test]
fn expiry_and_grace_window() {
    let cases = vec![
        case(
            "late settlement after local expiry",
            vec![
                (0.0, Do::Serve(Serve::Status("pending")), w()),
                (0.0, Do::Feed(Input::Start), w()),
                (
                    899.5,
                    Do::Wait,
                    w().state(State::Pending).local_expired(false),
                ),
                (
                    900.5,
                    Do::Wait,
                    w().state(State::Confirming).local_expired(true).events(&[]),
                ),
                (960.0, Do::Serve(Serve::Status("settlement")), w()),
                (
                    995.0,
                    Do::Wait,
                    w().state(State::Success)
                        .events(&[Status, Success])
                        .local_expired(false),
                ),
                (1300.0, Do::Wait, w().events(&[]).fetched(false)),
            ],
        ),
        case(
            "grace window ends as a local expire",
            vec![
                (0.0, Do::Serve(Serve::Status("pending")), w()),
                (0.0, Do::Feed(Input::Start), w()),
                (
                    1019.0,
                    Do::Wait,
                    w().state(State::Confirming).events(&[]).fetches(80, 118),
                ),
                (
                    1021.0,
                    Do::Wait,
                    w().state(State::Expire)
                        .events(&[Status, Expire])
                        .codes(&[CODE_EXPIRED_LOCALLY, CODE_EXPIRED_LOCALLY])
                        .status("expire")
                        .asleep(),
                ),
            ],
        ),
        case(
            "the endpoint's expire inside the grace window",
            vec![
                (0.0, Do::Serve(Serve::Status("pending")), w()),
                (0.0, Do::Feed(Input::Start), w()),
                (950.0, Do::Serve(Serve::Status("expire")), w()),
                (
                    970.0,
                    Do::Wait,
                    w().state(State::Expire)
                        .events(&[Status, Expire])
                        .codes(&[]),
                ),
            ],
        ),
        case(
            "settlement answered just after the grace window closes",
            vec![
                (0.0, Do::Serve(Serve::Status("pending")), w()),
                (0.0, Do::Feed(Input::Start), w()),
                (1000.0, Do::Serve(Serve::Manual), w()),
                (
                    1020.1,
                    Do::Wait,
                    w().state(State::Confirming).in_flight(true),
                ),
                (
                    1021.0,
                    Do::Answer(ok("settlement")),
                    w().state(State::Success).events(&[Status, Success]),
                ),
            ],
        ),
        case(
            "page loaded after expiry starts confirming",
            vec![
                (1000.0, Do::Feed(Input::Start), w().state(State::Confirming)),
                (
                    1000.2,
                    Do::Answer(ok("pending")),
                    w().state(State::Confirming).local_expired(true),
                ),
                (
                    1020.5,
                    Do::Answer(ok("pending")),
                    w().state(State::Expire).events(&[Status, Expire]),
                ),
            ],
        ),
        case(
            "a charge that already says settlement waits for the endpoint",
            vec![
                (
                    0.0,
                    Do::Feed(Input::Start),
                    w().state(State::Loading).events(&[]).fetched(true),
                ),
                (
                    0.2,
                    Do::Answer(http(500, "settlement")),
                    w().state(State::Loading).events(&[]),
                ),
                (
                    3.0,
                    Do::Answer(ok("pending")),
                    w().state(State::Pending).events(&[Status]),
                ),
            ],
        ),
    ];
    for mut c in cases {
        if c.name.starts_with("a charge that already") {
            c.config.initial_status = "settlement".into();
        }
        run(c);
    }
}

#[test]
fn unreachable_through_expiry_still_ends() {
    // The endpoint is down from the start: after the grace window the
    // widget decides expiry itself, and never succeeds or fails on its own.
    let h = run(case(
        "down through expiry",
        vec![
            (0.0, Do::Serve(Serve::Http(500)), w()),
            (0.0, Do::Feed(Input::Start), w()),
            (
                1019.0,
                Do::Wait,
                w().state(State::Confirming)
                    .events(&[Status])
                    .codes(&[CODE_UNREACHABLE])
                    .trouble(true),
            ),
            (
                1021.0,
                Do::Wait,
                w().state(State::Expire).events(&[Status, Expire]),
            ),
        ],
    ));
    assert_eq!(h.all_terminal, 1);
}

#[test]
fn clock_skew_from_the_date_header() {
    // The shopper's clock is 10 minutes behind the server.
    run(case(
        "skewed clock",
        vec![
            (0.0, Do::Feed(Input::Start), w()),
            (0.2, Do::Answer(ok_dated("pending", ms(600.1))), w()),
            (1.0, Do::Wait, w().state(State::Pending)),
            (
                299.0,
                Do::Wait,
                w().state(State::Pending).local_expired(false),
            ),
            (
                301.0,
                Do::Wait,
                w().state(State::Confirming).local_expired(true),
            ),
        ],
    ));
    // Under a second or two of difference is left alone.
    let mut h = Harness::new(Machine::new(config(), None, T0), T0);
    h.step(T0, Do::Feed(Input::Start));
    h.step(ms(0.2), Do::Answer(ok_dated("pending", ms(1.0))));
    assert_eq!(h.m.skew_ms(), 0);
    assert_eq!(h.m.view(T0).remaining_ms, 900_000);
}

#[test]
fn visibility() {
    let cases = vec![
        case(
            "hidden then visible",
            vec![
                (0.0, Do::Serve(Serve::Status("pending")), w()),
                (0.0, Do::Feed(Input::Start), w()),
                (
                    10.0,
                    Do::Feed(Input::Visibility { visible: false }),
                    w().fetches(3, 6),
                ),
                (600.0, Do::Wait, w().fetched(false).asleep()),
                (
                    600.0,
                    Do::Feed(Input::Visibility { visible: true }),
                    w().fetched(true).in_flight(true),
                ),
                (
                    620.0,
                    Do::Wait,
                    // Quick again right after coming back.
                    w().fetches(6, 12),
                ),
            ],
        ),
        case(
            "a hidden page passes expiry and decides when seen",
            vec![
                (0.0, Do::Serve(Serve::Status("pending")), w()),
                (0.0, Do::Feed(Input::Start), w()),
                (5.0, Do::Feed(Input::Visibility { visible: false }), w()),
                (2000.0, Do::Wait, w().fetched(false).events(&[])),
                (
                    2000.0,
                    Do::Feed(Input::Visibility { visible: true }),
                    w().fetched(true),
                ),
                (
                    2001.0,
                    Do::Wait,
                    w().state(State::Expire).events(&[Status, Expire]),
                ),
            ],
        ),
        case(
            "visible twice does not double the checks",
            vec![
                (0.0, Do::Feed(Input::Start), w()),
                (0.2, Do::Answer(ok("pending")), w()),
                (
                    0.3,
                    Do::Feed(Input::Visibility { visible: true }),
                    w().fetched(false),
                ),
            ],
        ),
        hidden(case(
            "hidden at start: no request until seen",
            vec![
                (
                    0.0,
                    Do::Feed(Input::Start),
                    w().fetched(false).state(State::Pending).asleep(),
                ),
                (
                    5.0,
                    Do::Feed(Input::Visibility { visible: true }),
                    w().fetched(true),
                ),
            ],
        )),
    ];
    for c in cases {
        run(c);
    }
}

#[test]
fn phone_flow_and_returns() {
    let phone = |name, steps| {
        let mut c = case(name, steps);
        c.config.app_first = true;
        c
    };
    let loaded_by_callback = |mut c: Case| {
        c.config.returned_from_app = Some(Some("success".to_owned()));
        c
    };
    let loaded_by_callback_with = |result: Option<&str>, mut c: Case| {
        c.config.returned_from_app = Some(result.map(str::to_owned));
        c
    };
    let cases = vec![
        phone(
            "the app opens once by itself",
            vec![
                (0.0, Do::Feed(Input::Start), w().open_app(1).fetched(true)),
                (
                    0.5,
                    Do::Feed(Input::Visibility { visible: false }),
                    w().open_app(1),
                ),
                (
                    60.0,
                    Do::Feed(Input::Visibility { visible: true }),
                    w().open_app(1).fetched(true),
                ),
            ],
        ),
        phone(
            "a tap on Open GoPay before the start stops the automatic attempt",
            vec![
                (0.0, Do::Feed(Input::AppOpened), w()),
                (0.0, Do::Feed(Input::Start), w().open_app(0)),
            ],
        ),
        loaded_by_callback(phone(
            "page loaded by the callback: confirming, checking at once, no reopening",
            vec![
                (
                    0.0,
                    Do::Feed(Input::Start),
                    w().state(State::Confirming).fetched(true).open_app(0),
                ),
                (
                    0.3,
                    Do::Answer(ok("pending")),
                    // result=success is not proof, but keeps "checking" a while.
                    w().state(State::Confirming).events(&[]),
                ),
                (0.3, Do::Serve(Serve::Status("pending")), w()),
                (29.0, Do::Wait, w().state(State::Confirming).fetches(15, 22)),
                (31.0, Do::Wait, w().state(State::Pending).open_app(0)),
            ],
        )),
        // A return from the app is a page load by its callback: a start with that config.
        loaded_by_callback_with(
            Some("failure"),
            phone(
                "loaded by the callback with result=failure: pending again on the first answer",
                vec![
                    (
                        0.0,
                        Do::Feed(Input::Start),
                        w().state(State::Confirming).fetched(true).open_app(0),
                    ),
                    (
                        0.2,
                        Do::Answer(ok("pending")),
                        w().state(State::Pending).open_app(0),
                    ),
                    (1.2, Do::Wait, w().state(State::Pending).open_app(0)),
                ],
            ),
        ),
        loaded_by_callback_with(
            None,
            phone(
                "loaded by the callback without a result, then settlement",
                vec![
                    (
                        0.0,
                        Do::Feed(Input::Start),
                        w().state(State::Confirming).fetched(true),
                    ),
                    (
                        0.3,
                        Do::Answer(ok("settlement")),
                        w().state(State::Success).events(&[Status, Success]),
                    ),
                ],
            ),
        ),
    ];
    for c in cases {
        run(c);
    }
}

#[test]
fn resume_after_reload() {
    // First page: pays, persists, fires success.
    let mut first_cfg = config();
    first_cfg.app_first = true;
    let mut c = case(
        "first page",
        vec![
            (0.0, Do::Feed(Input::Start), w().open_app(1)),
            (
                0.2,
                Do::Answer(ok("settlement")),
                w().events(&[Status, Success]),
            ),
        ],
    );
    c.config = first_cfg.clone();
    let h = run(c);
    let saved = h.snapshot.clone().expect("persisted").encode();

    // Reload: terminal state restored, nothing fires again, nothing polls.
    let restored = Snapshot::decode(&saved, ORDER);
    assert!(restored.is_some());
    let mut c = case(
        "reloaded after success",
        vec![
            (
                5.0,
                Do::Feed(Input::Start),
                w().state(State::Success)
                    .events(&[])
                    .fetched(false)
                    .open_app(0)
                    .asleep(),
            ),
            (6.0, Do::Stray(ok("settlement")), w().events(&[])),
        ],
    );
    c.config = first_cfg.clone();
    c.restored = restored;
    run(c);

    // A snapshot of another order is not used.
    assert_eq!(Snapshot::decode(&saved, "OTHER"), None);

    // Mid-payment reload: same countdown base, no second automatic opening.
    let mut c = case(
        "first page, pending",
        vec![
            (0.0, Do::Feed(Input::Start), w().open_app(1)),
            (0.2, Do::Answer(ok_dated("pending", ms(30.0))), w()),
        ],
    );
    c.config = first_cfg.clone();
    let h = run(c);
    let snap = h.snapshot.clone().expect("persisted");
    assert!(snap.app_open_attempted);
    assert!(snap.skew_ms > 25_000);
    let mut c = case(
        "reloaded while pending",
        vec![(
            100.0,
            Do::Feed(Input::Start),
            w().state(State::Pending)
                .events(&[Status])
                .open_app(0)
                .fetched(true),
        )],
    );
    c.config = first_cfg;
    c.restored = Snapshot::decode(&snap.encode(), ORDER);
    let mut h = run(c);
    // The skew survived the reload: 900 - 100 - 30 s left.
    let left = h.m.view(ms(100.0)).remaining_ms;
    assert!((769_000..=771_000).contains(&left), "{left}");
    h.step(ms(100.3), Do::Answer(ok("pending")));
}

#[test]
fn destroy_stops_everything() {
    let mut h = Harness::new(Machine::new(config(), None, T0), T0);
    h.step(T0, Do::Feed(Input::Start));
    assert!(h.m.in_flight());
    let cmds = h.m.handle(Input::Destroy, ms(1.0));
    assert_eq!(cmds, vec![Command::AbortFetch]);
    assert!(!h.m.in_flight());
    assert_eq!(h.m.next_wakeup(), None);
    for input in [
        Input::Tick,
        ok("settlement"),
        Input::Online,
        Input::Visibility { visible: true },
        Input::Start,
    ] {
        assert!(h.m.handle(input, ms(2.0)).is_empty());
    }
    // Destroy while idle needs no abort.
    let mut m = Machine::new(config(), None, T0);
    m.handle(Input::Start, T0);
    m.handle(ok("pending"), ms(0.1));
    assert!(m.handle(Input::Destroy, ms(0.2)).is_empty());
}

#[test]
fn persist_comes_before_the_events_it_records() {
    let mut m = Machine::new(config(), None, T0);
    m.handle(Input::Start, T0);
    let cmds = m.handle(ok("settlement"), ms(0.2));
    let persist = cmds
        .iter()
        .position(|c| matches!(c, Command::Persist(s) if s.state == State::Success));
    let success = cmds
        .iter()
        .position(|c| matches!(c, Command::Emit(e) if e.kind == Success));
    assert!(persist.is_some() && success.is_some());
    assert!(persist < success);
}

#[test]
fn events_carry_the_contract_fields() {
    let mut m = Machine::new(config(), None, T0);
    m.handle(Input::Start, T0);
    let cmds = m.handle(ok("settlement"), ms(0.2));
    let success = cmds
        .iter()
        .find_map(|c| match c {
            Command::Emit(e) if e.kind == Success => Some(e.clone()),
            _ => None,
        })
        .expect("success");
    assert_eq!(success.kind.dom_name(), "gopay-success");
    assert_eq!(success.order_id, ORDER);
    assert_eq!(success.transaction_id, config().transaction_id);
    assert_eq!(success.transaction_status, "settlement");
    assert_eq!(success.status_code.as_deref(), Some("201"));
    assert_eq!(success.gross_amount.as_deref(), Some("149500.00"));
    assert_eq!(success.code, None);
}

#[test]
fn clock_set_back_does_not_stall_polling() {
    let mut h = Harness::new(Machine::new(config(), None, T0), T0);
    h.serve = Serve::Status("pending");
    h.step(T0, Do::Feed(Input::Start));
    h.run_until(ms(60.0));
    let before = h.m.view(ms(60.0)).remaining_ms;
    // The clock jumps back an hour.
    h.now = ms(60.0) - 3_600_000;
    h.feed(Input::Tick);
    let after = h.m.view(h.now).remaining_ms;
    assert!((before - after).abs() < 100, "{before} vs {after}");
    let wake = h.m.next_wakeup().expect("still polling");
    assert!(wake - h.now <= 12_000, "stalled for {} ms", wake - h.now);
}

#[test]
fn request_budget_for_a_page_left_open() {
    // Never paid, visible throughout, endpoint answering in 200 ms: every
    // request from the start to the local expire fits in 120.
    let mut h = Harness::new(Machine::new(config(), None, T0), T0);
    h.serve = Serve::Status("pending");
    h.step(T0, Do::Feed(Input::Start));
    h.run_until(ms(1100.0));
    assert_eq!(h.m.state(), State::Expire);
    assert!(h.fetches <= 120, "{} requests", h.fetches);
    assert!(
        h.fetches >= 90,
        "{} requests: slower than designed",
        h.fetches
    );

    // The same page hidden after a minute asks nothing more until it is seen.
    let mut h = Harness::new(Machine::new(config(), None, T0), T0);
    h.serve = Serve::Status("pending");
    h.step(T0, Do::Feed(Input::Start));
    h.run_until(ms(60.0));
    let before = h.fetches;
    h.feed(Input::Visibility { visible: false });
    h.run_until(ms(1100.0));
    assert!(
        h.fetches <= before + 1,
        "only the request already out may finish"
    );
    assert_eq!(h.m.next_wakeup(), None);
    // Nothing needs to happen while nobody looks; the view still knows.
    assert!(h.m.view(h.now).local_expired);
    h.feed(Input::Visibility { visible: true });
    assert_eq!(h.m.state(), State::Confirming);
    assert!(h.m.in_flight());
}

/// What the start of a page with this config sends, and where it stands after.
fn start_with(config: Config, at: f64) -> (Machine, Vec<Command>) {
    let mut m = Machine::new(config, None, T0);
    let cmds = m.handle(Input::Start, ms(at));
    (m, cmds)
}

fn start_snapshot(state: State, app_open_attempted: bool) -> Command {
    Command::Persist(Snapshot {
        order_id: ORDER.into(),
        state,
        transaction_status: "pending".into(),
        status_code: None,
        confirmed: false,
        app_open_attempted,
        unreachable_reported: false,
        mismatch_reported: false,
        skew_ms: 0,
        started_ms: T0,
    })
}

fn start_status() -> Command {
    Command::Emit(Event {
        kind: Status,
        order_id: ORDER.into(),
        transaction_id: config().transaction_id,
        transaction_status: "pending".into(),
        status_code: None,
        gross_amount: Some("149500.00".into()),
        code: None,
        message: None,
    })
}

const FETCH: Command = Command::Fetch { timeout_ms: 10_000 };

/// The start produces what the driver used to get by feeding a return from the app and
/// `Visibility { visible: false }` before `Start` (the expected commands are the ones
/// that sequence produced).
#[test]
fn the_config_gives_the_start_what_inputs_before_it_used_to() {
    // Loaded by the callback with result=success, phone flow: confirming, checking at
    // once, recorded as opened, not reopened.
    let mut cfg = config();
    cfg.app_first = true;
    cfg.returned_from_app = Some(Some("success".into()));
    let (m, cmds) = start_with(cfg, 0.0);
    assert_eq!(
        cmds,
        [
            start_snapshot(State::Confirming, true),
            start_status(),
            FETCH
        ]
    );
    assert_eq!(m.state(), State::Confirming);
    assert_eq!(m.next_wakeup(), Some(ms(12.0)));

    // Loaded by the callback without a result: the same.
    let mut cfg = config();
    cfg.returned_from_app = Some(None);
    let (m, cmds) = start_with(cfg, 0.0);
    assert_eq!(
        cmds,
        [
            start_snapshot(State::Confirming, true),
            start_status(),
            FETCH
        ]
    );
    assert_eq!(m.next_wakeup(), Some(ms(12.0)));

    // Hidden at the start, phone flow: pending, no request, no opening, asleep.
    let mut cfg = config();
    cfg.app_first = true;
    cfg.visible = false;
    let (m, cmds) = start_with(cfg, 0.0);
    assert_eq!(
        cmds,
        [start_snapshot(State::Pending, false), start_status()]
    );
    assert_eq!(m.state(), State::Pending);
    assert_eq!(m.next_wakeup(), None);
}

#[test]
fn display_only_starts_as_a_page_hidden_for_good() {
    let display_only = || Config {
        polling: false,
        app_first: true,
        ..config()
    };
    // A pending charge: the first gopay-status, nothing asked, nothing opened.
    let (m, cmds) = start_with(display_only(), 0.0);
    assert_eq!(
        cmds,
        [start_snapshot(State::Pending, false), start_status()]
    );
    assert_eq!(m.next_wakeup(), None);
    // Visible or not makes no difference.
    let (_, hidden) = start_with(
        Config {
            visible: false,
            ..display_only()
        },
        0.0,
    );
    assert_eq!(hidden, cmds);

    // A charge that does not say pending: only the snapshot.
    let (m, cmds) = start_with(
        Config {
            initial_status: "settlement".into(),
            ..display_only()
        },
        0.0,
    );
    let Some(Command::Persist(s)) = cmds.first() else {
        panic!("{cmds:?}")
    };
    assert_eq!(cmds.len(), 1, "{cmds:?}");
    assert_eq!(
        (s.state, s.transaction_status.as_str()),
        (State::Loading, "settlement")
    );
    assert_eq!(m.state(), State::Loading);
    assert_eq!(m.next_wakeup(), None);

    // Loaded by the callback: confirming (and recorded as opened), still asking nothing.
    let (m, cmds) = start_with(
        Config {
            returned_from_app: Some(Some("success".into())),
            ..display_only()
        },
        0.0,
    );
    assert_eq!(
        cmds,
        [start_snapshot(State::Confirming, true), start_status()]
    );
    assert_eq!(m.next_wakeup(), None);

    // Loaded after expiry: confirming, asking nothing.
    let (m, cmds) = start_with(display_only(), 1000.0);
    assert_eq!(
        cmds,
        [start_snapshot(State::Confirming, false), start_status()]
    );
    assert_eq!(m.next_wakeup(), None);
    assert!(m.view(ms(1000.0)).local_expired);
}

#[test]
fn display_only_never_asks_nor_opens_the_app() {
    // Loaded by the app's callback or not: a return changes nothing either.
    let returns = [None, Some(Some("success".to_owned())), Some(None)];
    for (visible, returned_from_app) in [true, false]
        .into_iter()
        .flat_map(|v| returns.clone().map(|r| (v, r)))
    {
        let mut m = Machine::new(
            Config {
                polling: false,
                app_first: true,
                visible,
                returned_from_app,
                ..config()
            },
            None,
            T0,
        );
        m.handle(Input::Start, T0);
        let inputs = [
            Input::Visibility { visible: false },
            Input::Visibility { visible: true },
            Input::Online,
            Input::Tick,
            Input::AppOpened,
        ];
        for (i, input) in inputs.iter().cycle().take(70).enumerate() {
            let now = ms(i as f64 * 20.0);
            let cmds = m.handle(input.clone(), now);
            assert!(
                cmds.iter().all(|c| matches!(c, Command::Persist(_))),
                "{input:?} at {i}: {cmds:?}"
            );
            assert!(!m.in_flight());
            // The only wake-up: the check, 3 s after a tap, that the app opened.
            let check = gopay_widget::core::schedule::Policy::default().app_check_ms;
            let tapped = *input == Input::AppOpened;
            assert!(
                m.next_wakeup().is_none_or(|w| w <= now + check),
                "{input:?} at {i}"
            );
            if !tapped && !visible {
                assert_eq!(m.next_wakeup(), None, "{input:?} at {i}");
            }
            assert!(!m.view(now).trouble);
        }
        assert!(!m.state().is_terminal());
    }
}

//! What each fuzz target does with its bytes, and the promises it checks after every
//! step. One copy serves both sides: the fuzz targets (`fuzz/fuzz_targets/`) include
//! this file, and `tests/fuzz_corpus.rs` replays every file of `fuzz/corpus/<target>/`
//! through the same functions on stable. A broken promise panics.
//!
//! - `charge`: the charge JSON text through the strict JSON reader (checked against
//!   serde_json) and `parse_charge_json`; an accepted charge keeps every documented
//!   bound, and its plan only offers allowlisted URLs.
//! - `status`: a status endpoint body through the JSON reader and `parse_status`, which the
//!   driver's `read_reply` must agree with; an accepted reply keeps the documented bounds
//!   and its status reads the same way in every spelling the widget uses.
//! - `urls`: the deeplink and QR image allowlists (production, a recognised sandbox charge,
//!   sandbox); whatever they admit, a WHATWG URL parser (as browsers use) reads as an
//!   allowed scheme, host, port and path, and a URL recognised as on Midtrans' sandbox is
//!   on one of its sandbox hosts as a browser reads it.
//! - `machine`: the payment lifecycle driven by an arbitrary sequence of inputs, times,
//!   answers (each body read by the driver's status reader) and reloads, with its promises
//!   checked after every input.
//! - `qris`: a `qr_string` through the QRIS payload reader; an accepted payload keeps every
//!   documented bound (format, CRC, merchant fields, amount, currency, country, no tip or
//!   fee), and any change to its CRC is refused.

#![allow(dead_code)]

use arbitrary::{Arbitrary, Unstructured};
use gopay_widget::core::charge::{self, Charge, QrSource};
use gopay_widget::core::deeplink::{self, Allowlist, Environment};
use gopay_widget::core::json::{self, JsonError, Value};
use gopay_widget::core::machine::{
    Command, Config, EventKind, Input, Machine, Snapshot, State, CODE_AMOUNT_MISMATCH,
    CODE_EXPIRED_LOCALLY, CODE_ORDER_MISMATCH, CODE_TRANSACTION_MISMATCH, CODE_UNREACHABLE,
};
use gopay_widget::core::qris::{self, QrisError};
use gopay_widget::core::status::{self, Outcome};

/// What a target does with one input; a broken promise panics.
pub type Target = fn(&[u8]);

/// Every target by name: the fuzz target and the corpus folder share it.
pub const TARGETS: [(&str, Target); 5] = [
    ("charge", charge),
    ("status", status),
    ("urls", urls),
    ("machine", machine),
    ("qris", qris_payload),
];

// ---------------------------------------------------------------------------------------
// JSON: the strict reader against serde_json.

/// Reads `text` with the widget's JSON reader and checks it against serde_json: both
/// accept the same texts (but for the reader's documented refusals and serde_json's
/// limits) and read the same values.
fn read_json(text: &str) -> Option<Value> {
    let ours = json::from_str(text);
    let theirs = serde_json::from_str::<serde_json::Value>(text);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => same_json(a, b, 0, text),
        (Ok(_), Err(e)) => {
            let msg = e.to_string();
            assert!(
                [
                    "number out of range",
                    "recursion limit",
                    "surrogate",
                    "hex escape",
                    "unicode code point"
                ]
                .iter()
                .any(|limit| msg.contains(limit)),
                "the JSON reader accepted what serde_json refuses ({msg}): {text:?}"
            );
        }
        (Err(JsonError::Syntax), Ok(_)) => {
            panic!("the JSON reader refused JSON that serde_json reads: {text:?}")
        }
        // serde_json keeps the last of repeated keys; the reader refuses them.
        (Err(JsonError::DuplicateKey), Ok(_)) | (Err(_), Err(_)) => {}
    }
    ours.ok()
}

fn same_json(a: &Value, b: &serde_json::Value, depth: usize, text: &str) {
    use serde_json::Value as J;
    if depth > json::MAX_DEPTH {
        assert_eq!(a, &Value::TooDeep, "kept below the depth limit: {text:?}");
        return;
    }
    match (a, b) {
        (Value::Null, J::Null) => {}
        (Value::Bool(x), J::Bool(y)) => assert_eq!(x, y, "{text:?}"),
        (Value::Number(x), J::Number(y)) => {
            let y = y.as_f64().expect("serde_json numbers are f64 here");
            let close = x == &y
                || (x - y).abs() <= 1e-9 * x.abs().max(y.abs())
                || (x.abs() < 1e-300 && y.abs() < 1e-300);
            assert!(close, "number read as {x}, serde_json reads {y}: {text:?}");
        }
        (Value::String(x), J::String(y)) => assert_eq!(x, y, "{text:?}"),
        (Value::Array(xs), J::Array(ys)) => {
            assert_eq!(xs.len(), ys.len(), "{text:?}");
            for (x, y) in xs.iter().zip(ys) {
                same_json(x, y, depth + 1, text);
            }
        }
        (Value::Object(xs), J::Object(ys)) => {
            assert_eq!(xs.len(), ys.len(), "{text:?}");
            for (k, x) in xs {
                let y = ys
                    .get(k)
                    .unwrap_or_else(|| panic!("key {k:?} lost: {text:?}"));
                same_json(x, y, depth + 1, text);
            }
        }
        _ => panic!("read {a:?} where serde_json reads {b:?}: {text:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// The charge.

pub fn charge(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if text.len() <= charge::MAX_CHARGE_BYTES {
        read_json(text);
    }
    let Ok(c) = charge::parse_charge_json(text) else {
        return;
    };
    check_charge(&c);
    for env in [
        Environment::Unset,
        Environment::Production,
        Environment::Sandbox,
    ] {
        check_plan(text, &c, env);
    }
}

fn no_control(s: &str) -> bool {
    !s.chars().any(char::is_control)
}

fn check_charge(c: &Charge) {
    let n = c.order_id.chars().count();
    assert!((1..=charge::MAX_ORDER_ID_CHARS).contains(&n) && no_control(&c.order_id));
    let n = c.transaction_id.chars().count();
    assert!((1..=charge::MAX_TRANSACTION_ID_CHARS).contains(&n) && no_control(&c.transaction_id));
    assert!(c.amount > 0 && c.amount < 1_000_000_000_000_000, "{c:?}");
    let whole = c
        .gross_amount
        .strip_suffix(".00")
        .unwrap_or(&c.gross_amount);
    assert_eq!(whole.parse::<u64>().ok(), Some(c.amount), "{c:?}");
    assert_eq!(c.currency, "IDR");
    let s = &c.transaction_status;
    assert!(
        !s.is_empty()
            && s.len() <= 32
            && s.bytes()
                .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-')),
        "{s:?}"
    );
    if let Some(code) = &c.status_code {
        assert!(
            code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()),
            "{code:?}"
        );
        assert!(
            !(code.starts_with('4') || code.starts_with('5')),
            "an error charge: {c:?}"
        );
    }
    let lifetime = c.expiry_ms - c.transaction_time_ms;
    assert!(lifetime > 0 && lifetime <= charge::MAX_EXPIRY_MS, "{c:?}");
    assert!(c.qr.is_some() || c.deeplink.is_some(), "{c:?}");
    match &c.qr {
        Some(QrSource::Payload(p)) => assert!(
            !p.is_empty()
                && p.len() <= charge::MAX_QR_STRING_CHARS
                && p.bytes().all(|b| (0x20..0x7f).contains(&b)),
            "{p:?}"
        ),
        Some(QrSource::Image(url)) => assert!(url.len() <= charge::MAX_URL_CHARS),
        None => {}
    }
    if let Some(url) = &c.deeplink {
        assert!(url.len() <= charge::MAX_URL_CHARS);
    }
}

fn check_plan(text: &str, c: &Charge, environment: Environment) {
    use gopay_widget::core::device::Device;
    use gopay_widget::core::i18n::Locale;
    use gopay_widget::core::plan::{self, Mode, PlanInput, QrPicture};
    let origin = Some("https://shop.example");
    let input = PlanInput {
        charge: Some(text),
        status_url: Some("/status/{order_id}"),
        environment,
        page_origin: origin,
        mode: Mode::Auto,
        device: Device::Phone,
        locale: Locale::En,
        // The in-page QR spares the encoder: the plan's decisions are what is checked.
        qr_in_page: Some(&c.order_id),
    };
    let Ok(p) = plan::plan(input) else {
        return;
    };
    assert_eq!(&p.charge, c);
    assert!(p.qr.is_some() || p.deeplink.is_some());
    // Midtrans' sandbox hosts without `sandbox` named only for a charge whose every URL is
    // http(s) and a browser reads as on them; what the page named is never widened.
    let expected = match environment {
        Environment::Unset => {
            let urls: Vec<&str> = c
                .deeplink
                .iter()
                .chain(&c.qr_image)
                .map(String::as_str)
                .collect();
            let sandbox_host = |url: &&str| {
                url::Url::parse(url).is_ok_and(|u| {
                    matches!(u.scheme(), "http" | "https")
                        && matches!(
                            u.host_str(),
                            Some("simulator.sandbox.midtrans.com" | "api.sandbox.midtrans.com")
                        )
                })
            };
            if !urls.is_empty() && urls.iter().all(sandbox_host) {
                Allowlist::MidtransSandbox
            } else {
                Allowlist::Production
            }
        }
        env => env.into(),
    };
    assert_eq!(p.allowlist, expected, "{text:?}");
    if let Some(url) = &p.deeplink {
        assert_eq!(Some(url), c.deeplink.as_ref());
        assert_deeplink_allowed(url, p.allowlist, origin);
    }
    if let Some(QrPicture::Image { url }) = &p.qr {
        assert_image_allowed(url, p.allowlist, origin);
        assert_image_of(url, &c.transaction_id);
    }
    assert!(p.app_first == p.deeplink.is_some());
    let config = p.machine_config(1, true, None);
    assert_eq!(config.order_id, c.order_id);
    assert!(config.polling);
}

// ---------------------------------------------------------------------------------------
// The status endpoint's reply.

pub fn status(data: &[u8]) {
    // What the driver hands the machine, from any bytes.
    let read = status::read_reply(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(body) = read_json(text) else {
        return;
    };
    let parsed = status::parse_status(&body);
    assert_eq!(
        read,
        parsed.clone().ok(),
        "the driver's reader and the parser differ"
    );
    let Ok(reply) = parsed else {
        return;
    };
    let s = &reply.transaction_status;
    assert!(!s.trim().is_empty() && s.len() <= status::MAX_STATUS_LEN && no_control(s));
    for field in [&reply.order_id, &reply.transaction_id, &reply.fraud_status]
        .into_iter()
        .flatten()
    {
        assert!(field.len() <= status::MAX_FIELD_LEN);
    }
    assert!(reply.status_code.as_ref().is_none_or(|c| c.len() <= 16));
    if let Some(g) = &reply.gross_amount {
        assert!(g.len() <= 64);
        if matches!(body.get("gross_amount"), Some(Value::Number(_))) {
            let (int, cents) = g.split_once('.').expect("a number is written with cents");
            assert!(
                int.bytes().all(|b| b.is_ascii_digit()) && !int.is_empty(),
                "{g:?}"
            );
            assert!(
                cents.len() == 2 && cents.bytes().all(|b| b.is_ascii_digit()),
                "{g:?}"
            );
        }
    }
    check_status_word(s);
    // A capture is paid only once its fraud review accepted it.
    if reply.outcome() == Outcome::Paid {
        let accepted = reply
            .fraud_status
            .as_deref()
            .is_some_and(|f| f.eq_ignore_ascii_case("accept"));
        assert!(
            s.eq_ignore_ascii_case("settlement") || s.eq_ignore_ascii_case("capture") && accepted,
            "{reply:?}"
        );
    }
}

/// A status reads the same raw, canonical or in any ASCII case, and only
/// `settlement`/`capture` mean paid.
fn check_status_word(s: &str) {
    let outcome = status::outcome(s);
    let canonical = status::canonical_status(s);
    assert_eq!(status::canonical_status(&canonical), canonical, "{s:?}");
    let same = |a: &Outcome, b: &Outcome| match (a, b) {
        (Outcome::Unknown(_), Outcome::Unknown(_)) => true,
        _ => a == b,
    };
    assert!(same(&status::outcome(&canonical), &outcome), "{s:?}");
    assert!(
        same(&status::outcome(&s.to_ascii_uppercase()), &outcome),
        "{s:?}"
    );
    let lower = s.to_ascii_lowercase();
    assert_eq!(
        outcome == Outcome::Paid,
        lower == "settlement" || lower == "capture",
        "{s:?}"
    );
    if let Outcome::Unknown(raw) = &outcome {
        assert_eq!(raw, s);
        assert_eq!(&canonical, s);
    }
}

// ---------------------------------------------------------------------------------------
// The URL allowlists.

const LOOPBACK: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// The first byte picks the allowlist (bit 0: sandbox; else bit 2: a recognised sandbox
/// charge; else production) and whether a page origin is given (bit 1: the text up to the
/// first newline); the rest is the URL.
pub fn urls(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let env = if flags & 1 == 1 {
        Allowlist::Sandbox
    } else if flags & 4 == 4 {
        Allowlist::MidtransSandbox
    } else {
        Allowlist::Production
    };
    let (origin, url) = match text.split_once('\n') {
        Some((o, u)) if flags & 2 == 2 => (Some(o), u),
        _ => (None, &*text),
    };
    if let Ok(out) = deeplink::check_deeplink(url, env, origin) {
        assert_eq!(out, url);
        assert_deeplink_allowed(url, env, origin);
    }
    if let Ok(out) = deeplink::check_qr_image_url(url, env, origin) {
        assert_eq!(out, url);
        assert_image_allowed(url, env, origin);
    }
    // A URL taken for one on Midtrans' sandbox is there as a browser reads it (recognition
    // widens the allowlist to those hosts only).
    if deeplink::is_sandbox_host(url) {
        let host = url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned));
        assert!(
            matches!(
                host.as_deref(),
                Some("simulator.sandbox.midtrans.com" | "api.sandbox.midtrans.com")
            ),
            "{url:?} taken for a sandbox host, a browser reads {host:?}"
        );
    }
    if let Ok(parts) = deeplink::split_url(url) {
        // The parts are the URL, cut in place.
        let port = parts.port.map(|p| format!(":{p}")).unwrap_or_default();
        let again = format!(
            "{}://{}{port}{}{}",
            parts.scheme, parts.host, parts.path, parts.rest
        );
        if again != url {
            // Only a port written with leading zeros reads back differently.
            let (_, written) = url[parts.scheme.len() + 3 + parts.host.len()..]
                .split_once(':')
                .expect("a port");
            assert!(written.starts_with('0'), "{url:?} split as {parts:?}");
        }
    }
}

/// Checked characters, and a WHATWG parse: what the browser will follow (nothing, when
/// it cannot parse the URL).
fn browser_reads(url: &str) -> Option<url::Url> {
    assert!(url.len() <= deeplink::MAX_URL_LEN);
    assert!(
        url.bytes().all(|b| b.is_ascii_graphic() && b != b'\\'),
        "admitted {url:?}"
    );
    let u = url::Url::parse(url).ok()?;
    assert!(u.username().is_empty() && u.password().is_none(), "{url:?}");
    Some(u)
}

fn same_origin(u: &url::Url, page_origin: Option<&str>) -> bool {
    page_origin
        .and_then(|o| url::Url::parse(o).ok())
        .is_some_and(|o| o.origin() == u.origin())
}

fn sandbox_local(u: &url::Url, page_origin: Option<&str>) -> bool {
    matches!(u.scheme(), "http" | "https")
        && (u.host_str().is_some_and(|h| LOOPBACK.contains(&h)) || same_origin(u, page_origin))
}

fn assert_deeplink_allowed(url: &str, env: Allowlist, page_origin: Option<&str>) {
    let Some(u) = browser_reads(url) else {
        return;
    };
    let host = u.host_str().unwrap_or("");
    let under = |prefix: &str| {
        u.path()
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    let no_port = u.port().is_none();
    let production = match u.scheme() {
        "gojek" => host.eq_ignore_ascii_case("gopay") && no_port && u.path().starts_with('/'),
        "https" => {
            no_port
                && (host == "gojek.link" && under("/gopay")
                    || host == "gopay.co.id" && under("/app"))
        }
        _ => false,
    };
    let sandbox_hosts = env != Allowlist::Production
        && u.scheme() == "https"
        && no_port
        && host == "simulator.sandbox.midtrans.com";
    let sandbox = sandbox_hosts || env == Allowlist::Sandbox && sandbox_local(&u, page_origin);
    assert!(
        production || sandbox,
        "admitted deeplink {url:?} ({env:?}, {page_origin:?}), a browser reads {u}"
    );
}

/// A Midtrans QR image a plan admits is of the charge's own transaction, as a browser reads
/// the URL (an id with characters a browser would escape in a path is left to the other checks).
fn assert_image_of(url: &str, transaction_id: &str) {
    let plain = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
    if !transaction_id.bytes().all(plain) {
        return;
    }
    let Some(u) = browser_reads(url) else {
        return;
    };
    if matches!(
        u.host_str(),
        Some("api.midtrans.com" | "api.sandbox.midtrans.com")
    ) {
        let id = u.path().split('/').nth(3).unwrap_or("");
        assert!(
            id.eq_ignore_ascii_case(transaction_id),
            "admitted QR image {url:?} is not of transaction {transaction_id:?}"
        );
    }
}

fn assert_image_allowed(url: &str, env: Allowlist, page_origin: Option<&str>) {
    let Some(u) = browser_reads(url) else {
        return;
    };
    let sandbox_hosts = env != Allowlist::Production;
    let host = u.host_str().unwrap_or("");
    let segments: Vec<&str> = u.path().split('/').collect();
    let qr_path = matches!(
        segments.as_slice(),
        ["", "v2", "gopay" | "qris", id, "qr-code"] if !id.is_empty()
    );
    let midtrans = u.scheme() == "https"
        && u.port().is_none()
        && (host == "api.midtrans.com" || sandbox_hosts && host == "api.sandbox.midtrans.com")
        && qr_path;
    let allowed = midtrans || (env == Allowlist::Sandbox && sandbox_local(&u, page_origin));
    assert!(
        allowed,
        "admitted QR image {url:?} ({env:?}, {page_origin:?}), a browser reads {u}"
    );
}

// ---------------------------------------------------------------------------------------
// The payment lifecycle.

const T0: i64 = 1_800_000_000_000;
const ORDER: &str = "ORDER-FUZZ-1";
/// JavaScript's `Date` range: every `Date.now()` and parsed `Date` header lies within it.
const JS_TIME: i64 = 8_640_000_000_000_000;
/// `expiry_time` of years 0001 to 9999, Jakarta time, as the charge parser allows.
const EXPIRY_MIN: i64 = -62_135_621_200_000;
const EXPIRY_MAX: i64 = 253_402_275_599_000;
/// At most this many inputs per run (and wake-ups per `Advance`), so a run stays quick.
const MAX_ACTIONS: usize = 256;
const MAX_TICKS_PER_ADVANCE: usize = 2_000;

/// A status word; `capture/<review>` is a capture with that `fraud_status`.
const STATUSES: [&str; 19] = [
    "pending",
    "settlement",
    "SETTLEMENT",
    "capture",
    "capture/accept",
    "Capture/DENY",
    "capture/challenge",
    "deny",
    "cancel",
    "failure",
    "expire",
    "expired",
    "refund",
    "partial_refund",
    "chargeback",
    "authorize",
    "on_hold",
    "",
    " settlement",
];

#[derive(Debug, Arbitrary)]
enum Word {
    Known(u8),
    Other(String),
}

impl Word {
    fn text(&self) -> String {
        match self {
            Word::Known(i) => STATUSES[usize::from(*i) % STATUSES.len()].to_owned(),
            Word::Other(s) => s.clone(),
        }
    }
}

#[derive(Debug, Arbitrary)]
enum Expiry {
    /// Milliseconds after the start.
    After(u32),
    Anywhere(i64),
}

#[derive(Debug, Arbitrary)]
struct Setup {
    expiry: Expiry,
    initial_status: Word,
    seed: u64,
    app_first: bool,
    polling: bool,
    visible: bool,
    returned_from_app: Option<Option<Word>>,
    no_transaction_id: bool,
}

#[derive(Debug, Arbitrary)]
enum OrderField {
    Ours,
    Absent,
    Null,
    Other(String),
    Number(u16),
}

#[derive(Debug, Arbitrary)]
enum Body {
    Reply {
        status: Word,
        order: OrderField,
        status_code: Option<u16>,
        /// 0, 1 and 2 are the charge's amount as `"10000.00"`, `"10000"` and a number; any
        /// other value is that number.
        gross_amount: Option<u32>,
        /// `"="` is the charge's transaction id in capitals.
        transaction_id: Option<String>,
    },
    /// Any text as the body.
    Text(String),
    /// Not served as JSON: the driver reads no body.
    NotJson,
}

#[derive(Debug, Arbitrary)]
enum DateHeader {
    /// The server's clock this many ms off ours, stamped in whole seconds.
    Off(i32),
    Anywhere(i64),
}

#[derive(Debug, Arbitrary)]
enum Action {
    Start,
    /// Time passes by this many ms, every wake-up on the way delivered.
    Advance(u32),
    /// The clock is changed by this many ms without any wake-up.
    Jump(i32),
    /// The clock is set anywhere in `Date`'s range.
    SetClock(i64),
    Tick,
    /// The outstanding request is answered (or, with none out, a stray answer arrives).
    Answer {
        http_status: u16,
        body: Body,
        date: Option<DateHeader>,
    },
    /// The outstanding request (or none) failed.
    Failed {
        timed_out: bool,
    },
    Visibility(bool),
    Online,
    /// The app's callback loads the page for this order (with this `result`): the page
    /// reloads, knowing it was loaded by the callback.
    Callback(Option<Word>),
    AppOpened,
    /// The page reloads and restores the last snapshot saved; with `started` or `skew`
    /// those numbers of it are changed first (when that still decodes).
    Reload {
        started: Option<i64>,
        skew: Option<i64>,
    },
    Destroy,
}

/// The machine target's input.
#[derive(Debug, Arbitrary)]
struct Run {
    setup: Setup,
    actions: Vec<Action>,
}

pub fn machine(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(run) = Run::arbitrary(&mut u) else {
        return;
    };
    let mut d = Driver::new(&run.setup);
    for a in run.actions.iter().take(MAX_ACTIONS) {
        d.act(a);
    }
}

fn config(s: &Setup) -> Config {
    let expiry_ms = match s.expiry {
        Expiry::After(ms) => T0 + i64::from(ms),
        Expiry::Anywhere(t) => t.clamp(EXPIRY_MIN, EXPIRY_MAX),
    };
    Config {
        order_id: ORDER.into(),
        transaction_id: if s.no_transaction_id { "" } else { "tx-1" }.into(),
        gross_amount: "10000.00".into(),
        expiry_ms,
        initial_status: charge_status(&s.initial_status.text()),
        seed: s.seed,
        app_first: s.app_first,
        polling: s.polling,
        visible: s.visible,
        returned_from_app: s
            .returned_from_app
            .as_ref()
            .map(|r| r.as_ref().map(Word::text)),
    }
}

/// The charge's `transaction_status` as the charge parser lets it through (lowercase
/// letters, digits, `_` and `-`, at most 32), or its default when absent.
fn charge_status(s: &str) -> String {
    let ok = !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        s.to_ascii_lowercase()
    } else {
        "pending".to_owned()
    }
}

/// The body's text as the page receives it, or `None` when it is not served as JSON.
fn body_text(b: &Body) -> Option<String> {
    match b {
        Body::Reply {
            status,
            order,
            status_code,
            gross_amount,
            transaction_id,
        } => {
            let text = status.text();
            let (said, review) = match text.split_once('/') {
                Some((said, review)) if matches!(status, Word::Known(_)) => (said, Some(review)),
                _ => (text.as_str(), None),
            };
            let mut fields = vec![(
                "transaction_status".to_owned(),
                Value::String(said.to_owned()),
            )];
            if let Some(r) = review {
                fields.push(("fraud_status".to_owned(), Value::String(r.to_owned())));
            }
            let order = match order {
                OrderField::Ours => Some(Value::String(ORDER.into())),
                OrderField::Absent => None,
                OrderField::Null => Some(Value::Null),
                OrderField::Other(o) => Some(Value::String(o.clone())),
                OrderField::Number(n) => Some(Value::Number(f64::from(*n))),
            };
            if let Some(o) = order {
                fields.push(("order_id".to_owned(), o));
            }
            if let Some(c) = status_code {
                fields.push(("status_code".to_owned(), Value::Number(f64::from(*c))));
            }
            if let Some(g) = gross_amount {
                let amount = match g {
                    0 => Value::String("10000.00".into()),
                    1 => Value::String("10000".into()),
                    2 => Value::Number(10_000.0),
                    g => Value::Number(f64::from(*g)),
                };
                fields.push(("gross_amount".to_owned(), amount));
            }
            if let Some(t) = transaction_id {
                let t = if t == "=" { "TX-1" } else { t };
                fields.push(("transaction_id".to_owned(), Value::String(t.to_owned())));
            }
            Some(json_text(&Value::Object(fields)))
        }
        Body::Text(text) => Some(text.clone()),
        Body::NotJson => None,
    }
}

/// `v` written as JSON text.
fn json_text(v: &Value) -> String {
    let quoted = |s: &str| serde_json::to_string(s).expect("a string writes");
    match v {
        Value::Null | Value::TooDeep => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => serde_json::to_string(n).expect("a finite number writes"),
        Value::String(s) => quoted(s),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(json_text).collect();
            format!("[{}]", items.join(","))
        }
        Value::Object(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{}:{}", quoted(k), json_text(v)))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
    }
}

/// What the page received, read without the widget's status parser: the HTTP status, and
/// the body as the JSON reader reads it (a leading BOM dropped, as the driver drops it).
type Raw = Option<(u16, Value)>;

fn raw_answer(http_status: u16, text: Option<&str>) -> Raw {
    let text = text?;
    let body = json::from_str(text.strip_prefix('\u{feff}').unwrap_or(text)).ok()?;
    Some((http_status, body))
}

/// The input is a 2xx answer for this order (or naming none) whose status is one of
/// `words`, any ASCII case: read here without the widget's parser.
fn answers(raw: &Raw, words: &[&str]) -> bool {
    let Some((http_status, b)) = raw else {
        return false;
    };
    let order_ok = match b.get("order_id") {
        None | Some(Value::Null) => true,
        Some(o) => o.as_str() == Some(ORDER),
    };
    let said = b
        .get("transaction_status")
        .and_then(Value::as_str)
        .is_some_and(|s| words.iter().any(|w| s.eq_ignore_ascii_case(w)));
    (200..300).contains(http_status) && order_ok && said
}

/// The answer agrees with the charge (`10000.00`, transaction `tx-1`) where it names an
/// amount or a transaction: read here without the widget's parser.
fn agrees(raw: &Raw, transaction_id: &str) -> bool {
    let Some((_, b)) = raw else {
        return false;
    };
    let amount_ok = match b.get("gross_amount") {
        None | Some(Value::Null) => true,
        // A number is read to the sen.
        Some(Value::Number(n)) => (n * 100.0).round() == 1_000_000.0,
        Some(Value::String(s)) => s.parse::<f64>().is_ok_and(|n| n == 10_000.0),
        Some(_) => false,
    };
    let transaction_ok = match b.get("transaction_id") {
        None | Some(Value::Null) => true,
        Some(Value::String(t)) => {
            t.is_empty() || transaction_id.is_empty() || t.eq_ignore_ascii_case(transaction_id)
        }
        Some(_) => false,
    };
    amount_ok && transaction_ok
}

/// The answer's `fraud_status` is `review`, any ASCII case.
fn reviewed(raw: &Raw, review: &str) -> bool {
    let Some((_, b)) = raw else {
        return false;
    };
    b.get("fraud_status")
        .and_then(Value::as_str)
        .is_some_and(|r| r.eq_ignore_ascii_case(review))
}

/// A settlement, or a capture its fraud review accepted, that agrees with the charge.
fn proves_payment(raw: &Raw, transaction_id: &str) -> bool {
    let paid =
        answers(raw, &["settlement"]) || answers(raw, &["capture"]) && reviewed(raw, "accept");
    paid && agrees(raw, transaction_id)
}

/// Carries out the machine's commands as a page would, and checks its promises.
struct Driver {
    config: Config,
    m: Machine,
    now: i64,
    /// The page is visible.
    visible: bool,
    started: bool,
    in_flight: bool,
    destroyed: bool,
    saved: Option<String>,
    /// Over the whole transaction, reloads included.
    terminal_events: u32,
    ended_state: Option<State>,
    paid_seen: bool,
    app_opens: u32,
    /// The shopper tapped, or the app's callback came back: no automatic opening after.
    app_touched: bool,
}

impl Driver {
    fn new(setup: &Setup) -> Driver {
        let config = config(setup);
        Driver {
            m: Machine::new(config.clone(), None, T0),
            visible: config.visible,
            app_touched: config.returned_from_app.is_some(),
            config,
            now: T0,
            started: false,
            in_flight: false,
            destroyed: false,
            saved: None,
            terminal_events: 0,
            ended_state: None,
            paid_seen: false,
            app_opens: 0,
        }
    }

    fn handle(&mut self, input: Input) -> Vec<Command> {
        self.feed(input, None)
    }

    /// `raw`: what the page received, when `input` is an answer.
    fn feed(&mut self, input: Input, raw: Raw) -> Vec<Command> {
        let paying = proves_payment(&raw, &self.config.transaction_id);
        self.paid_seen |= paying;
        let is_tick = input == Input::Tick;
        let is_start = input == Input::Start;
        let was_terminal = self.m.state().is_terminal();
        let cmds = self.m.handle(input.clone(), self.now);
        if self.destroyed || (!self.started && !is_start) {
            assert!(
                cmds.is_empty(),
                "commands before the start or after destroy: {cmds:?}"
            );
        }
        if is_start {
            self.started = true;
        }
        if input == Input::Destroy {
            self.destroyed = true;
        }
        if was_terminal {
            assert!(cmds.is_empty(), "commands after the end: {cmds:?}");
        }
        let mut fetched = false;
        for (i, c) in cmds.iter().enumerate() {
            match c {
                Command::Fetch { timeout_ms } => {
                    assert!(!self.in_flight, "two requests in flight");
                    assert!(!fetched, "two fetches at once");
                    assert!(self.visible, "request while hidden");
                    assert!(self.config.polling, "request without a status endpoint");
                    assert!(!self.m.state().is_terminal(), "request after the end");
                    assert!(*timeout_ms > 0);
                    assert_eq!(i, cmds.len() - 1, "the fetch is not the last command");
                    self.in_flight = true;
                    fetched = true;
                }
                Command::AbortFetch => {
                    assert!(self.in_flight, "abort with no request out");
                    assert_eq!(i, 0, "the abort is not the first command");
                    self.in_flight = false;
                }
                Command::OpenApp => {
                    assert!(self.config.app_first && self.config.polling && self.visible);
                    assert!(!self.app_touched, "opened the app after a tap or a return");
                    self.app_opens += 1;
                    assert!(self.app_opens <= 1, "opened the app twice");
                }
                Command::Emit(e) => {
                    assert_eq!(e.order_id, ORDER);
                    assert!(
                        i > 0
                            && matches!(
                                cmds[..i].last(),
                                Some(Command::Persist(_) | Command::Emit(_))
                            ),
                        "an event before its snapshot: {cmds:?}"
                    );
                    if !self.config.polling {
                        assert_eq!(e.kind, EventKind::Status, "an outcome without an endpoint");
                    }
                    match e.kind {
                        EventKind::Success => {
                            assert!(paying, "success without a settlement answer: {input:?}");
                            assert!(matches!(
                                e.transaction_status.as_str(),
                                "settlement" | "capture"
                            ));
                        }
                        EventKind::Failure => assert!(
                            (answers(&raw, &["deny", "cancel", "failure"])
                                || answers(&raw, &["capture"]) && reviewed(&raw, "deny"))
                                && agrees(&raw, &self.config.transaction_id),
                            "failure from {input:?}"
                        ),
                        EventKind::Expire if e.code == Some(CODE_EXPIRED_LOCALLY) => {
                            assert_eq!(
                                self.m.view(self.now).remaining_ms,
                                0,
                                "expired locally before the countdown ended"
                            );
                        }
                        EventKind::Expire => assert!(
                            answers(&raw, &["expire", "expired"])
                                && agrees(&raw, &self.config.transaction_id),
                            "expire from {input:?}"
                        ),
                        EventKind::Error => {
                            assert!(matches!(
                                e.code,
                                Some(
                                    CODE_UNREACHABLE
                                        | CODE_ORDER_MISMATCH
                                        | CODE_TRANSACTION_MISMATCH
                                        | CODE_AMOUNT_MISMATCH
                                )
                            ));
                            // gopay-error only when the widget stops for good.
                            assert_eq!(self.m.state(), State::Error, "an error that goes on");
                            assert_eq!(self.m.next_wakeup(), None, "an error that wakes again");
                        }
                        EventKind::Status => {}
                        EventKind::Retry => panic!("the machine never sends gopay-retry"),
                    }
                    if e.kind.is_terminal() || e.kind == EventKind::Error {
                        self.terminal_events += 1;
                        assert!(self.terminal_events <= 1, "second terminal event");
                    }
                }
                Command::Persist(s) => {
                    let text = s.encode();
                    assert_eq!(Snapshot::decode(&text, ORDER).as_ref(), Some(s));
                    self.saved = Some(text);
                }
            }
        }
        assert_eq!(
            self.m.in_flight(),
            self.in_flight,
            "machine and page disagree"
        );
        let state = self.m.state();
        if let Some(ended) = self.ended_state {
            assert_eq!(state, ended, "terminal state changed");
        } else if state.is_terminal() {
            self.ended_state = Some(state);
        }
        if state == State::Success {
            assert!(self.paid_seen, "success with no settlement answer ever");
        }
        self.check_wakeup(is_tick && cmds.is_empty());
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

    /// Wake-ups are never in the past, and one is asked for while work is due: a live
    /// machine with a status endpoint and a request out (its watchdog) or a visible page
    /// (the next request or the expiry).
    fn check_wakeup(&self, idle_tick: bool) {
        let wake = self.m.next_wakeup();
        if let Some(w) = wake {
            assert!(w >= self.now, "wake-up {w} before now {}", self.now);
            assert!(
                !idle_tick || w > self.now,
                "a tick that changes nothing asks for itself again"
            );
        }
        let live = self.started && !self.destroyed && !self.m.state().is_terminal();
        if live && self.config.polling && (self.in_flight || self.visible) {
            assert!(
                wake.is_some(),
                "a live machine wants no wake-up: {:?}",
                self.m
            );
        }
        if self.destroyed || !self.started || self.m.state().is_terminal() {
            assert_eq!(wake, None);
        }
        if !self.config.polling {
            // Without an endpoint the only deadline is the check that a tapped app opened.
            let check = gopay_widget::core::schedule::Policy::default().app_check_ms;
            assert!(
                wake.is_none_or(|w| w <= self.now.saturating_add(check)),
                "display only wants a wake-up at {wake:?}"
            );
        }
    }

    fn set_now(&mut self, t: i64) {
        self.now = t.clamp(-JS_TIME, JS_TIME);
    }

    fn advance(&mut self, dt: u32) {
        let until = self.now.saturating_add(i64::from(dt)).min(JS_TIME);
        for _ in 0..MAX_TICKS_PER_ADVANCE {
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
            Action::Start => {
                self.handle(Input::Start);
            }
            Action::Advance(dt) => self.advance(*dt),
            Action::Jump(dt) => self.set_now(self.now.saturating_add(i64::from(*dt))),
            Action::SetClock(t) => self.set_now(*t),
            Action::Tick => {
                self.handle(Input::Tick);
            }
            Action::Answer {
                http_status,
                body: b,
                date,
            } => {
                let date_ms = date.as_ref().map(|d| match d {
                    DateHeader::Off(off) => {
                        (self.now + i64::from(*off)).clamp(-JS_TIME, JS_TIME) / 1000 * 1000
                    }
                    DateHeader::Anywhere(t) => (*t).clamp(-JS_TIME, JS_TIME),
                });
                // Read as the driver reads it: the core's status reader on the body's bytes.
                let text = body_text(b);
                let input = Input::StatusResponse {
                    http_status: *http_status,
                    reply: text
                        .as_deref()
                        .and_then(|t| status::read_reply(t.as_bytes())),
                    date_ms,
                    retry_after_ms: None,
                };
                let stray = !self.in_flight;
                self.in_flight = false;
                let cmds = self.feed(input, raw_answer(*http_status, text.as_deref()));
                if stray {
                    assert!(
                        cmds.iter().all(|c| !matches!(c, Command::Emit(_))),
                        "a stray answer emitted events: {cmds:?}"
                    );
                }
            }
            Action::Failed { timed_out } => {
                let stray = !self.in_flight;
                self.in_flight = false;
                let cmds = self.handle(Input::RequestFailed {
                    timed_out: *timed_out,
                });
                if stray {
                    assert!(cmds.iter().all(|c| !matches!(c, Command::Emit(_))));
                }
            }
            // The page is built and started in one go: no visibility change comes between.
            Action::Visibility(_) if !self.started => {}
            Action::Visibility(v) => {
                self.visible = *v;
                self.handle(Input::Visibility { visible: *v });
            }
            Action::Online => {
                self.handle(Input::Online);
            }
            Action::Callback(r) => {
                // The callback's URL stays the page's: a later reload is loaded by it too.
                self.config.returned_from_app = Some(r.as_ref().map(Word::text));
                self.reload(None, None);
            }
            Action::AppOpened => {
                if !self.destroyed {
                    self.app_touched = true;
                }
                self.handle(Input::AppOpened);
            }
            Action::Reload { started, skew } => self.reload(*started, *skew),
            Action::Destroy => {
                if !self.destroyed {
                    let had = self.in_flight;
                    let cmds = self.handle(Input::Destroy);
                    let want: &[Command] = if had { &[Command::AbortFetch] } else { &[] };
                    assert_eq!(cmds, want);
                    assert_eq!(self.m.next_wakeup(), None);
                }
            }
        }
    }

    fn reload(&mut self, started: Option<i64>, skew: Option<i64>) {
        if !self.destroyed {
            self.act(&Action::Destroy);
        }
        self.in_flight = false;
        self.destroyed = false;
        self.started = false;
        let genuine = self
            .saved
            .as_deref()
            .map(|s| Snapshot::decode(s, ORDER).expect("a saved snapshot reads back"));
        let tampered = genuine.clone().and_then(|mut s| {
            s.started_ms = started.unwrap_or(s.started_ms);
            s.skew_ms = skew.unwrap_or(s.skew_ms);
            Snapshot::decode(&s.encode(), ORDER)
        });
        let restored = tampered.or(genuine);
        // A tap before the start that no snapshot recorded is forgotten.
        self.app_touched = self.config.returned_from_app.is_some()
            || restored.as_ref().is_some_and(|s| s.app_open_attempted);
        let config = Config {
            visible: self.visible,
            ..self.config.clone()
        };
        self.m = Machine::new(config, restored, self.now);
        let before = self.ended_state;
        let cmds = self.handle(Input::Start);
        if let Some(s) = before {
            assert_eq!(self.m.state(), s, "a restored end came back different");
            assert!(cmds.is_empty());
        }
    }
}

// ---------------------------------------------------------------------------------------
// QRIS: the payload reader.

/// The bytes (lossily UTF-8) are a `qr_string`.
pub fn qris_payload(data: &[u8]) {
    let payload = String::from_utf8_lossy(data);
    let read = qris::read(&payload);
    assert_eq!(
        qris::read(&payload),
        read,
        "the same payload read twice differently"
    );
    let Ok(q) = read else {
        return;
    };
    // The format: ID 00 "01" first, ID 63 of length 4 last, and the CRC of the rest.
    assert!(payload.starts_with("000201"), "{payload:?}");
    let (head, crc) = payload.split_at(payload.len() - 4);
    assert!(head.ends_with("6304"), "{payload:?}");
    assert!(
        crc.bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)),
        "{payload:?}"
    );
    assert!(qris::crc_ok(&payload), "{payload:?}");
    assert!(payload.chars().count() <= 10_400, "{} chars", payload.len());
    // The merchant fields as documented: present, no control characters.
    for field in [&q.merchant_name, &q.merchant_city, &q.nmid] {
        assert!(!field.is_empty(), "{q:?}");
        assert!(!field.chars().any(char::is_control), "{q:?}");
        assert!(payload.contains(field.as_str()), "{q:?}");
    }
    assert!(q.amount.is_none_or(|a| a > 0), "{q:?}");
    assert_eq!((q.currency.as_str(), q.country.as_str()), ("360", "ID"));
    // No tip prompt, fixed fee or percentage fee (IDs 55 to 57 at the top level): the payer
    // pays the amount shown. Walked here by characters, without the reader.
    let chars: Vec<char> = payload.chars().collect();
    let mut at = 0;
    while at + 4 <= chars.len() {
        let id: String = chars[at..at + 2].iter().collect();
        let len: String = chars[at + 2..at + 4].iter().collect();
        assert!(!matches!(id.as_str(), "55" | "56" | "57"), "{payload:?}");
        at += 4 + len
            .parse::<usize>()
            .expect("an accepted payload's lengths are digits");
    }
    assert_eq!(at, chars.len(), "{payload:?}");
    // Any other CRC is refused: the code was altered or cut.
    for (i, b) in crc.bytes().enumerate() {
        let other = if b == b'0' { '1' } else { '0' };
        let mut altered = head.to_owned();
        altered.push_str(&crc[..i]);
        altered.push(other);
        altered.push_str(&crc[i + 1..]);
        assert_eq!(
            qris::read(&altered),
            Err(QrisError::CrcMismatch),
            "{altered:?}"
        );
    }
    // Cut anywhere, it is no payment code.
    let cut = &payload[..payload.len() - 1];
    assert!(qris::read(cut).is_err(), "{cut:?}");
}

//! Benchmark of the polling schedule: requests per payment and shoppers' waits.
//!
//! Runs the payment lifecycle on a simulated clock over many 15-minute
//! transactions and prints how many status requests each one costs and how
//! long a shopper waits between settlement and the success event, beside two
//! common fixed schedules. Reproducible: everything comes from fixed seeds.
//!
//! `cargo run --profile native --example lifecycle_bench`
//!
//! The shopper model (stated so the figures can be judged):
//! - 60% desktop (QR; 15% of them switch tabs once for 20 s to 3 min),
//!   40% phone (the app opens at once and hides the page).
//! - 80% pay. Of those, 85% within 2 minutes (10 s + Gamma(2, 20 s)), 15% later
//!   (2 min + Exponential(mean 2 min)); 1% of all transactions pay in the last
//!   30 s. Settlement reaches the endpoint 0.3-3 s after paying.
//! - Phone payers come back 2-10 s after paying, half through the callback URL
//!   (a new page load that restores the saved snapshot); phone non-payers come
//!   back after 0.5-5 min (half of them) or never.
//! - Unpaid transactions expire on the endpoint 0-90 s after expiry_time.
//! - Clocks: 90% within 3 s of the server, 10% off by up to 2 minutes.
//!
//! The wait is the time the page was visible between settlement and the
//! success event (time spent in the app or another tab does not count).
//! The baselines are simple pollers: they poll whether or not the page is
//! visible, retry failures on their normal schedule, and start over on a
//! callback reload.

use gopay_widget::core::json::Value;
use gopay_widget::core::machine::{Command, Config, EventKind, Input, Machine, Snapshot};
use gopay_widget::core::schedule::{Policy, SplitMix64};
use gopay_widget::core::status;

const TRANSACTIONS: usize = 4000;
const SEED: u64 = 20_261_125;
const BASE_MS: i64 = 1_790_000_000_000;
const EXPIRY_MS: i64 = 900_000;
const EARLY_MS: i64 = 120_000;
const TIMEOUT_MS: i64 = 10_000;
const HORIZON_MS: i64 = EXPIRY_MS + 300_000;

struct Rng(SplitMix64);

impl Rng {
    fn f(&mut self) -> f64 {
        self.0.next_f64()
    }
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f()
    }
    fn chance(&mut self, p: f64) -> bool {
        self.f() < p
    }
    fn exp(&mut self, mean: f64) -> f64 {
        -(1.0 - self.f()).ln() * mean
    }
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.f();
        let u2 = self.f();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

#[derive(Clone, Copy)]
struct Endpoint {
    name: &'static str,
    p_5xx: f64,
    p_timeout: f64,
    p_malformed: f64,
    latency_median_ms: f64,
    latency_sigma: f64,
    /// Whether the wait budget applies (the request budget always does).
    full_budget: bool,
}

const HEALTHY: Endpoint = Endpoint {
    name: "healthy endpoint (latency median 150 ms)",
    p_5xx: 0.0,
    p_timeout: 0.0,
    p_malformed: 0.0,
    latency_median_ms: 150.0,
    latency_sigma: 0.6,
    full_budget: true,
};

/// With a fifth of the answers failing, every failure costs a polling cycle
/// whatever the schedule, so here only the request budget is judged and the
/// waits are for comparison.
const FLAKY: Endpoint = Endpoint {
    name: "flaky endpoint (20% 5xx, 2% bad JSON, latency median 400 ms, long tail)",
    p_5xx: 0.20,
    p_timeout: 0.0,
    p_malformed: 0.02,
    latency_median_ms: 400.0,
    latency_sigma: 0.8,
    full_budget: false,
};

/// A hung request also blocks every check until its 10 s timeout.
const HANGING: Endpoint = Endpoint {
    name: "flaky endpoint, plus 2% of requests hang until the 10 s timeout",
    p_5xx: 0.20,
    p_timeout: 0.02,
    p_malformed: 0.02,
    latency_median_ms: 400.0,
    latency_sigma: 0.8,
    full_budget: false,
};

#[derive(Clone, Copy, PartialEq)]
enum Shopper {
    Hide,
    Show,
    /// Back through the callback URL: a fresh page load.
    Callback,
}

/// One transaction, in true (server) time offsets from the page's first load.
struct Tx {
    skew_ms: i64,
    pay_at: Option<i64>,
    settle_at: Option<i64>,
    expire_notice_at: i64,
    phone: bool,
    timeline: Vec<(i64, Shopper)>,
    seed: u64,
}

impl Tx {
    fn generate(rng: &mut Rng, seed: u64) -> Tx {
        let skew_ms = if rng.chance(0.9) {
            rng.uniform(-3000.0, 3000.0) as i64
        } else {
            rng.uniform(-120_000.0, 120_000.0) as i64
        };
        let phone = rng.chance(0.4);
        let pay_at = if rng.chance(0.01) {
            Some(rng.uniform(870_000.0, 899_000.0) as i64)
        } else if rng.chance(0.8) {
            if rng.chance(0.85) {
                loop {
                    let t = 10_000.0 + rng.exp(20_000.0) + rng.exp(20_000.0);
                    if t < EARLY_MS as f64 {
                        break Some(t as i64);
                    }
                }
            } else {
                loop {
                    let t = EARLY_MS as f64 + rng.exp(120_000.0);
                    if t < 895_000.0 {
                        break Some(t as i64);
                    }
                }
            }
        } else {
            None
        };
        let settle_at = pay_at.map(|p| p + rng.uniform(300.0, 3000.0) as i64);
        let expire_notice_at = EXPIRY_MS + rng.uniform(0.0, 90_000.0) as i64;
        let mut timeline = Vec::new();
        if phone {
            timeline.push((1_000, Shopper::Hide));
            match pay_at {
                Some(p) => {
                    let back = p.max(1_500) + rng.uniform(2_000.0, 10_000.0) as i64;
                    let how = if rng.chance(0.5) {
                        Shopper::Callback
                    } else {
                        Shopper::Show
                    };
                    timeline.push((back, how));
                }
                None if rng.chance(0.5) => {
                    timeline.push((rng.uniform(30_000.0, 300_000.0) as i64, Shopper::Show))
                }
                None => {}
            }
        } else if rng.chance(0.15) {
            let from = rng.uniform(0.0, 600_000.0) as i64;
            timeline.push((from, Shopper::Hide));
            timeline.push((
                from + rng.uniform(20_000.0, 180_000.0) as i64,
                Shopper::Show,
            ));
        }
        Tx {
            skew_ms,
            pay_at,
            settle_at,
            expire_notice_at,
            phone,
            timeline,
            seed,
        }
    }

    fn visible_at(&self, t: i64) -> bool {
        let mut visible = true;
        for &(at, what) in &self.timeline {
            if at <= t {
                visible = what != Shopper::Hide;
            }
        }
        visible
    }

    /// How long the page was visible within `[from, to)`: the time a shopper
    /// actually spends looking at a page that has not caught up yet.
    fn visible_time(&self, from: i64, to: i64) -> i64 {
        let mut total = 0;
        let mut t = from;
        let mut visible = self.visible_at(from);
        for &(at, what) in &self.timeline {
            if at <= from || at >= to {
                continue;
            }
            if visible {
                total += at - t;
            }
            t = at;
            visible = what != Shopper::Hide;
        }
        if visible {
            total += to - t;
        }
        total.max(0)
    }

    fn fully_visible(&self) -> bool {
        self.timeline.is_empty()
    }

    /// The status the endpoint reports at true time `t`.
    fn status_at(&self, t: i64) -> &'static str {
        match self.settle_at {
            Some(s) if t >= s => "settlement",
            Some(_) => "pending",
            None if t >= self.expire_notice_at => "expire",
            None => "pending",
        }
    }
}

const ORDER: &str = "BENCH-ORDER-1";

/// One request: when its answer arrives (true time) and what it is.
fn answer(tx: &Tx, ep: &Endpoint, rng: &mut Rng, start: i64) -> (i64, Input) {
    if rng.chance(ep.p_timeout) {
        return (start + TIMEOUT_MS, Input::RequestFailed { timed_out: true });
    }
    let latency = (ep.latency_median_ms * (ep.latency_sigma * rng.normal()).exp()).min(8_000.0);
    let latency = latency.max(20.0) as i64;
    let served = start + latency / 2;
    let date_ms = Some((BASE_MS + served) / 1000 * 1000);
    let r = rng.f();
    let input = if r < ep.p_5xx {
        Input::StatusResponse {
            http_status: 503,
            reply: None,
            date_ms,
            retry_after_ms: None,
        }
    } else if r < ep.p_5xx + ep.p_malformed {
        Input::StatusResponse {
            http_status: 200,
            reply: None,
            date_ms,
            retry_after_ms: None,
        }
    } else {
        let status = tx.status_at(served);
        let body = Value::Object(vec![
            ("order_id".into(), Value::String(ORDER.into())),
            ("transaction_status".into(), Value::String(status.into())),
            (
                "status_code".into(),
                Value::String(if status == "settlement" { "200" } else { "201" }.into()),
            ),
        ]);
        Input::StatusResponse {
            http_status: 200,
            reply: status::parse_status(&body).ok(),
            date_ms,
            retry_after_ms: None,
        }
    };
    (start + latency, input)
}

/// One way of polling, run over one transaction.
type Runner<'a> = Box<dyn Fn(&Tx) -> Run + 'a>;

#[derive(Default)]
struct Run {
    requests: u32,
    hidden_requests: u32,
    success_at: Option<i64>,
    terminal_events: u32,
}

/// Our machine, driven the way the browser driver drives it.
fn run_ours(tx: &Tx, ep: &Endpoint, policy: &Policy) -> Run {
    let mut rng = Rng(SplitMix64::new(tx.seed ^ 0xA5A5));
    let local = |t: i64| BASE_MS + t - tx.skew_ms;
    let config = Config {
        order_id: ORDER.into(),
        transaction_id: "tx-1".into(),
        gross_amount: "10000.00".into(),
        expiry_ms: BASE_MS + EXPIRY_MS,
        initial_status: "pending".into(),
        seed: tx.seed,
        app_first: tx.phone,
        polling: true,
        visible: true,
        returned_from_app: None,
    };
    let mut run = Run::default();
    let mut visible = true;
    let mut saved: Option<String> = None;
    let mut reply: Option<(i64, Input)> = None;
    let mut m = Machine::with_policy(config.clone(), None, local(0), policy.clone());
    let mut t = 0;
    let mut cmds = m.handle(Input::Start, local(0));
    let mut shopper = tx.timeline.iter().peekable();
    for _ in 0..100_000 {
        for c in cmds.drain(..) {
            match c {
                Command::Fetch { .. } => {
                    run.requests += 1;
                    if !visible {
                        run.hidden_requests += 1;
                    }
                    assert!(reply.is_none(), "two requests in flight");
                    reply = Some(answer(tx, ep, &mut rng, t));
                }
                Command::AbortFetch => reply = None,
                Command::Persist(s) => saved = Some(s.encode()),
                Command::Emit(e) => {
                    if e.kind.is_terminal() {
                        run.terminal_events += 1;
                    }
                    if e.kind == EventKind::Success {
                        run.success_at = Some(t);
                    }
                }
                Command::OpenApp => {}
            }
        }
        if m.state().is_terminal() {
            return run;
        }
        let wake = m.next_wakeup().map(|w| w - BASE_MS + tx.skew_ms);
        let next_reply = reply.as_ref().map(|r| r.0);
        let next_shopper = shopper.peek().map(|s| s.0);
        let Some(next) = [wake, next_reply, next_shopper].into_iter().flatten().min() else {
            return run;
        };
        if next > HORIZON_MS {
            return run;
        }
        t = next.max(t);
        if next_reply == Some(next) {
            let (_, input) = reply.take().expect("reply");
            cmds = m.handle(input, local(t));
        } else if next_shopper == Some(next) {
            let (_, what) = *shopper.next().expect("shopper");
            match what {
                Shopper::Hide => {
                    visible = false;
                    cmds = m.handle(Input::Visibility { visible: false }, local(t));
                }
                Shopper::Show => {
                    visible = true;
                    cmds = m.handle(Input::Visibility { visible: true }, local(t));
                }
                Shopper::Callback => {
                    visible = true;
                    if m.handle(Input::Destroy, local(t))
                        .contains(&Command::AbortFetch)
                    {
                        reply = None;
                    }
                    let restored = saved.as_deref().and_then(|s| Snapshot::decode(s, ORDER));
                    let config = Config {
                        returned_from_app: Some(Some("success".into())),
                        ..config.clone()
                    };
                    m = Machine::with_policy(config, restored, local(t), policy.clone());
                    cmds = m.handle(Input::Start, local(t));
                }
            }
        } else {
            cmds = m.handle(Input::Tick, local(t));
        }
    }
    panic!("the simulation stopped advancing");
}

/// A simple poller: asks on a fixed schedule whether or not anyone looks.
fn run_naive(tx: &Tx, ep: &Endpoint, interval: fn(i64, u32) -> i64) -> Run {
    let mut rng = Rng(SplitMix64::new(tx.seed ^ 0xA5A5));
    let mut run = Run::default();
    let stop_at = EXPIRY_MS + 120_000;
    let mut page_start = 0;
    let mut polls = 0u32;
    let mut t = 0;
    let mut callbacks = tx
        .timeline
        .iter()
        .filter(|s| s.1 == Shopper::Callback)
        .map(|s| s.0)
        .peekable();
    loop {
        // A callback reload restarts the page and its schedule.
        if let Some(&cb) = callbacks.peek() {
            if cb <= t {
                callbacks.next();
                page_start = cb;
                polls = 0;
                t = cb;
            }
        }
        run.requests += 1;
        if !tx.visible_at(t) {
            run.hidden_requests += 1;
        }
        let (end, input) = answer(tx, ep, &mut rng, t);
        let end = match callbacks.peek() {
            Some(&cb) if cb < end => {
                t = cb;
                continue;
            }
            _ => end,
        };
        polls += 1;
        if let Input::StatusResponse {
            http_status: 200,
            reply: Some(reply),
            ..
        } = &input
        {
            match reply.transaction_status.as_str() {
                "settlement" => {
                    run.success_at = Some(end);
                    run.terminal_events = 1;
                    return run;
                }
                "expire" => {
                    run.terminal_events = 1;
                    return run;
                }
                _ => {}
            }
        }
        t = end + interval(end - page_start, polls);
        if let Some(&cb) = callbacks.peek() {
            t = t.min(cb);
        }
        if t >= stop_at {
            return run;
        }
    }
}

fn fixed_2s_then_10s(elapsed: i64, _polls: u32) -> i64 {
    if elapsed < EARLY_MS {
        2_000
    } else {
        10_000
    }
}

fn backoff_5s_x106(_elapsed: i64, polls: u32) -> i64 {
    (5_000.0 * 1.06f64.powi(polls as i32 - 1)) as i64
}

#[derive(Default)]
struct Figures {
    requests: Vec<u32>,
    visible_requests_max: u32,
    hidden_requests: u64,
    early: Vec<i64>,
    later: Vec<i64>,
    missed: u32,
    double_terminal: u32,
}

impl Figures {
    fn add(&mut self, tx: &Tx, run: &Run) {
        self.requests.push(run.requests);
        if tx.fully_visible() {
            self.visible_requests_max = self.visible_requests_max.max(run.requests);
        }
        self.hidden_requests += u64::from(run.hidden_requests);
        if run.terminal_events > 1 {
            self.double_terminal += 1;
        }
        let (Some(pay), Some(settle)) = (tx.pay_at, tx.settle_at) else {
            return;
        };
        let Some(success) = run.success_at else {
            self.missed += 1;
            return;
        };
        let wait = tx.visible_time(settle, success);
        if pay < EARLY_MS {
            self.early.push(wait);
        } else {
            self.later.push(wait);
        }
    }
}

fn pct(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn secs(ms: i64) -> String {
    format!("{:.1}", ms as f64 / 1000.0)
}

fn triple(v: &mut [i64]) -> String {
    v.sort_unstable();
    format!(
        "{:>5} {:>5} {:>5}",
        secs(pct(v, 0.5)),
        secs(pct(v, 0.95)),
        secs(v.last().copied().unwrap_or(0))
    )
}

fn main() {
    let policy = Policy::default();
    let mut all_pass = true;
    println!("lifecycle bench: {TRANSACTIONS} transactions per row, 15-minute expiry, seed {SEED}");
    println!("budget for ours: p95 wait <= 3.0 s (paid in first 2 min), <= 10.0 s (paid later)");
    println!("                 [healthy endpoint]; <= 120 requests for a page visible the whole");
    println!("                 15 minutes and 0 requests while hidden [every endpoint]");
    println!("req/tx: mean requests per transaction; max(vis): most requests of a page visible");
    println!("throughout; hidden: requests sent while the page was hidden (all transactions);");
    println!("waits in seconds of visible page from settlement to the success event; missed:");
    println!("paid but no success event");
    for ep in [HEALTHY, FLAKY, HANGING] {
        let mut gen = Rng(SplitMix64::new(SEED));
        let txs: Vec<Tx> = (0..TRANSACTIONS)
            .map(|i| Tx::generate(&mut gen, SEED.wrapping_add(i as u64 * 7919)))
            .collect();
        println!();
        println!("== {}", ep.name);
        println!(
            "{:<18} {:>7} {:>7} {:>7} | {:^17} ({:>4}) | {:^17} ({:>4}) | {:>6}",
            "schedule",
            "req/tx",
            "max(vis)",
            "hidden",
            "first 2 min p50 p95 max",
            "n",
            "later p50 p95 max",
            "n",
            "missed"
        );
        let rows: [(&str, Runner); 3] = [
            ("ours", Box::new(|tx| run_ours(tx, &ep, &policy))),
            (
                "fixed 2s then 10s",
                Box::new(|tx| run_naive(tx, &ep, fixed_2s_then_10s)),
            ),
            (
                "5s x1.06",
                Box::new(|tx| run_naive(tx, &ep, backoff_5s_x106)),
            ),
        ];
        for (name, run) in rows {
            let mut f = Figures::default();
            for tx in &txs {
                f.add(tx, &run(tx));
            }
            let mean =
                f.requests.iter().map(|&r| f64::from(r)).sum::<f64>() / f.requests.len() as f64;
            let (n_early, n_later) = (f.early.len(), f.later.len());
            let early = triple(&mut f.early);
            let later = triple(&mut f.later);
            println!(
                "{:<18} {:>7.1} {:>7} {:>7} | {:>17} ({:>4}) | {:>17} ({:>4}) | {:>6}",
                name,
                mean,
                f.visible_requests_max,
                f.hidden_requests,
                early,
                n_early,
                later,
                n_later,
                f.missed
            );
            if name == "ours" {
                let p95_early = pct(&f.early, 0.95);
                let p95_later = pct(&f.later, 0.95);
                let checks = [
                    (
                        "p95 first 2 min <= 3 s",
                        p95_early <= 3_000 || !ep.full_budget,
                    ),
                    ("p95 later <= 10 s", p95_later <= 10_000 || !ep.full_budget),
                    ("<= 120 requests visible", f.visible_requests_max <= 120),
                    ("0 requests hidden", f.hidden_requests == 0),
                    ("no payment missed", f.missed == 0),
                    ("one terminal event", f.double_terminal == 0),
                ];
                let pass = checks.iter().all(|c| c.1);
                all_pass &= pass;
                let failed: Vec<&str> = checks.iter().filter(|c| !c.1).map(|c| c.0).collect();
                println!(
                    "{:<18} {}{}",
                    "",
                    if pass { "PASS" } else { "FAIL" },
                    if failed.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", failed.join(", "))
                    }
                );
            }
        }
    }
    println!();
    println!("overall: {}", if all_pass { "PASS" } else { "FAIL" });
}

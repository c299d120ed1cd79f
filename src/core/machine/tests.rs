//! The machine's own tests: its rules one by one, and its inner tables.

use super::deadlines::{Deadline, Deadlines};
use super::phase::{Live, Stage};
use super::*;
use crate::core::schedule::{Policy, SplitMix64};
use crate::core::status::{self, StatusReply};

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
        reply: status::read_reply(format!(r#"{{"transaction_status":"{status}"}}"#).as_bytes()),
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
        reply: None,
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
    let Input::StatusResponse { reply: pending, .. } = reply("pending") else {
        unreachable!()
    };
    let ok = Input::StatusResponse {
        http_status: 200,
        reply: pending,
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
    let wakes = |live: &Live, last_now: i64| {
        Deadline::ALL.map(|d| d.wake(T0, &live.times, live.visible, last_now, &policy))
    };
    let (t, watchdog) = (Some(T0), Some(T0 + 12_000));
    assert_eq!(
        wakes(&live, T0 - 1),
        [watchdog, t, t, t, None, None, None, t, None]
    );
    // Once its time has come the confirm window stops waking (settle closes it).
    assert_eq!(
        wakes(&live, T0),
        [watchdog, t, t, None, None, None, None, t, None]
    );
    // Nothing is due while a request is out but its watchdog.
    live.times[Deadline::Sent] = Some(T0);
    assert_eq!(
        wakes(&live, T0 - 1),
        [watchdog, None, t, t, None, None, None, t, None]
    );
    // Hidden: only the watchdog and the app check (hiding clears the latter).
    live.visible = false;
    live.times[Deadline::Sent] = None;
    assert_eq!(
        wakes(&live, T0 - 1),
        [watchdog, None, None, None, None, None, None, t, None]
    );
    // A Retry-After still ahead holds the next request back to it.
    live.visible = true;
    live.times[Deadline::NotBefore] = Some(T0 + 5_000);
    assert_eq!(
        wakes(&live, T0 - 1),
        [watchdog, Some(T0 + 5_000), t, t, None, None, None, t, None]
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
            reply: reply("pending").reply_for_test(),
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
            reply: None,
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
    fn reply_for_test(self) -> Option<StatusReply> {
        match self {
            Input::StatusResponse { reply, .. } => reply,
            _ => None,
        }
    }
}

//! Polling cadence and retry back-off, as plain data.
//!
//! Intervals count from the end of the previous status request to the start
//! of the next, so a slow endpoint is never asked twice at once. Jitter comes
//! from a seeded generator: the same seed gives the same schedule, which keeps
//! tests and the benchmark reproducible while spreading real clients apart.

/// SplitMix64: tiny, fast, and good enough to spread retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[lo, hi]`.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        if hi <= lo {
            return lo;
        }
        let span = u64::from(hi - lo) + 1;
        lo + (self.next_u64() % span) as u32
    }
}

/// An interval that changes with elapsed time: straight lines between
/// `(elapsed_ms, interval_ms)` points, flat before the first and after the last.
/// Two points at the same elapsed time make a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Curve {
    points: Vec<(i64, u32)>,
}

impl Curve {
    /// Points are sorted by elapsed time; an empty list means "every second".
    pub fn new(points: &[(i64, u32)]) -> Curve {
        // A handful of points: an insertion sort (stable) costs far fewer wasm bytes
        // than the standard library's sort.
        let mut points = points.to_vec();
        for i in 1..points.len() {
            let mut j = i;
            while j > 0 && points[j - 1].0 > points[j].0 {
                points.swap(j - 1, j);
                j -= 1;
            }
        }
        if points.is_empty() {
            points.push((0, 1000));
        }
        Curve { points }
    }

    /// A constant interval.
    pub fn flat(interval_ms: u32) -> Curve {
        Curve::new(&[(0, interval_ms)])
    }

    pub fn points(&self) -> &[(i64, u32)] {
        &self.points
    }

    /// The interval at `elapsed_ms` (never below 1 ms).
    pub fn at(&self, elapsed_ms: i64) -> u32 {
        let first = self.points[0];
        if elapsed_ms <= first.0 {
            return first.1.max(1);
        }
        // The last point whose start is not after `elapsed_ms`, so steps take the later value.
        let i = self.points.partition_point(|p| p.0 <= elapsed_ms) - 1;
        let (x0, y0) = self.points[i];
        let Some(&(x1, y1)) = self.points.get(i + 1) else {
            return y0.max(1);
        };
        let t = (elapsed_ms - x0) as f64 / (x1 - x0) as f64;
        let y = f64::from(y0) + t * (f64::from(y1) - f64::from(y0));
        (y.round() as u32).max(1)
    }

    /// Start times of the requests a visible, never-paying page makes in
    /// `[0, until_ms)` when each request takes `latency_ms`.
    pub fn polls(&self, latency_ms: u32, until_ms: i64) -> impl Iterator<Item = i64> + '_ {
        let mut next = 0i64;
        std::iter::from_fn(move || {
            if next >= until_ms {
                return None;
            }
            let start = next;
            let end = start + i64::from(latency_ms);
            next = end + i64::from(self.at(end));
            Some(start)
        })
    }
}

/// Exponential back-off with "equal jitter": the n-th consecutive failure
/// waits a uniform time in `[d/2, d]`, `d = min(max, base * 2^(n-1))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base_ms: u32,
    pub max_ms: u32,
}

impl Backoff {
    /// The wait after `failures` consecutive failures (0 means none: no wait).
    pub fn delay_ms(&self, failures: u32, rng: &mut SplitMix64) -> u32 {
        if failures == 0 {
            return 0;
        }
        let shift = (failures - 1).min(20);
        let d = u64::from(self.base_ms)
            .saturating_mul(1u64 << shift)
            .min(u64::from(self.max_ms)) as u32;
        rng.range(d / 2, d)
    }

    /// The waits after the 1st, 2nd, 3rd, ... consecutive failure.
    pub fn iter(self, seed: u64) -> impl Iterator<Item = u32> {
        let mut rng = SplitMix64::new(seed);
        (1u32..).map(move |n| self.delay_ms(n, &mut rng))
    }
}

/// Every timing rule of the lifecycle in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Poll interval by time since the widget first started for this order.
    pub cadence: Curve,
    /// Interval cap by time left before expiry: shoppers racing the countdown
    /// pay in the last minute, and a late settlement should show before zero.
    pub endgame: Curve,
    /// Interval while the page just became visible or came back online.
    pub burst_ms: u32,
    /// How long that quicker polling lasts.
    pub burst_for_ms: i64,
    /// Interval while confirming after a return from the app.
    pub confirming_ms: u32,
    /// How long a return from the app with `result=success` shows "confirming"
    /// even if the merchant still says pending.
    pub confirm_window_ms: i64,
    /// Poll interval by time since local expiry, during the grace window.
    pub grace: Curve,
    /// How long after expiry the widget keeps waiting for the merchant's verdict.
    pub grace_ms: i64,
    pub backoff: Backoff,
    /// The longest `Retry-After` honoured; a longer one waits this long.
    pub retry_after_max_ms: i64,
    /// Timeout the driver puts on each status request.
    pub timeout_ms: u32,
    /// The machine gives up on a request the driver never answered this long after its timeout.
    pub watchdog_slack_ms: i64,
    /// Least time between the end of one request and an extra check triggered by
    /// visibility, network or a return, so a burst of such signals stays cheap.
    pub min_gap_ms: i64,
    /// Failing this long (and at least twice) shows "having trouble reaching the shop".
    pub trouble_after_ms: i64,
    /// `gopay-error` fires after this many consecutive failures ...
    pub error_after_failures: u32,
    /// ... or after failing this long (with at least 3 failures).
    pub error_after_ms: i64,
    /// The automatic app opening only happens this soon after the first start.
    pub open_app_window_ms: i64,
    /// After the app is opened (a tap or the automatic attempt), a page still visible and
    /// focused this much later means the app did not open: the widget shows its hint. An
    /// app that opens hides the page (Android) or takes its focus (iOS's "Open in GoPay?"
    /// prompt) well within this.
    pub app_check_ms: i64,
}

impl Default for Policy {
    /// Tuned with `examples/lifecycle_bench.rs`: quick while most shoppers pay,
    /// steady while later payers still come, then sparse, so a page left open
    /// for the whole 15 minutes and the grace window stays under 120 requests.
    fn default() -> Policy {
        Policy {
            // 2.4 s keeps the p95 wait under 3 s where most shoppers pay; 8 s
            // covers most later payers; after that a page left open costs little.
            cadence: Curve::new(&[
                (0, 2_400),
                (125_000, 2_400),
                (125_000, 8_000),
                (420_000, 8_000),
                (540_000, 40_000),
            ]),
            endgame: Curve::new(&[(30_000, 5_000), (40_000, 60_000)]),
            burst_ms: 2_000,
            burst_for_ms: 20_000,
            confirming_ms: 1_500,
            confirm_window_ms: 30_000,
            grace: Curve::new(&[(0, 5_000), (30_000, 12_000), (60_000, 30_000)]),
            grace_ms: 120_000,
            backoff: Backoff {
                base_ms: 1_000,
                max_ms: 30_000,
            },
            retry_after_max_ms: 60_000,
            timeout_ms: 10_000,
            watchdog_slack_ms: 2_000,
            min_gap_ms: 1_000,
            trouble_after_ms: 20_000,
            error_after_failures: 8,
            error_after_ms: 120_000,
            open_app_window_ms: 30_000,
            app_check_ms: 3_000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prng_is_deterministic_and_spread() {
        let a: Vec<u64> = {
            let mut r = SplitMix64::new(7);
            (0..4).map(|_| r.next_u64()).collect()
        };
        let mut r = SplitMix64::new(7);
        assert_eq!(a, (0..4).map(|_| r.next_u64()).collect::<Vec<_>>());
        assert_ne!(a[0], a[1]);
        let mut r = SplitMix64::new(1);
        let mean = (0..10_000).map(|_| r.next_f64()).sum::<f64>() / 10_000.0;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
        for _ in 0..1000 {
            let v = r.range(10, 20);
            assert!((10..=20).contains(&v));
        }
        assert_eq!(r.range(5, 5), 5);
    }

    #[test]
    fn curve_interpolates_and_steps() {
        let c = Curve::new(&[(100, 1000), (0, 1000), (200, 3000)]);
        assert_eq!(c.at(-5), 1000);
        assert_eq!(c.at(100), 1000);
        assert_eq!(c.at(150), 2000);
        assert_eq!(c.at(10_000), 3000);
        let step = Curve::new(&[(0, 2000), (120_000, 2000), (120_000, 10_000)]);
        assert_eq!(step.at(119_999), 2000);
        assert_eq!(step.at(120_000), 10_000);
        assert_eq!(Curve::new(&[]).at(5), 1000);
        assert_eq!(Curve::flat(0).at(5), 1);
    }

    #[test]
    fn backoff_doubles_with_jitter_up_to_the_cap() {
        let b = Backoff {
            base_ms: 1000,
            max_ms: 8000,
        };
        let waits: Vec<u32> = b.iter(3).take(6).collect();
        let bounds = [1000, 2000, 4000, 8000, 8000, 8000];
        for (w, d) in waits.iter().zip(bounds) {
            assert!(*w >= d / 2 && *w <= d, "{waits:?}");
        }
        assert_eq!(waits, b.iter(3).take(6).collect::<Vec<_>>());
        assert_ne!(
            b.iter(3).take(20).collect::<Vec<_>>(),
            b.iter(4).take(20).collect::<Vec<_>>()
        );
        assert_eq!(b.delay_ms(0, &mut SplitMix64::new(0)), 0);
        assert!(b.delay_ms(u32::MAX, &mut SplitMix64::new(0)) <= 8000);
    }

    #[test]
    fn default_cadence_fits_the_request_budget() {
        let p = Policy::default();
        // A page open for the whole 15 minutes and the grace window, fast endpoint.
        let main = p.cadence.polls(100, 870_000).count();
        let last = Curve::flat(p.endgame.at(0)).polls(100, 30_000).count();
        let grace = p.grace.polls(100, p.grace_ms).count() + 1;
        assert!(main + last + grace <= 120, "{main} + {last} + {grace}");
        // Quick where most shoppers pay, and never slower than 8 s soon after.
        assert!(p.cadence.at(60_000) <= 2_500);
        assert!(p.cadence.at(124_000) <= 2_500);
        assert!(p.cadence.at(400_000) <= 8_000);
        // The last seconds and the start of the grace window are quick again.
        assert!(p.endgame.at(10_000) <= 5_000);
        assert!(p.endgame.at(600_000) >= p.cadence.at(600_000));
        assert!(p.grace.at(0) <= 5_000);
        assert!(p.grace_ms >= 120_000);
    }
}

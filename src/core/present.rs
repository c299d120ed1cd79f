//! The presenter: the machine's view at a moment -> the texts and flags the widget shows,
//! screen-reader announcements included.
//!
//! Each part of [`Screen`] is its own signal in the view, so a second's tick changes only
//! the countdown's text. The presenter remembers the last countdown reading, which is how
//! it knows a threshold was crossed (announced once, then kept in the live region).

use super::countdown::{self, Threshold};
use super::i18n::{self, Locale, Msg};
use super::machine::{State, View};

/// What the view shows at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    pub state: State,
    /// The status line.
    pub status: &'static str,
    /// The countdown text (`00:00` once the transaction has ended).
    pub countdown: String,
    /// "Having trouble reaching the shop", while that is so.
    pub trouble: Option<&'static str>,
    /// The polite live region's text: the last threshold crossed, or empty.
    pub announce: &'static str,
    /// The QR and the app button are offered: not once the transaction has ended, nor once
    /// its time ran out here (Midtrans expires the QR then), and never again after that.
    pub offer: bool,
    /// What happened and what to do next, while nothing is offered; empty before.
    pub next: &'static str,
    /// "Get a new QR" is offered: the transaction failed or expired and the merchant
    /// enabled it.
    pub retry: bool,
    /// The app was opened but did not open: the hint to pay with the QR or get GoPay.
    pub app_hint: bool,
}

/// Turns successive machine views into screens.
#[derive(Debug, Clone)]
pub struct Presenter {
    locale: Locale,
    /// The merchant takes "Get a new QR" (a `gopay-retry` listener or `onRetry`).
    retry: bool,
    last_remaining: Option<i64>,
    announce: &'static str,
    /// The QR was withdrawn: it stays so.
    withdrawn: bool,
}

impl Presenter {
    pub fn new(locale: Locale, retry: bool) -> Presenter {
        Presenter {
            locale,
            retry,
            last_remaining: None,
            announce: "",
            withdrawn: false,
        }
    }

    pub fn present(&mut self, view: &View) -> Screen {
        let l = self.locale;
        let terminal = view.state.is_terminal();
        let remaining = if terminal { 0 } else { view.remaining_ms };
        if let Some(prev) = self.last_remaining.replace(remaining) {
            if let Some(th) = countdown::crossed(prev, remaining).filter(|_| !terminal) {
                self.announce = i18n::t(l, threshold_msg(th));
            }
        }
        self.withdrawn |= terminal || view.local_expired;
        let retry = self.retry && matches!(view.state, State::Failure | State::Expire);
        let next = match view.state {
            State::Success => Some(Msg::SuccessNext),
            State::Failure if retry => Some(Msg::FailureRetryNext),
            State::Failure => Some(Msg::FailureNext),
            State::Expire if retry => Some(Msg::ExpireRetryNext),
            State::Expire => Some(Msg::ExpireNext),
            State::Reversed => Some(Msg::ReversedNext),
            State::Error => Some(Msg::CheckFailedNext),
            _ if self.withdrawn => Some(Msg::CheckingNext),
            _ => None,
        };
        Screen {
            state: view.state,
            status: i18n::t(l, status_msg(view)),
            countdown: countdown::format_remaining(remaining, l),
            trouble: view.trouble.then(|| i18n::t(l, Msg::Trouble)),
            announce: self.announce,
            offer: !self.withdrawn,
            next: next.map_or("", |m| i18n::t(l, m)),
            retry,
            app_hint: view.app_not_opened && !self.withdrawn,
        }
    }
}

/// The status line for a state; the grace window after expiry says it is still checking.
/// Without a status endpoint nothing confirms a run-out time: the line says only that.
pub fn status_msg(view: &View) -> Msg {
    let local_expired = view.local_expired;
    match view.state {
        State::Pending | State::Confirming if local_expired && view.display_only => Msg::TimeRanOut,
        State::Loading => Msg::Loading,
        State::Pending => Msg::Pending,
        State::Confirming if local_expired => Msg::ExpiredConfirming,
        State::Confirming => Msg::Confirming,
        State::Success => Msg::Success,
        State::Failure => Msg::Failure,
        State::Expire => Msg::Expire,
        State::Reversed => Msg::Reversed,
        // The machine stopped checking (a charge that cannot be shown has its own view).
        State::Error => Msg::CheckFailed,
    }
}

fn threshold_msg(th: Threshold) -> Msg {
    match th {
        Threshold::FiveMinutes => Msg::FiveMinutesLeft,
        Threshold::OneMinute => Msg::OneMinuteLeft,
        Threshold::Expired => Msg::TimeIsUp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(state: State, remaining_ms: i64) -> View {
        View {
            state,
            remaining_ms,
            trouble: false,
            local_expired: remaining_ms == 0 && !state.is_terminal(),
            app_not_opened: false,
            display_only: false,
            last_status: "pending".into(),
        }
    }

    #[test]
    fn each_state_has_its_line() {
        let mut p = Presenter::new(Locale::En, false);
        let line = |p: &mut Presenter, v: View| p.present(&v).status;
        assert_eq!(
            line(&mut p, view(State::Loading, 60_000)),
            "Loading payment…"
        );
        assert_eq!(
            line(&mut p, view(State::Pending, 60_000)),
            "Waiting for payment"
        );
        assert_eq!(
            line(&mut p, view(State::Confirming, 60_000)),
            "Checking your payment…"
        );
        assert_eq!(
            line(&mut p, view(State::Confirming, 0)),
            "Time ran out here, confirming with the merchant"
        );
        assert_eq!(line(&mut p, view(State::Success, 0)), "Payment received");
        assert_eq!(line(&mut p, view(State::Failure, 0)), "Payment failed");
        assert_eq!(
            line(&mut p, view(State::Expire, 0)),
            "This payment has expired"
        );
        let mut id = Presenter::new(Locale::Id, false);
        assert_eq!(
            line(&mut id, view(State::Success, 0)),
            "Pembayaran diterima"
        );
    }

    #[test]
    fn a_run_out_time_without_an_endpoint_confirms_nothing() {
        let mut p = Presenter::new(Locale::En, false);
        // The machine is not woken without an endpoint: its state is still the charge's.
        let run_out = View {
            display_only: true,
            local_expired: true,
            ..view(State::Pending, 0)
        };
        let s = p.present(&run_out);
        assert_eq!(s.status, "The time to pay has run out");
        assert!(!s.offer, "the QR is withdrawn");
        let mut p = Presenter::new(Locale::Id, false);
        assert_eq!(p.present(&run_out).status, "Waktu pembayaran sudah habis");
        // With an endpoint, the shop is being asked.
        let mut p = Presenter::new(Locale::En, false);
        assert_eq!(
            p.present(&view(State::Confirming, 0)).status,
            "Time ran out here, confirming with the merchant"
        );
    }

    #[test]
    fn thresholds_are_announced_once_crossed_and_kept() {
        let mut p = Presenter::new(Locale::En, false);
        assert_eq!(p.present(&view(State::Pending, 400_000)).announce, "");
        assert_eq!(p.present(&view(State::Pending, 300_500)).announce, "");
        let s = p.present(&view(State::Pending, 299_000));
        assert_eq!(s.announce, "5 minutes left");
        assert_eq!(s.countdown, "04:59");
        assert_eq!(
            p.present(&view(State::Pending, 200_000)).announce,
            "5 minutes left"
        );
        // A sleeping laptop jumps over two: the most urgent is said.
        assert_eq!(p.present(&view(State::Pending, 0)).announce, "Time is up");
    }

    #[test]
    fn an_ended_transaction_shows_zero_and_announces_nothing_new() {
        let mut p = Presenter::new(Locale::En, false);
        p.present(&view(State::Pending, 400_000));
        let s = p.present(&view(State::Success, 400_000));
        assert_eq!(s.countdown, "00:00");
        assert_eq!(s.announce, "");
        assert_eq!(s.state, State::Success);
    }

    #[test]
    fn trouble_is_shown_while_it_lasts() {
        let mut p = Presenter::new(Locale::En, false);
        let mut v = view(State::Pending, 60_000);
        v.trouble = true;
        assert_eq!(
            p.present(&v).trouble,
            Some("Having trouble reaching the shop, still trying")
        );
        v.trouble = false;
        assert_eq!(p.present(&v).trouble, None);
    }

    #[test]
    fn the_qr_is_withdrawn_at_the_end_and_when_time_runs_out_here_for_good() {
        let mut p = Presenter::new(Locale::En, true);
        let s = p.present(&view(State::Pending, 60_000));
        assert!(s.offer && s.next.is_empty() && !s.retry);
        // Time ran out here; the merchant has not answered: checking, nothing to pay.
        let s = p.present(&view(State::Confirming, 0));
        assert!(!s.offer);
        assert!(s.next.contains("do not pay again"), "{}", s.next);
        // A clock set back does not bring the QR back.
        assert!(!p.present(&view(State::Confirming, 30_000)).offer);
        // A late settlement still ends in success.
        let s = p.present(&view(State::Success, 0));
        assert!(!s.offer && !s.retry);
        assert!(s.next.starts_with("The merchant has received your payment"));
    }

    #[test]
    fn each_end_says_what_next_and_retry_only_where_it_helps() {
        for (retry, state, text, offered) in [
            (true, State::Failure, "Get a new QR to try again.", true),
            (false, State::Failure, "go back to the shop.", false),
            (true, State::Expire, "Get a new QR to try again.", true),
            (false, State::Expire, "go back to the shop.", false),
            (true, State::Reversed, "Contact the merchant", false),
            (true, State::Success, "You can close this page.", false),
            (true, State::Error, "contact the merchant", false),
        ] {
            let s = Presenter::new(Locale::En, retry).present(&view(state, 0));
            assert!(!s.offer, "{state:?}");
            assert!(s.next.contains(text), "{state:?}: {}", s.next);
            assert_eq!(s.retry, offered, "{state:?}");
        }
        let id = Presenter::new(Locale::Id, true).present(&view(State::Expire, 0));
        assert!(id.next.contains("Buat kode QR baru"), "{}", id.next);
    }

    #[test]
    fn the_app_hint_shows_only_while_the_qr_is_offered() {
        let mut p = Presenter::new(Locale::En, false);
        let mut v = view(State::Pending, 60_000);
        v.app_not_opened = true;
        assert!(p.present(&v).app_hint);
        v.state = State::Expire;
        assert!(!p.present(&v).app_hint);
    }
}

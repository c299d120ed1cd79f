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
}

/// Turns successive machine views into screens.
#[derive(Debug, Clone)]
pub struct Presenter {
    locale: Locale,
    last_remaining: Option<i64>,
    announce: &'static str,
}

impl Presenter {
    pub fn new(locale: Locale) -> Presenter {
        Presenter {
            locale,
            last_remaining: None,
            announce: "",
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
        Screen {
            state: view.state,
            status: i18n::t(l, status_msg(view.state, view.local_expired)),
            countdown: countdown::format_remaining(remaining, l),
            trouble: view.trouble.then(|| i18n::t(l, Msg::Trouble)),
            announce: self.announce,
        }
    }
}

/// The status line for a state; the grace window after expiry says it is still checking.
pub fn status_msg(state: State, local_expired: bool) -> Msg {
    match state {
        State::Loading => Msg::Loading,
        State::Pending => Msg::Pending,
        State::Confirming if local_expired => Msg::ExpiredConfirming,
        State::Confirming => Msg::Confirming,
        State::Success => Msg::Success,
        State::Failure => Msg::Failure,
        State::Expire => Msg::Expire,
        State::Reversed => Msg::Reversed,
        State::Error => Msg::Error,
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
            last_status: "pending".into(),
        }
    }

    #[test]
    fn each_state_has_its_line() {
        let mut p = Presenter::new(Locale::En);
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
        let mut id = Presenter::new(Locale::Id);
        assert_eq!(
            line(&mut id, view(State::Success, 0)),
            "Pembayaran diterima"
        );
    }

    #[test]
    fn thresholds_are_announced_once_crossed_and_kept() {
        let mut p = Presenter::new(Locale::En);
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
        let mut p = Presenter::new(Locale::En);
        p.present(&view(State::Pending, 400_000));
        let s = p.present(&view(State::Success, 400_000));
        assert_eq!(s.countdown, "00:00");
        assert_eq!(s.announce, "");
        assert_eq!(s.state, State::Success);
    }

    #[test]
    fn trouble_is_shown_while_it_lasts() {
        let mut p = Presenter::new(Locale::En);
        let mut v = view(State::Pending, 60_000);
        v.trouble = true;
        assert_eq!(
            p.present(&v).trouble,
            Some("Having trouble reaching the shop, still trying")
        );
        v.trouble = false;
        assert_eq!(p.present(&v).trouble, None);
    }
}

//! The machine's phases: not started, live, ended, destroyed; and what the live phase keeps
//! while the outcome is open, so an ended or destroyed machine holds none of it.

use std::ops::ControlFlow;

use super::deadlines::{Deadline, Deadlines};
use super::vocabulary::{Event, State};
use crate::core::schedule::SplitMix64;

/// Commands gathered while handling one input, put in a safe order at the end.
#[derive(Default)]
pub(super) struct Outbox {
    pub(super) abort: bool,
    pub(super) persist: bool,
    pub(super) events: Vec<Event>,
    pub(super) open_app: bool,
    pub(super) fetch: bool,
}

/// Handling goes on, or the transaction has just ended in this terminal state.
pub(super) type Flow = ControlFlow<State>;

/// Where the machine is in its life. What only matters while the outcome is open
/// lives in [`Live`], so an ended or destroyed machine has no request in flight,
/// no request scheduled and no failures to count.
#[derive(Debug)]
pub(super) enum Phase {
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
pub(super) enum Stage {
    Loading,
    Pending,
    Confirming,
}

impl Stage {
    pub(super) fn state(self) -> State {
        match self {
            Stage::Loading => State::Loading,
            Stage::Pending => State::Pending,
            Stage::Confirming => State::Confirming,
        }
    }
}

/// What the machine keeps while the outcome is open.
#[derive(Debug)]
pub(super) struct Live {
    pub(super) stage: Stage,
    /// The page is visible and there is a status endpoint: without one the widget
    /// acts as if nobody ever looked, so it never asks.
    pub(super) visible: bool,
    pub(super) times: Deadlines,
    /// A check was asked for while a request was in flight.
    pub(super) check_after_flight: bool,
    /// Consecutive failures, since [`Deadline::FailingSince`].
    pub(super) failures: u32,
    /// The app said `result=success`: keep confirming for the whole window.
    pub(super) confirm_hold: bool,
    /// The last app opening was followed by no sign of the app (see [`Deadline::AppCheck`]).
    pub(super) app_not_opened: bool,
    /// The page is hidden (tracked for the app check, also when the widget does not poll).
    pub(super) page_hidden: bool,
    /// Retry jitter.
    pub(super) rng: SplitMix64,
}

impl Live {
    pub(super) fn in_flight(&self) -> bool {
        self.times.in_flight()
    }

    /// When the current run of failures began, once it counts for "trouble".
    pub(super) fn trouble_since(&self) -> Option<i64> {
        self.times[Deadline::FailingSince].filter(|_| self.failures >= 2)
    }
}

//! The machine's vocabulary: what it is told ([`Input`]), what it asks for ([`Command`]),
//! what it tells the page ([`Event`] and the `CODE_*` values), the states it is in, what a
//! view reads ([`View`]), what it starts from ([`Config`]) and what it saves ([`Snapshot`]).
//! The driver, the view and the snapshot's text form share these; none of them needs the
//! transitions.

use crate::core::status::StatusReply;

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
    /// `result` parameter if any), or not (`None`). The only way a return from the app
    /// reaches the machine: the app opens `callback_url` (with `order_id` and `result`
    /// appended), which loads the page again.
    pub returned_from_app: Option<Option<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// First input after construction: the [`Config`] says everything known at the
    /// start. Inputs before it are ignored, except [`Input::AppOpened`].
    Start,
    /// The status request ended with an HTTP answer. The driver reads the body with
    /// [`crate::core::status::read_reply`]: `reply` is `None` when it is no status reply
    /// (not JSON, or not the shape of one). `date_ms` is the `Date` header, if any.
    StatusResponse {
        http_status: u16,
        reply: Option<StatusReply>,
        date_ms: Option<i64>,
        /// The `Retry-After` header of a non-2xx answer, in ms from now: the next request
        /// waits at least this long (up to the policy's
        /// [`retry_after_max_ms`](crate::core::schedule::Policy::retry_after_max_ms)).
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

/// What survives a reload of the page for one order: the machine saves it
/// ([`Command::Persist`]) and a new page's machine starts from it. Its text form is
/// [`crate::core::snapshot`]'s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub order_id: String,
    pub state: State,
    pub transaction_status: String,
    pub status_code: Option<String>,
    /// `transaction_status` came from the status endpoint, not only the charge.
    pub confirmed: bool,
    pub app_open_attempted: bool,
    pub unreachable_reported: bool,
    /// The endpoint answered for another order, transaction or amount: stopped for good.
    pub mismatch_reported: bool,
    pub skew_ms: i64,
    /// Local time of the first start for this order; the cadence counts from it.
    pub started_ms: i64,
}

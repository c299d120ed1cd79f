//! The widget's options, from the page to a started transaction.
//!
//! [`OPTIONS`] is the one table of their names: the key in `mount()`'s object (and in
//! `renderToString`'s), the attribute that carries it, and the kind of value it takes. The
//! embed reads the page's values through it into [`Options`]; [`start`] turns those and what
//! the page (or the server) knows into the machine, the presenter and the first screen. The
//! browser and the server both start there, so their first screens agree by construction.

use super::charge::ChargeError;
use super::deeplink::Environment;
use super::device::Device;
use super::i18n::Locale;
use super::machine::{Command, Input, Machine};
use super::plan::{self, Mode, Plan, PlanInput};
use super::present::{Presenter, Screen};
use super::snapshot::Snapshot;

/// Which option a value is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Charge,
    StatusUrl,
    Locale,
    Mode,
    Environment,
    Retry,
    AutoOpen,
    UserAgent,
    Stylesheet,
    Nonce,
    Id,
}

/// What an option takes, and so how a value given for it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The charge response: its JSON text (the embed serialises an object). Kept as given,
    /// even empty: an empty charge is an error to report, not a missing one.
    Charge,
    /// Text; an empty one is no value.
    Text,
    /// Yes or no, no unless given: a present attribute, `true`.
    Flag,
    /// Yes or no, yes unless given as no.
    OnUnlessNo,
}

/// One row of [`OPTIONS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionSpec {
    pub key: Key,
    /// The key in `mount()`'s options object (and `renderToString`'s).
    pub name: &'static str,
    /// The attribute a server render writes it as; for the element's own options, the one
    /// the element and `[data-gopay-widget]` read it from.
    pub attribute: Option<&'static str>,
    pub kind: Kind,
    /// Only `renderToString` / `renderFirstPaint` take it: the element does not observe it.
    pub server_only: bool,
}

const fn spec(
    key: Key,
    name: &'static str,
    attribute: Option<&'static str>,
    kind: Kind,
    server_only: bool,
) -> OptionSpec {
    OptionSpec {
        key,
        name,
        attribute,
        kind,
        server_only,
    }
}

/// Every option, the element's first, then those only a server render takes.
pub const OPTIONS: [OptionSpec; 11] = [
    spec(
        Key::Charge,
        "charge",
        Some("data-charge"),
        Kind::Charge,
        false,
    ),
    spec(
        Key::StatusUrl,
        "statusUrl",
        Some("data-status-url"),
        Kind::Text,
        false,
    ),
    spec(
        Key::Locale,
        "locale",
        Some("data-locale"),
        Kind::Text,
        false,
    ),
    spec(Key::Mode, "mode", Some("data-mode"), Kind::Text, false),
    spec(
        Key::Environment,
        "environment",
        Some("data-environment"),
        Kind::Text,
        false,
    ),
    spec(Key::Retry, "retry", Some("data-retry"), Kind::Flag, false),
    spec(
        Key::AutoOpen,
        "autoOpen",
        Some("data-auto-open"),
        Kind::OnUnlessNo,
        false,
    ),
    // The request's `User-Agent`: the device the first view is for.
    spec(Key::UserAgent, "userAgent", None, Kind::Text, true),
    // A URL of the package's stylesheet to link; without it the styles are inlined.
    spec(Key::Stylesheet, "stylesheet", None, Kind::Text, true),
    // The page's CSP nonce for the inlined styles.
    spec(Key::Nonce, "nonce", None, Kind::Text, true),
    // The element's own `id`.
    spec(Key::Id, "id", Some("id"), Kind::Text, true),
];

/// A value as the page gave it: an attribute's text or a string, or a JavaScript value that
/// is not one, by its truthiness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Given {
    Text(String),
    Bool(bool),
}

/// Says no: `false` as text, in any case, spaces around (`data-auto-open="false"`).
fn is_no(text: &str) -> bool {
    text.trim().eq_ignore_ascii_case("false")
}

/// The options as read: texts as given (parsed where they are used, so a server writes back
/// what the page gave), flags decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The charge JSON text; `None` when none was given.
    pub charge: Option<String>,
    pub status_url: Option<String>,
    pub locale: Option<String>,
    pub mode: Option<String>,
    pub environment: Option<String>,
    /// The page takes "Get a new QR" (`gopay-retry`).
    pub retry: bool,
    /// The app may open by itself (see [`plan::auto_open`]).
    pub auto_open: bool,
    pub user_agent: Option<String>,
    pub stylesheet: Option<String>,
    pub nonce: Option<String>,
    pub id: Option<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            charge: None,
            status_url: None,
            locale: None,
            mode: None,
            environment: None,
            retry: false,
            auto_open: true,
            user_agent: None,
            stylesheet: None,
            nonce: None,
            id: None,
        }
    }
}

impl Options {
    /// Reads `given` as the option `key` takes it. A text option given no text stays unset.
    pub fn set(&mut self, key: Key, given: Given) {
        let yes = match &given {
            Given::Text(text) => !is_no(text),
            Given::Bool(yes) => *yes,
        };
        match (key, given) {
            (Key::Retry, _) => self.retry = yes,
            (Key::AutoOpen, _) => self.auto_open = yes,
            (_, Given::Bool(_)) => {}
            (Key::Charge, Given::Text(text)) => self.charge = Some(text),
            (key, Given::Text(text)) => {
                if let Some(slot) = self.text_mut(key) {
                    *slot = Some(text).filter(|t| !t.is_empty());
                }
            }
        }
    }

    /// The value of a text option (the charge's too); `None` for a flag.
    fn text_mut(&mut self, key: Key) -> Option<&mut Option<String>> {
        Some(match key {
            Key::Charge => &mut self.charge,
            Key::StatusUrl => &mut self.status_url,
            Key::Locale => &mut self.locale,
            Key::Mode => &mut self.mode,
            Key::Environment => &mut self.environment,
            Key::UserAgent => &mut self.user_agent,
            Key::Stylesheet => &mut self.stylesheet,
            Key::Nonce => &mut self.nonce,
            Key::Id => &mut self.id,
            Key::Retry | Key::AutoOpen => return None,
        })
    }

    /// The option as its attribute carries it; `None` writes no attribute (a flag at its
    /// default, an unset text).
    pub fn attribute_value(&self, key: Key) -> Option<&str> {
        match key {
            Key::Retry => self.retry.then_some(""),
            Key::AutoOpen => (!self.auto_open).then_some("false"),
            Key::Charge => self.charge.as_deref(),
            Key::StatusUrl => self.status_url.as_deref(),
            Key::Locale => self.locale.as_deref(),
            Key::Mode => self.mode.as_deref(),
            Key::Environment => self.environment.as_deref(),
            Key::UserAgent => self.user_agent.as_deref(),
            Key::Stylesheet => self.stylesheet.as_deref(),
            Key::Nonce => self.nonce.as_deref(),
            Key::Id => self.id.as_deref(),
        }
    }

    /// `auto` unless the page named another.
    pub fn mode(&self) -> Mode {
        self.mode
            .as_deref()
            .and_then(Mode::parse)
            .unwrap_or_default()
    }

    /// As the page named it; unset lets the charge's URLs decide.
    pub fn environment(&self) -> Environment {
        self.environment
            .as_deref()
            .and_then(Environment::parse)
            .unwrap_or_default()
    }
}

/// What the page knows besides the options (a server knows less, and says so here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// `<html lang>`.
    pub html_lang: Option<String>,
    /// `navigator.language`.
    pub browser_language: Option<String>,
    /// The page's origin, which the sandbox also admits for URLs.
    pub page_origin: Option<String>,
    pub device: Device,
    /// The page is in sight.
    pub visible: bool,
    /// The order whose QR the page already shows, drawn by a server.
    pub qr_in_page: Option<String>,
    /// Seed for the machine's retry jitter.
    pub seed: u64,
    pub now_ms: i64,
}

/// What the page knows of the order, once the charge names it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderFacts {
    /// The snapshot the page stored for this order (a reload).
    pub restored: Option<Snapshot>,
    /// The page was loaded by the app's callback for this order: `Some(result)`.
    pub returned_from_app: Option<Option<String>>,
}

/// A transaction, started.
#[derive(Debug)]
pub struct Started {
    pub plan: Plan,
    pub machine: Machine,
    pub presenter: Presenter,
    /// What the widget shows once started.
    pub first: Screen,
    /// What the machine asked for at its start: the browser carries it out; a server, which
    /// has no page to tell and nothing to ask yet, leaves it.
    pub commands: Vec<Command>,
}

/// The charge cannot be shown: the error view, in the shopper's language.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    pub locale: Locale,
    pub error: ChargeError,
}

/// Plans the charge, builds the machine (restored from `order`'s facts) and starts it, and
/// presents the first screen: everything a widget shows first, wherever it is rendered.
pub fn start(
    options: &Options,
    facts: &Facts,
    order: impl FnOnce(&str) -> OrderFacts,
) -> Result<Started, Refused> {
    let locale = plan::pick_locale(
        options.locale.as_deref(),
        facts.html_lang.as_deref(),
        facts.browser_language.as_deref(),
    );
    let mut plan = plan::plan(PlanInput {
        charge: options.charge.as_deref(),
        status_url: options.status_url.as_deref(),
        environment: options.environment(),
        page_origin: facts.page_origin.as_deref(),
        mode: options.mode(),
        device: facts.device,
        locale,
        qr_in_page: facts.qr_in_page.as_deref(),
    })
    .map_err(|error| Refused { locale, error })?;
    plan.auto_open = options.auto_open;
    let known = order(&plan.charge.order_id);
    let config = plan.machine_config(facts.seed, facts.visible, known.returned_from_app);
    let now = facts.now_ms;
    let mut machine = Machine::new(config, known.restored, now);
    let commands = machine.handle(Input::Start, now);
    let mut presenter = Presenter::new(plan.locale, options.retry);
    let first = presenter.present(&machine.view(now));
    Ok(Started {
        plan,
        machine,
        presenter,
        first,
        commands,
    })
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::core::machine::State;
    use std::collections::BTreeSet;

    const QRIS: &str = include_str!("../../tests/fixtures/midtrans/qris-charge-docs-shape.json");
    const GOPAY: &str =
        include_str!("../../tests/fixtures/midtrans/gopay-charge-current-shape.json");
    /// During the fixtures' transactions: 2021-06-23 15:25 in Jakarta.
    const DURING_QRIS: i64 = 1_624_436_700_000;

    fn facts(device: Device, now_ms: i64) -> Facts {
        Facts {
            html_lang: None,
            browser_language: None,
            page_origin: None,
            device,
            visible: true,
            qr_in_page: None,
            seed: 0,
            now_ms,
        }
    }

    fn with(pairs: &[(Key, Given)]) -> Options {
        let mut o = Options::default();
        for (key, given) in pairs {
            o.set(*key, given.clone());
        }
        o
    }

    #[test]
    fn the_table_has_one_row_per_key_and_no_name_twice() {
        let keys: BTreeSet<String> = OPTIONS.iter().map(|s| format!("{:?}", s.key)).collect();
        let names: BTreeSet<&str> = OPTIONS.iter().map(|s| s.name).collect();
        let attributes: Vec<&str> = OPTIONS.iter().filter_map(|s| s.attribute).collect();
        assert_eq!(keys.len(), OPTIONS.len());
        assert_eq!(names.len(), OPTIONS.len());
        assert_eq!(
            attributes.iter().collect::<BTreeSet<_>>().len(),
            attributes.len()
        );
        // The element's attributes are data-* ones; a server-only option has none of those.
        for s in OPTIONS {
            let data = s.attribute.is_some_and(|a| a.starts_with("data-"));
            assert_eq!(data, !s.server_only, "{}", s.name);
        }
    }

    #[test]
    fn each_option_reads_its_kind_of_value() {
        let text = |s: &str| Given::Text(s.to_owned());
        let o = with(&[
            (Key::Charge, text("")),
            (Key::StatusUrl, text("")),
            (Key::Locale, text("en")),
            (Key::Mode, Given::Bool(true)),
            (Key::Retry, text("")),
        ]);
        // An empty charge is a charge (reported as invalid), an empty URL is none.
        assert_eq!(o.charge.as_deref(), Some(""));
        assert_eq!(o.status_url, None);
        assert_eq!(o.locale.as_deref(), Some("en"));
        assert_eq!(o.mode, None);
        // A present attribute turns a flag on; "false", in any case, turns it off.
        assert!(o.retry);
        for no in ["false", " FALSE "] {
            let o = with(&[(Key::Retry, text("")), (Key::Retry, text(no))]);
            assert!(!o.retry, "{no}");
            assert!(!with(&[(Key::AutoOpen, text(no))]).auto_open, "{no}");
        }
        assert!(with(&[(Key::AutoOpen, text("true"))]).auto_open);
        assert!(with(&[]).auto_open);
        assert!(!with(&[(Key::AutoOpen, Given::Bool(false))]).auto_open);
        assert!(with(&[(Key::Retry, Given::Bool(true))]).retry);
    }

    #[test]
    fn attribute_values_give_back_what_was_set() {
        let mut o = Options::default();
        for s in OPTIONS {
            o.set(s.key, Given::Text(format!("{}-value", s.name)));
        }
        o.set(Key::Retry, Given::Bool(true));
        o.set(Key::AutoOpen, Given::Bool(false));
        for s in OPTIONS {
            let expected = match s.kind {
                Kind::Flag => String::new(),
                Kind::OnUnlessNo => "false".to_owned(),
                _ => format!("{}-value", s.name),
            };
            assert_eq!(
                o.attribute_value(s.key),
                Some(expected.as_str()),
                "{}",
                s.name
            );
        }
        let defaults = Options::default();
        assert!(OPTIONS
            .iter()
            .all(|s| defaults.attribute_value(s.key).is_none()));
    }

    #[test]
    fn start_gives_the_screen_after_the_machines_start() {
        let o = with(&[
            (Key::Charge, Given::Text(QRIS.to_owned())),
            (Key::StatusUrl, Given::Text("/s/{order_id}".to_owned())),
            (Key::Locale, Given::Text("en".to_owned())),
        ]);
        let started = start(&o, &facts(Device::Desktop, DURING_QRIS), |_| {
            OrderFacts::default()
        })
        .unwrap();
        assert_eq!(started.first.state, State::Pending);
        assert_eq!(started.machine.state(), State::Pending);
        assert!(started.first.offer);
        assert!(started
            .commands
            .iter()
            .any(|c| matches!(c, Command::Fetch { .. })));
        assert!(started.plan.status_url.is_some());
    }

    #[test]
    fn start_takes_the_order_facts_for_the_charges_order() {
        let o = with(&[
            (Key::Charge, Given::Text(QRIS.to_owned())),
            (Key::StatusUrl, Given::Text("/s".to_owned())),
        ]);
        let mut asked = None;
        let restored = Snapshot {
            state: State::Success,
            transaction_status: "settlement".into(),
            ..start(&o, &facts(Device::Desktop, DURING_QRIS), |_| {
                OrderFacts::default()
            })
            .unwrap()
            .machine
            .snapshot()
        };
        let started = start(&o, &facts(Device::Desktop, DURING_QRIS), |order| {
            asked = Some(order.to_owned());
            OrderFacts {
                restored: Some(restored),
                returned_from_app: None,
            }
        })
        .unwrap();
        assert_eq!(
            asked.as_deref(),
            Some(started.plan.charge.order_id.as_str())
        );
        assert_eq!(started.first.state, State::Success);
        assert!(!started.first.offer);
    }

    #[test]
    fn the_page_decides_the_locale_when_the_options_do_not() {
        let o = with(&[(Key::Charge, Given::Text("{not json".to_owned()))]);
        let page = Facts {
            html_lang: Some("en-GB".into()),
            ..facts(Device::Desktop, 0)
        };
        let refused = start(&o, &page, |_| OrderFacts::default()).unwrap_err();
        assert_eq!(refused.locale, Locale::En);
        assert_eq!(refused.error.code.as_str(), "invalid_json");
        let o = with(&[
            (Key::Charge, Given::Text("{not json".to_owned())),
            (Key::Locale, Given::Text("id".to_owned())),
        ]);
        let refused = start(&o, &page, |_| OrderFacts::default()).unwrap_err();
        assert_eq!(refused.locale, Locale::Id);
    }

    #[test]
    fn the_phone_flow_and_its_automatic_opening_follow_the_options() {
        let o = |auto_open: bool| {
            let mut o = with(&[
                (Key::Charge, Given::Text(GOPAY.to_owned())),
                (Key::StatusUrl, Given::Text("/s".to_owned())),
                (Key::Environment, Given::Text("sandbox".to_owned())),
            ]);
            o.auto_open = auto_open;
            o
        };
        let gopay_now = {
            let started = start(&o(true), &facts(Device::Phone, 0), |_| {
                OrderFacts::default()
            });
            // The fixture's own transaction time, from its expiry (15 minutes before).
            started.unwrap().plan.charge.expiry_ms - 10 * 60_000
        };
        let opens = |auto_open| {
            let started = start(&o(auto_open), &facts(Device::Phone, gopay_now), |_| {
                OrderFacts::default()
            })
            .unwrap();
            assert!(started.plan.app_first);
            started
                .commands
                .iter()
                .any(|c| matches!(c, Command::OpenApp))
        };
        assert!(opens(true));
        assert!(!opens(false));
    }
}

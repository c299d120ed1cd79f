//! The widget's options, from the page to a started transaction.
//!
//! [`Key::spec`] is the one table of their names: the key in `mount()`'s object (and in
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

/// One row of the table ([`Key::spec`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionSpec {
    /// The key in `mount()`'s options object (and `renderToString`'s).
    pub name: &'static str,
    /// The attribute a server render writes it as; for the element's own options, the one
    /// the element and `[data-gopay-widget]` read it from.
    pub attribute: Option<&'static str>,
    pub kind: Kind,
    /// Only `renderToString` / `renderFirstPaint` take it: the element does not observe it.
    pub server_only: bool,
}

impl Key {
    /// Every option, the element's own first, then those only a server render takes.
    pub const ALL: [Key; 11] = [
        Key::Charge,
        Key::StatusUrl,
        Key::Locale,
        Key::Mode,
        Key::Environment,
        Key::Retry,
        Key::AutoOpen,
        Key::UserAgent,
        Key::Stylesheet,
        Key::Nonce,
        Key::Id,
    ];

    /// The table of the options: each one's name, the attribute that carries it, its kind,
    /// and whether only a server render takes it.
    #[rustfmt::skip]
    pub const fn spec(self) -> OptionSpec {
        use Kind::{Flag, OnUnlessNo, Text};
        let (name, attribute, kind, server_only) = match self {
            Key::Charge =>      ("charge",      Some("data-charge"),      Kind::Charge, false),
            Key::StatusUrl =>   ("statusUrl",   Some("data-status-url"),  Text,         false),
            Key::Locale =>      ("locale",      Some("data-locale"),      Text,         false),
            Key::Mode =>        ("mode",        Some("data-mode"),        Text,         false),
            Key::Environment => ("environment", Some("data-environment"), Text,         false),
            Key::Retry =>       ("retry",       Some("data-retry"),       Flag,         false),
            Key::AutoOpen =>    ("autoOpen",    Some("data-auto-open"),   OnUnlessNo,   false),
            // The request's `User-Agent`: the device the first view is for.
            Key::UserAgent =>   ("userAgent",   None,                     Text,         true),
            // A URL of the package's stylesheet to link; without it the styles are inlined.
            Key::Stylesheet =>  ("stylesheet",  None,                     Text,         true),
            // The page's CSP nonce for the inlined styles.
            Key::Nonce =>       ("nonce",       None,                     Text,         true),
            // The element's own `id`.
            Key::Id =>          ("id",          Some("id"),               Text,         true),
        };
        OptionSpec { name, attribute, kind, server_only }
    }
}

/// Says no: `false` as text, in any case, spaces around (`data-auto-open="false"`).
fn is_no(text: &str) -> bool {
    text.trim().eq_ignore_ascii_case("false")
}

/// The options as the page gave them, each as its attribute carries it (a flag's yes as a
/// present attribute, its no as `"false"`), read where they are used: a server writes back
/// what the page gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options([Option<String>; Key::ALL.len()]);

impl Options {
    /// Sets `key` to `text`, as its attribute would carry it.
    pub fn set(&mut self, key: Key, text: String) {
        self.0[key as usize] = Some(text);
    }

    /// Sets a yes/no option.
    pub fn set_flag(&mut self, key: Key, yes: bool) {
        self.set(key, if yes { String::new() } else { "false".into() });
    }

    /// The text given for `key`. An empty text is none, but for the charge: an empty charge
    /// is an error to report, not a missing one.
    pub fn text(&self, key: Key) -> Option<&str> {
        let text = self.0[key as usize].as_deref()?;
        (key.spec().kind == Kind::Charge || !text.is_empty()).then_some(text)
    }

    /// A yes/no option as its kind reads it: a [`Kind::Flag`] is no unless given (and not as
    /// `"false"`), a [`Kind::OnUnlessNo`] yes unless given as `"false"`.
    pub fn yes(&self, key: Key) -> bool {
        let given = self.0[key as usize].as_deref();
        match key.spec().kind {
            Kind::OnUnlessNo => !given.is_some_and(is_no),
            _ => given.is_some_and(|text| !is_no(text)),
        }
    }

    /// The option as its attribute carries it; `None` writes no attribute (a flag at its
    /// default, an unset text).
    pub fn attribute_value(&self, key: Key) -> Option<&str> {
        match key.spec().kind {
            Kind::Flag => self.yes(key).then_some(""),
            Kind::OnUnlessNo => (!self.yes(key)).then_some("false"),
            Kind::Charge | Kind::Text => self.text(key),
        }
    }

    /// `auto` unless the page named another.
    pub fn mode(&self) -> Mode {
        self.text(Key::Mode)
            .and_then(Mode::parse)
            .unwrap_or_default()
    }

    /// As the page named it; unset lets the charge's URLs decide.
    pub fn environment(&self) -> Environment {
        self.text(Key::Environment)
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
        options.text(Key::Locale),
        facts.html_lang.as_deref(),
        facts.browser_language.as_deref(),
    );
    let mut plan = plan::plan(PlanInput {
        charge: options.text(Key::Charge),
        status_url: options.text(Key::StatusUrl),
        environment: options.environment(),
        page_origin: facts.page_origin.as_deref(),
        mode: options.mode(),
        device: facts.device,
        locale,
        qr_in_page: facts.qr_in_page.as_deref(),
    })
    .map_err(|error| Refused { locale, error })?;
    plan.auto_open = options.yes(Key::AutoOpen);
    let known = order(&plan.charge.order_id);
    let config = plan.machine_config(facts.seed, facts.visible, known.returned_from_app);
    let now = facts.now_ms;
    let mut machine = Machine::new(config, known.restored, now);
    let commands = machine.handle(Input::Start, now);
    let mut presenter = Presenter::new(plan.locale, options.yes(Key::Retry));
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

    fn with(pairs: &[(Key, &str)]) -> Options {
        let mut o = Options::default();
        for (key, text) in pairs {
            o.set(*key, (*text).to_owned());
        }
        o
    }

    #[test]
    fn every_key_has_one_row_and_no_name_twice() {
        let specs = Key::ALL.map(Key::spec);
        let names: BTreeSet<&str> = specs.iter().map(|s| s.name).collect();
        let attributes: Vec<&str> = specs.iter().filter_map(|s| s.attribute).collect();
        for (i, key) in Key::ALL.into_iter().enumerate() {
            // Each key once, in its own place (an option's value is stored at it).
            assert_eq!(key as usize, i, "{key:?}");
        }
        assert_eq!(names.len(), specs.len());
        assert_eq!(
            attributes.iter().collect::<BTreeSet<_>>().len(),
            attributes.len()
        );
        // The element's attributes are data-* ones; a server-only option has none of those.
        for s in specs {
            let data = s.attribute.is_some_and(|a| a.starts_with("data-"));
            assert_eq!(data, !s.server_only, "{}", s.name);
        }
    }

    #[test]
    fn each_option_reads_its_kind_of_value() {
        let o = with(&[
            (Key::Charge, ""),
            (Key::StatusUrl, ""),
            (Key::Locale, "en"),
            (Key::Retry, ""),
        ]);
        // An empty charge is a charge (reported as invalid), an empty URL is none.
        assert_eq!(o.text(Key::Charge), Some(""));
        assert_eq!(o.text(Key::StatusUrl), None);
        assert_eq!(o.text(Key::Locale), Some("en"));
        assert_eq!(o.text(Key::Mode), None);
        // A present attribute turns a flag on; "false", in any case, turns it off.
        assert!(o.yes(Key::Retry));
        for no in ["false", " FALSE "] {
            assert!(!with(&[(Key::Retry, no)]).yes(Key::Retry), "{no}");
            assert!(!with(&[(Key::AutoOpen, no)]).yes(Key::AutoOpen), "{no}");
        }
        assert!(with(&[(Key::AutoOpen, "true")]).yes(Key::AutoOpen));
        assert!(with(&[(Key::AutoOpen, "")]).yes(Key::AutoOpen));
        assert!(with(&[]).yes(Key::AutoOpen));
        assert!(!with(&[]).yes(Key::Retry));
        let mut o = Options::default();
        o.set_flag(Key::AutoOpen, false);
        o.set_flag(Key::Retry, true);
        assert!(!o.yes(Key::AutoOpen) && o.yes(Key::Retry));
        assert_eq!(o.mode(), Mode::Auto);
        assert_eq!(
            with(&[(Key::Environment, " Sandbox")]).environment(),
            Environment::Sandbox
        );
    }

    #[test]
    fn attribute_values_give_back_what_was_set() {
        let mut o = Options::default();
        for key in Key::ALL {
            o.set(key, format!("{}-value", key.spec().name));
        }
        o.set_flag(Key::Retry, true);
        o.set_flag(Key::AutoOpen, false);
        for key in Key::ALL {
            let s = key.spec();
            let expected = match s.kind {
                Kind::Flag => String::new(),
                Kind::OnUnlessNo => "false".to_owned(),
                _ => format!("{}-value", s.name),
            };
            assert_eq!(
                o.attribute_value(key),
                Some(expected.as_str()),
                "{}",
                s.name
            );
        }
        let defaults = Options::default();
        assert!(Key::ALL
            .iter()
            .all(|key| defaults.attribute_value(*key).is_none()));
    }

    #[test]
    fn start_gives_the_screen_after_the_machines_start() {
        let o = with(&[
            (Key::Charge, QRIS),
            (Key::StatusUrl, "/s/{order_id}"),
            (Key::Locale, "en"),
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
        let o = with(&[(Key::Charge, QRIS), (Key::StatusUrl, "/s")]);
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
        let o = with(&[(Key::Charge, "{not json")]);
        let page = Facts {
            html_lang: Some("en-GB".into()),
            ..facts(Device::Desktop, 0)
        };
        let refused = start(&o, &page, |_| OrderFacts::default()).unwrap_err();
        assert_eq!(refused.locale, Locale::En);
        assert_eq!(refused.error.code.as_str(), "invalid_json");
        let o = with(&[(Key::Charge, "{not json"), (Key::Locale, "id")]);
        let refused = start(&o, &page, |_| OrderFacts::default()).unwrap_err();
        assert_eq!(refused.locale, Locale::Id);
    }

    #[test]
    fn the_phone_flow_and_its_automatic_opening_follow_the_options() {
        let o = |auto_open: bool| {
            let mut o = with(&[
                (Key::Charge, GOPAY),
                (Key::StatusUrl, "/s"),
                (Key::Environment, "sandbox"),
            ]);
            o.set_flag(Key::AutoOpen, auto_open);
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

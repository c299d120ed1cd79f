//! The public names have one source: the core's `EventKind` and `State`. The package's
//! JavaScript entry and its types spell them too; this test fails when a copy drifts.
#![cfg(not(target_arch = "wasm32"))]

use gopay_widget::core::machine::{EventKind, State};
use std::collections::BTreeSet;

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Every double-quoted string in `text` that starts with `prefix`.
fn quoted_with(text: &str, prefix: &str) -> BTreeSet<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with(prefix) && !s.contains(char::is_whitespace))
        .map(str::to_owned)
        .collect()
}

/// The quoted members of `export type NAME = | "a" | "b" ...;` in a .d.ts file.
fn union_members(dts: &str, name: &str) -> BTreeSet<String> {
    let start = dts
        .find(&format!("export type {name} ="))
        .unwrap_or_else(|| panic!("{name} not found"));
    let end = start + dts[start..].find(';').unwrap();
    quoted_with(&dts[start..end], "")
}

fn event_names() -> BTreeSet<String> {
    EventKind::ALL
        .iter()
        .map(|k| k.dom_name().to_owned())
        .collect()
}

#[test]
fn the_types_list_exactly_the_events_and_states() {
    let dts = read("js/index.d.ts");
    let start = dts.find("export interface GopayWidgetEventMap").unwrap();
    let end = start + dts[start..].find("\n}").unwrap();
    assert_eq!(quoted_with(&dts[start..end], "gopay-"), event_names());
    let states: BTreeSet<String> = State::ALL.iter().map(|s| s.as_str().to_owned()).collect();
    assert_eq!(union_members(&dts, "GopayState"), states);
    for kind in EventKind::ALL {
        assert!(
            dts.contains(&format!("{}?:", kind.callback_name())),
            "{} is not in MountOptions",
            kind.callback_name()
        );
    }
}

#[test]
fn the_entry_only_names_known_events() {
    let js = ["index", "pure", "react", "vue", "svelte"].map(|name| read(&format!("js/{name}.js")));
    let js = js.join("\n");
    let mut known = event_names();
    known.insert("gopay-widget".to_owned());
    let used = quoted_with(&js, "gopay-");
    assert!(!used.is_empty());
    assert!(
        used.is_subset(&known),
        "{:?} are not events",
        used.difference(&known)
    );
}

#[test]
fn the_readme_names_every_event_and_state() {
    let readme = read("README.md");
    for name in event_names() {
        assert!(readme.contains(&format!("`{name}`")), "{name}");
    }
    for state in State::ALL {
        assert!(
            readme.contains(&format!("`{}`", state.as_str())),
            "{state:?}"
        );
    }
}

/// Every stable `code` the widget can put in an event's `detail`: the charge's and the plan's
/// (`ErrorCode`, listed through an exhaustive match so a new one cannot be left out), the
/// machine's, and the entry's own `load_failed`.
fn error_codes() -> Vec<&'static str> {
    use gopay_widget::core::charge::ErrorCode::{self, *};
    use gopay_widget::core::machine::{
        CODE_AMOUNT_MISMATCH, CODE_EXPIRED_LOCALLY, CODE_ORDER_MISMATCH, CODE_TRANSACTION_MISMATCH,
        CODE_UNKNOWN_STATUS, CODE_UNREACHABLE,
    };
    use gopay_widget::core::qris::QrisError;
    let listed: Vec<ErrorCode> = vec![
        InvalidJson,
        DuplicateKey,
        InputTooLarge,
        MissingCharge,
        NotAnObject,
        MissingField,
        WrongType,
        InvalidField,
        InvalidAmount,
        InvalidTime,
        UnsupportedPaymentType,
        UnsupportedCurrency,
        NoPaymentMethod,
        UrlNotAllowed,
        ChargeNotPending,
        MidtransError { status_code: 401 },
        Qris(QrisError::Malformed),
        Qris(QrisError::CrcMismatch),
        Qris(QrisError::NotPayment),
        Qris(QrisError::InvalidField),
        Qris(QrisError::TipOrFee),
        QrisAmountMismatch,
    ];
    for code in &listed {
        // A new variant makes this match fail to compile until it is listed above.
        match code {
            InvalidJson
            | DuplicateKey
            | InputTooLarge
            | MissingCharge
            | NotAnObject
            | MissingField
            | WrongType
            | InvalidField
            | InvalidAmount
            | InvalidTime
            | UnsupportedPaymentType
            | UnsupportedCurrency
            | NoPaymentMethod
            | UrlNotAllowed
            | ChargeNotPending
            | MidtransError { .. }
            | Qris(
                QrisError::Malformed
                | QrisError::CrcMismatch
                | QrisError::NotPayment
                | QrisError::InvalidField
                | QrisError::TipOrFee,
            )
            | QrisAmountMismatch => {}
        }
    }
    let mut codes: Vec<&'static str> = listed.iter().map(|c| c.as_str()).collect();
    codes.extend([
        CODE_EXPIRED_LOCALLY,
        CODE_ORDER_MISMATCH,
        CODE_TRANSACTION_MISMATCH,
        CODE_AMOUNT_MISMATCH,
        CODE_UNKNOWN_STATUS,
        CODE_UNREACHABLE,
        "load_failed",
    ]);
    codes
}

#[test]
fn the_readme_names_every_code_a_page_can_receive() {
    let readme = read("README.md");
    let missing: Vec<_> = error_codes()
        .into_iter()
        .filter(|c| !readme.contains(&format!("`{c}`")))
        .collect();
    assert!(missing.is_empty(), "README.md does not name {missing:?}");
    // The entry really sends the one code it owns.
    assert!(read("js/pure.js").contains("\"load_failed\""));
}

/// The options, one name table: `mount()`'s option (and the React and Vue components' prop) and
/// the attribute that carries it.
const OPTIONS: [(&str, &str); 7] = [
    ("charge", "data-charge"),
    ("statusUrl", "data-status-url"),
    ("locale", "data-locale"),
    ("mode", "data-mode"),
    ("environment", "data-environment"),
    ("retry", "data-retry"),
    ("autoOpen", "data-auto-open"),
];

/// The options only `renderToString` / `renderFirstPaint` take.
const SERVER_ONLY: [&str; 4] = ["userAgent", "stylesheet", "nonce", "id"];

/// The text of `interface NAME … }` in a .d.ts file.
fn interface<'a>(dts: &'a str, name: &str) -> &'a str {
    let start = dts
        .find(&format!("interface {name}"))
        .unwrap_or_else(|| panic!("{name} not found"));
    &dts[start..start + dts[start..].find("\n}").unwrap()]
}

#[test]
fn every_option_has_one_name_in_the_entry_the_components_the_types_and_the_renderer() {
    let pure = read("js/pure.js");
    let index_dts = read("js/index.d.ts");
    let attributes = interface(&index_dts, "GopayWidgetAttributes");
    let mount_options = interface(&index_dts, "MountOptions");
    let server_dts = read("js/server.d.ts");
    let render_options = interface(&server_dts, "RenderOptions");
    let react = read("js/react.js");
    let vue = read("js/vue.js");
    let embed = read("src/embed.rs");
    let server = read("src/server.rs");
    let pick = |dts: &str| {
        let dts = read(dts);
        let start = dts.find("Pick<").expect("the props pick mount()'s options");
        dts[start..start + dts[start..].find('>').unwrap()].to_owned()
    };
    let (react_props, vue_props) = (pick("js/react.d.ts"), pick("js/vue.d.ts"));
    for (option, attribute) in OPTIONS {
        assert!(
            pure.contains(&format!("{option}: \"{attribute}\"")),
            "pure.js: {option}"
        );
        assert!(
            attributes.contains(&format!("\"{attribute}\"?:")),
            "index.d.ts: {attribute}"
        );
        assert!(
            mount_options.contains(&format!("\n  {option}")),
            "MountOptions: {option}"
        );
        assert!(
            render_options.contains(&format!("\n  {option}")),
            "RenderOptions: {option}"
        );
        assert!(
            embed.contains(&format!("\"{option}\"")),
            "embed.rs reads {option}"
        );
        assert!(
            server.contains(&format!("(\"{attribute}\"")),
            "server.rs writes {attribute}"
        );
        for (name, js, props) in [("react", &react, &react_props), ("vue", &vue, &vue_props)] {
            assert!(
                js.contains(&format!("\"{attribute}\":")),
                "{name}.js: {attribute}"
            );
            assert!(
                props.contains(&format!("\"{option}\"")),
                "{name}.d.ts: {option}"
            );
        }
    }
    for option in SERVER_ONLY {
        assert!(
            render_options.contains(&format!("\n  {option}?:")),
            "RenderOptions: {option}"
        );
        assert!(
            embed.contains(&format!("\"{option}\"")),
            "embed.rs reads {option}"
        );
    }
}

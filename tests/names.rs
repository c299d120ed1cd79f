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
    let js = read("js/index.js");
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

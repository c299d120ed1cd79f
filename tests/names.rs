//! The public names have one source: the core's `EventKind`, `State` and options table
//! (`Key::spec`). The package's JavaScript entry, its components and its types spell them too;
//! this test fails when a copy drifts, or when one is added or misspelt in any of them.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use gopay_widget::core::machine::{EventKind, State};
use gopay_widget::core::options::{Key, OptionSpec};
use std::collections::{BTreeMap, BTreeSet};

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
fn the_reference_names_every_event_and_state() {
    let readme = read("docs/reference.md");
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
/// (`ErrorCode`, from the support list whose exhaustive match leaves none out), the
/// machine's, and the entry's own `load_failed`.
fn error_codes() -> Vec<&'static str> {
    use gopay_widget::core::machine::{
        CODE_AMOUNT_MISMATCH, CODE_EXPIRED_LOCALLY, CODE_ORDER_MISMATCH, CODE_TRANSACTION_MISMATCH,
        CODE_UNKNOWN_STATUS, CODE_UNREACHABLE,
    };
    let listed = support::every_error_code();
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
fn the_reference_names_every_code_a_page_can_receive() {
    let readme = read("docs/reference.md");
    let missing: Vec<_> = error_codes()
        .into_iter()
        .filter(|c| !readme.contains(&format!("`{c}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/reference.md does not name {missing:?}"
    );
    // The entry really sends the one code it owns.
    assert!(read("js/pure.js").contains("\"load_failed\""));
}

/// The core's table of the options.
fn options() -> [OptionSpec; Key::ALL.len()] {
    Key::ALL.map(Key::spec)
}

/// The element's options from the core's table: `mount()`'s name (and the React and Vue
/// components' prop) and the attribute that carries it.
fn element_options() -> BTreeMap<String, String> {
    options()
        .iter()
        .filter(|o| !o.server_only)
        .map(|o| (o.name.to_owned(), o.attribute.unwrap().to_owned()))
        .collect()
}

/// Every option's name, those only `renderToString` / `renderFirstPaint` take included.
fn all_option_names() -> BTreeSet<String> {
    options().iter().map(|o| o.name.to_owned()).collect()
}

/// The text of `interface NAME … }` in a .d.ts file.
fn interface<'a>(dts: &'a str, name: &str) -> &'a str {
    let start = dts
        .find(&format!("interface {name}"))
        .unwrap_or_else(|| panic!("{name} not found"));
    &dts[start..start + dts[start..].find("\n}").unwrap()]
}

/// The members an interface declares at its first level (`  name?:`, `  "name"?:`, `  name:`).
fn members(interface: &str) -> BTreeSet<String> {
    interface
        .lines()
        .filter_map(|line| line.strip_prefix("  "))
        .filter(|line| !line.starts_with(' '))
        .filter_map(|line| line.split_once(':'))
        .map(|(name, _)| name.trim_end_matches('?').trim_matches('"').to_owned())
        .filter(|name| !name.is_empty() && !name.contains(char::is_whitespace))
        .collect()
}

/// The `key: "value"` entries of `const NAME = { … };` in a JavaScript file.
fn object_literal(js: &str, name: &str) -> BTreeMap<String, String> {
    let start = js
        .find(&format!("const {name} = {{"))
        .unwrap_or_else(|| panic!("{name} not found"));
    let body = &js[start..start + js[start..].find("};").unwrap()];
    body.lines()
        .skip(1)
        .filter_map(|line| line.trim().trim_end_matches(',').split_once(": "))
        .map(|(key, value)| (key.to_owned(), value.trim_matches('"').to_owned()))
        .collect()
}

/// The quoted names in a `Pick<MountOptions, "a" | "b" …>` of a .d.ts file.
fn picked(dts: &str) -> BTreeSet<String> {
    let start = dts.find("Pick<").expect("the props pick mount()'s options");
    quoted_with(&dts[start..start + dts[start..].find('>').unwrap()], "")
}

/// `statusUrl` -> `status_url`.
fn snake_case(name: &str) -> String {
    name.chars()
        .flat_map(|c| {
            let lower = c.to_ascii_lowercase();
            (c.is_ascii_uppercase().then_some('_').into_iter()).chain([lower])
        })
        .collect()
}

#[test]
fn every_option_has_one_name_in_the_element_mount_the_renderer_and_the_types() {
    let element = element_options();
    let attributes: BTreeSet<String> = element.values().cloned().collect();
    let names: BTreeSet<String> = element.keys().cloned().collect();
    // The element (and [data-gopay-widget]) reads exactly these attributes into these names.
    assert_eq!(object_literal(&read("js/pure.js"), "ATTRIBUTES"), element);
    let index_dts = read("js/index.d.ts");
    assert_eq!(
        members(interface(&index_dts, "GopayWidgetAttributes")),
        attributes,
        "index.d.ts: GopayWidgetAttributes"
    );
    let callbacks: BTreeSet<String> = EventKind::ALL
        .iter()
        .map(|k| k.callback_name().to_owned())
        .collect();
    let mount_options = members(interface(&index_dts, "MountOptions"));
    assert_eq!(
        &mount_options - &callbacks,
        names,
        "index.d.ts: MountOptions"
    );
    assert!(callbacks.is_subset(&mount_options), "index.d.ts: callbacks");
    assert_eq!(
        members(interface(&read("js/server.d.ts"), "RenderOptions")),
        all_option_names(),
        "server.d.ts: RenderOptions"
    );
    // The components pass each option as its attribute, and type their props as mount()'s.
    for component in ["react", "vue"] {
        let js = read(&format!("js/{component}.js"));
        assert_eq!(
            quoted_with(&js, "data-")
                .into_iter()
                .filter(|a| js.contains(&format!("\"{a}\":")))
                .collect::<BTreeSet<_>>(),
            attributes,
            "{component}.js"
        );
        assert_eq!(
            picked(&read(&format!("js/{component}.d.ts"))),
            names,
            "{component}.d.ts"
        );
    }
}

#[test]
fn the_rust_renderer_takes_every_option_by_its_name() {
    let server = read("src/server.rs");
    let start = server.find("pub struct RenderOptions").unwrap();
    let fields: BTreeSet<String> = server[start..start + server[start..].find("\n}").unwrap()]
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub "))
        .filter_map(|line| line.split_once(':'))
        .map(|(field, _)| field.to_owned())
        .collect();
    let mut expected: BTreeSet<String> = options().iter().map(|o| snake_case(o.name)).collect();
    expected.insert("now_ms".to_owned());
    assert_eq!(fields, expected);
}

/// The text of a Rust source file before its unit tests.
fn code_of(path: &str) -> String {
    let text = read(path);
    match text.find("#[cfg(all(test") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// The driver's and the renderer's sources, the embed's too: they read and write options
/// through the table, and the view's markup only through the view.
fn shell_sources() -> Vec<(String, String)> {
    let mut paths = vec!["src/server.rs".to_owned(), "src/embed.rs".to_owned()];
    let dir = format!("{}/src/driver", env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        paths.push(format!("src/driver/{name}"));
    }
    paths.into_iter().map(|p| (code_of(&p), p)).collect()
}

#[test]
fn the_shell_spells_no_option_and_reads_no_markup() {
    let sources = shell_sources();
    assert!(sources.iter().any(|(_, path)| path == "src/driver/mod.rs"));
    for (code, path) in &sources {
        for option in options() {
            let spelt = [Some(option.name), option.attribute].into_iter().flatten();
            for name in spelt {
                assert!(
                    !code.contains(&format!("\"{name}\"")),
                    "{path} spells {name}"
                );
            }
        }
        // Selectors and searches in markup belong to the view, which knows its markup.
        for scan in [
            "query_selector",
            "querySelector",
            "inner_html",
            "outer_html",
            ".find(\"<",
            ".find('<'",
            ".replace(\"<",
            ".contains(\"<",
        ] {
            assert!(!code.contains(scan), "{path} holds {scan}");
        }
    }
}

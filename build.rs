//! Minifies the widget's stylesheet at build time (comments and layout whitespace go), so
//! the wasm carries the rules only. The source stays readable in src/ui/widget.css. Also says
//! which build is the package's browser build (`browser_build`).

use std::{env, fs, path::Path};

fn minify_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    // Comments out first.
    let mut plain = String::with_capacity(css.len());
    while let Some(start) = rest.find("/*") {
        plain.push_str(&rest[..start]);
        rest = match rest[start + 2..].find("*/") {
            Some(end) => &rest[start + 2 + end + 2..],
            None => "",
        };
    }
    plain.push_str(rest);
    // Whitespace runs become one space, and none where a delimiter makes it redundant.
    let mut pending_space = false;
    for c in plain.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        let tight = |d: char| matches!(d, '{' | '}' | ';' | ',' | '>');
        if pending_space && !tight(c) && !out.ends_with(tight) && !out.ends_with(':') {
            out.push(' ');
        }
        pending_space = false;
        if c == '}' && out.ends_with(';') {
            out.pop();
        }
        out.push(c);
    }
    out
}

fn main() {
    let source = "src/ui/widget.css";
    println!("cargo:rerun-if-changed={source}");
    let css = fs::read_to_string(source).expect("src/ui/widget.css is readable");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("widget.min.css");
    fs::write(out, minify_css(&css)).expect("OUT_DIR is writable");

    // `browser_build`: the package's browser build, which its JavaScript (js/pure.js) completes:
    // it draws QR codes with the package's QR module (crates/qr-module) instead of an encoder
    // of its own (src/core/qr/mod.rs's `draw`), and leaves the stylesheet to the script, which
    // styles the early QR with the same sheet (src/driver/shadow.rs). The `server` build and
    // the project's own tests (`internals`) keep both.
    println!("cargo::rustc-check-cfg=cfg(browser_build)");
    let wasm = env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|arch| arch == "wasm32");
    let feature = |name: &str| env::var_os(format!("CARGO_FEATURE_{name}")).is_some();
    if wasm && !feature("SERVER") && !feature("INTERNALS") {
        println!("cargo::rustc-cfg=browser_build");
    }
}

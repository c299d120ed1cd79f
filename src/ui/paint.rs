//! The first paint: the view rendered to HTML by a server, in a declarative shadow root.

use super::{act_on, stylesheet_link, ErrorView, Intents, PaymentView, Signals, CSS};
use crate::core::options::{Refused, Started};
use leptos::prelude::*;
use std::rc::Rc;
use std::sync::Arc;

/// Where a first paint's styles come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Styles<'a> {
    /// A URL of the package's stylesheet, linked from the view (works under a CSP without
    /// inline styles).
    Linked(&'a str),
    /// Inlined as a `<style>` element, with the page's CSP nonce if it has one: nothing to
    /// wait for, nothing to serve. It goes before the view's container, where a template's
    /// content model has it.
    Inline { nonce: Option<&'a str> },
}

/// The view a widget shows first, as HTML: the payment view at its first screen, or the
/// error view. A stylesheet is linked after the part the shopper acts on, or before a view
/// with none.
fn first_view(start: Result<Started, Refused>, stylesheet: Option<String>) -> String {
    let owner = Owner::new();
    let html = owner.with(|| match start {
        Ok(started) if act_on(&started.plan, started.first.offer).is_some() => {
            payment_view(started, stylesheet).to_html()
        }
        Ok(started) => {
            let link = stylesheet_link(stylesheet).to_html();
            link + &payment_view(started, None).to_html()
        }
        Err(refused) => {
            let link = stylesheet_link(stylesheet).to_html();
            link + &view! { <ErrorView locale=refused.locale /> }.to_html()
        }
    });
    without_markers(html)
}

fn payment_view(started: Started, stylesheet: Option<String>) -> impl IntoView {
    let signals = Signals::new(started.first);
    // Nothing to tap before the package takes the view over.
    let intents: Intents = Rc::new(|_| {});
    let plan = Arc::new(started.plan);
    view! { <PaymentView plan signals intents stylesheet /> }
}

/// The first view as HTML, with no styles.
pub fn view_html(start: Result<Started, Refused>) -> String {
    first_view(start, None)
}

/// The first view in a declarative shadow root (`<template shadowrootmode="open">…`), styled:
/// the view links the stylesheet itself, or the inlined styles come before its container.
pub fn first_paint_html(start: Result<Started, Refused>, styles: Styles<'_>) -> String {
    let (inlined, view) = match styles {
        Styles::Linked(href) => (String::new(), first_view(start, Some(href.to_owned()))),
        Styles::Inline { nonce } => {
            let nonce = nonce.map(str::to_owned);
            // Raw text up to `</style`: the widget's own CSS, which never holds one.
            let style = view! { <style nonce=nonce inner_html=CSS></style> }.to_html();
            (style, first_view(start, None))
        }
    };
    format!("<template shadowrootmode=\"open\">{inlined}<div>{view}</div></template>")
}

/// The renderer's `<!>` markers taken out: they separate text nodes and mark empty places for
/// Leptos' hydration, which the widget does not do (it mounts its own view and adopts only the
/// painted QR), and an HTML parser reports each as an incorrectly opened comment. The renderer
/// escapes `<` in every text and attribute value, and the one raw text, the CSS, holds no
/// `<!`, so each `<!>` is a marker; two texts it separated become one text node, which reads
/// the same.
fn without_markers(html: String) -> String {
    if html.contains("<!>") {
        html.replace("<!>", "")
    } else {
        html
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn the_inlined_css_holds_no_end_tag_and_no_marker() {
        let css = CSS.to_ascii_lowercase();
        assert!(!css.contains("</style"));
        assert!(!css.contains("<!"));
    }
}

//! The first paint: the view rendered to HTML by a server, in a declarative shadow root, and
//! found again by the browser when the package takes that view over. What is written here is
//! what is looked for here.

use super::{act_on, stylesheet_link, ErrorView, Intents, Parts, PaymentView, Signals, CSS};
use crate::core::options::{Refused, Started};
use leptos::prelude::*;
use std::rc::Rc;
use std::sync::Arc;
use web_sys::{Element, HtmlElement, ShadowRoot};

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
    let parts = Parts::new();
    view! { <PaymentView plan signals intents parts stylesheet /> }
}

/// The first view as HTML, with no styles (for the tests' `render_view`).
#[cfg(feature = "internals")]
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

/// A first paint inserted by a script (`innerHTML`, as client-side navigation in Next.js,
/// Nuxt and SvelteKit inserts server HTML) is not parsed as a declarative shadow root: its
/// `<template shadowrootmode="open">` stays a dead child of the host. That template, if the
/// host has one.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub fn unparsed_first_paint(host: &HtmlElement) -> Option<Element> {
    host.query_selector(r#":scope > template[shadowrootmode="open" i]"#)
        .ok()
        .flatten()
}

/// A QR a server drew, in a host's shadow root, and the order it was drawn for.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub struct PaintedQr {
    svg: Element,
    order_id: String,
}

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
impl PaintedQr {
    /// The drawn QR of the payment view painted in `root`, if there is one.
    pub fn find(root: &ShadowRoot) -> Option<PaintedQr> {
        let svg = root.query_selector("figure[part=qr] > svg").ok()??;
        let order_id = root
            .query_selector("[part=order-id]")
            .ok()??
            .text_content()?;
        Some(PaintedQr { svg, order_id })
    }

    pub fn order_id(&self) -> &str {
        &self.order_id
    }

    pub(super) fn into_svg(self) -> Element {
        self.svg
    }
}

/// A painted QR the view took over ([`Parts::adopt`]).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub struct AdoptedQr(Element);

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
impl AdoptedQr {
    pub(super) fn new(svg: Element) -> AdoptedQr {
        AdoptedQr(svg)
    }

    /// The side in modules and the path of the QR as the server drew it ([`QrFigure`]'s
    /// `viewBox` and path), for "Save QR image" to draw again.
    ///
    /// [`QrFigure`]: super::QrFigure
    pub fn drawing(&self) -> Option<(u32, String)> {
        let view_box = self.0.get_attribute("viewBox")?;
        let size = view_box.split(' ').nth(2)?.parse().ok()?;
        let path = self.0.query_selector("path").ok()??.get_attribute("d")?;
        Some((size, path))
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

    #[test]
    fn the_view_box_the_server_draws_gives_back_the_side() {
        let view_box = crate::core::qr::view_box(29);
        assert_eq!(view_box.split(' ').nth(2), Some("29"), "{view_box}");
    }
}

//! Server-side rendering of the widget's first paint: the HTML of one `<gopay-widget>` element
//! with its view in a declarative shadow root, from the same components the browser mounts.
//!
//! A merchant's backend puts this in its payment page, so the QR (or the phone's "Open GoPay"
//! link) shows before any script runs; when the package loads on the page, the element's
//! widget takes that view over (the drawn QR stays the same element). Rust backends call
//! [`render_to_string`] (or [`render_first_paint`] for an element their templates write);
//! Node calls the package's `renderToString` / `renderFirstPaint` (`gopay-widget/server`),
//! a wasm build of these same functions.

use crate::core::deeplink::Environment;
use crate::core::device::{self, Device};
use crate::core::machine::{Input, Machine};
use crate::core::plan::{self, Mode, PlanInput};
use crate::core::present::Presenter;
use crate::ui::{ErrorView, Intents, PaymentView, Signals};
use leptos::prelude::*;
use std::rc::Rc;
use std::sync::Arc;

/// The options of `mount()` (as text, as the `data-*` attributes carry them), plus what only
/// the server knows.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions<'a> {
    /// The charge response JSON, as the backend received it from Midtrans.
    pub charge: Option<&'a str>,
    /// The status endpoint, `{order_id}` standing for the order.
    pub status_url: Option<&'a str>,
    /// `id` or `en`; Indonesian when absent (pass the page's language for a stable view).
    pub locale: Option<&'a str>,
    /// `auto`, `qr` or `deeplink`.
    pub mode: Option<&'a str>,
    /// `production` or `sandbox`.
    pub environment: Option<&'a str>,
    /// The request's `User-Agent`, so the first view fits the device (`auto` mode).
    pub user_agent: Option<&'a str>,
    /// URL of the package's `gopay-widget.css`, linked from the shadow root so the first paint
    /// is styled under a CSP without inline styles. When absent, the stylesheet is inlined as
    /// a `<style>` element: nothing to serve, but a strict CSP then needs [`Self::nonce`].
    pub stylesheet: Option<&'a str>,
    /// The nonce of the page's CSP (`style-src 'nonce-…'`) for the inlined `<style>`.
    pub nonce: Option<&'a str>,
    /// The element's `id`, for the page's own CSS and scripts.
    pub id: Option<&'a str>,
    /// The page takes "Get a new QR" (`gopay-retry`): written as `data-retry`.
    pub retry: bool,
    /// The one automatic opening of the GoPay app on a phone; `false` is written as
    /// `data-auto-open="false"` (the Open GoPay button stays).
    pub auto_open: bool,
    /// The server's clock, for the countdown.
    pub now_ms: i64,
}

impl Default for RenderOptions<'_> {
    fn default() -> Self {
        RenderOptions {
            charge: None,
            status_url: None,
            locale: None,
            mode: None,
            environment: None,
            user_agent: None,
            stylesheet: None,
            nonce: None,
            id: None,
            retry: false,
            auto_open: true,
            now_ms: 0,
        }
    }
}

/// Escapes text for a double-quoted HTML attribute value.
fn attr(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 16);
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// The view the browser would show first for these options, as HTML: the payment view, or
/// the error view for a charge that cannot be shown (never markup from the charge).
pub fn render_view(o: &RenderOptions<'_>) -> (String, &'static str) {
    let locale = plan::pick_locale(o.locale, None, None);
    let device = o
        .user_agent
        .map_or(Device::Desktop, |ua| device::classify(ua, None, 0));
    let planned = plan::plan(PlanInput {
        charge: o.charge,
        status_url: o.status_url,
        environment: o
            .environment
            .and_then(Environment::parse)
            .unwrap_or_default(),
        page_origin: None,
        mode: o.mode.and_then(Mode::parse).unwrap_or_default(),
        device,
        locale,
        qr_in_page: None,
    });
    let owner = Owner::new();
    owner.with(|| match planned {
        Ok(plan) => {
            let config = plan.machine_config(0, true, None);
            let mut machine = Machine::new(config, None, o.now_ms);
            // What the widget shows once started; the commands are the browser's to carry out.
            let _ = machine.handle(Input::Start, o.now_ms);
            let screen = Presenter::new(plan.locale, o.retry).present(&machine.view(o.now_ms));
            let state = screen.state.as_str();
            let signals = Signals::new(screen);
            let intents: Intents = Rc::new(|_| {});
            let plan = Arc::new(plan);
            let html = view! { <PaymentView plan signals intents /> }.to_html();
            (without_markers(html), state)
        }
        Err(e) => {
            let html = view! { <ErrorView locale message=e.message /> }.to_html();
            (
                without_markers(html),
                crate::core::machine::State::Error.as_str(),
            )
        }
    })
}

/// The renderer's `<!>` markers taken out: they separate text nodes and mark empty places for
/// Leptos' hydration, which the widget does not do (it mounts its own view and moves only the
/// painted QR into it), and an HTML parser reports each as an incorrectly opened comment.
/// The renderer escapes `<` in every text and attribute value, so each `<!>` it wrote is a
/// marker; two texts it separated become one text node, which reads the same.
fn without_markers(html: String) -> String {
    if html.contains("<!>") {
        html.replace("<!>", "")
    } else {
        html
    }
}

/// The HTML of one `<gopay-widget>` with its first view in a declarative shadow root and its
/// `data-*` attributes set, so that the element goes on working when the package loads.
pub fn render_to_string(o: &RenderOptions<'_>) -> String {
    let (view, state) = render_view(o);
    let mut out = String::from("<gopay-widget");
    for (name, value) in [
        ("id", o.id),
        ("data-charge", o.charge),
        ("data-status-url", o.status_url),
        ("data-locale", o.locale),
        ("data-mode", o.mode),
        ("data-environment", o.environment),
        ("data-retry", o.retry.then_some("")),
        ("data-auto-open", (!o.auto_open).then_some("false")),
        ("data-state", Some(state)),
    ] {
        if let Some(value) = value {
            out.push_str(&format!(" {name}=\"{}\"", attr(value)));
        }
    }
    out.push('>');
    shadow_root(&mut out, &view, o);
    out.push_str("</gopay-widget>");
    out
}

/// Only the declarative shadow root (`<template shadowrootmode="open">…</template>`), for a
/// `<gopay-widget>` element the page's own templates or components write with the same
/// options as `data-*` attributes.
pub fn render_first_paint(o: &RenderOptions<'_>) -> String {
    let (view, _) = render_view(o);
    let mut out = String::new();
    shadow_root(&mut out, &view, o);
    out
}

fn shadow_root(out: &mut String, view: &str, o: &RenderOptions<'_>) {
    out.push_str("<template shadowrootmode=\"open\">");
    match o.stylesheet {
        // The parser stops at a stylesheet link in the body until the sheet has loaded: the
        // link goes right after the part to act on, which is thus painted in the first parse
        // (its markup needs no stylesheet), and the rest of the view waits for its styles.
        Some(href) => {
            out.push_str("<div>");
            let at = first_part_end(view).unwrap_or(0);
            out.push_str(&view[..at]);
            out.push_str(&format!(
                "<link rel=\"stylesheet\" href=\"{}\">",
                attr(href)
            ));
            out.push_str(&view[at..]);
        }
        // Inlined, the styles come with the view: nothing to wait for, nothing to serve. The
        // element goes before the view's container, where a template's content model has it.
        None => {
            match o.nonce {
                Some(nonce) => out.push_str(&format!("<style nonce=\"{}\">", attr(nonce))),
                None => out.push_str("<style>"),
            }
            // Raw text up to `</style`: the widget's own CSS, which never holds one.
            out.push_str(crate::ui::CSS);
            out.push_str("</style><div>");
            out.push_str(view);
        }
    }
    out.push_str("</div></template>");
}

/// The end of the part of `view` the shopper acts on: the Open GoPay button's row when the
/// app part is shown, else the QR's figure; `None` in the error view.
fn first_part_end(view: &str) -> Option<usize> {
    const APP: &str = "<div class=\"gw-app\"";
    let app_shown = view
        .find(APP)
        .is_some_and(|at| !view[at + APP.len()..].starts_with(" hidden"));
    let (start, end) = if app_shown {
        ("part=\"open-button\"", "</a></div>")
    } else {
        ("<figure", "</figure>")
    };
    let at = view.find(start)?;
    Some(at + view[at..].find(end)? + end.len())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    const QRIS: &str = include_str!("../tests/fixtures/midtrans/qris-charge-docs-shape.json");

    fn options(charge: &str) -> RenderOptions<'_> {
        RenderOptions {
            charge: Some(charge),
            locale: Some("en"),
            now_ms: 0,
            ..RenderOptions::default()
        }
    }

    #[test]
    fn a_qris_charge_renders_its_qr_in_a_declarative_shadow_root() {
        let html = render_to_string(&RenderOptions {
            status_url: Some("/status/{order_id}"),
            stylesheet: Some("/pkg/gopay-widget.css"),
            ..options(QRIS)
        });
        assert!(html.starts_with("<gopay-widget data-charge=\"{"), "{html}");
        // The QR first, then the link: the figure is painted before the parser waits for it.
        let figure = html.find("</figure>").unwrap();
        let link = html
            .find("<link rel=\"stylesheet\" href=\"/pkg/gopay-widget.css\">")
            .unwrap();
        assert_eq!(link, figure + "</figure>".len(), "{html}");
        assert!(html.contains("<template shadowrootmode=\"open\"><div><section"));
        assert!(html.contains("data-status-url=\"/status/{order_id}\""));
        assert!(html.contains("<svg") && html.contains("part=\"qr\""));
        assert!(html.contains("IDR 789,000"));
        assert!(html.ends_with("</div></template></gopay-widget>"));
        assert!(!html.contains("<script") && !html.contains("style=\""));
    }

    #[test]
    fn a_hostile_charge_renders_the_error_view_and_no_markup_from_it() {
        let hostile = r#"{"order_id":"<img src=x onerror=alert(1)>","status_code":"201"}"#;
        let html = render_to_string(&options(hostile));
        assert!(html.contains("data-state=\"error\""), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{html}"
        );
        let broken = render_to_string(&options("\"><script>alert(1)</script>"));
        assert!(!broken.contains("<script"), "{broken}");
        assert!(broken.contains("data-state=\"error\""));
    }

    #[test]
    fn a_phone_gets_the_open_gopay_link_first() {
        let gopay = include_str!("../tests/fixtures/midtrans/gopay-charge-current-shape.json");
        let phone = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";
        let html = render_to_string(&RenderOptions {
            user_agent: Some(phone),
            environment: Some("sandbox"),
            ..options(gopay)
        });
        // The start tag of the element whose class is `class`.
        let tag = |class: &str| {
            let at = html.find(&format!("class=\"{class}\"")).expect(class);
            let start = html[..at].rfind('<').unwrap();
            &html[start..start + html[start..].find('>').unwrap()]
        };
        assert!(!tag("gw-app").contains("hidden"), "{html}");
        assert!(tag("gw-scan").contains(" hidden"), "{html}");
        assert!(
            html.contains("part=\"open-button\" href=\"https://simulator.sandbox.midtrans.com/")
        );
        // The button's row, then the link; the rest of the view after it.
        let styled = render_to_string(&RenderOptions {
            user_agent: Some(phone),
            environment: Some("sandbox"),
            stylesheet: Some("/w.css"),
            ..options(gopay)
        });
        let button = styled.find("part=\"open-button\"").unwrap();
        let link = styled
            .find("<link rel=\"stylesheet\" href=\"/w.css\">")
            .unwrap();
        assert!(
            button < link && styled[button..link].ends_with("</a></div>"),
            "{styled}"
        );
        assert!(link < styled.find("<figure").unwrap());
        // The error view has no part to act on: the link comes first.
        let error = render_to_string(&RenderOptions {
            stylesheet: Some("/w.css"),
            ..options("{}")
        });
        assert!(
            error.contains("<div><link rel=\"stylesheet\" href=\"/w.css\"><section"),
            "{error}"
        );
    }

    #[test]
    fn no_render_holds_the_renderers_markers() {
        let gopay = include_str!("../tests/fixtures/midtrans/gopay-charge-current-shape.json");
        let phone = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";
        for html in [
            render_to_string(&options(QRIS)),
            render_to_string(&RenderOptions {
                user_agent: Some(phone),
                environment: Some("sandbox"),
                ..options(gopay)
            }),
            render_to_string(&options("{not json")),
            render_first_paint(&options(QRIS)),
        ] {
            assert!(!html.contains("<!>"), "{html}");
            assert!(!html.contains("<!-"), "{html}");
        }
    }

    #[test]
    fn without_a_stylesheet_url_the_css_is_inlined_first_with_the_nonce() {
        let html = render_to_string(&options(QRIS));
        let styled = format!(
            "<template shadowrootmode=\"open\"><style>{}</style><div><section",
            crate::ui::CSS
        );
        assert!(html.contains(&styled), "{html}");
        assert!(!html.contains("<link"));
        let nonced = render_to_string(&RenderOptions {
            nonce: Some("r4nd\"om"),
            ..options(QRIS)
        });
        assert!(
            nonced.contains("shadowrootmode=\"open\"><style nonce=\"r4nd&quot;om\">"),
            "{nonced}"
        );
        // The inlined text ends only at its own end tag.
        assert!(!crate::ui::CSS.to_ascii_lowercase().contains("</style"));
    }

    #[test]
    fn the_first_paint_is_the_elements_shadow_root_alone() {
        let o = RenderOptions {
            status_url: Some("/s/{order_id}"),
            retry: true,
            ..options(QRIS)
        };
        let paint = render_first_paint(&o);
        assert!(paint.starts_with("<template shadowrootmode=\"open\"><style>"));
        assert!(paint.ends_with("</div></template>"));
        let whole = render_to_string(&o);
        assert!(
            whole.ends_with(&format!(">{paint}</gopay-widget>")),
            "{whole}"
        );
        assert!(whole.contains(" data-retry=\"\""));
        assert!(!whole.contains("data-auto-open"));
        let quiet = render_to_string(&RenderOptions {
            auto_open: false,
            ..o
        });
        assert!(quiet.contains(" data-auto-open=\"false\""), "{quiet}");
    }
}

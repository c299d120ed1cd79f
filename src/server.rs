//! Server-side rendering of the widget's first paint: the HTML of one `<gopay-widget>` element
//! with its view in a declarative shadow root, from the same components the browser mounts.
//!
//! A merchant's backend puts this in its payment page, so the QR (or the phone's "Open GoPay"
//! link) shows before any script runs; when the package loads on the page, the element's
//! widget takes that view over (the drawn QR stays the same element). Rust backends call
//! [`render_to_string`] (or [`render_first_paint`] for an element their templates write);
//! Node calls the package's `renderToString` / `renderFirstPaint` (`gopay-widget/server`),
//! a wasm build of these same functions.

use crate::core::device::{self, Device};
use crate::core::machine::State;
use crate::core::options::{self, Facts, Key, Options, OrderFacts, Refused, Started};
use crate::ui::paint::{self, Styles};

/// The options of `mount()` (as text, as the `data-*` attributes carry them), plus what only
/// the server knows. Each is read as the browser reads the same option
/// ([`Key::spec`]).
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

impl RenderOptions<'_> {
    /// The options as the widget reads them.
    pub fn options(&self) -> Options {
        // Every field named: a new option cannot be left out here.
        let RenderOptions {
            charge,
            status_url,
            locale,
            mode,
            environment,
            user_agent,
            stylesheet,
            nonce,
            id,
            retry,
            auto_open,
            now_ms: _,
        } = *self;
        let mut o = Options::default();
        for (key, text) in [
            (Key::Charge, charge),
            (Key::StatusUrl, status_url),
            (Key::Locale, locale),
            (Key::Mode, mode),
            (Key::Environment, environment),
            (Key::UserAgent, user_agent),
            (Key::Stylesheet, stylesheet),
            (Key::Nonce, nonce),
            (Key::Id, id),
        ] {
            if let Some(text) = text {
                o.set(key, text.to_owned());
            }
        }
        o.set_flag(Key::Retry, retry);
        o.set_flag(Key::AutoOpen, auto_open);
        o
    }
}

/// The widget started as the browser starts it, with what a server knows of the page: the
/// request's device, no `<html lang>` or browser language (pass `locale`), a visible page,
/// nothing stored for the order yet.
fn start(options: &Options, now_ms: i64) -> Result<Started, Refused> {
    let facts = Facts {
        html_lang: None,
        browser_language: None,
        page_origin: None,
        device: options
            .text(Key::UserAgent)
            .map_or(Device::Desktop, |ua| device::classify(ua, None, 0)),
        visible: true,
        qr_in_page: None,
        seed: 0,
        now_ms,
    };
    options::start(options, &facts, |_| OrderFacts::default())
}

/// The state the first view shows, as the host's `data-state` says it.
fn first_state(start: &Result<Started, Refused>) -> &'static str {
    start
        .as_ref()
        .map_or(State::Error, |s| s.first.state)
        .as_str()
}

/// The view the browser would show first for these options, as HTML: the payment view, or
/// the error view for a charge that cannot be shown (never markup from the charge). For the
/// project's own tests (`internals`).
#[cfg(feature = "internals")]
pub fn render_view(o: &RenderOptions<'_>) -> (String, &'static str) {
    let start = start(&o.options(), o.now_ms);
    let state = first_state(&start);
    (paint::view_html(start), state)
}

/// The HTML of one `<gopay-widget>` with its first view in a declarative shadow root and its
/// attributes set, so that the element goes on working when the package loads.
pub fn render_to_string(o: &RenderOptions<'_>) -> String {
    element(&o.options(), o.now_ms)
}

/// Only the declarative shadow root (`<template shadowrootmode="open">…</template>`), for a
/// `<gopay-widget>` element the page's own templates or components write with the same
/// options as `data-*` attributes.
pub fn render_first_paint(o: &RenderOptions<'_>) -> String {
    first_paint(&o.options(), o.now_ms)
}

/// [`render_to_string`] of options already read: each attribute as the table names it
/// ([`Key::spec`]), then the first view's `data-state`.
pub(crate) fn element(options: &Options, now_ms: i64) -> String {
    let start = start(options, now_ms);
    let mut out = String::from("<gopay-widget");
    // The element's own `id` first, as a page writes it, then the widget's `data-*`.
    let (own, widgets): (Vec<Key>, Vec<Key>) =
        Key::ALL.into_iter().partition(|key| key.spec().server_only);
    let attributes = own
        .into_iter()
        .chain(widgets)
        .filter_map(|key| Some((key.spec().attribute?, options.attribute_value(key)?)));
    for (name, value) in attributes.chain([("data-state", first_state(&start))]) {
        out.push_str(&format!(" {name}=\"{}\"", attr(value)));
    }
    out.push('>');
    out.push_str(&paint::first_paint_html(start, styles(options)));
    out.push_str("</gopay-widget>");
    out
}

/// [`render_first_paint`] of options already read.
pub(crate) fn first_paint(options: &Options, now_ms: i64) -> String {
    paint::first_paint_html(start(options, now_ms), styles(options))
}

/// The stylesheet linked where the page serves it, else inlined (with the page's nonce).
fn styles(options: &Options) -> Styles<'_> {
    match options.text(Key::Stylesheet) {
        Some(href) => Styles::Linked(href),
        None => Styles::Inline {
            nonce: options.text(Key::Nonce),
        },
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
    fn the_element_carries_every_option_the_browser_reads_as_its_attribute() {
        let html = render_to_string(&RenderOptions {
            status_url: Some("/s/{order_id}"),
            mode: Some("qr"),
            environment: Some("sandbox"),
            user_agent: Some("Mozilla/5.0 (X11; Linux x86_64)"),
            stylesheet: Some("/w.css"),
            nonce: Some("n"),
            id: Some("w"),
            retry: true,
            auto_open: false,
            ..options("{\"a\":\"<'&'>\"}")
        });
        let tag = &html[..html.find('>').unwrap() + 1];
        assert_eq!(
            tag,
            "<gopay-widget id=\"w\" data-charge=\"{&quot;a&quot;:&quot;&lt;&#39;&amp;&#39;&gt;&quot;}\" \
             data-status-url=\"/s/{order_id}\" data-locale=\"en\" data-mode=\"qr\" \
             data-environment=\"sandbox\" data-retry=\"\" data-auto-open=\"false\" \
             data-state=\"error\">"
        );
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

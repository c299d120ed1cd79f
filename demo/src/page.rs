//! The shop's payment page, rendered on the server: the shop page with the order's widget
//! already drawn in it (QR or Open GoPay link at first paint), from gopay-widget's
//! `render_to_string`. The widget package takes it over when it loads.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use gopay_widget::server::{render_to_string, RenderOptions};
use gopay_widget::{format_idr, Locale};
use serde::Deserialize;

use crate::{orders, App};

#[derive(Deserialize)]
pub(crate) struct PageQuery {
    /// A reload of the checkout.
    order: Option<String>,
    /// Back from the GoPay app (with `result`).
    order_id: Option<String>,
    lang: Option<String>,
    device: Option<String>,
}

/// The widget package's module and its hints, from its versioned folder `base` (ending in
/// `/`): the entry is a module script of the page itself (it takes the painted element over as
/// soon as it runs, with no round trip before it), the module it imports is fetched beside it
/// rather than after it, and the wasm as `init()` fetches it (CORS mode, same-origin
/// credentials), so the browser reuses the preloaded response.
fn package_head(base: &str) -> String {
    format!(
        r#"  <link rel="modulepreload" href="{base}pure.js">
  <link rel="preload" href="{base}gopay_widget_wasm_bg.wasm" as="fetch" type="application/wasm" crossorigin>
  <script type="module" src="{base}index.js" data-gopay-package></script>
</head>"#
    )
}

/// The element the shop page leaves for the widget.
const WIDGET_SLOT: &str = r#"<div id="widget" class="widget"></div>"#;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /`: the shop page; with `?order=` (or the app's `?order_id=`) for a known order, its
/// payment is rendered in: the catalogue hidden, the checkout shown, the widget drawn.
pub(crate) async fn shop_page(
    State(app): State<Arc<App>>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let template = match std::fs::read_to_string(app.config.www_dir.join("index.html")) {
        Ok(t) => t,
        Err(_) => return (StatusCode::NOT_FOUND, "no shop page").into_response(),
    };
    let order = match q.order_id.or(q.order) {
        Some(id) => orders::find(&app, &id).await.ok(),
        None => None,
    }
    .filter(|o| o.charge.is_some());
    let Some(order) = order else {
        return Html(template).into_response();
    };
    let charge = order.charge.as_deref().unwrap_or_default();
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let locale = if q.lang.as_deref() == Some("id") {
        "id"
    } else {
        "en"
    };
    // An explicit choice in the page wins over the widget's own device guess (as shop.js does).
    let mode = match (q.device.as_deref(), order.payment_type.as_str()) {
        (Some("phone"), "gopay") => "deeplink",
        (Some("desktop" | "tablet"), "gopay") => "qr",
        _ => "auto",
    };
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let base = app.package.base_url();
    let stylesheet = format!("{base}gopay-widget.css");
    let widget = render_to_string(&RenderOptions {
        charge: Some(charge),
        status_url: Some("/api/orders/{order_id}/status"),
        locale: Some(locale),
        mode: Some(mode),
        environment: Some(app.config.environment()),
        user_agent,
        stylesheet: Some(&stylesheet),
        id: Some("widget"),
        // "Get a new QR" after a failure or expiry: www/shop.js answers `gopay-retry`.
        retry: true,
        now_ms,
        ..RenderOptions::default()
    });
    let amount = order
        .gross_amount
        .split('.')
        .next()
        .and_then(|whole| whole.parse().ok())
        .unwrap_or(0);
    let summary_locale = if locale == "id" {
        Locale::Id
    } else {
        Locale::En
    };
    let summary = format!(
        r#"<p id="summary" class="summary">Order {} · {}</p>"#,
        escape(&order.order_id),
        format_idr(amount, summary_locale)
    );
    let page = template
        .replace(
            r#"<section id="catalogue" aria-labelledby="catalogue-title">"#,
            r#"<section id="catalogue" aria-labelledby="catalogue-title" hidden>"#,
        )
        .replace(
            r#"<section id="checkout" class="checkout" aria-labelledby="checkout-title" hidden>"#,
            r#"<section id="checkout" class="checkout" aria-labelledby="checkout-title">"#,
        )
        .replace(r#"<p id="summary" class="summary"></p>"#, &summary)
        .replace(WIDGET_SLOT, &widget)
        // The widget's module and wasm start loading (and compiling) while the page parses.
        .replace("</head>", &package_head(&base));
    Html(page).into_response()
}

//! The Leptos view. It renders what the driver puts in [`Live`] and the fixed facts of the
//! charge in [`Setup`], and reports the shopper's taps as [`Intent`]s. No timers, no I/O.

use leptos::prelude::*;
use std::rc::Rc;
use std::sync::Arc;

/// The stylesheet adopted into every widget's shadow root.
pub const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.min.css"));

/// How the QR is drawn.
#[derive(Clone)]
pub enum QrPicture {
    /// Inline SVG: the side in modules (quiet zone included) and the path of dark modules.
    Svg { size: u32, path: String },
    /// The PNG that Midtrans links.
    Image { url: String },
}

/// What does not change while one charge is shown.
pub struct Setup {
    /// The `lang` of the widget's text, so screen readers pick the right voice.
    pub lang: &'static str,
    pub title: &'static str,
    pub amount_label: &'static str,
    pub order_label: &'static str,
    pub time_label: &'static str,
    pub amount: String,
    pub order_id: String,
    pub qr: Option<QrPicture>,
    pub qr_label: String,
    pub qr_steps: &'static [&'static str],
    pub deeplink: Option<String>,
    pub deeplink_steps: &'static [&'static str],
    pub open_app: &'static str,
    pub pay_with_qr: &'static str,
    pub show_app_button: &'static str,
    pub save_qr: &'static str,
}

/// What the driver updates as the transaction goes on.
#[derive(Clone, PartialEq, Default)]
pub struct Live {
    /// The `data-state` value.
    pub state: &'static str,
    pub status: String,
    pub remaining: String,
    pub trouble: Option<String>,
    /// Text for screen readers at countdown thresholds; empty otherwise.
    pub announce: String,
    /// Whether the deeplink view shows the app button (phone) rather than the QR.
    pub app_first: bool,
}

/// What the shopper asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intent {
    OpenApp,
    ShowQr,
    ShowAppButton,
    SaveQr,
}

pub type Intents = Rc<dyn Fn(Intent)>;

fn steps(items: &'static [&'static str]) -> impl IntoView {
    view! {
        <ol class="gw-steps" part="instructions">
            {items.iter().map(|s| view! { <li>{*s}</li> }).collect_view()}
        </ol>
    }
}

fn qr_figure(setup: &Setup) -> AnyView {
    let label = setup.qr_label.clone();
    match setup.qr.clone() {
        Some(QrPicture::Svg { size, path }) => view! {
            <figure class="gw-qr" part="qr">
                <svg
                    xmlns="http://www.w3.org/2000/svg"
                    viewBox=format!("0 0 {size} {size}")
                    shape-rendering="crispEdges"
                    role="img"
                    aria-label=label
                >
                    <rect class="gw-qr-light" width=size height=size></rect>
                    <path class="gw-qr-dark" d=path></path>
                </svg>
            </figure>
        }
        .into_any(),
        Some(QrPicture::Image { url }) => view! {
            <figure class="gw-qr" part="qr">
                <img src=url alt=label width="264" height="264" decoding="async" />
            </figure>
        }
        .into_any(),
        None => ().into_any(),
    }
}

/// The payment view: QR (desktop, tablet, or on request) or the app button (phone).
/// Both parts are built once; the driver's [`Live::app_first`] only toggles `hidden`.
pub fn payment_view(setup: Arc<Setup>, live: RwSignal<Live>, intents: Intents) -> impl IntoView {
    let s = &setup;
    let has_link = s.deeplink.is_some();
    let app_first = move || has_link && live.with(|l| l.app_first);
    let on = |intent: Intent| {
        let intents = intents.clone();
        move |_| intents(intent)
    };
    // Saving draws the SVG path on a canvas; a linked PNG is saved with the browser's own
    // long-press instead.
    let can_save = matches!(s.qr, Some(QrPicture::Svg { .. }));
    let phone_extras = (has_link && s.qr.is_some()).then(|| {
        view! {
            {can_save.then(|| view! {
                <button type="button" class="gw-link" part="save-button" on:click=on(Intent::SaveQr)>
                    {s.save_qr}
                </button>
            })}
            <button type="button" class="gw-link" part="app-button" on:click=on(Intent::ShowAppButton)>
                {s.show_app_button}
            </button>
        }
    });
    let app_part = s.deeplink.clone().map(|href| {
        view! {
            <div class="gw-app" hidden=move || !app_first()>
                <div class="gw-actions">
                    <a class="gw-button" part="open-button" href=href rel="noopener" on:click=on(Intent::OpenApp)>
                        {s.open_app}
                    </a>
                </div>
                {steps(s.deeplink_steps)}
                {s.qr.is_some().then(|| view! {
                    <button type="button" class="gw-link" part="qr-button" on:click=on(Intent::ShowQr)>
                        {s.pay_with_qr}
                    </button>
                })}
            </div>
        }
    });
    let qr_part = s.qr.is_some().then(|| {
        view! {
            <div class="gw-scan" hidden=app_first>
                {qr_figure(s)}
                {steps(s.qr_steps)}
                <div class="gw-actions">{phone_extras}</div>
            </div>
        }
    });
    view! {
        <section class="gw" part="widget" lang=s.lang data-state=move || live.with(|l| l.state) aria-labelledby="gw-title">
            <h2 class="gw-title" id="gw-title" part="title">{s.title}</h2>
            <dl class="gw-facts">
                <div><dt>{s.amount_label}</dt><dd class="gw-amount" part="amount">{s.amount.clone()}</dd></div>
                <div><dt>{s.order_label}</dt><dd class="gw-order" part="order-id">{s.order_id.clone()}</dd></div>
                <div><dt>{s.time_label}</dt><dd class="gw-time" part="countdown">{move || live.with(|l| l.remaining.clone())}</dd></div>
            </dl>
            <p class="gw-status" part="status" role="status">{move || live.with(|l| l.status.clone())}</p>
            <p class="gw-trouble" part="trouble" hidden=move || live.with(|l| l.trouble.is_none())>
                {move || live.with(|l| l.trouble.clone())}
            </p>
            <p class="gw-sr" aria-live="polite">{move || live.with(|l| l.announce.clone())}</p>
            {app_part}
            {qr_part}
        </section>
    }
}

/// The error view: the widget cannot show this charge. `message` is the English text of
/// the error the page also receives, marked as English for screen readers.
pub fn error_view(
    lang: &'static str,
    title: &'static str,
    heading: &'static str,
    message: String,
) -> impl IntoView {
    view! {
        <section class="gw" part="widget" lang=lang data-state="error">
            <h2 class="gw-title" part="title">{title}</h2>
            <p class="gw-status" part="status" role="alert">{heading}</p>
            <p class="gw-error" part="error" lang="en">{message}</p>
        </section>
    }
}

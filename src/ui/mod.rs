//! The Leptos view: components that draw a [`Plan`] and the presenter's [`Screen`] signals,
//! and report the taps that reach beyond the view. No timers, no I/O.
//!
//! The QR/app toggle and the focus that follows it are the view's own state; only opening
//! the app and saving the QR leave the view, as [`Intent`]s. The view owns its DOM: the driver
//! mounts it ([`mount`]) and acts on it only through [`Parts`]; a server renders it to HTML,
//! and the browser finds that paint again, in [`paint`].

pub mod paint;

use crate::core::i18n::{self, Locale, Msg};
use crate::core::machine::State;
use crate::core::plan::{Plan, QrPicture};
use crate::core::present::Screen;
use crate::core::qr::view_box;
use crate::core::qris::{Qris, MARK_PATH, MARK_VIEW_BOX};
use leptos::either::{Either, EitherOf3};
use leptos::html;
use leptos::prelude::*;
use leptos::tachys::html::node_ref::NodeRefContainer;
use leptos::wasm_bindgen::JsCast;
use paint::{AdoptedQr, PaintedQr};
use std::any::Any;
use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

/// The stylesheet adopted into every widget's shadow root.
pub const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.min.css"));

/// What the shopper asked for that the driver carries out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intent {
    OpenApp,
    SaveQr,
    /// "Get a new QR": the page is asked for a new charge.
    Retry,
}

pub type Intents = Rc<dyn Fn(Intent)>;

/// One signal per part of the [`Screen`], so a tick re-renders only what changed. The
/// texts are all `&'static str` but the countdown (fewer signal types, fewer bytes): an
/// empty trouble text means no trouble.
#[derive(Clone, Copy)]
pub struct Signals {
    state: RwSignal<&'static str>,
    status: RwSignal<&'static str>,
    countdown: RwSignal<String>,
    trouble: RwSignal<&'static str>,
    announce: RwSignal<&'static str>,
    offer: RwSignal<bool>,
    next: RwSignal<&'static str>,
    retry: RwSignal<bool>,
    hint: RwSignal<bool>,
    /// The charge's QR image could not be saved here: its save link opens it instead.
    image_unsaved: RwSignal<bool>,
}

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn put<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|v| *v != value) {
        signal.set(value);
    }
}

impl Signals {
    pub fn new(screen: Screen) -> Signals {
        Signals {
            state: RwSignal::new(screen.state.as_str()),
            status: RwSignal::new(screen.status),
            countdown: RwSignal::new(screen.countdown),
            trouble: RwSignal::new(screen.trouble.unwrap_or_default()),
            announce: RwSignal::new(screen.announce),
            offer: RwSignal::new(screen.offer),
            next: RwSignal::new(screen.next),
            retry: RwSignal::new(screen.retry),
            hint: RwSignal::new(screen.app_hint),
            image_unsaved: RwSignal::new(false),
        }
    }

    /// Shows `screen`; parts that did not change notify nobody.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub fn show(&self, screen: Screen) {
        put(self.state, screen.state.as_str());
        put(self.status, screen.status);
        put(self.countdown, screen.countdown);
        put(self.trouble, screen.trouble.unwrap_or_default());
        put(self.announce, screen.announce);
        put(self.offer, screen.offer);
        put(self.next, screen.next);
        put(self.retry, screen.retry);
        put(self.hint, screen.app_hint);
    }

    /// The QR and the app button are in the view.
    pub fn offered(&self) -> bool {
        self.offer.get_untracked()
    }

    /// The charge's QR image could not be fetched as a file (no CORS, a CSP, the network):
    /// its save link now says it opens the image, and does so when tapped.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub fn image_not_saved(&self) {
        self.image_unsaved.set(true);
    }
}

#[component]
fn Steps(items: &'static [&'static str]) -> impl IntoView {
    view! {
        <ol class="gw-steps" part="instructions">
            {items.iter().map(|s| view! { <li>{*s}</li> }).collect_view()}
        </ol>
    }
}

/// The frame of a drawn QRIS code, under it: the QRIS wordmark, then the merchant, its city
/// and NMID as the payload names them, and the amount. Text only (a merchant name with
/// markup shows as written).
#[component]
fn QrisCaption(qris: Qris, amount: String) -> impl IntoView {
    view! {
        <figcaption class="gw-qris" part="qr-caption">
            <svg class="gw-mark" viewBox=MARK_VIEW_BOX width="57" height="21" aria-hidden="true">
                <path fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" d=MARK_PATH>""</path>
            </svg>
            <span class="gw-merchant" part="merchant">{qris.merchant_name}</span>
            <span>{qris.merchant_city}</span>
            <span>"NMID: "{qris.nmid}</span>
            <span class="gw-qris-amount">{amount}</span>
        </figcaption>
    }
}

#[component]
fn QrFigure(
    picture: QrPicture,
    label: String,
    caption: Option<(Qris, String)>,
    adopt_into: ElementRef,
) -> impl IntoView {
    let caption = caption.map(|(qris, amount)| view! { <QrisCaption qris amount /> });
    // Static branches, not erased views (`into_any`): the erasure's machinery would be in the
    // wasm for this one use (measured: -2.7 KB brotli).
    match picture {
        QrPicture::Svg { size, path } => EitherOf3::A(view! {
            <figure class="gw-qr" part="qr">
                // Paintable before any stylesheet (a server-rendered first paint draws it while
                // the widget's CSS is still loading), by attributes alone, which widget.css
                // overrides for theming (a CSP without inline styles allows them): a width (the
                // height follows the viewBox), crisp edges, and the runs stroked one module wide
                // in the dark colour. The viewBox starts half a module up, which puts every run
                // on its row's centre line (qr::view_box). The quiet zone is the svg's background
                // (the page's until the CSS loads). The empty text child keeps the view from
                // adding an empty comment node to the path.
                <svg viewBox=view_box(size) width="264" shape-rendering="crispEdges" role="img" aria-label=label>
                    <path stroke="#000" d=path>""</path>
                </svg>
                {caption}
            </figure>
        }),
        QrPicture::Image { url } => EitherOf3::B(view! {
            <figure class="gw-qr" part="qr">
                <img src=url alt=label width="264" height="264" decoding="async" />
            </figure>
        }),
        // The server's `<svg>` is moved in ([`Parts::adopt`]), before the caption (the same
        // element, no redraw).
        QrPicture::InPage => EitherOf3::C(
            view! { <figure class="gw-qr" part="qr" node_ref=adopt_into>{caption}</figure> },
        ),
    }
}

/// A node ref for an element of any tag, which the view or the driver acts on: one type for
/// all of them, so Leptos' node ref code is in the wasm once, not once per tag (measured:
/// -0.6 KB brotli against a `NodeRef` per tag).
#[derive(Clone, Copy)]
pub struct ElementRef(NodeRef<html::Div>);

impl ElementRef {
    fn new() -> ElementRef {
        ElementRef(NodeRef::new())
    }

    /// The element, once the view has built it.
    fn get(&self) -> Option<web_sys::Element> {
        self.0.get_untracked().map(Into::into)
    }
}

impl<E: html::ElementType> NodeRefContainer<E> for ElementRef {
    fn load(self, el: &web_sys::Element) {
        // Kept as a div whatever its tag: the cast checks nothing, and it is only ever read
        // back as an element.
        NodeRefContainer::<html::Div>::load(self.0, el);
    }
}

/// Focuses `node` once the view has shown it (the part it sits in was hidden until now).
fn focus_when_shown(node: ElementRef) {
    leptos::leptos_dom::helpers::queue_microtask(move || {
        if let Some(el) = node.get() {
            let _ = el.unchecked_ref::<web_sys::HtmlElement>().focus();
        }
    });
}

/// The elements of a payment view the driver acts on, through what they are for.
#[derive(Clone, Copy)]
pub struct Parts {
    /// The app part and the QR part: withdrawn together.
    app: ElementRef,
    scan: ElementRef,
    /// The figure a server-drawn QR is adopted into (only a view that draws none has it).
    qr: ElementRef,
    /// What happened and what to do next, where the focus goes once the parts are withdrawn.
    result: ElementRef,
}

impl Parts {
    pub fn new() -> Parts {
        Parts {
            app: ElementRef::new(),
            scan: ElementRef::new(),
            qr: ElementRef::new(),
            result: ElementRef::new(),
        }
    }

    /// The QR and the app button leave the DOM (a removed QR cannot be scanned, or read by a
    /// script); the focus, if it was in the widget, goes to what happened and what to do next.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub fn withdraw(&self) {
        let Some(result) = self.result.get() else {
            return;
        };
        let had_focus = result
            .get_root_node()
            .dyn_into::<web_sys::ShadowRoot>()
            .is_ok_and(|root| root.active_element().is_some());
        for part in [self.app.get(), self.scan.get()].into_iter().flatten() {
            part.remove();
        }
        if had_focus {
            // After the view has applied the new screen (it unhides the result then).
            focus_when_shown(self.result);
        }
    }

    /// Moves the QR drawn before the view (by a server, or by the package's script while the
    /// module loaded) into this view's figure, above the QRIS frame's caption where the view
    /// draws its own: the same element, nothing redrawn, named by `label` as the view names its
    /// own. `None` when this view draws its own QR.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub fn adopt(&self, painted: PaintedQr, label: &str) -> Option<AdoptedQr> {
        let figure = self.qr.get()?;
        let svg = painted.into_svg();
        svg.set_attribute("aria-label", label).ok()?;
        figure
            .insert_before(&svg, figure.first_child().as_ref())
            .ok()?;
        Some(AdoptedQr::new(svg))
    }
}

/// The first view the driver mounts.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub enum FirstView {
    /// A started transaction: its payment view, showing its first screen.
    Payment {
        plan: Arc<Plan>,
        screen: Screen,
        intents: Intents,
    },
    /// The charge cannot be shown: the error view.
    Error(Locale),
}

/// A view in the page; dropped, it is unmounted.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub struct Mounted {
    /// What the driver shows and does through a payment view; `None` for the error view.
    pub payment: Option<(Signals, Parts)>,
    pub view: Box<dyn Any>,
}

/// Mounts `first` in `container`.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub fn mount(container: web_sys::HtmlElement, first: FirstView) -> Mounted {
    // Made in the view's own reactive owner, which the mount handle disposes of.
    let made = Rc::new(Cell::new(None));
    let view = {
        let made = made.clone();
        leptos::mount::mount_to(container, move || match first {
            FirstView::Payment {
                plan,
                screen,
                intents,
            } => {
                let (signals, parts) = (Signals::new(screen), Parts::new());
                made.set(Some((signals, parts)));
                Either::Left(view! { <PaymentView plan signals intents parts stylesheet=None /> })
            }
            FirstView::Error(locale) => Either::Right(view! { <ErrorView locale /> }),
        })
    };
    Mounted {
        payment: made.get(),
        view: Box::new(view),
    }
}

/// The part of a payment view the shopper acts on first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ActOn {
    /// The Open GoPay button's row, when the app comes first.
    App,
    /// The QR's figure.
    Qr,
}

/// The part to act on in the view of `plan` (`offered`: the QR and the app button are still
/// offered); none in a view that offers nothing.
fn act_on(plan: &Plan, offered: bool) -> Option<ActOn> {
    if plan.app_first {
        offered.then_some(ActOn::App)
    } else {
        (offered && plan.qr.is_some()).then_some(ActOn::Qr)
    }
}

/// A server's first paint links the widget's stylesheet right after the part the shopper acts
/// on ([`act_on`]): the parser stops at a stylesheet link in the body until the sheet has
/// loaded, so that part is painted in the first parse (its markup needs no stylesheet) and the
/// rest waits for its styles. A view with no such part has it linked before it
/// ([`paint::first_paint_html`]). The browser adopts the sheet instead ([`CSS`]).
fn stylesheet_link(href: Option<String>) -> Option<impl IntoView> {
    href.map(|href| view! { <link rel="stylesheet" href=href /> })
}

/// The stylesheet link in the payment view, after the part to act on.
#[cfg(any(feature = "server", not(target_arch = "wasm32")))]
fn link_in_view(href: Option<String>) -> Option<impl IntoView> {
    stylesheet_link(href)
}

/// The browser's build mounts no server render: its view carries no code for the link.
#[cfg(not(any(feature = "server", not(target_arch = "wasm32"))))]
fn link_in_view(_: Option<String>) {}

/// Where GoPay's app is downloaded, for the hint after an app that did not open.
const GOPAY_SITE: &str = "https://gopay.co.id/";

/// The payment view: the QR (desktop, tablet, or on request) or the app button (phone),
/// while they are offered; then what happened and what to do next.
/// Both parts are built once; the toggle only sets `hidden`. Once withdrawn (the end, or
/// the time run out here), they leave the DOM: a removed QR cannot be scanned or read.
#[component]
pub fn PaymentView(
    plan: Arc<Plan>,
    signals: Signals,
    intents: Intents,
    parts: Parts,
    /// The stylesheet a server's first paint links after the part to act on
    /// ([`stylesheet_link`]).
    stylesheet: Option<String>,
) -> impl IntoView {
    let l = plan.locale;
    let has_link = plan.deeplink.is_some();
    let has_qr = plan.qr.is_some();
    let app_first = RwSignal::new(plan.app_first);
    let asked = RwSignal::new(false);
    let (open_button, save_button) = (ElementRef::new(), ElementRef::new());
    let (save_link, app_button) = (ElementRef::new(), ElementRef::new());
    let s = signals;
    // The control just used is hidden by the toggle: keep keyboard and screen reader users
    // in the widget by focusing the first control of the part now shown.
    let show_app = move |app: bool| {
        app_first.set(app);
        if app {
            focus_when_shown(open_button);
        } else if save_button.get().is_some() {
            focus_when_shown(save_button);
        } else if save_link.get().is_some() {
            focus_when_shown(save_link);
        } else {
            focus_when_shown(app_button);
        }
    };
    let intent = |i: Intent| {
        let intents = intents.clone();
        move |_| intents(i)
    };
    // The charge's own PNG: the driver fetches it as a file; where it cannot (Midtrans' image
    // host sends no CORS headers that it documents), the same link opens it in a new tab for
    // a long press, and says so. A real link, so that tap is no popup to block.
    let image_url = match &plan.qr {
        Some(QrPicture::Image { url }) => Some(url.clone()),
        _ => None,
    };
    let unsaved = s.image_unsaved;
    let phone_extras = (has_link && has_qr).then(|| {
        let save_image = intent(Intent::SaveQr);
        view! {
            {plan.can_save_qr().then(|| view! {
                <button type="button" class="gw-link" part="save-button" node_ref=save_button on:click=intent(Intent::SaveQr)>
                    {i18n::t(l, Msg::SaveQr)}
                </button>
            })}
            {image_url.map(|href| view! {
                <a class="gw-link" part="save-button" href=href target="_blank" rel="noopener" node_ref=save_link
                    on:click=move |e: leptos::ev::MouseEvent| if !unsaved.get_untracked() { e.prevent_default(); save_image(e) }>
                    {move || i18n::t(l, if unsaved.get() { Msg::OpenQrImage } else { Msg::SaveQr })}
                </a>
            })}
            <button type="button" class="gw-link" part="app-button" node_ref=app_button on:click=move |_| show_app(true)>
                {i18n::t(l, Msg::ShowPayButton)}
            </button>
        }
    });
    let offered = s.offered();
    let act_on = act_on(&plan, offered);
    let link = |here: ActOn| link_in_view(stylesheet.clone().filter(|_| act_on == Some(here)));
    let app_part = plan.deeplink.clone().map(|href| {
        view! {
            <div class="gw-app" hidden=move || !app_first.get() node_ref=parts.app>
                <div class="gw-actions">
                    <a class="gw-button" part="open-button" href=href rel="noopener" node_ref=open_button on:click=intent(Intent::OpenApp)>
                        {i18n::t(l, Msg::OpenGopay)}
                    </a>
                </div>
                {link(ActOn::App)}
                <p class="gw-hint" part="app-hint" role="status" hidden=move || !s.hint.get()>
                    {i18n::t(l, if has_qr { Msg::AppNotOpened } else { Msg::AppNotOpenedNoQr })}
                    " "
                    <a href=GOPAY_SITE rel="noopener" target="_blank" part="get-gopay">{i18n::t(l, Msg::GetGopay)}</a>
                </p>
                <Steps items=i18n::deeplink_steps(l) />
                {has_qr.then(|| view! {
                    <button type="button" class="gw-link" part="qr-button" on:click=move |_| show_app(false)>
                        {i18n::t(l, Msg::PayWithQr)}
                    </button>
                })}
            </div>
        }
    });
    let qr_part = plan.qr.clone().map(|picture| {
        view! {
            <div class="gw-scan" hidden=move || has_link && app_first.get() node_ref=parts.scan>
                <QrFigure picture label=plan.qr_label.clone()
                    caption=plan.qris.clone().map(|q| (q, plan.amount_text.clone())) adopt_into=parts.qr />
                {link(ActOn::Qr)}
                <Steps items=i18n::qr_steps(l) />
                <div class="gw-actions">{phone_extras}</div>
            </div>
        }
    });
    // Built only while offered; the driver removes them from the DOM when they are withdrawn
    // ([`Parts::withdraw`]), which a static view does for fewer bytes than a reactive branch.
    let offers = offered.then(|| view! { {app_part} {qr_part} });
    let retry = intent(Intent::Retry);
    view! {
        // The part to act on comes first in the markup (a server-rendered page paints it
        // before the stylesheet it links after it); widget.css orders the rest visually.
        <section class="gw" part="widget" lang=l.as_str() data-state=move || s.state.get() aria-labelledby="gw-title">
            {offers}
            <h2 class="gw-title" id="gw-title" part="title">{i18n::t(l, Msg::Title)}</h2>
            <dl class="gw-facts">
                <div><dt>{i18n::t(l, Msg::AmountLabel)}</dt><dd class="gw-amount" part="amount">{plan.amount_text.clone()}</dd></div>
                <div><dt>{i18n::t(l, Msg::OrderLabel)}</dt><dd class="gw-order" part="order-id">{plan.charge.order_id.clone()}</dd></div>
                <div hidden=move || !s.offer.get()><dt>{i18n::t(l, Msg::TimeLeftLabel)}</dt><dd class="gw-time" part="countdown">{move || s.countdown.get()}</dd></div>
            </dl>
            <p class="gw-status" part="status" role="status">{move || s.status.get()}</p>
            <p class="gw-trouble" part="trouble" hidden=move || s.trouble.get().is_empty()>
                {move || s.trouble.get()}
            </p>
            <p class="gw-sr" aria-live="polite">{move || s.announce.get()}</p>
            <p class="gw-next" part="result" tabindex="-1" node_ref=parts.result hidden=move || s.next.get().is_empty()>{move || s.next.get()}</p>
            <div class="gw-actions" hidden=move || !s.retry.get()>
                <button type="button" class="gw-button" part="retry-button" disabled=move || asked.get()
                    on:click=move |e| { asked.set(true); retry(e) }>
                    {move || i18n::t(l, if asked.get() { Msg::GettingNewQr } else { Msg::GetNewQr })}
                </button>
            </div>
        </section>
    }
}

/// The error view: the widget cannot show this charge. It says so, and what to do, in the
/// shopper's language only: the developer's English reason goes to the page (`gopay-error`)
/// and is never shown here.
#[component]
pub fn ErrorView(locale: Locale) -> impl IntoView {
    view! {
        <section class="gw" part="widget" lang=locale.as_str() data-state=State::Error.as_str()>
            <h2 class="gw-title" part="title">{i18n::t(locale, Msg::Title)}</h2>
            <p class="gw-status" part="status" role="alert">{i18n::t(locale, Msg::Error)}</p>
            <p class="gw-error" part="error">{i18n::t(locale, Msg::ErrorNext)}</p>
        </section>
    }
}

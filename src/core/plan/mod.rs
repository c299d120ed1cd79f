//! What a charge shows, decided before anything is drawn: the checked charge, the usable
//! payment methods (and why others were dropped), and which part comes first.
//!
//! [`plan`] is the whole decision from the embed's options and the browser's facts; the
//! driver only reads those facts and the view only draws the result. It is pure, so
//! every combination of charge, environment, mode and device is tested natively.

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

use super::charge::{self, Charge, ChargeError, ErrorCode, QrSource};
use super::deeplink::{self, Allowlist, DeeplinkError, Environment};
use super::device::Device;
use super::i18n::{self, Locale};
use super::machine::Config;
use super::percent;
use super::qr::{self, QrError};
use super::qris::{self, Initiation, Qris, QrisError};
use super::status;

/// `data-mode` / the `mode` option: which part a shopper sees first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// The app button on phones, the QR elsewhere.
    #[default]
    Auto,
    /// The QR first, on every device.
    Qr,
    /// The app button first, on every device (when the charge has a usable deeplink).
    Deeplink,
}

impl Mode {
    /// `auto`, `qr` or `deeplink`, case-insensitive, surrounding spaces ignored.
    pub fn parse(s: &str) -> Option<Mode> {
        let s = s.trim();
        [Mode::Auto, Mode::Qr, Mode::Deeplink]
            .into_iter()
            .find(|m| s.eq_ignore_ascii_case(m.as_str()))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Auto => "auto",
            Mode::Qr => "qr",
            Mode::Deeplink => "deeplink",
        }
    }
}

/// How the QR is drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrPicture {
    /// Inline SVG: the side in modules (quiet zone included) and the path of dark modules.
    Svg { size: u32, path: String },
    /// The PNG that Midtrans links.
    Image { url: String },
    /// The page already shows this charge's drawn QR (a server-rendered first paint): the
    /// view takes that `<svg>` over instead of drawing it again.
    InPage,
}

/// A payment method the charge offered that is not shown, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    /// The `qr_string` cannot be drawn.
    QrPayload(QrError),
    /// The `qr_string` is not a payable QRIS code; the QR image is shown instead.
    Qris(QrisError),
    /// The QR image URL is not allowed here.
    QrImage(DeeplinkError),
    /// The deeplink is not allowed here.
    Deeplink(DeeplinkError),
}

/// Everything [`plan`] needs: the embed's options, already read, and the browser's facts.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    /// The charge JSON text; `None` when the page gave none.
    pub charge: Option<&'a str>,
    /// The merchant's status endpoint, `{order_id}` standing for the order; `None` shows
    /// the charge only.
    pub status_url: Option<&'a str>,
    /// As the page named it; [`Environment::Unset`] lets the charge's URLs decide.
    pub environment: Environment,
    /// The page's origin, which the sandbox also admits for URLs.
    pub page_origin: Option<&'a str>,
    pub mode: Mode,
    pub device: Device,
    pub locale: Locale,
    /// The order whose drawn QR the page already shows, if any (server-rendered).
    pub qr_in_page: Option<&'a str>,
}

/// What the widget shows for one charge.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub charge: Charge,
    pub locale: Locale,
    /// The amount as the shopper reads it (`Rp275.000`).
    pub amount_text: String,
    pub qr: Option<QrPicture>,
    /// The checked QRIS payload of a drawn QR: its frame shows the merchant, city and NMID.
    pub qris: Option<Qris>,
    /// The QR's accessible name: what it pays, to whom, for which order.
    pub qr_label: String,
    /// The allowlisted deeplink for "Open GoPay".
    pub deeplink: Option<String>,
    /// The status endpoint for this order, when the widget polls one.
    pub status_url: Option<String>,
    /// The app button is the first thing shown (otherwise the QR is).
    pub app_first: bool,
    /// The app may open by itself, once (in the phone flow, with a status endpoint): on
    /// unless the page turned it off (`autoOpen: false`, [`auto_open`]). The Open GoPay button
    /// stays either way.
    pub auto_open: bool,
    /// The hosts the charge's URLs were checked against.
    pub allowlist: Allowlist,
    /// Methods the charge offered that were dropped, and why.
    pub dropped: Vec<Dropped>,
}

impl Plan {
    /// The machine's start for this plan: the charge's facts, and the page's (`visible`, the
    /// return from the app) as the browser or a server knows them.
    pub fn machine_config(
        &self,
        seed: u64,
        visible: bool,
        returned_from_app: Option<Option<String>>,
    ) -> Config {
        let charge = &self.charge;
        Config {
            order_id: charge.order_id.clone(),
            transaction_id: charge.transaction_id.clone(),
            gross_amount: charge.gross_amount.clone(),
            expiry_ms: charge.expiry_ms,
            initial_status: charge.transaction_status.clone(),
            seed,
            // The machine's phone flow is where the app opens by itself.
            app_first: self.app_first && self.auto_open,
            polling: self.status_url.is_some(),
            visible,
            returned_from_app,
        }
    }

    /// The widget draws the QR, and saves that drawing as a PNG of its own (a linked PNG is
    /// saved as it is, by its own link).
    pub fn can_save_qr(&self) -> bool {
        matches!(self.qr, Some(QrPicture::Svg { .. } | QrPicture::InPage))
    }
}

/// Decides what to show for a charge, or why it cannot be shown.
pub fn plan(input: PlanInput<'_>) -> Result<Plan, ChargeError> {
    let text = input.charge.ok_or_else(ChargeError::missing_charge)?;
    let charge = charge::parse_charge_json(text)?;
    // Without an endpoint the widget only displays: a charge that has already ended would
    // wait for ever for an answer nobody is asked for (and is never a success on its own).
    let status = &charge.transaction_status;
    if input.status_url.is_none()
        && (status.trim().is_empty() || !status::outcome(status).is_pending_like())
    {
        return Err(ChargeError::not_pending(status));
    }
    let urls = charge.deeplink.iter().chain(&charge.qr_image);
    let env = Allowlist::for_charge(input.environment, urls.map(String::as_str));
    let origin = input.page_origin;
    let mut dropped = Vec::new();
    let deeplink = charge.deeplink.as_deref().and_then(|url| {
        deeplink::check_deeplink(url, env, origin)
            .map_err(|e| dropped.push(Dropped::Deeplink(e)))
            .ok()
    });
    let transaction_id = charge.transaction_id.as_str();
    let image = |url: &str, dropped: &mut Vec<Dropped>| {
        deeplink::check_qr_image_of(url, env, origin, transaction_id)
            .map(|url| QrPicture::Image { url })
            .map_err(|e| dropped.push(Dropped::QrImage(e)))
            .ok()
    };
    let mut qris = None;
    let qr = match &charge.qr {
        Some(QrSource::Payload(payload)) => match checked_qris(payload, charge.amount) {
            // Drawn by the server for this very order: no second encode.
            Ok(q) if input.qr_in_page == Some(charge.order_id.as_str()) => {
                qris = Some(q);
                Some(QrPicture::InPage)
            }
            Ok(q) => match qr::draw(payload) {
                Ok(svg) => {
                    qris = Some(q);
                    Some(QrPicture::Svg {
                        size: svg.size,
                        path: svg.path,
                    })
                }
                Err(e) => {
                    dropped.push(Dropped::QrPayload(e));
                    None
                }
            },
            // A code no app would pay (or one asking another amount) is never drawn. Midtrans'
            // own QR image of the transaction is the fallback; without one, the charge is
            // refused whatever else it offers: its payload was altered or cut. A code asking
            // another sum (another amount, none, a tip or a fee) is refused in any case:
            // Midtrans' image of the same transaction may well ask the same.
            Err(code) => match (code, charge.qr_image.as_deref()) {
                (ErrorCode::Qris(e), Some(url)) if e != QrisError::TipOrFee => {
                    dropped.push(Dropped::Qris(e));
                    match image(url, &mut dropped) {
                        Some(picture) => Some(picture),
                        // The image is refused too: the payload's fault is the reason.
                        None => return Err(qris_error(code)),
                    }
                }
                (code, _) => return Err(qris_error(code)),
            },
        },
        Some(QrSource::Image(url)) => image(url, &mut dropped),
        None => None,
    };
    if qr.is_none() && deeplink.is_none() {
        // A sandbox charge (or a local simulator's) that the page's environment refuses: the
        // page can fix that, so the message names the setting.
        let sandbox_would_show = input.environment != Environment::Sandbox
            && plan(PlanInput {
                environment: Environment::Sandbox,
                ..input
            })
            .is_ok();
        return Err(if sandbox_would_show {
            ChargeError::needs_sandbox()
        } else {
            ChargeError::no_safe_method()
        });
    }
    let app_first = deeplink.is_some()
        && match input.mode {
            Mode::Qr => false,
            Mode::Deeplink => true,
            Mode::Auto => input.device == Device::Phone,
        };
    let amount_text = i18n::format_idr(charge.amount, input.locale);
    let status_url = input
        .status_url
        .map(|template| template.replace("{order_id}", &percent::encode(&charge.order_id)));
    Ok(Plan {
        status_url,
        qr_label: match &qris {
            Some(q) => i18n::qris_label(input.locale, &amount_text, q, &charge.order_id),
            None => i18n::qr_label(input.locale, &amount_text, &charge.order_id),
        },
        qris,
        locale: input.locale,
        amount_text,
        qr,
        deeplink,
        app_first,
        auto_open: true,
        allowlist: env,
        dropped,
        charge,
    })
}

/// `data-auto-open` / `autoOpen` as text: only `false` (any case, spaces around) turns the
/// automatic app opening off; absent, `true` or anything else keeps it.
pub fn auto_open(value: Option<&str>) -> bool {
    !value.is_some_and(|v| v.trim().eq_ignore_ascii_case("false"))
}

/// The QRIS payload read and checked against the charge: a charge's code is a dynamic one
/// asking exactly the order's amount. Another amount would take the wrong sum; none (a
/// static code, or a dynamic one without ID 54) lets the payer type any.
fn checked_qris(payload: &str, amount: u64) -> Result<Qris, ErrorCode> {
    let q = qris::read(payload).map_err(ErrorCode::Qris)?;
    match (q.initiation, q.amount) {
        (Initiation::Dynamic, Some(a)) if a == amount => Ok(q),
        _ => Err(ErrorCode::QrisAmountMismatch),
    }
}

fn qris_error(code: ErrorCode) -> ChargeError {
    let message = match code {
        ErrorCode::Qris(e) => e.message(),
        _ => "the QR payload does not ask exactly the charge's gross_amount (another amount, or none)",
    };
    ChargeError::new(code, message)
}

/// The first known locale of: the widget's option, the page's `<html lang>`, the
/// browser's language; Indonesian when none is one of the widget's two.
pub fn pick_locale(
    requested: Option<&str>,
    html_lang: Option<&str>,
    browser: Option<&str>,
) -> Locale {
    [requested, html_lang, browser]
        .into_iter()
        .flatten()
        .find_map(Locale::parse)
        .unwrap_or_default()
}

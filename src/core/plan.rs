//! What a charge shows, decided before anything is drawn: the checked charge, the usable
//! payment methods (and why others were dropped), and which part comes first.
//!
//! [`plan`] is the whole decision from the embed's options and the browser's facts; the
//! driver only reads those facts and the view only draws the result. It is pure, so
//! every combination of charge, environment, mode and device is tested natively.

use super::charge::{self, Charge, ChargeError, ErrorCode, QrSource};
use super::deeplink::{self, Allowlist, DeeplinkError, Environment};
use super::device::Device;
use super::i18n::{self, Locale};
use super::machine::Config;
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
            Ok(q) => match qr::qr_svg(payload) {
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
        .map(|template| template.replace("{order_id}", &encode_uri_component(&charge.order_id)));
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

/// As the browser's `encodeURIComponent`: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )`
/// percent-encoded as UTF-8.
pub fn encode_uri_component(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
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

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::core::machine::{Command, Input, Machine};

    /// A moment during the test charges' transactions (2026-12-03 10:00 in Jakarta).
    const T0: i64 = 1_796_266_800_000;

    /// A QRIS payload from its fields, sealed with its CRC.
    fn sealed(fields: &[(&str, &str)]) -> String {
        let mut s: String = fields
            .iter()
            .map(|(id, v)| format!("{id}{:02}{v}", v.len()))
            .collect();
        s.push_str("6304");
        let crc = qris::crc16(s.as_bytes());
        s + &format!("{crc:04X}")
    }

    /// A dynamic QRIS code for Rp275.000 at `name`.
    fn payload(name: &str, amount: &str) -> String {
        sealed(&[
            ("00", "01"),
            ("01", "12"),
            ("26", "0014COM.GO-JEK.WWW01189360091400000000010303UKE"),
            ("51", "0014ID.CO.QRIS.WWW0215ID10200000000010303UKE"),
            ("52", "5999"),
            ("53", "360"),
            ("54", amount),
            ("58", "ID"),
            ("59", name),
            ("60", "JAKARTA"),
        ])
    }

    /// The Rp275.000 code for TOKO KOPI with `extra` fields after the amount.
    fn payload_with(extra: &[(&str, &str)]) -> String {
        let mut fields = vec![
            ("00", "01"),
            ("01", "12"),
            ("51", "0014ID.CO.QRIS.WWW0215ID10200000000010303UKE"),
            ("53", "360"),
            ("54", "275000"),
        ];
        fields.extend_from_slice(extra);
        fields.extend([("58", "ID"), ("59", "TOKO KOPI"), ("60", "JAKARTA")]);
        sealed(&fields)
    }

    fn payload_without_amount(initiation: &str) -> String {
        sealed(&[
            ("00", "01"),
            ("01", initiation),
            ("51", "0014ID.CO.QRIS.WWW0215ID10200000000010303UKE"),
            ("53", "360"),
            ("58", "ID"),
            ("59", "TOKO KOPI"),
            ("60", "JAKARTA"),
        ])
    }

    /// `good` with its CRC's last digit changed.
    fn bad_crc_of(good: &str) -> String {
        let last = if good.ends_with('0') { "1" } else { "0" };
        format!("{}{last}", &good[..good.len() - 1])
    }

    fn qris_charge(qr_string: &str) -> String {
        format!(
            r#"{{"status_code":"201","transaction_id":"t1","order_id":"A-1","gross_amount":"275000.00","currency":"IDR","payment_type":"qris","transaction_time":"2026-12-03 10:00:00","transaction_status":"pending","expiry_time":"2026-12-03 10:15:00","qr_string":"{qr_string}","actions":[{{"name":"generate-qr-code","method":"GET","url":"https://api.midtrans.com/v2/qris/t1/qr-code"}}]}}"#
        )
    }

    static QRIS: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| qris_charge(&payload("TOKO KOPI", "275000.00")));
    const GOPAY: &str = r#"{"status_code":"201","transaction_id":"t2","order_id":"A-2","gross_amount":"10000.00","currency":"IDR","payment_type":"gopay","transaction_time":"2026-12-03 10:00:00","transaction_status":"pending","actions":[{"name":"generate-qr-code","method":"GET","url":"https://api.midtrans.com/v2/gopay/t2/qr-code"},{"name":"deeplink-redirect","method":"GET","url":"https://gopay.co.id/app/merchanttransfer?tref=X"}]}"#;

    fn input(charge: &str) -> PlanInput<'_> {
        PlanInput {
            charge: Some(charge),
            status_url: None,
            environment: Environment::Production,
            page_origin: Some("https://shop.example"),
            mode: Mode::Auto,
            device: Device::Desktop,
            locale: Locale::En,
            qr_in_page: None,
        }
    }

    #[test]
    fn modes_parse_like_the_other_options() {
        assert_eq!(Mode::parse(" QR "), Some(Mode::Qr));
        assert_eq!(Mode::parse("deeplink"), Some(Mode::Deeplink));
        assert_eq!(Mode::parse("Auto"), Some(Mode::Auto));
        assert_eq!(Mode::parse("app"), None);
        for m in [Mode::Auto, Mode::Qr, Mode::Deeplink] {
            assert_eq!(Mode::parse(m.as_str()), Some(m));
        }
    }

    #[test]
    fn a_qris_charge_on_a_desktop_is_a_drawn_qr() {
        let p = plan(input(&QRIS)).unwrap();
        assert!(matches!(p.qr, Some(QrPicture::Svg { size, .. }) if size > 21));
        assert!(p.can_save_qr());
        assert_eq!(p.deeplink, None);
        assert!(!p.app_first);
        assert_eq!(p.amount_text, "IDR 275,000");
        assert!(p.qr_label.contains("IDR 275,000") && p.qr_label.contains("A-1"));
        assert!(p.dropped.is_empty());
    }

    #[test]
    fn the_app_comes_first_on_phones_and_when_asked() {
        let by = |device, mode| {
            plan(PlanInput {
                device,
                mode,
                ..input(GOPAY)
            })
            .unwrap()
            .app_first
        };
        assert!(by(Device::Phone, Mode::Auto));
        assert!(!by(Device::Tablet, Mode::Auto));
        assert!(!by(Device::Desktop, Mode::Auto));
        assert!(by(Device::Desktop, Mode::Deeplink));
        assert!(!by(Device::Phone, Mode::Qr));
        let p = plan(input(GOPAY)).unwrap();
        assert!(matches!(p.qr, Some(QrPicture::Image { .. })));
        assert!(!p.can_save_qr());
        // A QRIS charge has no deeplink: the QR, whatever the mode.
        let p = plan(PlanInput {
            device: Device::Phone,
            mode: Mode::Deeplink,
            ..input(&QRIS)
        })
        .unwrap();
        assert!(!p.app_first);
    }

    #[test]
    fn refused_urls_are_dropped_with_their_reason() {
        let bad_link = GOPAY.replace("https://gopay.co.id/app/", "https://evil.example/app/");
        let p = plan(input(&bad_link)).unwrap();
        assert_eq!(p.deeplink, None);
        assert!(
            !plan(PlanInput {
                device: Device::Phone,
                ..input(&bad_link)
            })
            .unwrap()
            .app_first
        );
        assert_eq!(
            p.dropped,
            [Dropped::Deeplink(DeeplinkError::HostNotAllowed)]
        );
        let neither = bad_link.replace("https://api.midtrans.com", "http://api.midtrans.com");
        let e = plan(input(&neither)).unwrap_err();
        assert_eq!(e.code, ErrorCode::UrlNotAllowed);
        // The sandbox admits the page's own origin.
        let local = neither.replace("http://api.midtrans.com", "https://shop.example");
        let p = plan(PlanInput {
            environment: Environment::Sandbox,
            ..input(&local)
        })
        .unwrap();
        assert!(matches!(p.qr, Some(QrPicture::Image { .. })));
    }

    /// The GoPay charge as Midtrans' sandbox makes it: its URLs on the sandbox hosts.
    fn sandbox_gopay() -> String {
        GOPAY
            .replace(
                "https://api.midtrans.com/",
                "https://api.sandbox.midtrans.com/",
            )
            .replace(
                "https://gopay.co.id/app/merchanttransfer",
                "https://simulator.sandbox.midtrans.com/v2/deeplink/index",
            )
    }

    #[test]
    fn a_sandbox_charge_is_shown_when_the_page_names_no_environment() {
        let charge = sandbox_gopay();
        let unset = |charge| PlanInput {
            environment: Environment::Unset,
            device: Device::Phone,
            ..input(charge)
        };
        let p = plan(unset(&charge)).unwrap();
        assert_eq!(p.allowlist, Allowlist::MidtransSandbox);
        assert!(p.dropped.is_empty(), "{:?}", p.dropped);
        assert!(p.app_first);
        assert!(p
            .deeplink
            .as_deref()
            .is_some_and(|d| d.starts_with("https://simulator.sandbox.midtrans.com/")));
        assert!(
            matches!(&p.qr, Some(QrPicture::Image { url }) if url.starts_with("https://api.sandbox.midtrans.com/v2/gopay/t2/"))
        );
        // A production charge is production's, as before.
        let p = plan(unset(GOPAY)).unwrap();
        assert_eq!(p.allowlist, Allowlist::Production);
        assert!(p.dropped.is_empty() && p.deeplink.is_some());
        // Named sandbox: the same charge, with the page's origin and loopback admitted too.
        let p = plan(PlanInput {
            environment: Environment::Sandbox,
            ..input(&charge)
        })
        .unwrap();
        assert_eq!(p.allowlist, Allowlist::Sandbox);
        // A charge with one URL elsewhere is no sandbox charge: its sandbox URL is dropped.
        let mixed = GOPAY.replace(
            "https://gopay.co.id/app/merchanttransfer",
            "https://simulator.sandbox.midtrans.com/v2/deeplink/index",
        );
        let p = plan(unset(&mixed)).unwrap();
        assert_eq!(p.allowlist, Allowlist::Production);
        assert_eq!(p.deeplink, None);
        assert_eq!(
            p.dropped,
            [Dropped::Deeplink(DeeplinkError::HostNotAllowed)]
        );
    }

    #[test]
    fn a_sandbox_charge_in_production_is_refused_with_the_fix_named() {
        let e = plan(input(&sandbox_gopay())).unwrap_err();
        assert_eq!(e.code, ErrorCode::UrlNotAllowed);
        assert_eq!(e.code.as_str(), "url_not_allowed");
        assert!(e.warn);
        assert!(
            e.message.contains(r#"data-environment="sandbox""#)
                && e.message.contains(r#"environment: "sandbox""#),
            "{}",
            e.message
        );
        // A local simulator's charge needs `sandbox` named, whether the page named
        // production or nothing; the message says so.
        let local = GOPAY
            .replace("https://api.midtrans.com/", "http://127.0.0.1:8081/")
            .replace("https://gopay.co.id/app/", "http://127.0.0.1:8081/app/");
        for environment in [Environment::Production, Environment::Unset] {
            let e = plan(PlanInput {
                environment,
                ..input(&local)
            })
            .unwrap_err();
            assert_eq!((e.code, e.warn), (ErrorCode::UrlNotAllowed, true));
        }
        // Hostile URLs are refused in every environment, and no setting is suggested.
        let hostile = GOPAY
            .replace("https://api.midtrans.com/", "https://evil.example/")
            .replace("https://gopay.co.id/app/", "https://evil.example/app/");
        for environment in [
            Environment::Production,
            Environment::Unset,
            Environment::Sandbox,
        ] {
            let e = plan(PlanInput {
                environment,
                ..input(&hostile)
            })
            .unwrap_err();
            assert_eq!(e, ChargeError::no_safe_method());
            assert!(!e.warn && !e.message.contains("data-environment"));
        }
        // A sandbox charge whose image is another transaction's: sandbox would refuse it too.
        let other = sandbox_gopay()
            .replace("/v2/gopay/t2/", "/v2/gopay/t9/")
            .replace(
                r#",{"name":"deeplink-redirect","method":"GET","url":"https://simulator.sandbox.midtrans.com/v2/deeplink/index?tref=X"}"#,
                "",
            );
        assert!(!other.contains("deeplink-redirect"));
        let e = plan(PlanInput {
            environment: Environment::Unset,
            ..input(&other)
        })
        .unwrap_err();
        assert_eq!(e, ChargeError::no_safe_method());
    }

    #[test]
    fn the_app_opens_by_itself_only_where_the_page_leaves_it_on() {
        for (text, on) in [
            (None, true),
            (Some("true"), true),
            (Some(""), true),
            (Some("no"), true),
            (Some("0"), true),
            (Some("false"), false),
            (Some(" FALSE "), false),
            (Some("False"), false),
        ] {
            assert_eq!(auto_open(text), on, "{text:?}");
        }
        let phone = PlanInput {
            device: Device::Phone,
            status_url: Some("/status/{order_id}"),
            ..input(GOPAY)
        };
        let opened = |plan: &Plan| {
            let mut m = Machine::new(plan.machine_config(1, true, None), None, T0);
            (0..10)
                .flat_map(|i| {
                    let input = if i == 0 { Input::Start } else { Input::Tick };
                    m.handle(input, T0 + i * 100)
                })
                .filter(|c| *c == Command::OpenApp)
                .count()
        };
        let mut p = plan(phone).unwrap();
        assert!(p.app_first && p.auto_open);
        assert!(p.machine_config(1, true, None).app_first);
        assert_eq!(opened(&p), 1);
        // Turned off: the Open GoPay button still comes first, the app never opens by itself.
        p.auto_open = false;
        assert!(p.app_first && p.deeplink.is_some());
        assert!(!p.machine_config(1, true, None).app_first);
        assert_eq!(opened(&p), 0);
    }

    #[test]
    fn no_charge_bad_json_and_repeated_keys_have_their_codes() {
        let none = PlanInput {
            charge: None,
            ..input("")
        };
        assert_eq!(plan(none).unwrap_err().code, ErrorCode::MissingCharge);
        assert_eq!(plan(input("{")).unwrap_err().code, ErrorCode::InvalidJson);
        let twice = QRIS.replacen(
            r#""transaction_status":"pending""#,
            r#""transaction_status":"pending","transaction_status":"settlement""#,
            1,
        );
        assert_eq!(
            plan(input(&twice)).unwrap_err().code,
            ErrorCode::DuplicateKey
        );
        let big = format!("{}{}", &*QRIS, " ".repeat(charge::MAX_CHARGE_BYTES));
        assert_eq!(
            plan(input(&big)).unwrap_err().code,
            ErrorCode::InputTooLarge
        );
    }

    #[test]
    fn a_qr_the_page_already_shows_for_this_order_is_taken_over() {
        let p = plan(PlanInput {
            qr_in_page: Some("A-1"),
            ..input(&QRIS)
        })
        .unwrap();
        assert_eq!(p.qr, Some(QrPicture::InPage));
        assert!(p.can_save_qr());
        // Another order's QR is not this one's.
        let p = plan(PlanInput {
            qr_in_page: Some("A-0"),
            ..input(&QRIS)
        })
        .unwrap();
        assert!(matches!(p.qr, Some(QrPicture::Svg { .. })));
        // A PNG QR is never "in page" as a drawing.
        let p = plan(PlanInput {
            qr_in_page: Some("A-2"),
            ..input(GOPAY)
        })
        .unwrap();
        assert!(matches!(p.qr, Some(QrPicture::Image { .. })));
    }

    #[test]
    fn a_drawn_qris_code_carries_its_merchant_for_the_frame_and_the_label() {
        let p = plan(input(&QRIS)).unwrap();
        let q = p.qris.as_ref().expect("read");
        assert_eq!(
            (
                q.merchant_name.as_str(),
                q.merchant_city.as_str(),
                q.nmid.as_str()
            ),
            ("TOKO KOPI", "JAKARTA", "ID1020000000001")
        );
        assert_eq!(
            p.qr_label,
            "QRIS code to pay IDR 275,000 to TOKO KOPI, JAKARTA (NMID ID1020000000001) for order A-1"
        );
        let id = plan(PlanInput {
            locale: Locale::Id,
            ..input(&QRIS)
        })
        .unwrap();
        assert!(id
            .qr_label
            .starts_with("Kode QRIS untuk membayar Rp275.000 ke TOKO KOPI, JAKARTA"));
        // A name with markup is text: the view inserts it as such.
        let p = plan(input(&qris_charge(&payload("<b>KOPI</b>", "275000")))).unwrap();
        assert_eq!(p.qris.unwrap().merchant_name, "<b>KOPI</b>");
        // A PNG has no frame of ours (Midtrans draws its own).
        assert_eq!(plan(input(GOPAY)).unwrap().qris, None);
    }

    #[test]
    fn an_unpayable_qris_code_is_never_drawn() {
        let good = payload("TOKO KOPI", "275000.00");
        let bad_crc = bad_crc_of(&good);
        let cut = format!("{}{}", &good[..40], &good[good.len() - 8..]);
        let not_qris = sealed(&[("00", "01"), ("01", "12"), ("59", "X"), ("60", "Y")]);
        let cases = [
            (bad_crc, "qris_crc_mismatch"),
            (cut, "qris_malformed"),
            (not_qris, "qris_not_payment"),
            (payload("TOKO KOPI", "27500.00"), "qris_amount_mismatch"),
            // No amount at all, dynamic or static: the payer would type any.
            (payload_without_amount("12"), "qris_amount_mismatch"),
            (payload_without_amount("11"), "qris_amount_mismatch"),
            // A tip prompt, a fixed fee, a percentage fee: the payer would pay more.
            (payload_with(&[("55", "01")]), "qris_tip_or_fee"),
            (
                payload_with(&[("55", "02"), ("56", "2500")]),
                "qris_tip_or_fee",
            ),
            (
                payload_with(&[("55", "03"), ("57", "5")]),
                "qris_tip_or_fee",
            ),
        ];
        for (qr_string, code) in cases {
            // Midtrans' QR image of the transaction is shown instead, the reason kept; but a
            // charge at odds with its own code is refused whatever it offers.
            match plan(input(&qris_charge(&qr_string))) {
                Ok(p) => {
                    let another_sum = matches!(code, "qris_amount_mismatch" | "qris_tip_or_fee");
                    assert!(!another_sum, "{code}: shown through the image");
                    assert!(matches!(p.qr, Some(QrPicture::Image { .. })), "{code}");
                    assert!(matches!(p.dropped[..], [Dropped::Qris(e)] if e.code() == code));
                    assert_eq!(p.qris, None);
                }
                Err(e) => {
                    assert_eq!(e.code.as_str(), code);
                    assert!(matches!(code, "qris_amount_mismatch" | "qris_tip_or_fee"));
                }
            }
            // Without an image: the error state, with the stable code.
            let bare = qris_charge(&qr_string).replace(
                r#"{"name":"generate-qr-code","method":"GET","url":"https://api.midtrans.com/v2/qris/t1/qr-code"}"#,
                r#"{"name":"deeplink-redirect","method":"GET","url":"https://gopay.co.id/app/merchanttransfer?tref=X"}"#,
            );
            let e = plan(input(&bare)).unwrap_err();
            assert_eq!(e.code.as_str(), code);
            assert!(!e.message.contains(&qr_string[..10]), "{}", e.message);
        }
        // The fallback image must draw this very transaction: another one's would pay
        // someone else. Refused, the payload's fault is the reason given.
        let crc = qris_charge(&bad_crc_of(&payload("TOKO KOPI", "275000.00")));
        let other = crc.replace("/v2/qris/t1/qr-code", "/v2/qris/t9/qr-code");
        let e = plan(input(&other)).unwrap_err();
        assert_eq!(e.code.as_str(), "qris_crc_mismatch");
        assert!(matches!(
            plan(input(&crc)).unwrap().qr,
            Some(QrPicture::Image { .. })
        ));
    }

    #[test]
    fn the_status_url_names_the_order_encoded() {
        let p = plan(PlanInput {
            status_url: Some("/api/orders/{order_id}/status?o={order_id}"),
            ..input(&QRIS)
        })
        .unwrap();
        assert_eq!(
            p.status_url.as_deref(),
            Some("/api/orders/A-1/status?o=A-1")
        );
        assert_eq!(plan(input(&QRIS)).unwrap().status_url, None);
        assert_eq!(
            encode_uri_component("a b/c?d&e=é~*'()!"),
            "a%20b%2Fc%3Fd%26e%3D%C3%A9~*'()!"
        );
    }

    #[test]
    fn a_charge_that_has_ended_needs_a_status_endpoint() {
        for status in [
            "settlement",
            "capture",
            "expire",
            "deny",
            "cancel",
            "refund",
        ] {
            let charge = QRIS.replace(
                r#""transaction_status":"pending""#,
                &format!(r#""transaction_status":"{status}""#),
            );
            let e = plan(input(&charge)).unwrap_err();
            assert_eq!(e.code, ErrorCode::ChargeNotPending, "{status}");
            assert_eq!(e.code.as_str(), "charge_not_pending");
            // With an endpoint the widget asks it (and only it decides the outcome).
            let polled = plan(PlanInput {
                status_url: Some("/status/{order_id}"),
                ..input(&charge)
            });
            assert!(polled.is_ok(), "{status}");
        }
        // Pending and pending-like statuses display as before.
        for status in ["pending", "PENDING", "authorize", "weird"] {
            let charge = QRIS.replace(
                r#""transaction_status":"pending""#,
                &format!(r#""transaction_status":"{status}""#),
            );
            assert!(plan(input(&charge)).is_ok(), "{status}");
        }
    }

    #[test]
    fn the_locale_comes_from_the_first_source_that_names_one_of_ours() {
        assert_eq!(pick_locale(Some("en"), Some("id"), None), Locale::En);
        assert_eq!(
            pick_locale(Some("fr"), Some("en-GB"), Some("id")),
            Locale::En
        );
        assert_eq!(pick_locale(None, None, Some("en-US")), Locale::En);
        assert_eq!(pick_locale(None, Some("ja"), Some("de")), Locale::Id);
    }
}

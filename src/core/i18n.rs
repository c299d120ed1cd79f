//! Indonesian and English strings and IDR formatting.

use super::qris::Qris;

/// The widget's two languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    /// Indonesian, the default: most GoPay customers read it first.
    #[default]
    Id,
    En,
}

impl Locale {
    /// A BCP 47 tag or `<html lang>` value: `id`, `id-ID`, `in` (the old code
    /// for Indonesian), `en`, `en-US`, `en_GB`..., case-insensitive. Other
    /// languages are `None`, so the caller can try the next source.
    pub fn parse(tag: &str) -> Option<Locale> {
        let tag = tag.trim();
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("id") || primary.eq_ignore_ascii_case("in") {
            Some(Locale::Id)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// The language tag for `lang` attributes.
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Id => "id",
            Locale::En => "en",
        }
    }
}

/// An amount in rupiah as people read it: `Rp275.000` (id), `IDR 275,000` (en).
pub fn format_idr(amount: u64, locale: Locale) -> String {
    let (prefix, sep) = match locale {
        Locale::Id => ("Rp", '.'),
        Locale::En => ("IDR ", ','),
    };
    let digits = amount.to_string();
    let mut out = String::with_capacity(prefix.len() + digits.len() * 4 / 3);
    out.push_str(prefix);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(d);
    }
    out
}

/// Every fixed string of the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Widget heading.
    Title,
    AmountLabel,
    OrderLabel,
    TimeLeftLabel,
    /// Heading of the QR instructions.
    QrStepsTitle,
    /// Heading of the deeplink instructions.
    DeeplinkStepsTitle,
    /// The deeplink button; [`deeplink_steps`] refers to it by this text.
    OpenGopay,
    /// From the deeplink view to the QR.
    PayWithQr,
    /// From the QR view back to the deeplink button.
    ShowPayButton,
    SaveQr,
    /// "Save QR image" once the charge's linked image could not be saved here: a link that
    /// opens it in a new tab, where the shopper saves it with a long press.
    OpenQrImage,
    Loading,
    Pending,
    Confirming,
    Success,
    Failure,
    Expire,
    Reversed,
    /// The charge cannot be shown: the status line of the error view ...
    Error,
    /// ... and what the shopper can do (the reason is the developer's, never shown).
    ErrorNext,
    /// The status endpoint keeps failing but the widget keeps trying.
    Trouble,
    /// The local countdown ran out; the merchant has not said "expire" yet.
    ExpiredConfirming,
    /// The local countdown ran out on a widget with no status endpoint to ask: the page
    /// decides what comes next.
    TimeRanOut,
    FiveMinutesLeft,
    OneMinuteLeft,
    TimeIsUp,
    /// What to do after each end, once the QR is gone.
    SuccessNext,
    FailureNext,
    /// As [`Msg::FailureNext`] when "Get a new QR" is offered.
    FailureRetryNext,
    ExpireNext,
    ExpireRetryNext,
    ReversedNext,
    /// The time ran out here and the merchant has not answered yet: no QR, no second payment.
    CheckingNext,
    /// The widget stopped checking for good (the status endpoint cannot be trusted or never
    /// confirmed anything): the status line ...
    CheckFailed,
    /// ... and what to do next.
    CheckFailedNext,
    /// The button that asks the page for a new charge.
    GetNewQr,
    /// The same button once tapped, until the page hands the new charge over.
    GettingNewQr,
    /// The app did not open after "Open GoPay", with a QR to fall back on ...
    AppNotOpened,
    /// ... or without one.
    AppNotOpenedNoQr,
    /// Link to GoPay's site, where the app is downloaded.
    GetGopay,
}

impl Msg {
    /// Every message, for tests and tooling.
    pub const ALL: [Msg; 40] = [
        Msg::Title,
        Msg::AmountLabel,
        Msg::OrderLabel,
        Msg::TimeLeftLabel,
        Msg::QrStepsTitle,
        Msg::DeeplinkStepsTitle,
        Msg::OpenGopay,
        Msg::PayWithQr,
        Msg::ShowPayButton,
        Msg::SaveQr,
        Msg::OpenQrImage,
        Msg::Loading,
        Msg::Pending,
        Msg::Confirming,
        Msg::Success,
        Msg::Failure,
        Msg::Expire,
        Msg::Reversed,
        Msg::Error,
        Msg::ErrorNext,
        Msg::Trouble,
        Msg::ExpiredConfirming,
        Msg::TimeRanOut,
        Msg::FiveMinutesLeft,
        Msg::OneMinuteLeft,
        Msg::TimeIsUp,
        Msg::SuccessNext,
        Msg::FailureNext,
        Msg::FailureRetryNext,
        Msg::ExpireNext,
        Msg::ExpireRetryNext,
        Msg::ReversedNext,
        Msg::CheckingNext,
        Msg::CheckFailed,
        Msg::CheckFailedNext,
        Msg::GetNewQr,
        Msg::GettingNewQr,
        Msg::AppNotOpened,
        Msg::AppNotOpenedNoQr,
        Msg::GetGopay,
    ];
}

/// The text of `msg` in `locale`.
pub fn t(locale: Locale, msg: Msg) -> &'static str {
    use Msg::*;
    match locale {
        Locale::Id => match msg {
            Title => "Bayar dengan GoPay atau aplikasi QRIS apa pun",
            AmountLabel => "Total pembayaran",
            OrderLabel => "Nomor pesanan",
            TimeLeftLabel => "Sisa waktu",
            QrStepsTitle => "Cara membayar dengan kode QR",
            DeeplinkStepsTitle => "Cara membayar lewat aplikasi",
            OpenGopay => "Buka GoPay",
            PayWithQr => "Bayar pakai kode QR",
            ShowPayButton => "Tampilkan tombol bayar",
            SaveQr => "Simpan gambar QR",
            OpenQrImage => "Buka gambar QR di tab baru, lalu tekan lama untuk menyimpannya",
            Loading => "Memuat pembayaran…",
            Pending => "Menunggu pembayaran",
            Confirming => "Sedang memeriksa pembayaran Anda…",
            Success => "Pembayaran diterima",
            Failure => "Pembayaran gagal",
            Expire => "Waktu pembayaran ini sudah habis",
            Reversed => "Pembayaran ini sudah dikembalikan atau dibatalkan",
            Error => "Pembayaran ini tidak bisa ditampilkan",
            ErrorNext => "Silakan kembali ke halaman toko, atau hubungi toko jika ini terjadi lagi.",
            Trouble => "Toko sedang sulit dihubungi, kami terus mencoba",
            ExpiredConfirming => "Waktu di sini sudah habis, sedang memastikan ke toko",
            TimeRanOut => "Waktu pembayaran sudah habis",
            FiveMinutesLeft => "Tinggal 5 menit lagi",
            OneMinuteLeft => "Tinggal 1 menit lagi",
            TimeIsUp => "Waktu habis",
            SuccessNext => "Toko sudah menerima pembayaran untuk pesanan ini. Halaman ini boleh ditutup.",
            FailureNext => "Pembayaran tidak berhasil dan kode QR ini tidak bisa dipakai lagi. Untuk mencoba lagi, kembali ke halaman toko.",
            FailureRetryNext => "Pembayaran tidak berhasil dan kode QR ini tidak bisa dipakai lagi. Buat kode QR baru untuk mencoba lagi.",
            ExpireNext => "Waktu membayar sudah habis dan kode QR ini tidak bisa dipakai lagi. Untuk mencoba lagi, kembali ke halaman toko.",
            ExpireRetryNext => "Waktu membayar sudah habis dan kode QR ini tidak bisa dipakai lagi. Buat kode QR baru untuk mencoba lagi.",
            ReversedNext => "Pembayaran ini sudah dikembalikan atau dibatalkan. Hubungi toko jika ada pertanyaan.",
            CheckingNext => "Kode QR ini sudah tidak bisa dipakai. Jika Anda sudah membayar, toko sedang memastikannya: jangan membayar lagi.",
            CheckFailed => "Status pembayaran ini tidak bisa diperiksa",
            CheckFailedNext => "Kode QR ini sudah tidak bisa dipakai. Jika Anda sudah membayar, hubungi toko dengan nomor pesanan ini: jangan membayar lagi.",
            GetNewQr => "Buat kode QR baru",
            GettingNewQr => "Membuat kode QR baru…",
            AppNotOpened => "GoPay tidak terbuka? Bayar dengan kode QR: pindai dari ponsel lain, atau simpan gambarnya lalu buka dari galeri di aplikasi QRIS apa pun.",
            AppNotOpenedNoQr => "GoPay tidak terbuka? Pastikan aplikasi GoPay atau Gojek sudah terpasang, lalu ketuk Buka GoPay lagi.",
            GetGopay => "Unduh GoPay",
        },
        Locale::En => match msg {
            Title => "Pay with GoPay or any QRIS app",
            AmountLabel => "Amount",
            OrderLabel => "Order ID",
            TimeLeftLabel => "Time left",
            QrStepsTitle => "How to pay with the QR code",
            DeeplinkStepsTitle => "How to pay in the app",
            OpenGopay => "Open GoPay",
            PayWithQr => "Pay with QR instead",
            ShowPayButton => "Show payment button",
            SaveQr => "Save QR image",
            OpenQrImage => "Open the QR image in a new tab, then press and hold it to save it",
            Loading => "Loading payment…",
            Pending => "Waiting for payment",
            Confirming => "Checking your payment…",
            Success => "Payment received",
            Failure => "Payment failed",
            Expire => "This payment has expired",
            Reversed => "This payment was refunded or reversed",
            Error => "This payment cannot be shown",
            ErrorNext => "Please go back to the shop, or contact the merchant if this happens again.",
            Trouble => "Having trouble reaching the shop, still trying",
            ExpiredConfirming => "Time ran out here, confirming with the merchant",
            TimeRanOut => "The time to pay has run out",
            FiveMinutesLeft => "5 minutes left",
            OneMinuteLeft => "1 minute left",
            TimeIsUp => "Time is up",
            SuccessNext => "The merchant has received your payment for this order. You can close this page.",
            FailureNext => "The payment did not go through, and this QR can no longer be used. To try again, go back to the shop.",
            FailureRetryNext => "The payment did not go through, and this QR can no longer be used. Get a new QR to try again.",
            ExpireNext => "The time to pay ran out, and this QR can no longer be used. To try again, go back to the shop.",
            ExpireRetryNext => "The time to pay ran out, and this QR can no longer be used. Get a new QR to try again.",
            ReversedNext => "This payment was refunded or reversed. Contact the merchant if you have questions.",
            CheckingNext => "This QR can no longer be used. If you have paid, the merchant is confirming it: do not pay again.",
            CheckFailed => "This payment's status cannot be checked",
            CheckFailedNext => "This QR can no longer be used. If you have paid, contact the merchant with this order ID: do not pay again.",
            GetNewQr => "Get a new QR",
            GettingNewQr => "Getting a new QR…",
            AppNotOpened => "GoPay didn't open? Pay with the QR instead: scan it from another phone, or save the image and open it from the gallery in any QRIS app.",
            AppNotOpenedNoQr => "GoPay didn't open? Make sure the GoPay or Gojek app is installed, then tap Open GoPay again.",
            GetGopay => "Get GoPay",
        },
    }
}

/// Steps for paying by scanning the QR.
pub fn qr_steps(locale: Locale) -> &'static [&'static str] {
    match locale {
        Locale::Id => &[
            "Buka aplikasi Gojek, GoPay, atau aplikasi lain yang mendukung QRIS.",
            "Ketuk Bayar atau Pindai.",
            "Arahkan kamera ke kode QR ini.",
            "Periksa jumlah dan nama toko.",
            "Konfirmasi dengan PIN Anda.",
        ],
        Locale::En => &[
            "Open Gojek, GoPay or any other app that supports QRIS.",
            "Tap Pay or Scan.",
            "Point the camera at this QR code.",
            "Check the amount and the merchant name.",
            "Confirm with your PIN.",
        ],
    }
}

/// Steps for paying in the app opened by the deeplink.
pub fn deeplink_steps(locale: Locale) -> &'static [&'static str] {
    match locale {
        Locale::Id => &[
            "Ketuk Buka GoPay.",
            "Aplikasi Gojek atau GoPay akan terbuka.",
            "Periksa rincian pembayaran.",
            "Konfirmasi dengan PIN Anda.",
            "Kembali ke halaman ini untuk melihat hasilnya.",
        ],
        Locale::En => &[
            "Tap Open GoPay.",
            "The Gojek or GoPay app opens.",
            "Check the payment details.",
            "Confirm with your PIN.",
            "Come back to this page to see the result.",
        ],
    }
}

/// The accessible name of the QR image.
pub fn qr_label(locale: Locale, amount_text: &str, order_id: &str) -> String {
    match locale {
        Locale::Id => format!(
            "Kode QR untuk membayar {amount_text} untuk pesanan {order_id} dengan GoPay atau aplikasi QRIS apa pun"
        ),
        Locale::En => format!(
            "QR code to pay {amount_text} for order {order_id} with GoPay or any QRIS app"
        ),
    }
}

/// The accessible name of a QRIS code: what the frame around it shows (the amount, the
/// merchant, its city and NMID), and the order.
pub fn qris_label(locale: Locale, amount_text: &str, q: &Qris, order_id: &str) -> String {
    let (name, city, nmid) = (&q.merchant_name, &q.merchant_city, &q.nmid);
    match locale {
        Locale::Id => format!(
            "Kode QRIS untuk membayar {amount_text} ke {name}, {city} (NMID {nmid}) untuk pesanan {order_id}"
        ),
        Locale::En => {
            format!("QRIS code to pay {amount_text} to {name}, {city} (NMID {nmid}) for order {order_id}")
        }
    }
}

/// Unit after a day count in a countdown: `2 hari 03:15:00` / `2d 03:15:00`.
pub fn day_unit(locale: Locale) -> &'static str {
    match locale {
        Locale::Id => "hari",
        Locale::En => "d",
    }
}

/// Unit after an hour count, for countdowns that spell hours out.
pub fn hour_unit(locale: Locale) -> &'static str {
    match locale {
        Locale::Id => "jam",
        Locale::En => "h",
    }
}

/// Unit after a minute count.
pub fn minute_unit(locale: Locale) -> &'static str {
    match locale {
        Locale::Id => "menit",
        Locale::En => "min",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_tags() {
        for (tag, want) in [
            ("id", Some(Locale::Id)),
            ("ID", Some(Locale::Id)),
            ("id-ID", Some(Locale::Id)),
            ("in", Some(Locale::Id)),
            ("in-ID", Some(Locale::Id)),
            (" en ", Some(Locale::En)),
            ("en-US", Some(Locale::En)),
            ("EN_gb", Some(Locale::En)),
            ("ms", None),
            ("jv-ID", None),
            ("ind", None),
            ("eng", None),
            ("e", None),
            ("", None),
            ("-id", None),
            ("idn", None),
        ] {
            assert_eq!(Locale::parse(tag), want, "{tag:?}");
        }
        assert_eq!(Locale::default(), Locale::Id);
        assert_eq!(Locale::En.as_str(), "en");
    }

    #[test]
    fn rupiah() {
        assert_eq!(format_idr(275_000, Locale::Id), "Rp275.000");
        assert_eq!(format_idr(275_000, Locale::En), "IDR 275,000");
        assert_eq!(format_idr(1, Locale::Id), "Rp1");
        assert_eq!(format_idr(999, Locale::Id), "Rp999");
        assert_eq!(format_idr(1_000, Locale::Id), "Rp1.000");
        assert_eq!(format_idr(10_000, Locale::En), "IDR 10,000");
        assert_eq!(format_idr(1_234_567, Locale::Id), "Rp1.234.567");
        assert_eq!(
            format_idr(999_999_999_999_999, Locale::En),
            "IDR 999,999,999,999,999"
        );
        assert_eq!(format_idr(0, Locale::Id), "Rp0");
        assert_eq!(
            format_idr(u64::MAX, Locale::Id),
            "Rp18.446.744.073.709.551.615"
        );
    }

    #[test]
    fn every_message_is_written_in_both_languages() {
        for msg in Msg::ALL {
            let (id, en) = (t(Locale::Id, msg), t(Locale::En, msg));
            assert!(!id.trim().is_empty() && !en.trim().is_empty(), "{msg:?}");
            // "Error" and friends may coincide by accident; none of ours should.
            assert_ne!(id, en, "{msg:?} is not translated");
        }
        for l in [Locale::Id, Locale::En] {
            let mut all: Vec<_> = Msg::ALL.iter().map(|&m| t(l, m)).collect();
            all.sort_unstable();
            all.dedup();
            assert_eq!(
                all.len(),
                Msg::ALL.len(),
                "two messages share a text in {l:?}"
            );
        }
    }

    #[test]
    fn steps_match_the_buttons_they_mention() {
        for l in [Locale::Id, Locale::En] {
            assert!(qr_steps(l).len() >= 5);
            assert_eq!(deeplink_steps(l).len(), 5);
            assert_eq!(qr_steps(l).len(), qr_steps(Locale::En).len());
            assert!(deeplink_steps(l)[0].contains(t(l, Msg::OpenGopay)));
            assert!(qr_steps(l).iter().any(|s| s.contains("QRIS")));
            assert!(qr_steps(l).iter().any(|s| s.contains("PIN")));
        }
    }

    #[test]
    fn labels() {
        assert_eq!(
            qr_label(Locale::En, "Rp275.000", "order03"),
            "QR code to pay Rp275.000 for order order03 with GoPay or any QRIS app"
        );
        let id = qr_label(Locale::Id, "Rp275.000", "order03");
        assert!(id.contains("Rp275.000") && id.contains("order03") && id.contains("QRIS"));
        assert_eq!(day_unit(Locale::Id), "hari");
        assert_eq!(day_unit(Locale::En), "d");
        assert_ne!(hour_unit(Locale::Id), hour_unit(Locale::En));
        assert_ne!(minute_unit(Locale::Id), minute_unit(Locale::En));
    }
}

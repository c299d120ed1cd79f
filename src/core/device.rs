//! Phone, tablet or desktop, from the user agent and UA Client Hints.
//!
//! Only phones get the deeplink first: a tablet or a computer cannot usually
//! open the Gojek app, and its customer scans the QR with their phone instead.
//! So when in doubt between phone and tablet the answer is tablet (the QR view
//! still offers the "Open GoPay" button).

/// The kind of device the widget runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Device {
    Phone,
    Tablet,
    Desktop,
}

/// `navigator.userAgentData` (Chromium browsers only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientHints {
    pub mobile: Option<bool>,
    pub platform: Option<String>,
}

/// Classifies the device.
///
/// `max_touch_points` is `navigator.maxTouchPoints`: iPadOS 13+ Safari reports a
/// desktop Mac user agent, and a touch screen is what gives it away.
pub fn classify(user_agent: &str, hints: Option<&ClientHints>, max_touch_points: u32) -> Device {
    if hints.and_then(|h| h.mobile) == Some(true) {
        return Device::Phone;
    }
    let ua = user_agent;
    let has = |needle: &str| ua.contains(needle);
    let has_ci = |needle: &str| contains_ignore_ascii_case(ua, needle);

    if has("iPad") {
        return Device::Tablet;
    }
    // Kindle Fire (Silk) claims "Android ... Mobile" in its mobile mode.
    if has("Kindle") || has("Silk/") || has("; KF") {
        return Device::Tablet;
    }
    if has("iPhone") || has("iPod") {
        return Device::Phone;
    }
    if has("Android") {
        return if has("Mobile") {
            Device::Phone
        } else {
            Device::Tablet
        };
    }
    if has("Macintosh") && max_touch_points > 1 {
        return Device::Tablet;
    }
    if has("Windows Phone")
        || has("Mobi")
        || has("Opera Mini")
        || has_ci("KaiOS")
        || has("BlackBerry")
        || has("BB10")
    {
        return Device::Phone;
    }
    // Old Windows touch laptops say "Tablet PC": those are computers.
    if ua.replace("Tablet PC", "").contains("Tablet") {
        return Device::Tablet;
    }
    // UA-CH without a telling user agent (reduced or frozen strings).
    let platform = hints.and_then(|h| h.platform.as_deref()).unwrap_or("");
    if ["Android", "iOS", "iPadOS"]
        .iter()
        .any(|p| platform.eq_ignore_ascii_case(p))
    {
        return Device::Tablet;
    }
    Device::Desktop
}

fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Device::*;

    fn ua(s: &str) -> Device {
        classify(s, None, 0)
    }

    #[test]
    fn phones() {
        for s in [
            // iPhone Safari
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
            // iPod touch
            "Mozilla/5.0 (iPod touch; CPU iPhone OS 15_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.6 Mobile/15E148 Safari/604.1",
            // Chrome on Android phone (reduced UA)
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
            // Samsung Internet
            "Mozilla/5.0 (Linux; Android 13; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
            // Firefox for Android
            "Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0",
            // Gojek-style in-app webview on Android
            "Mozilla/5.0 (Linux; Android 12; Redmi Note 11 Build/SKQ1.211103.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.230 Mobile Safari/537.36",
            // Windows Phone
            "Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/52.0.2743.116 Mobile Safari/537.36 Edge/15.15063",
            "Mozilla/5.0 (compatible; MSIE 10.0; Windows Phone 8.0; Trident/6.0; IEMobile/10.0; ARM; Touch; NOKIA; Lumia 920)",
            // Opera Mini
            "Opera/9.80 (J2ME/MIDP; Opera Mini/9.80 (S60; SymbOS; Opera Mobi/23.348; U; en) Presto/2.5.25 Version/10.54",
            // KaiOS feature phone
            "Mozilla/5.0 (Mobile; LYF/F300B/LYF-F300B-001-01-15-130718-i; Android; rv:48.0) Gecko/48.0 Firefox/48.0 KAIOS/2.5",
            "Mozilla/5.0 (Mobile; Nokia_8110_4G; rv:48.0) Gecko/48.0 Firefox/48.0 KAIOS/2.5",
            // BlackBerry
            "Mozilla/5.0 (BB10; Touch) AppleWebKit/537.10+ (KHTML, like Gecko) Version/10.1.0.4633 Mobile Safari/537.10+",
        ] {
            assert_eq!(ua(s), Phone, "{s}");
        }
    }

    #[test]
    fn tablets() {
        for s in [
            // iPad before iPadOS 13
            "Mozilla/5.0 (iPad; CPU OS 12_5_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Mobile/15E148 Safari/604.1",
            // Chrome on an Android tablet: no "Mobile"
            "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
            // Firefox on an Android tablet
            "Mozilla/5.0 (Android 14; Tablet; rv:125.0) Gecko/125.0 Firefox/125.0",
            // Kindle Fire, Silk in mobile mode (says Mobile) and desktop mode
            "Mozilla/5.0 (Linux; U; Android 4.0.3; en-us; KFTT Build/IML74K) AppleWebKit/535.19 (KHTML, like Gecko) Silk/3.68 Mobile Safari/535.19 Silk-Accelerated=true",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Silk/100.4.1 like Chrome/100.0.4896.143 Safari/537.36",
            "Mozilla/5.0 (Linux; Android 11; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/120.3.7 like Chrome/120.0.6099.217 Safari/537.36",
            // e-ink Kindle
            "Mozilla/5.0 (X11; U; Linux armv7l like Android; en-us) AppleWebKit/531.2+ (KHTML, like Gecko) Version/5.0 Safari/531.2+ Kindle/3.0+",
        ] {
            assert_eq!(ua(s), Tablet, "{s}");
        }
    }

    const MAC_SAFARI: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15";

    #[test]
    fn ipados_desktop_ua_is_told_apart_by_touch() {
        assert_eq!(classify(MAC_SAFARI, None, 5), Tablet);
        assert_eq!(classify(MAC_SAFARI, None, 0), Desktop);
        assert_eq!(classify(MAC_SAFARI, None, 1), Desktop);
    }

    #[test]
    fn desktops() {
        for s in [
            MAC_SAFARI,
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
            "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
            "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0; Tablet PC 2.0)",
            "",
            "curl/8.5.0",
        ] {
            assert_eq!(ua(s), Desktop, "{s}");
        }
        // A Windows touch laptop is still a computer.
        let win = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0";
        assert_eq!(classify(win, None, 10), Desktop);
    }

    #[test]
    fn client_hints() {
        let mobile = ClientHints {
            mobile: Some(true),
            platform: Some("Android".into()),
        };
        let not_mobile = |p: &str| ClientHints {
            mobile: Some(false),
            platform: Some(p.into()),
        };
        let desktop_ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
        // UA-CH mobile wins over a desktop-looking UA ("request desktop site" aside).
        assert_eq!(classify(desktop_ua, Some(&mobile), 0), Phone);
        assert_eq!(
            classify(desktop_ua, Some(&not_mobile("Android")), 5),
            Tablet
        );
        assert_eq!(classify(desktop_ua, Some(&not_mobile("Linux")), 0), Desktop);
        assert_eq!(
            classify(desktop_ua, Some(&not_mobile("Windows")), 10),
            Desktop
        );
        assert_eq!(
            classify(desktop_ua, Some(&ClientHints::default()), 0),
            Desktop
        );
        // mobile: false does not override a phone UA.
        let phone = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36";
        assert_eq!(classify(phone, Some(&not_mobile("Android")), 5), Phone);
    }

    #[test]
    fn case_insensitive_search_handles_short_and_non_ascii_input() {
        assert!(contains_ignore_ascii_case("xKaIoS/3", "kaios"));
        assert!(!contains_ignore_ascii_case("Ka", "kaios"));
        assert!(!contains_ignore_ascii_case("ééé", "kaios"));
        assert_eq!(ua("ééé Tablet"), Tablet);
    }
}

//! A local simulator of the Midtrans Core API endpoints the demo shop uses: GoPay and QRIS
//! charges, status, cancel, expire, refund, QR images, signed HTTP notifications with
//! retries, timed expiry, and pages where a tester plays the customer's phone.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use sha2::{Digest, Sha512};
use tokio::net::TcpListener;

use store::{Status, Transaction, TransitionError};

mod api;
pub mod jakarta;
mod notify;
mod pages;
pub mod png;
pub mod qris;
mod store;

/// The key the shop and the simulator share when no real key is configured. Not a Midtrans key.
pub const LOCAL_SERVER_KEY: &str = "SB-Mid-server-LOCAL-SIMULATOR";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8081";
pub const DEFAULT_NOTIFY_URL: &str = "http://127.0.0.1:8080/api/midtrans/notification";

#[derive(Clone)]
pub struct Config {
    /// Expected as the Basic auth user name and used to sign notifications.
    pub server_key: String,
    /// Where notifications go (the "Payment Notification URL" of the Midtrans dashboard).
    pub notify_url: String,
    /// Base of the URLs in charge actions; `None` uses the address the server listens on.
    pub public_url: Option<String>,
    /// How long after the expiry the expire notification is sent (Midtrans: up to ~90 s).
    pub late_expire: Duration,
    pub retry_first_delay: Duration,
    pub retry_max_delay: Duration,
    /// Deliveries of one notification, the first included.
    pub notify_attempts: u32,
    /// Shortest `custom_expiry` accepted (Midtrans documents 20 seconds).
    pub min_expiry: Duration,
    pub merchant_id: String,
    pub merchant_name: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            server_key: LOCAL_SERVER_KEY.into(),
            notify_url: DEFAULT_NOTIFY_URL.into(),
            public_url: None,
            late_expire: Duration::from_secs(5),
            retry_first_delay: Duration::from_secs(1),
            retry_max_delay: Duration::from_secs(60),
            // 1 + 2 + 4 + ... capped at 60 s: about four minutes of retries.
            notify_attempts: 10,
            min_expiry: Duration::from_secs(20),
            merchant_id: "G000000001".into(),
            merchant_name: "Warung Nusantara".into(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("server_key", &"<redacted>")
            .field("notify_url", &self.notify_url)
            .field("public_url", &self.public_url)
            .field("late_expire", &self.late_expire)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Reads MIDTRANS_SERVER_KEY, SIMULATOR_NOTIFY_URL, SIMULATOR_PUBLIC_URL and
    /// SIMULATOR_LATE_EXPIRE_SECONDS over the defaults.
    pub fn from_env() -> Result<Config, String> {
        let mut config = Config::default();
        if let Some(key) = env("MIDTRANS_SERVER_KEY") {
            config.server_key = key;
        }
        if let Some(url) = env("SIMULATOR_NOTIFY_URL") {
            config.notify_url = url;
        }
        config.public_url = env("SIMULATOR_PUBLIC_URL").map(|u| u.trim_end_matches('/').into());
        if let Some(secs) = env("SIMULATOR_LATE_EXPIRE_SECONDS") {
            let secs: u64 = secs
                .parse()
                .map_err(|_| format!("SIMULATOR_LATE_EXPIRE_SECONDS: not a number: {secs}"))?;
            config.late_expire = Duration::from_secs(secs);
        }
        Ok(config)
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// `signature_key` of notifications and status responses: hex(SHA-512(order_id + status_code +
/// gross_amount + server_key)).
pub fn signature_key(order_id: &str, status_code: &str, gross_amount: &str, key: &str) -> String {
    let mut hash = Sha512::new();
    for part in [order_id, status_code, gross_amount, key] {
        hash.update(part.as_bytes());
    }
    hex::encode(hash.finalize())
}

/// Shared state of a running simulator.
struct Sim {
    config: Config,
    /// Base URL of this simulator, without a trailing slash.
    base: String,
    store: store::Store,
    http: reqwest::Client,
    /// Status API calls answered, for load tests of the merchant's refresh rate.
    status_calls: std::sync::atomic::AtomicU64,
}

impl Sim {
    /// A transaction as the status API and notifications show it, signed like Midtrans signs
    /// them; they differ only in `status_code` and `status_message`.
    fn signed_view(&self, tx: &Transaction, code: &str, message: &str) -> serde_json::Value {
        let amount = tx.gross_amount_str();
        let mut body = serde_json::json!({
            "status_code": code,
            "status_message": message,
            "transaction_id": tx.transaction_id,
            "order_id": tx.order_id,
            "merchant_id": self.config.merchant_id,
            "gross_amount": amount,
            "currency": "IDR",
            "payment_type": tx.payment_type.as_str(),
            "transaction_time": tx.transaction_time(),
            "transaction_status": tx.status.as_str(),
            "fraud_status": "accept",
            "expiry_time": tx.expiry_time(),
            "signature_key": signature_key(&tx.order_id, code, &amount, &self.config.server_key),
        });
        if let Some(ms) = tx.settlement_ms {
            body["settlement_time"] = serde_json::json!(jakarta::format(ms / 1000));
        }
        if let Some(acquirer) = &tx.acquirer {
            body["acquirer"] = serde_json::json!(acquirer);
        }
        if tx.refunded > 0 {
            body["refund_amount"] = serde_json::json!(format!("{}.00", tx.refunded));
        }
        body
    }
}

/// The simulator's routes, with `base` as the origin of the URLs it hands out.
pub fn router(config: Config, base: String) -> Router {
    let http = reqwest::Client::builder()
        .user_agent("gopay-simulator")
        .build()
        .unwrap_or_default();
    let sim = Arc::new(Sim {
        config,
        base,
        store: store::Store::default(),
        http,
        status_calls: Default::default(),
    });
    api::routes()
        .merge(pages::routes())
        .fallback(api::unknown_route)
        .method_not_allowed_fallback(api::wrong_method)
        .with_state(sim)
}

/// Serves on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let base = match &config.public_url {
        Some(url) => url.clone(),
        None => format!("http://{}", listener.local_addr()?),
    };
    let app = router(config, base);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Moves a pending transaction to `to` and notifies the merchant at once.
fn act(sim: &Arc<Sim>, id: &str, to: Status) -> Result<Transaction, TransitionError> {
    let tx = sim.store.transition(id, to, jakarta::now_ms())?;
    tracing::info!("{} {}", tx.order_id, to.as_str());
    notify::spawn(sim.clone(), tx.clone(), Duration::ZERO);
    Ok(tx)
}

fn describe(error: &TransitionError) -> String {
    match error {
        TransitionError::NotFound => "no such transaction".into(),
        TransitionError::NotPending(status) => {
            format!("the transaction is already {}", status.as_str())
        }
        TransitionError::Expired => "the transaction has expired".into(),
    }
}

/// Finds the transaction a pasted text names: a QRIS payload (by its reference), a deeplink
/// (by its tref), an order id or a transaction id.
fn lookup(sim: &Sim, text: &str) -> Result<Transaction, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("paste a QR payload first".into());
    }
    match qris::reference(text) {
        Ok(Some(reference)) => {
            return sim.store.find(&reference).ok_or_else(|| {
                format!("this QR code is valid but no transaction here has reference {reference}")
            })
        }
        Ok(None) => return Err("this QRIS payload carries no transaction reference".into()),
        Err(qris::Error::BadCrc) => return Err(qris::Error::BadCrc.to_string()),
        Err(_) => {}
    }
    if let Ok(url) = reqwest::Url::parse(text) {
        if let Some((_, tref)) = url.query_pairs().find(|(k, _)| k == "tref") {
            return sim
                .store
                .find(&tref)
                .ok_or_else(|| format!("no transaction has the deeplink reference {tref}"));
        }
    }
    sim.store.find(text).ok_or_else(|| {
        "no transaction matches: paste a QR payload, a deeplink, an order id or a transaction id"
            .into()
    })
}

/// Random identifiers, from the operating system's generator.
mod ids {
    pub fn random_bytes<const N: usize>() -> [u8; N] {
        let mut bytes = [0u8; N];
        // Without OS randomness there is no safe fallback for identifiers.
        getrandom::fill(&mut bytes).expect("the operating system's random generator");
        bytes
    }

    pub fn uuid_v4() -> String {
        let mut b = random_bytes::<16>();
        b[6] = (b[6] & 0x0F) | 0x40;
        b[8] = (b[8] & 0x3F) | 0x80;
        let h = hex::encode(b);
        format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )
    }

    /// `len` characters without look-alikes (0/O, 1/l/I); at most 32.
    pub fn alphanumeric(len: usize) -> String {
        const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        random_bytes::<32>()
            .iter()
            .take(len)
            .map(|b| CHARS[usize::from(*b) % CHARS.len()] as char)
            .collect()
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn uuid_is_version_4() {
            let id = super::uuid_v4();
            assert_eq!(id.len(), 36);
            assert_eq!(&id[14..15], "4");
            assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
            assert_ne!(id, super::uuid_v4());
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn signature_is_sha512_of_the_concatenation() {
        // sha512("order03" "200" "275000.00" "key"), computed independently.
        assert_eq!(
            super::signature_key("order03", "200", "275000.00", "key"),
            "6f306d372243f53215da754dd22c24032ded8d4731940b74b1e8a7ac86fae837708a41fb2f3760eb763a8a2d41325377e779ca42c4a9008a53668fb7d91aa44a"
        );
    }
}

//! The shop's side of Midtrans: Core API calls with the server key, and notification signatures.
//! The same code talks to the local simulator and to the real sandbox; only the base URL differs.

use std::fmt;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode};
use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha512};

use crate::db::Update;

pub const SANDBOX_BASE_URL: &str = "https://api.sandbox.midtrans.com";
pub const PRODUCTION_BASE_URL: &str = "https://api.midtrans.com";

pub struct Client {
    base: String,
    /// For the signatures of status answers; never printed.
    server_key: String,
    /// `Basic base64(server_key + ":")`, marked sensitive so it is never printed.
    auth: HeaderValue,
    http: reqwest::Client,
    /// Longest a charge may take; the reconcile of a shared database counts on it.
    charge_timeout: Duration,
}

/// Midtrans could not be asked, or answered something that is not JSON.
#[derive(Debug)]
pub struct Unreachable {
    message: String,
    /// Whether the request may have reached Midtrans: anything but a failed connection (a
    /// timeout, a reset, a gateway's error page) may have left a charge there.
    pub maybe_received: bool,
}

impl fmt::Display for Unreachable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Unreachable {
    fn from_error(error: &reqwest::Error) -> Unreachable {
        Unreachable {
            message: describe(error),
            maybe_received: !error.is_connect(),
        }
    }
}

/// What Midtrans' status API says about an order.
pub enum Checked {
    /// The transaction as Midtrans has it now.
    Found(Update),
    /// Midtrans has no transaction for this order id (404).
    Unknown,
}

/// An answer from Midtrans: HTTP status, the body exactly as sent, and the body parsed.
pub struct Answer {
    pub http: StatusCode,
    pub raw: String,
    pub body: Value,
}

impl Answer {
    /// Midtrans puts its own code in `status_code`; errors may come with HTTP 200, so both count.
    pub fn error_status(&self) -> Option<StatusCode> {
        let code = self.body["status_code"]
            .as_str()
            .and_then(|c| c.parse::<u16>().ok());
        match code {
            // 407 is how the status API reports an expired transaction, not a failed call.
            Some(407) => None,
            Some(c @ 400..=599) => Some(StatusCode::from_u16(c).unwrap_or(StatusCode::BAD_GATEWAY)),
            _ if !self.http.is_success() => Some(self.http),
            _ => None,
        }
    }
}

impl Client {
    pub fn new(base: &str, server_key: &str) -> Client {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{server_key}:"));
        let mut auth = HeaderValue::from_str(&format!("Basic {token}"))
            .unwrap_or_else(|_| HeaderValue::from_static("Basic"));
        auth.set_sensitive(true);
        let http = reqwest::Client::builder()
            .user_agent("gopay-demo-shop")
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .build()
            .unwrap_or_default();
        Client {
            base: base.trim_end_matches('/').to_string(),
            server_key: server_key.to_string(),
            auth,
            http,
            charge_timeout: Duration::from_secs(15),
        }
    }

    /// Gives up on a charge after `timeout` (15 s unless set).
    pub fn charge_timeout(mut self, timeout: Duration) -> Client {
        self.charge_timeout = timeout;
        self
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// `POST /v2/charge`.
    pub async fn charge(&self, body: &Value) -> Result<Answer, Unreachable> {
        let request = self
            .http
            .post(format!("{}/v2/charge", self.base))
            .timeout(self.charge_timeout)
            .json(body);
        self.send(request).await
    }

    /// `GET /v2/{order_id}/status`; `order_id` must already be validated (it goes in the path).
    pub async fn status(&self, order_id: &str, timeout: Duration) -> Result<Answer, Unreachable> {
        let request = self
            .http
            .get(format!("{}/v2/{order_id}/status", self.base))
            .timeout(timeout);
        self.send(request).await
    }

    /// What the status API says about `order_id` (already validated). `Err` when it cannot be
    /// asked, fails, or answers about something else (another order, a bad signature).
    pub async fn check(&self, order_id: &str) -> Result<Checked, String> {
        let answer = self
            .status(order_id, Duration::from_secs(3))
            .await
            .map_err(|unreachable| unreachable.to_string())?;
        if let Some(code) = answer.error_status() {
            if code == StatusCode::NOT_FOUND {
                return Ok(Checked::Unknown);
            }
            return Err(format!(
                "Midtrans answered {code} {}",
                answer.body["status_message"]
            ));
        }
        let body = &answer.body;
        let signature_ok = body.get("signature_key").is_none() || signed(body, &self.server_key);
        if !signature_ok || body["order_id"] != order_id {
            return Err("the answer does not match the order".into());
        }
        Update::from_midtrans(body)
            .map(Checked::Found)
            .ok_or_else(|| "the answer has no transaction_status".into())
    }

    /// `POST /v2/{order_id}/cancel`; `order_id` must already be validated.
    pub async fn cancel(&self, order_id: &str) -> Result<Answer, Unreachable> {
        let request = self
            .http
            .post(format!("{}/v2/{order_id}/cancel", self.base))
            .timeout(Duration::from_secs(5));
        self.send(request).await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Answer, Unreachable> {
        let response = request
            .header(reqwest::header::AUTHORIZATION, self.auth.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            // Without the URL: it is ours anyway, and errors stay short in the log.
            .map_err(|e| Unreachable::from_error(&e))?;
        let http =
            StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
        let raw = response
            .text()
            .await
            .map_err(|e| Unreachable::from_error(&e))?;
        let body = serde_json::from_str(&raw).map_err(|_| Unreachable {
            message: format!("HTTP {http} with a body that is not JSON"),
            maybe_received: true,
        })?;
        Ok(Answer { http, raw, body })
    }
}

fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_connect() {
        "cannot connect"
    } else if error.is_timeout() {
        "timed out"
    } else {
        "request failed"
    };
    format!("Midtrans {kind}")
}

/// hex(SHA-512(order_id + status_code + gross_amount + server_key)).
pub fn signature_key(order_id: &str, status_code: &str, gross_amount: &str, key: &str) -> String {
    let mut hash = Sha512::new();
    for part in [order_id, status_code, gross_amount, key] {
        hash.update(part.as_bytes());
    }
    hex::encode(hash.finalize())
}

/// Whether `body` carries a valid `signature_key` for its own order_id, status_code and
/// gross_amount. Compared in constant time.
pub fn signed(body: &Value, key: &str) -> bool {
    let field = |name: &str| body[name].as_str();
    let (Some(order_id), Some(code), Some(amount), Some(given)) = (
        field("order_id"),
        field("status_code"),
        field("gross_amount"),
        field("signature_key"),
    ) else {
        return false;
    };
    let expected = signature_key(order_id, code, amount, key);
    constant_time_eq(expected.as_bytes(), given.to_ascii_lowercase().as_bytes())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether two Midtrans amounts (`"275000.00"`, `"275000"`) are the same number of rupiah.
pub fn same_amount(a: &str, b: &str) -> bool {
    fn cents(s: &str) -> Option<u64> {
        let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
        if whole.is_empty()
            || fraction.len() > 2
            || !whole
                .bytes()
                .chain(fraction.bytes())
                .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let fraction = format!("{fraction:0<2}");
        whole
            .parse::<u64>()
            .ok()?
            .checked_mul(100)?
            .checked_add(fraction.parse().ok()?)
    }
    matches!((cents(a), cents(b)), (Some(x), Some(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn signature_matches_an_independent_computation() {
        // printf '%s' 'order03200275000.00key' | sha512sum
        assert_eq!(
            signature_key("order03", "200", "275000.00", "key"),
            "6f306d372243f53215da754dd22c24032ded8d4731940b74b1e8a7ac86fae837708a41fb2f3760eb763a8a2d41325377e779ca42c4a9008a53668fb7d91aa44a"
        );
    }

    #[test]
    fn signed_notifications_verify_and_forged_ones_do_not() {
        let key = "SB-Mid-server-test";
        let mut body = json!({
            "order_id": "order03", "status_code": "200", "gross_amount": "275000.00",
            "transaction_status": "settlement",
        });
        body["signature_key"] = json!(signature_key("order03", "200", "275000.00", key));
        assert!(signed(&body, key));
        assert!(!signed(&body, "another-key"));
        let mut altered = body.clone();
        altered["gross_amount"] = json!("1.00");
        assert!(!signed(&altered, key));
        let mut upper = body.clone();
        upper["signature_key"] = json!(body["signature_key"].as_str().unwrap().to_uppercase());
        assert!(signed(&upper, key), "hex case does not matter");
        let mut missing = body.clone();
        missing.as_object_mut().unwrap().remove("signature_key");
        assert!(!signed(&missing, key));
        let mut number = body.clone();
        number["gross_amount"] = json!(275000);
        assert!(!signed(&number, key));
    }

    #[test]
    fn fixture_signatures_are_not_ours() {
        // The fixtures were signed with a key we do not have: they must not verify.
        let fixture: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/midtrans/notification-settlement.json"
        ))
        .unwrap();
        assert!(!signed(&fixture, crate::LOCAL_SERVER_KEY));
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn amounts() {
        assert!(same_amount("275000.00", "275000.00"));
        assert!(same_amount("275000", "275000.00"));
        assert!(same_amount("275000.5", "275000.50"));
        assert!(!same_amount("275000.00", "275001.00"));
        assert!(!same_amount("", ""));
        assert!(!same_amount("1e5", "100000"));
    }

    #[test]
    fn error_status_reads_the_body_code() {
        let answer = |http: u16, body: Value| Answer {
            http: StatusCode::from_u16(http).unwrap(),
            raw: body.to_string(),
            body,
        };
        assert_eq!(
            answer(200, json!({"status_code": "201"})).error_status(),
            None
        );
        assert_eq!(
            answer(200, json!({"status_code": "407"})).error_status(),
            None
        );
        assert_eq!(
            answer(200, json!({"status_code": "406"})).error_status(),
            Some(StatusCode::NOT_ACCEPTABLE)
        );
        assert_eq!(
            answer(401, json!({"status_code": "401"})).error_status(),
            Some(StatusCode::UNAUTHORIZED)
        );
        assert_eq!(
            answer(503, json!({})).error_status(),
            Some(StatusCode::SERVICE_UNAVAILABLE)
        );
    }

    #[test]
    fn the_key_is_not_printable_from_the_header() {
        let client = Client::new("http://127.0.0.1:1", "SB-Mid-server-secret");
        assert!(client.auth.is_sensitive());
        assert!(!format!("{:?}", client.auth).contains("U0It"));
    }
}

//! The simulator over real HTTP on loopback: shapes, auth, errors, expiry, notifications.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use gopay_simulator::{qris, signature_key, Config, LOCAL_SERVER_KEY};
use serde_json::{json, Value};
use tokio::net::TcpListener;

async fn start(config: Config) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(gopay_simulator::serve(
        listener,
        config,
        std::future::pending(),
    ));
    base
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn order_id(tag: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "T-{tag}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

async fn post_to(url: impl reqwest::IntoUrl) -> reqwest::Response {
    client().post(url).send().await.unwrap()
}

async fn post_form(url: impl reqwest::IntoUrl, form: &[(&str, &str)]) -> reqwest::Response {
    client().post(url).form(form).send().await.unwrap()
}

async fn post_authorized(url: impl reqwest::IntoUrl) -> reqwest::Response {
    client()
        .post(url)
        .basic_auth(LOCAL_SERVER_KEY, Some(""))
        .send()
        .await
        .unwrap()
}

async fn post_charge(base: &str, key: &str, body: &Value) -> (StatusCode, Value) {
    let response = client()
        .post(format!("{base}/v2/charge"))
        .basic_auth(key, Some(""))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

/// A Midtrans sample from the repository's fixtures.
fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../tests/fixtures/midtrans/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn keys(body: &Value) -> std::collections::BTreeSet<String> {
    body.as_object().unwrap().keys().cloned().collect()
}

fn qris_body(order_id: &str, amount: u64) -> Value {
    json!({
        "payment_type": "qris",
        "transaction_details": { "order_id": order_id, "gross_amount": amount },
        "item_details": [{ "id": "a", "price": amount, "quantity": 1, "name": "A" }],
        "qris": { "acquirer": "gopay" },
    })
}

fn gopay_body(order_id: &str, amount: u64, callback: &str) -> Value {
    json!({
        "payment_type": "gopay",
        "transaction_details": { "order_id": order_id, "gross_amount": amount },
        "gopay": { "enable_callback": true, "callback_url": callback },
    })
}

async fn get_json(url: &str, key: Option<&str>) -> (StatusCode, Value) {
    let mut request = client().get(url);
    if let Some(key) = key {
        request = request.basic_auth(key, Some(""));
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

/// "YYYY-MM-DD HH:MM:SS" as seconds since an arbitrary origin, enough to subtract two.
fn seconds(timestamp: &str) -> i64 {
    assert_eq!(timestamp.len(), 19, "{timestamp}");
    let n = |r: std::ops::Range<usize>| timestamp[r].parse::<i64>().unwrap();
    ((n(0..4) * 400 + n(5..7) * 31 + n(8..10)) * 24 + n(11..13)) * 3600 + n(14..16) * 60 + n(17..19)
}

fn is_uuid_v4(id: &str) -> bool {
    let parts: Vec<_> = id.split('-').collect();
    parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && id.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
        && parts[2].starts_with('4')
}

fn action<'a>(charge: &'a Value, name: &str) -> &'a str {
    charge["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .and_then(|a| a["url"].as_str())
        .unwrap_or_else(|| panic!("no action {name} in {charge}"))
}

#[tokio::test]
async fn qris_charge_has_the_documented_shape_and_a_scannable_qr() {
    let base = start(Config::default()).await;
    let id = order_id("qris");
    let (status, charge) = post_charge(&base, LOCAL_SERVER_KEY, &qris_body(&id, 149_500)).await;
    assert_eq!(status, StatusCode::OK, "{charge}");
    assert_eq!(charge["status_code"], "201");
    assert_eq!(charge["status_message"], "QRIS transaction is created");
    assert_eq!(charge["order_id"], id.as_str());
    assert_eq!(charge["gross_amount"], "149500.00");
    assert_eq!(charge["currency"], "IDR");
    assert_eq!(charge["payment_type"], "qris");
    assert_eq!(charge["transaction_status"], "pending");
    assert_eq!(charge["fraud_status"], "accept");
    assert_eq!(charge["acquirer"], "gopay");
    assert!(charge["merchant_id"].as_str().unwrap().starts_with('G'));
    let tid = charge["transaction_id"].as_str().unwrap();
    assert!(is_uuid_v4(tid), "{tid}");
    let created = seconds(charge["transaction_time"].as_str().unwrap());
    let expiry = seconds(charge["expiry_time"].as_str().unwrap());
    assert_eq!(expiry - created, 15 * 60, "default expiry is 15 minutes");

    let qr_string = charge["qr_string"].as_str().unwrap();
    let fields = qris::verify(qr_string).expect("CRC verifies");
    assert!(fields.contains(&("54", "149500.00")));
    assert_eq!(qris::reference(qr_string).unwrap().as_deref(), Some(tid));

    assert_eq!(charge["actions"].as_array().unwrap().len(), 1);
    let image_url = action(&charge, "generate-qr-code");
    assert_eq!(image_url, format!("{base}/v2/qris/{tid}/qr-code"));
    let response = client().get(image_url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    let png = response.bytes().await.unwrap();
    let image = image::load_from_memory(&png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    assert_eq!(grids[0].decode().unwrap().1, qr_string);
}

#[tokio::test]
async fn gopay_charge_carries_deeplink_status_and_cancel_actions() {
    let base = start(Config::default()).await;
    let id = order_id("gopay");
    let callback = "http://127.0.0.1:9/return?from=gopay";
    let (status, charge) =
        post_charge(&base, LOCAL_SERVER_KEY, &gopay_body(&id, 10_000, callback)).await;
    assert_eq!(status, StatusCode::OK, "{charge}");
    assert_eq!(charge["status_message"], "GoPay transaction is created");
    assert_eq!(charge["payment_type"], "gopay");
    assert!(charge.get("qr_string").is_none());
    let tid = charge["transaction_id"].as_str().unwrap();
    let names: Vec<_> = charge["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "generate-qr-code-v2",
            "generate-qr-code",
            "deeplink-redirect",
            "get-status",
            "cancel"
        ]
    );
    let deeplink = reqwest::Url::parse(action(&charge, "deeplink-redirect")).unwrap();
    assert!(deeplink
        .as_str()
        .starts_with(&format!("{base}/app/deeplink?tref=")));
    let query: Vec<(String, String)> = deeplink.query_pairs().into_owned().collect();
    assert!(
        query.contains(&("callback_url".into(), callback.into())),
        "{query:?}"
    );

    let png = client()
        .get(action(&charge, "generate-qr-code"))
        .send()
        .await
        .unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");

    let (status, body) = get_json(action(&charge, "get-status"), Some(LOCAL_SERVER_KEY)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["order_id"], id.as_str());
    assert_eq!(body["transaction_id"], tid);
    assert_eq!(body["transaction_status"], "pending");
    assert_eq!(body["status_code"], "201");
    assert_eq!(
        body["signature_key"],
        signature_key(&id, "201", "10000.00", LOCAL_SERVER_KEY)
    );

    let cancel = post_authorized(action(&charge, "cancel")).await;
    assert_eq!(cancel.status(), StatusCode::OK);
    let body: Value = cancel.json().await.unwrap();
    assert_eq!(body["transaction_status"], "cancel");
    let again = post_authorized(action(&charge, "cancel")).await;
    assert_eq!(again.status(), StatusCode::PRECONDITION_FAILED);
    let body: Value = again.json().await.unwrap();
    assert_eq!(body["status_code"], "412");
}

#[tokio::test]
async fn errors_have_midtrans_codes_and_shapes() {
    let base = start(Config::default()).await;
    let id = order_id("err");

    // No credentials, then a wrong key.
    let response = client()
        .post(format!("{base}/v2/charge"))
        .json(&qris_body(&id, 1000))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status_code"], "401");
    assert_eq!(
        body["status_message"],
        "Transaction cannot be authorized with the current client/server key."
    );
    assert!(body["id"].is_string());
    let (status, _) = post_charge(&base, "SB-Mid-server-WRONG", &qris_body(&id, 1000)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = get_json(&format!("{base}/v2/{id}/status"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A refused charge leaves the order id free; the second use of it is a 406.
    let (status, _) = post_charge(&base, LOCAL_SERVER_KEY, &qris_body(&id, 1000)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = post_charge(&base, LOCAL_SERVER_KEY, &qris_body(&id, 1000)).await;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE);
    assert_eq!(body["status_code"], "406");
    assert!(body["status_message"]
        .as_str()
        .unwrap()
        .starts_with("The request could not be completed due to a conflict"));

    let (status, body) = get_json(
        &format!("{base}/v2/NO-SUCH-ORDER/status"),
        Some(LOCAL_SERVER_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["status_code"], "404");

    let mut bad = qris_body(&order_id("err"), 1000);
    bad["item_details"][0]["price"] = json!(999);
    bad["custom_expiry"] = json!({ "expiry_duration": 5, "unit": "second" });
    bad["transaction_details"]["order_id"] = json!("bad id/with slash");
    let (status, body) = post_charge(&base, LOCAL_SERVER_KEY, &bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["status_code"], "400");
    let messages = body["validation_messages"].as_array().unwrap();
    let text = |needle: &str| {
        messages
            .iter()
            .any(|m| m.as_str().unwrap().contains(needle))
    };
    assert!(text("order_id"), "{messages:?}");
    assert!(text("custom_expiry"), "{messages:?}");

    let mut mismatch = qris_body(&order_id("err"), 1000);
    mismatch["item_details"][0]["price"] = json!(999);
    let (status, body) = post_charge(&base, LOCAL_SERVER_KEY, &mismatch).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["validation_messages"][0]
        .as_str()
        .unwrap()
        .contains("not equal to the sum of item_details"));

    let response = client()
        .post(format!("{base}/v2/charge"))
        .basic_auth(LOCAL_SERVER_KEY, Some(""))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status_code"], "413");
}

/// A merchant endpoint that records notifications and answers 500 to the first `failures`.
#[derive(Clone, Default)]
struct Merchant {
    received: Arc<Mutex<Vec<(Instant, Value)>>>,
    failures: Arc<AtomicUsize>,
}

impl Merchant {
    async fn listen_on(&self, listener: TcpListener) {
        async fn receive(State(m): State<Merchant>, Json(body): Json<Value>) -> StatusCode {
            m.received.lock().unwrap().push((Instant::now(), body));
            let left = m.failures.load(Ordering::SeqCst);
            if left > 0 {
                m.failures.store(left - 1, Ordering::SeqCst);
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::OK
            }
        }
        let app = Router::new()
            .route("/notify", post(receive))
            .with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
    }

    fn statuses(&self, order_id: &str) -> Vec<String> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, b)| b["order_id"] == order_id)
            .map(|(_, b)| b["transaction_status"].as_str().unwrap().to_string())
            .collect()
    }

    async fn wait_for(&self, order_id: &str, status: &str, within: Duration) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let found = self
                .received
                .lock()
                .unwrap()
                .iter()
                .rev()
                .find(|(_, b)| b["order_id"] == order_id && b["transaction_status"] == status)
                .map(|(_, b)| b.clone());
            if let Some(body) = found {
                return body;
            }
            assert!(
                Instant::now() < deadline,
                "no {status} notification for {order_id}; got {:?}",
                self.statuses(order_id)
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

fn fast_config(notify_url: String) -> Config {
    Config {
        notify_url,
        retry_first_delay: Duration::from_millis(100),
        retry_max_delay: Duration::from_millis(400),
        late_expire: Duration::from_millis(600),
        min_expiry: Duration::from_secs(1),
        ..Config::default()
    }
}

fn assert_signed(body: &Value, key: &str) {
    let expected = signature_key(
        body["order_id"].as_str().unwrap(),
        body["status_code"].as_str().unwrap(),
        body["gross_amount"].as_str().unwrap(),
        key,
    );
    assert_eq!(body["signature_key"], expected.as_str());
    assert_eq!(body["status_message"], "midtrans payment notification");
}

#[tokio::test]
async fn expires_at_expiry_and_notifies_late() {
    let merchant = Merchant::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let notify = format!("http://{}/notify", listener.local_addr().unwrap());
    merchant.listen_on(listener).await;
    let base = start(fast_config(notify)).await;
    let id = order_id("exp");
    let mut body = qris_body(&id, 5_000);
    body["custom_expiry"] = json!({ "expiry_duration": 2, "unit": "second" });
    let started = Instant::now();
    let (status, charge) = post_charge(&base, LOCAL_SERVER_KEY, &body).await;
    assert_eq!(status, StatusCode::OK, "{charge}");
    let created = seconds(charge["transaction_time"].as_str().unwrap());
    assert_eq!(
        seconds(charge["expiry_time"].as_str().unwrap()) - created,
        2
    );

    let pending = merchant
        .wait_for(&id, "pending", Duration::from_secs(2))
        .await;
    assert_signed(&pending, LOCAL_SERVER_KEY);
    assert_eq!(pending["status_code"], "201");

    // Still pending just before the expiry.
    tokio::time::sleep(Duration::from_millis(1500).saturating_sub(started.elapsed())).await;
    let url = format!("{base}/v2/{id}/status");
    let (_, status_body) = get_json(&url, Some(LOCAL_SERVER_KEY)).await;
    assert_eq!(status_body["transaction_status"], "pending");

    // Expired once the time has passed; the status API reports it at once, with code 407.
    tokio::time::sleep(Duration::from_millis(2300).saturating_sub(started.elapsed())).await;
    let (_, status_body) = get_json(&url, Some(LOCAL_SERVER_KEY)).await;
    assert_eq!(status_body["transaction_status"], "expire");
    assert_eq!(status_body["status_code"], "407");
    assert!(
        !merchant.statuses(&id).contains(&"expire".to_string()),
        "notified before the late delay"
    );

    // Paying is refused now.
    let pay = post_to(format!("{base}/simulator/transactions/{id}/pay")).await;
    assert_eq!(pay.status(), StatusCode::CONFLICT);

    let expire = merchant
        .wait_for(&id, "expire", Duration::from_secs(3))
        .await;
    assert!(
        started.elapsed() >= Duration::from_millis(2600),
        "late delay respected"
    );
    assert_signed(&expire, LOCAL_SERVER_KEY);
    assert_eq!(expire["status_code"], "202");
    assert_eq!(merchant.statuses(&id), ["pending", "expire"]);
}

#[tokio::test]
async fn notifications_are_retried_until_the_merchant_answers() {
    let merchant = Merchant::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let notify = format!("http://{}/notify", listener.local_addr().unwrap());
    merchant.listen_on(listener).await;
    let base = start(fast_config(notify)).await;
    let id = order_id("retry");
    let (status, _) = post_charge(&base, LOCAL_SERVER_KEY, &qris_body(&id, 7_000)).await;
    assert_eq!(status, StatusCode::OK);
    merchant
        .wait_for(&id, "pending", Duration::from_secs(2))
        .await;

    merchant.failures.store(2, Ordering::SeqCst);
    let response = post_to(format!("{base}/simulator/transactions/{id}/pay")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let paid: Value = response.json().await.unwrap();
    assert_eq!(paid["transaction_status"], "settlement");
    let settlement = merchant
        .wait_for(&id, "settlement", Duration::from_secs(3))
        .await;
    assert_signed(&settlement, LOCAL_SERVER_KEY);
    assert_eq!(settlement["status_code"], "200");
    assert!(settlement["settlement_time"].is_string());
    // Give the third delivery time to be recorded as the good one.
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let (_, summary) = get_json(&format!("{base}/simulator/transactions/{id}"), None).await;
        let last = summary["notifications"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        if last["delivered"] == true {
            assert_eq!(last["transaction_status"], "settlement");
            assert!(
                last["outcome"].as_str().unwrap().contains("attempt 3"),
                "{last}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "never delivered: {summary}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        merchant.statuses(&id),
        ["pending", "settlement", "settlement", "settlement"]
    );
}

#[tokio::test]
async fn a_merchant_that_was_down_still_gets_the_notification() {
    // Take a free port, then leave it closed while the payment happens.
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let base = start(fast_config(format!("http://127.0.0.1:{port}/notify"))).await;
    let id = order_id("down");
    let (status, _) = post_charge(&base, LOCAL_SERVER_KEY, &qris_body(&id, 8_000)).await;
    assert_eq!(status, StatusCode::OK);
    let response = post_to(format!("{base}/simulator/transactions/{id}/pay")).await;
    assert_eq!(response.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(500)).await;

    let merchant = Merchant::default();
    merchant
        .listen_on(TcpListener::bind(("127.0.0.1", port)).await.unwrap())
        .await;
    let settlement = merchant
        .wait_for(&id, "settlement", Duration::from_secs(5))
        .await;
    assert_signed(&settlement, LOCAL_SERVER_KEY);
}

#[tokio::test]
async fn the_simulated_app_pays_and_returns_to_the_callback() {
    let base = start(Config::default()).await;
    let id = order_id("app");
    let (_, charge) = post_charge(
        &base,
        LOCAL_SERVER_KEY,
        &gopay_body(&id, 25_000, "http://127.0.0.1:9/?lang=id"),
    )
    .await;
    let deeplink = action(&charge, "deeplink-redirect");
    let page = client().get(deeplink).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Rp25.000"), "{html}");
    assert!(html.contains(&id));

    let tref = reqwest::Url::parse(deeplink)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "tref")
        .unwrap()
        .1
        .into_owned();
    let response = post_form(
        format!("{base}/app/deeplink"),
        &[("tref", tref.as_str()), ("action", "pay")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"],
        format!("http://127.0.0.1:9/?lang=id&order_id={id}&result=success").as_str()
    );
    let (_, status) = get_json(&format!("{base}/v2/{id}/status"), Some(LOCAL_SERVER_KEY)).await;
    assert_eq!(status["transaction_status"], "settlement");
    assert!(status["settlement_time"].is_string());

    // Denying a paid transaction fails, and the customer still goes back, with "failure".
    let response = post_form(
        format!("{base}/app/deeplink"),
        &[("tref", tref.as_str()), ("action", "deny")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(response.headers()["location"]
        .to_str()
        .unwrap()
        .ends_with("result=failure"));
    let (_, status) = get_json(&format!("{base}/v2/{id}/status"), Some(LOCAL_SERVER_KEY)).await;
    assert_eq!(status["transaction_status"], "settlement");
}

#[tokio::test]
async fn the_phone_page_finds_a_pasted_qr_and_acts_on_it() {
    let base = start(Config::default()).await;
    let id = order_id("phone");
    let (_, charge) = post_charge(&base, LOCAL_SERVER_KEY, &qris_body(&id, 12_000)).await;
    let qr_string = charge["qr_string"].as_str().unwrap();

    let home = client()
        .get(format!("{base}/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains(&format!("data-order-id=\"{id}\"")));

    let scanned = post_form(format!("{base}/phone/scan"), &[("payload", qr_string)]).await;
    assert_eq!(scanned.status(), StatusCode::OK);
    let html = scanned.text().await.unwrap();
    assert!(html.contains(&id) && html.contains("Rp12.000"), "{html}");

    // A payload with a broken checksum is refused with a reason.
    let altered = qr_string.replace("12000.00", "13000.00");
    let refused = post_form(
        format!("{base}/phone/scan"),
        &[("payload", altered.as_str())],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::SEE_OTHER);
    assert!(refused.headers()["location"]
        .to_str()
        .unwrap()
        .contains("checksum"));

    let (status, found) = {
        let response = client()
            .post(format!("{base}/simulator/scan"))
            .json(&json!({ "payload": qr_string }))
            .send()
            .await
            .unwrap();
        (response.status(), response.json::<Value>().await.unwrap())
    };
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found["order_id"], id.as_str());

    let denied = post_form(
        format!("{base}/phone/act"),
        &[("order_id", id.as_str()), ("action", "deny")],
    )
    .await;
    assert_eq!(denied.status(), StatusCode::SEE_OTHER);
    let (_, status) = get_json(&format!("{base}/v2/{id}/status"), Some(LOCAL_SERVER_KEY)).await;
    assert_eq!(status["transaction_status"], "deny");
    assert_eq!(status["status_code"], "202");

    let again = post_to(format!("{base}/simulator/transactions/{id}/pay")).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let unpaid = post_to(format!("{base}/simulator/transactions/{id}/refund")).await;
    assert_eq!(
        unpaid.status(),
        StatusCode::CONFLICT,
        "a denied payment has nothing to refund"
    );
    // A card's capture is no action of a GoPay or QRIS payment.
    let unknown = post_to(format!("{base}/simulator/transactions/{id}/capture")).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_paid_transaction_is_refunded_in_parts_and_the_merchant_is_told() {
    let merchant = Merchant::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let notify = format!("http://{}/notify", listener.local_addr().unwrap());
    merchant.listen_on(listener).await;
    let base = start(fast_config(notify)).await;
    let id = order_id("refund");
    let (_, charge) = post_charge(&base, LOCAL_SERVER_KEY, &qris_body(&id, 10_000)).await;
    let refund = |body: Value, key: &'static str| {
        let url = format!("{base}/v2/{id}/refund");
        async move {
            let response = client()
                .post(url)
                .basic_auth(key, Some(""))
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    // Not paid yet: nothing to give back.
    let (http, body) = refund(json!({ "refund_key": "r1" }), LOCAL_SERVER_KEY).await;
    assert_eq!(
        (http, body["status_code"].as_str()),
        (StatusCode::PRECONDITION_FAILED, Some("412"))
    );
    post_to(format!("{base}/simulator/transactions/{id}/pay")).await;
    merchant
        .wait_for(&id, "settlement", Duration::from_secs(2))
        .await;

    let (http, _) = refund(json!({}), "SB-Mid-server-WRONG").await;
    assert_eq!(http, StatusCode::UNAUTHORIZED);
    let (http, body) = refund(json!({ "amount": 20_000 }), LOCAL_SERVER_KEY).await;
    assert_eq!(
        (http, body["status_code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("400"))
    );

    let (http, body) = refund(
        json!({ "refund_key": "r2", "amount": 4_000, "reason": "one item back" }),
        LOCAL_SERVER_KEY,
    )
    .await;
    assert_eq!(http, StatusCode::OK, "{body}");
    assert_eq!(body["status_code"], "200");
    assert_eq!(body["transaction_status"], "partial_refund");
    assert_eq!(body["refund_amount"], "4000.00");
    assert_eq!(body["refund_key"], "r2");
    assert_eq!(body["transaction_id"], charge["transaction_id"]);
    let partial = merchant
        .wait_for(&id, "partial_refund", Duration::from_secs(2))
        .await;
    assert_signed(&partial, LOCAL_SERVER_KEY);
    assert_eq!(partial["status_code"], "200");

    let (http, body) = refund(json!({}), LOCAL_SERVER_KEY).await;
    assert_eq!(http, StatusCode::OK, "{body}");
    assert_eq!(body["transaction_status"], "refund");
    assert_eq!(body["refund_amount"], "6000.00");
    merchant
        .wait_for(&id, "refund", Duration::from_secs(2))
        .await;
    let (_, status) = get_json(&format!("{base}/v2/{id}/status"), Some(LOCAL_SERVER_KEY)).await;
    assert_eq!(status["transaction_status"], "refund");
    assert_eq!(status["status_code"], "200");
    assert_eq!(status["refund_amount"], "10000.00");
    assert_eq!(
        status["signature_key"],
        signature_key(&id, "200", "10000.00", LOCAL_SERVER_KEY).as_str()
    );
    let (http, _) = refund(json!({}), LOCAL_SERVER_KEY).await;
    assert_eq!(
        http,
        StatusCode::PRECONDITION_FAILED,
        "nothing left to refund"
    );
}

#[tokio::test]
async fn charges_carry_the_fields_of_midtrans_samples() {
    let base = start(Config::default()).await;
    let (_, qris) = post_charge(
        &base,
        LOCAL_SERVER_KEY,
        &qris_body(&order_id("shape"), 789_000),
    )
    .await;
    assert_eq!(
        keys(&qris),
        keys(&fixture("qris-charge-docs-shape.json")),
        "a QRIS charge has the documented fields, no more, no fewer"
    );

    let (_, gopay) = post_charge(
        &base,
        LOCAL_SERVER_KEY,
        &gopay_body(&order_id("shape"), 10_000, "someapps://callback"),
    )
    .await;
    assert_eq!(gopay["channel_response_code"], "200");
    assert_eq!(gopay["channel_response_message"], "Success");
    for sample in ["gopay-charge-seed.json", "gopay-charge-current-shape.json"] {
        let missing: Vec<_> = keys(&fixture(sample))
            .difference(&keys(&gopay))
            .cloned()
            .collect();
        assert!(missing.is_empty(), "{sample}: missing {missing:?}");
    }
}

/// POSTs a Core API call with the server key and reads its JSON answer.
async fn post_core(url: String) -> (StatusCode, Value) {
    let response = post_authorized(url).await;
    let status = response.status();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn expire_api_ends_a_pending_transaction_and_notifies_at_once() {
    let merchant = Merchant::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let notify = format!("http://{}/notify", listener.local_addr().unwrap());
    merchant.listen_on(listener).await;
    // A late delay far beyond the test: an expire asked for is not a timed expiry.
    let base = start(Config {
        late_expire: Duration::from_secs(600),
        ..fast_config(notify)
    })
    .await;
    let id = order_id("expire-api");
    let (_, charge) = post_charge(&base, LOCAL_SERVER_KEY, &qris_body(&id, 10_000)).await;
    let tid = charge["transaction_id"].as_str().unwrap();
    merchant
        .wait_for(&id, "pending", Duration::from_secs(2))
        .await;

    let response = client()
        .post(format!("{base}/v2/{tid}/expire"))
        .basic_auth("SB-Mid-server-WRONG", Some(""))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // By transaction id: HTTP 200 with status code 407, in the documented shape.
    let (http, expired) = post_core(format!("{base}/v2/{tid}/expire")).await;
    assert_eq!(http, StatusCode::OK, "{expired}");
    assert_eq!(expired["status_code"], "407");
    assert_eq!(
        expired["status_message"],
        "Success, transaction has expired"
    );
    assert_eq!(expired["transaction_status"], "expire");
    assert_eq!(expired["order_id"], id.as_str());
    assert_eq!(expired["transaction_id"], tid);
    assert_eq!(expired["gross_amount"], "10000.00");
    assert_eq!(expired["payment_type"], "qris");
    assert_eq!(expired["transaction_time"], charge["transaction_time"]);
    let documented: std::collections::BTreeSet<String> = [
        "status_code",
        "status_message",
        "transaction_id",
        "order_id",
        "payment_type",
        "transaction_time",
        "transaction_status",
        "gross_amount",
    ]
    .map(String::from)
    .into();
    assert_eq!(keys(&expired), documented);

    let notified = merchant
        .wait_for(&id, "expire", Duration::from_secs(2))
        .await;
    assert_signed(&notified, LOCAL_SERVER_KEY);
    assert_eq!(notified["status_code"], "202");
    let (_, status) = get_json(&format!("{base}/v2/{id}/status"), Some(LOCAL_SERVER_KEY)).await;
    assert_eq!(
        (
            status["transaction_status"].as_str(),
            status["status_code"].as_str()
        ),
        (Some("expire"), Some("407"))
    );

    // Not pending any more (and by order id), or unknown.
    let (http, again) = post_core(format!("{base}/v2/{id}/expire")).await;
    assert_eq!(
        (http, again["status_code"].as_str()),
        (StatusCode::PRECONDITION_FAILED, Some("412"))
    );
    assert_eq!(
        again["status_message"],
        "Merchant cannot modify the status of the transaction"
    );
    let (http, unknown) = post_core(format!("{base}/v2/NO-SUCH-ORDER/expire")).await;
    assert_eq!(
        (http, unknown["status_code"].as_str()),
        (StatusCode::NOT_FOUND, Some("404"))
    );
    let pay = post_to(format!("{base}/simulator/transactions/{id}/pay")).await;
    assert_eq!(pay.status(), StatusCode::CONFLICT);

    // A paid transaction cannot be expired.
    let paid = order_id("expire-paid");
    post_charge(&base, LOCAL_SERVER_KEY, &qris_body(&paid, 1_000)).await;
    post_to(format!("{base}/simulator/transactions/{paid}/pay")).await;
    let (http, _) = post_core(format!("{base}/v2/{paid}/expire")).await;
    assert_eq!(http, StatusCode::PRECONDITION_FAILED);
    assert_eq!(merchant.statuses(&id), ["pending", "expire"]);
}

/// Asserts the Midtrans error shape: a string `status_code` equal to the HTTP status, a
/// message and a uuid request id.
fn assert_midtrans_error(http: StatusCode, body: &Value, message: &str) {
    assert_eq!(body["status_code"], http.as_str(), "{body}");
    assert_eq!(body["status_message"], message, "{body}");
    assert!(
        is_uuid_v4(body["id"].as_str().unwrap_or_default()),
        "{body}"
    );
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods_answer_midtrans_json() {
    let base = start(Config::default()).await;
    let id = order_id("routes");
    post_charge(&base, LOCAL_SERVER_KEY, &qris_body(&id, 1_000)).await;
    let cases = [
        (
            reqwest::Method::GET,
            "/v2/charge".to_string(),
            StatusCode::METHOD_NOT_ALLOWED,
            Some("POST"),
        ),
        (
            reqwest::Method::DELETE,
            format!("/v2/{id}/status"),
            StatusCode::METHOD_NOT_ALLOWED,
            Some("GET,HEAD"),
        ),
        (
            reqwest::Method::GET,
            format!("/v2/{id}/expire"),
            StatusCode::METHOD_NOT_ALLOWED,
            Some("POST"),
        ),
        (
            reqwest::Method::PUT,
            "/simulator/transactions".to_string(),
            StatusCode::METHOD_NOT_ALLOWED,
            Some("GET,HEAD"),
        ),
        (
            reqwest::Method::POST,
            format!("/v2/{id}/approve"),
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            reqwest::Method::GET,
            "/v3/charge".to_string(),
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            reqwest::Method::GET,
            "/v2".to_string(),
            StatusCode::NOT_FOUND,
            None,
        ),
    ];
    for (method, path, expected, allow) in cases {
        let response = client()
            .request(method.clone(), format!("{base}{path}"))
            .basic_auth(LOCAL_SERVER_KEY, Some(""))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), expected, "{method} {path}");
        assert_eq!(
            response
                .headers()
                .get("allow")
                .and_then(|v| v.to_str().ok()),
            allow,
            "{method} {path}"
        );
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        let body: Value = response.json().await.unwrap();
        let message = if expected == StatusCode::NOT_FOUND {
            "The requested resource is not found"
        } else {
            "HTTP method is not allowed"
        };
        assert_midtrans_error(expected, &body, message);
    }

    // An id that is not UTF-8 once decoded is refused as a bad request, in the same shape.
    let response = client()
        .get(format!("{base}/v2/%FF/status"))
        .basic_auth(LOCAL_SERVER_KEY, Some(""))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_midtrans_error(StatusCode::BAD_REQUEST, &body, "Bad Request");
}

#[tokio::test]
async fn every_notification_is_signed_with_its_code_and_matches_the_status_api() {
    let merchant = Merchant::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let notify = format!("http://{}/notify", listener.local_addr().unwrap());
    merchant.listen_on(listener).await;
    let base = start(fast_config(notify)).await;
    let control = |id: &str, action: &str, body: Option<Value>| {
        let url = format!("{base}/simulator/transactions/{id}/{action}");
        async move {
            let mut request = client().post(url);
            if let Some(body) = body {
                request = request.json(&body);
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            (status, response.json::<Value>().await.unwrap())
        }
    };

    // Steps from a new charge, then each notification expected: status, notification code,
    // status API code. A step is a control action, or "cancel" / "api-expire" through the Core
    // API; a step past the expected notifications must be refused.
    type Step<'a> = (&'a str, Option<Value>);
    type Notified<'a> = (&'a str, &'a str, &'a str);
    let journeys: [(&[Step], &[Notified]); 8] = [
        (&[("pay", None)], &[("settlement", "200", "200")]),
        (&[("deny", None)], &[("deny", "202", "202")]),
        (&[("failure", None)], &[("failure", "202", "202")]),
        (&[("expire", None)], &[("expire", "202", "407")]),
        (&[("cancel", None)], &[("cancel", "200", "200")]),
        (&[("api-expire", None)], &[("expire", "202", "407")]),
        (
            &[
                ("pay", None),
                ("partial_chargeback", Some(json!({ "amount": 3_000 }))),
                ("chargeback", None),
            ],
            &[
                ("settlement", "200", "200"),
                ("partial_chargeback", "200", "200"),
                ("chargeback", "200", "200"),
            ],
        ),
        (
            &[
                ("pay", None),
                ("partial_chargeback", None),
                ("refund", None),
            ],
            &[
                ("settlement", "200", "200"),
                ("partial_chargeback", "200", "200"),
            ],
        ),
    ];
    for (steps, expected) in journeys {
        let id = order_id("notify");
        let (http, _) =
            post_charge(&base, LOCAL_SERVER_KEY, &gopay_body(&id, 10_000, "x://y")).await;
        assert_eq!(http, StatusCode::OK);
        let pending = merchant
            .wait_for(&id, "pending", Duration::from_secs(2))
            .await;
        assert_signed(&pending, LOCAL_SERVER_KEY);
        assert_eq!(pending["status_code"], "201");
        let mut wanted = expected.iter();
        for (action, body) in steps {
            let (http, answer) = match *action {
                "cancel" => post_core(format!("{base}/v2/{id}/cancel")).await,
                "api-expire" => post_core(format!("{base}/v2/{id}/expire")).await,
                action => control(&id, action, body.clone()).await,
            };
            let Some(&(status, code, api_code)) = wanted.next() else {
                assert_eq!(
                    http,
                    StatusCode::CONFLICT,
                    "{action} after {expected:?}: {answer}"
                );
                continue;
            };
            assert_eq!(http, StatusCode::OK, "{action}: {answer}");
            let notified = merchant.wait_for(&id, status, Duration::from_secs(2)).await;
            assert_signed(&notified, LOCAL_SERVER_KEY);
            assert_eq!(notified["status_code"], code, "{status}");
            assert_eq!(notified["fraud_status"], "accept", "{status}");
            // What the shop's confirmation sees right after the notification.
            let tid = notified["transaction_id"].as_str().unwrap();
            let (_, confirmed) =
                get_json(&format!("{base}/v2/{tid}/status"), Some(LOCAL_SERVER_KEY)).await;
            assert_eq!(confirmed["transaction_status"], status);
            assert_eq!(confirmed["status_code"], api_code, "{status}");
            assert_eq!(
                confirmed["signature_key"],
                signature_key(&id, api_code, "10000.00", LOCAL_SERVER_KEY).as_str()
            );
        }
        assert!(wanted.next().is_none(), "{id}: not every step was taken");
    }
}

/// Midtrans charges an order_id again once its transaction has expired or been cancelled
/// ("The expired order_id can be reused"; a pending one is cancelled to reuse it), and never
/// while it is pending, paid or denied. The order's status is then the new transaction's; the
/// old one is still found by its transaction_id.
#[tokio::test]
async fn an_order_id_is_charged_again_only_after_its_transaction_expired_or_was_cancelled() {
    let base = start(Config::default()).await;
    let charge = |id: String, amount: u64| {
        let base = base.clone();
        async move { post_charge(&base, LOCAL_SERVER_KEY, &qris_body(&id, amount)).await }
    };
    let status_of = |id: String| {
        let base = base.clone();
        async move { get_json(&format!("{base}/v2/{id}/status"), Some(LOCAL_SERVER_KEY)).await }
    };

    // Pending: refused.
    let id = order_id("again");
    let (code, first) = charge(id.clone(), 10_000).await;
    assert_eq!(code, StatusCode::OK);
    let first_tid = first["transaction_id"].as_str().unwrap().to_owned();
    let (code, body) = charge(id.clone(), 10_000).await;
    assert_eq!(
        (code, body["status_code"].as_str()),
        (StatusCode::NOT_ACCEPTABLE, Some("406"))
    );

    // Cancelled: charged again, as a new transaction that the order's status now reports.
    let (code, _) = post_core(format!("{base}/v2/{id}/cancel")).await;
    assert_eq!(code, StatusCode::OK);
    let (code, second) = charge(id.clone(), 12_000).await;
    assert_eq!(code, StatusCode::OK, "{second}");
    let second_tid = second["transaction_id"].as_str().unwrap().to_owned();
    assert_ne!(second_tid, first_tid);
    assert_ne!(second["qr_string"], first["qr_string"]);
    let (_, now) = status_of(id.clone()).await;
    assert_eq!(now["transaction_id"], second_tid.as_str());
    assert_eq!(now["transaction_status"], "pending");
    assert_eq!(now["gross_amount"], "12000.00");
    let (code, old) = status_of(first_tid.clone()).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(old["transaction_status"], "cancel");
    assert_eq!(old["order_id"], id.as_str());
    // The old transaction cannot be acted on through its order any more.
    let (code, _) = post_core(format!("{base}/v2/{first_tid}/cancel")).await;
    assert_ne!(code, StatusCode::OK);

    // Expired: charged again; then paid: refused.
    let (code, _) = post_core(format!("{base}/v2/{id}/expire")).await;
    assert_eq!(code, StatusCode::OK);
    let (code, third) = charge(id.clone(), 12_000).await;
    assert_eq!(code, StatusCode::OK, "{third}");
    let third_tid = third["transaction_id"].as_str().unwrap().to_owned();
    let response = post_to(format!("{base}/simulator/transactions/{third_tid}/pay")).await;
    assert!(response.status().is_success());
    let (code, _) = charge(id.clone(), 12_000).await;
    assert_eq!(
        code,
        StatusCode::NOT_ACCEPTABLE,
        "a paid order_id is never charged again"
    );
    let (_, paid) = status_of(id.clone()).await;
    assert_eq!(paid["transaction_id"], third_tid.as_str());
    assert_eq!(paid["transaction_status"], "settlement");
    let (_, expired) = status_of(second_tid).await;
    assert_eq!(expired["transaction_status"], "expire");

    // Denied: refused too.
    let denied = order_id("again-deny");
    let (_, charged) = charge(denied.clone(), 5_000).await;
    let tid = charged["transaction_id"].as_str().unwrap();
    assert!(post_to(format!("{base}/simulator/transactions/{tid}/deny"))
        .await
        .status()
        .is_success());
    let (code, _) = charge(denied, 5_000).await;
    assert_eq!(code, StatusCode::NOT_ACCEPTABLE);
}

/// The first transaction's timed expiry belongs to it alone: once its order_id is charged
/// again, the new transaction outlives the old one's expiry time.
#[tokio::test]
async fn a_charge_again_is_not_ended_by_the_old_transactions_expiry() {
    let base = start(Config {
        min_expiry: Duration::from_secs(1),
        ..Config::default()
    })
    .await;
    let id = order_id("again-exp");
    let mut short = qris_body(&id, 5_000);
    short["custom_expiry"] = json!({ "expiry_duration": 1, "unit": "second" });
    let (code, first) = post_charge(&base, LOCAL_SERVER_KEY, &short).await;
    assert_eq!(code, StatusCode::OK, "{first}");
    let (code, _) = post_core(format!("{base}/v2/{id}/cancel")).await;
    assert_eq!(code, StatusCode::OK);
    let (code, second) = post_charge(&base, LOCAL_SERVER_KEY, &qris_body(&id, 5_000)).await;
    assert_eq!(code, StatusCode::OK, "{second}");
    tokio::time::sleep(Duration::from_millis(1_800)).await;
    let (_, now) = get_json(&format!("{base}/v2/{id}/status"), Some(LOCAL_SERVER_KEY)).await;
    assert_eq!(now["transaction_id"], second["transaction_id"]);
    assert_eq!(now["transaction_status"], "pending");
}

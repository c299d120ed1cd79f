//! The shop against the local Midtrans simulator, both over real HTTP on loopback. The shop
//! keeps its orders in a SQLite file, or, when `TEST_DATABASE_URL` is set, in a PostgreSQL
//! schema of the test's own.

mod support;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use gopay_demo::{Config, Limits};
use gopay_simulator::signature_key;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const KEY: &str = "SB-Mid-server-TEST-ONLY-7f3a9c";

struct Options {
    shop_key: &'static str,
    /// Where the simulator sends notifications; `None` means the shop.
    notify_url: Option<String>,
    expiry_seconds: Option<u64>,
    status_refresh: Duration,
    charge_timeout: Duration,
    test_controls: bool,
    limits: Limits,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            shop_key: KEY,
            notify_url: None,
            expiry_seconds: None,
            status_refresh: Duration::from_millis(200),
            charge_timeout: Duration::from_secs(15),
            test_controls: true,
            // Every test client is 127.0.0.1, and some send bursts wider than the per-client
            // cap; that cap has a test of its own.
            limits: Limits {
                max_connections_per_client: Limits::default().max_connections,
                ..Limits::default()
            },
        }
    }
}

/// A simulator and a shop, with the shop's SQLite file (or PostgreSQL schema) and package
/// directory in a temp dir.
struct World {
    shop: String,
    sim: String,
    shop_addr: SocketAddr,
    config: Config,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), String>>>,
    _dir: tempfile::TempDir,
}

impl World {
    async fn new(options: Options) -> World {
        let dir = tempfile::tempdir().unwrap();
        let sim_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let shop_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sim = format!("http://{}", sim_listener.local_addr().unwrap());
        let shop_addr = shop_listener.local_addr().unwrap();
        let shop = format!("http://{shop_addr}");
        let sim_config = gopay_simulator::Config {
            server_key: KEY.into(),
            notify_url: options
                .notify_url
                .unwrap_or_else(|| format!("{shop}/api/midtrans/notification")),
            retry_first_delay: Duration::from_millis(100),
            retry_max_delay: Duration::from_millis(400),
            late_expire: Duration::from_millis(300),
            min_expiry: Duration::from_secs(1),
            ..gopay_simulator::Config::default()
        };
        tokio::spawn(gopay_simulator::serve(
            sim_listener,
            sim_config,
            std::future::pending(),
        ));
        let pkg = dir.path().join("pkg");
        std::fs::create_dir(&pkg).unwrap();
        std::fs::write(pkg.join("index.js"), "export async function mount() {}\n").unwrap();
        std::fs::write(pkg.join("gopay_widget_wasm_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
        let config = Config {
            server_key: options.shop_key.into(),
            midtrans_base_url: sim.clone(),
            db_path: dir.path().join("data").join("shop.db"),
            database_url: support::scratch_database_url().await,
            db_pool_size: 10,
            public_url: None,
            www_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../www"),
            pkg_dir: pkg,
            expiry_seconds: options.expiry_seconds,
            test_controls: options.test_controls,
            status_refresh: options.status_refresh,
            charge_timeout: options.charge_timeout,
            // Only with PostgreSQL: left-over orders are looked for this often.
            reconcile_every: Duration::from_millis(500),
            limits: options.limits,
        };
        let mut world = World {
            shop,
            sim,
            shop_addr,
            config,
            stop: None,
            task: None,
            _dir: dir,
        };
        world.run_shop(shop_listener);
        world
    }

    fn run_shop(&mut self, listener: TcpListener) {
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        self.task = Some(tokio::spawn(gopay_demo::serve(
            listener,
            self.config.clone(),
            shutdown,
        )));
        self.stop = Some(stop);
    }

    /// Stops the shop and waits until its port and database are released.
    async fn stop_shop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }

    /// Starts a new shop process-alike on the same port and database.
    async fn restart_shop(&mut self) {
        let listener = TcpListener::bind(self.shop_addr).await.unwrap();
        self.run_shop(listener);
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn json_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn get_json(url: impl reqwest::IntoUrl) -> (StatusCode, Value) {
    json_of(client().get(url).send().await.unwrap()).await
}

async fn post_form(url: impl reqwest::IntoUrl, form: &[(&str, &str)]) -> reqwest::Response {
    client().post(url).form(form).send().await.unwrap()
}

async fn create_order(w: &World, device: &str, items: Value) -> (StatusCode, Value) {
    let response = client()
        .post(format!("{}/api/orders", w.shop))
        .json(&json!({ "items": items, "device": device }))
        .send()
        .await
        .unwrap();
    json_of(response).await
}

async fn buy(w: &World, device: &str) -> Value {
    let (status, charge) = create_order(w, device, json!([{ "id": "batik-tote", "qty": 2 }])).await;
    assert_eq!(status, StatusCode::OK, "{charge}");
    assert_eq!(charge["status_code"], "201");
    charge
}

async fn shop_status(w: &World, order_id: &str) -> (StatusCode, Value) {
    let response = client()
        .get(format!("{}/api/orders/{order_id}/status", w.shop))
        .send()
        .await
        .unwrap();
    json_of(response).await
}

async fn wait_for_status(w: &World, order_id: &str, wanted: &str, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let (code, body) = shop_status(w, order_id).await;
        if code == StatusCode::OK && body["transaction_status"] == wanted {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "{order_id} never became {wanted}: {code} {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn simulator(w: &World, order_id: &str, action: &str) -> Value {
    let response = client()
        .post(format!(
            "{}/simulator/transactions/{order_id}/{action}",
            w.sim
        ))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// A notification as Midtrans sends it, signed with `key`.
fn notification(charge: &Value, status: &str, code: &str, key: &str) -> Value {
    let order_id = charge["order_id"].as_str().unwrap();
    let amount = charge["gross_amount"].as_str().unwrap();
    json!({
        "transaction_time": charge["transaction_time"],
        "transaction_status": status,
        "transaction_id": charge["transaction_id"],
        "status_message": "midtrans payment notification",
        "status_code": code,
        "signature_key": signature_key(order_id, code, amount, key),
        "payment_type": charge["payment_type"],
        "order_id": order_id,
        "gross_amount": amount,
        "fraud_status": "accept",
    })
}

async fn notify(w: &World, body: &Value) -> (StatusCode, Value) {
    let response = client()
        .post(format!("{}/api/midtrans/notification", w.shop))
        .json(body)
        .send()
        .await
        .unwrap();
    json_of(response).await
}

#[tokio::test]
async fn desktop_order_is_paid_by_qr_and_the_status_follows() {
    let w = World::new(Options::default()).await;
    let charge = buy(&w, "desktop").await;
    let order_id = charge["order_id"].as_str().unwrap();
    assert!(order_id.starts_with("SHOP-"));
    assert_eq!(charge["payment_type"], "qris");
    assert_eq!(
        charge["gross_amount"], "299000.00",
        "2 x Rp149.500, priced by the shop"
    );
    assert!(gopay_simulator::qris::verify(charge["qr_string"].as_str().unwrap()).is_ok());

    let response = client()
        .get(format!("{}/api/orders/{order_id}/status", w.shop))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert!(
        response.headers().contains_key("date"),
        "the widget corrects clock skew with it"
    );
    let status: Value = response.json().await.unwrap();
    assert_eq!(status["order_id"], order_id);
    assert_eq!(status["transaction_id"], charge["transaction_id"]);
    assert_eq!(status["transaction_status"], "pending");
    assert_eq!(status["status_code"], "201");
    assert_eq!(status["gross_amount"], "299000.00");
    assert_eq!(status["payment_type"], "qris");
    assert_eq!(status["transaction_time"], charge["transaction_time"]);
    assert_eq!(status["expiry_time"], charge["expiry_time"]);

    // The tester pastes the QR payload into the simulator's phone page and pays.
    let scanned = post_form(
        format!("{}/phone/scan", w.sim),
        &[("payload", charge["qr_string"].as_str().unwrap())],
    )
    .await;
    assert!(scanned.text().await.unwrap().contains(order_id));
    let paid = post_form(
        format!("{}/phone/act", w.sim),
        &[("order_id", order_id), ("action", "pay")],
    )
    .await;
    assert_eq!(paid.status(), StatusCode::SEE_OTHER);
    let settled = wait_for_status(&w, order_id, "settlement", Duration::from_secs(3)).await;
    assert_eq!(settled["status_code"], "200");
    assert!(settled["settlement_time"].is_string());

    // The stored charge is the one the page received.
    let (code, stored) = get_json(format!("{}/api/orders/{order_id}", w.shop)).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(stored, charge);
}

#[tokio::test]
async fn phone_order_opens_the_app_and_returns_to_the_shop() {
    let w = World::new(Options::default()).await;
    let charge = buy(&w, "phone").await;
    let order_id = charge["order_id"].as_str().unwrap();
    assert_eq!(charge["payment_type"], "gopay");
    let deeplink = charge["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "deeplink-redirect")
        .and_then(|a| a["url"].as_str())
        .unwrap();
    let deeplink = reqwest::Url::parse(deeplink).unwrap();
    let callback = deeplink
        .query_pairs()
        .find(|(k, _)| k == "callback_url")
        .map(|(_, v)| v.into_owned());
    assert_eq!(callback, Some(format!("{}/", w.shop)));
    let tref = deeplink
        .query_pairs()
        .find(|(k, _)| k == "tref")
        .unwrap()
        .1
        .into_owned();

    let app = client().get(deeplink.as_str()).send().await.unwrap();
    assert_eq!(app.status(), StatusCode::OK);
    let back = post_form(
        format!("{}/app/deeplink", w.sim),
        &[("tref", tref.as_str()), ("action", "pay")],
    )
    .await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    let location = back.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        location,
        format!("{}/?order_id={order_id}&result=success", w.shop)
    );

    // The page the customer lands on is the shop page, under its CSP.
    let page = client().get(&location).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert!(
        csp.contains(&format!("img-src 'self' data: {} https:", w.sim)),
        "{csp}"
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("<script type=\"module\" src=\"/shop.js\"></script>"));
    assert!(!html.contains("style="), "no inline styles under the CSP");

    wait_for_status(&w, order_id, "settlement", Duration::from_secs(3)).await;
}

#[tokio::test]
async fn forged_notifications_are_refused_and_change_nothing() {
    let w = World::new(Options::default()).await;
    let charge = buy(&w, "desktop").await;
    let order_id = charge["order_id"].as_str().unwrap();
    wait_for_status(&w, order_id, "pending", Duration::from_secs(2)).await;

    let wrong_key = notification(&charge, "settlement", "200", "SB-Mid-server-GUESSED");
    let (code, body) = notify(&w, &wrong_key).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED, "{body}");

    let mut altered = notification(&charge, "settlement", "200", KEY);
    altered["status_code"] = json!("201");
    assert_eq!(notify(&w, &altered).await.0, StatusCode::UNAUTHORIZED);

    let mut unsigned = notification(&charge, "settlement", "200", KEY);
    unsigned.as_object_mut().unwrap().remove("signature_key");
    assert_eq!(notify(&w, &unsigned).await.0, StatusCode::UNAUTHORIZED);

    let response = client()
        .post(format!("{}/api/midtrans/notification", w.shop))
        .header("content-type", "application/json")
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let (_, status) = shop_status(&w, order_id).await;
    assert_eq!(status["transaction_status"], "pending");
    assert_eq!(status["status_code"], "201");

    // Genuine but about a different amount: acknowledged, not applied.
    let mut other_amount = charge.clone();
    other_amount["gross_amount"] = json!("1000.00");
    let (code, body) = notify(&w, &notification(&other_amount, "settlement", "200", KEY)).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(body["applied"], false);
    let (_, status) = shop_status(&w, order_id).await;
    assert_eq!(status["transaction_status"], "pending");

    // Genuine, but for an order this shop never made.
    let mut stranger = charge.clone();
    stranger["order_id"] = json!("SHOP-0-NOSUCH");
    let (code, _) = notify(&w, &notification(&stranger, "settlement", "200", KEY)).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
}

/// An address nothing listens on.
fn dead_url() -> String {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}/", probe.local_addr().unwrap())
}

/// A shop whose simulator sends its notifications nowhere: the test delivers them itself.
async fn quiet_world() -> World {
    World::new(Options {
        notify_url: Some(dead_url()),
        ..Options::default()
    })
    .await
}

/// Past the shop's interval between two confirmations of one order.
async fn after_the_interval(w: &World) {
    tokio::time::sleep(w.config.status_refresh + Duration::from_millis(50)).await;
}

async fn status_calls(w: &World) -> u64 {
    get_json(format!("{}/simulator/stats", w.sim)).await.1["status_calls"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn duplicate_and_out_of_order_notifications_keep_the_most_advanced_state() {
    let w = quiet_world().await;
    let charge = buy(&w, "desktop").await;
    let order_id = charge["order_id"].as_str().unwrap();
    let send = |status: &'static str, code: &'static str| {
        let body = notification(&charge, status, code, KEY);
        let w = &w;
        async move { notify(w, &body).await }
    };
    simulator(&w, order_id, "pay").await;
    let (code, body) = send("settlement", "200").await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["applied"], true);
    assert_eq!(body["confirmed"], "settlement");
    // Duplicates and older states change nothing, and nobody is asked about them.
    let calls = status_calls(&w).await;
    for (status, code) in [("pending", "201"), ("expire", "202"), ("settlement", "200")] {
        let (http, body) = send(status, code).await;
        assert_eq!(http, StatusCode::OK);
        assert_eq!(body["applied"], false, "{status}");
        assert_eq!(body["transaction_status"], "settlement");
    }
    assert_eq!(status_calls(&w).await, calls);
    let (_, status) = shop_status(&w, order_id).await;
    assert_eq!(status["transaction_status"], "settlement");
    assert_eq!(status["status_code"], "200");
    // A refund is checked with Midtrans, which says settlement: acknowledged, not applied.
    after_the_interval(&w).await;
    let (code, body) = send("refund", "200").await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["applied"], false);
    assert_eq!(body["confirmed"], "settlement");
    let (_, status) = shop_status(&w, order_id).await;
    assert_eq!(status["transaction_status"], "settlement");

    // An expiry Midtrans does not confirm yet is answered so that Midtrans sends it again; a
    // settlement still wins over a later expiry.
    let late = buy(&w, "desktop").await;
    let late_id = late["order_id"].as_str().unwrap();
    let (code, body) = notify(&w, &notification(&late, "expire", "202", KEY)).await;
    assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let (code, body) = notify(&w, &notification(&late, "pending", "201", KEY)).await;
    assert_eq!(
        (code, body["applied"].clone()),
        (StatusCode::OK, json!(false))
    );
    simulator(&w, late_id, "pay").await;
    after_the_interval(&w).await;
    for (status, code, applied) in [("settlement", "200", true), ("expire", "202", false)] {
        let (http, body) = notify(&w, &notification(&late, status, code, KEY)).await;
        assert_eq!(http, StatusCode::OK, "{status}: {body}");
        assert_eq!(body["applied"], applied, "{status}");
    }
    let (_, status) = shop_status(&w, late_id).await;
    assert_eq!(status["transaction_status"], "settlement");
}

type Shared<T> = std::sync::Arc<std::sync::Mutex<T>>;

/// Where Midtrans' notifications pass on their way to the shop, recorded as an eavesdropper
/// would see them. Each is passed on to the target set later, or dropped while it is empty.
async fn recording_relay() -> (String, Shared<String>, Shared<Vec<Value>>) {
    use axum::extract::State;
    use axum::response::{IntoResponse, Response};
    async fn relay(
        State((to, seen)): State<(Shared<String>, Shared<Vec<Value>>)>,
        body: axum::body::Bytes,
    ) -> Response {
        if let Ok(value) = serde_json::from_slice::<Value>(&body) {
            seen.lock().unwrap().push(value);
        }
        let to = to.lock().unwrap().clone();
        if to.is_empty() {
            return axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        let answer = client()
            .post(&to)
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        let status = axum::http::StatusCode::from_u16(answer.status().as_u16()).unwrap();
        (status, answer.text().await.unwrap()).into_response()
    }
    let to = Shared::<String>::default();
    let seen = Shared::<Vec<Value>>::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .fallback(relay)
        .with_state((to.clone(), seen.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, to, seen)
}

async fn cancel_at_midtrans(w: &World, order_id: &str) -> Value {
    let response = client()
        .post(format!("{}/v2/{order_id}/cancel", w.sim))
        .basic_auth(KEY, Some(""))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The first notification the relay saw for `order_id` with `status`.
async fn seen_notification(seen: &Shared<Vec<Value>>, order_id: &str, status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let found = seen
            .lock()
            .unwrap()
            .iter()
            .find(|n| n["order_id"] == order_id && n["transaction_status"] == status)
            .cloned();
        if let Some(found) = found {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "no {status} notification for {order_id}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Midtrans signs a cancel with status_code 200, like a payment, and the signature does not
/// cover transaction_status: a captured cancel notification, resent as "settlement", carries a
/// valid signature. It must never record a payment, whether it arrives after the genuine
/// cancel or before it.
#[tokio::test]
async fn a_cancel_notification_replayed_as_a_settlement_is_not_a_payment() {
    let (relay, to, seen) = recording_relay().await;
    let w = World::new(Options {
        notify_url: Some(relay),
        ..Options::default()
    })
    .await;
    let mut tried = 0;
    let mut applied = 0;

    // 1. After the genuine cancel: the shop has the order cancelled.
    *to.lock().unwrap() = format!("{}/api/midtrans/notification", w.shop);
    let charge = buy(&w, "desktop").await;
    let order_id = charge["order_id"].as_str().unwrap();
    cancel_at_midtrans(&w, order_id).await;
    wait_for_status(&w, order_id, "cancel", Duration::from_secs(3)).await;
    let cancel = seen_notification(&seen, order_id, "cancel").await;
    assert_eq!(
        cancel["status_code"], "200",
        "Midtrans signs a cancel with 200"
    );
    let mut replay = cancel.clone();
    replay["transaction_status"] = json!("settlement");
    after_the_interval(&w).await;
    let (code, body) = notify(&w, &replay).await;
    tried += 1;
    applied += usize::from(body["applied"] == true);
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["confirmed"], "cancel");
    assert_eq!(
        shop_status(&w, order_id).await.1["transaction_status"],
        "cancel"
    );

    // 2. Before it: the genuine cancel is held back, the shop still has the order pending.
    to.lock().unwrap().clear();
    let charge = buy(&w, "desktop").await;
    let order_id = charge["order_id"].as_str().unwrap();
    cancel_at_midtrans(&w, order_id).await;
    let cancel = seen_notification(&seen, order_id, "cancel").await;
    let mut replay = cancel.clone();
    replay["transaction_status"] = json!("settlement");
    for attempt in 0..3 {
        let (code, body) = notify(&w, &replay).await;
        tried += 1;
        applied += usize::from(body["applied"] == true);
        assert_ne!(
            body["transaction_status"], "settlement",
            "attempt {attempt}: {body}"
        );
        if attempt == 0 {
            // Asked: Midtrans says cancel, and that is what the shop keeps.
            assert_eq!(code, StatusCode::OK, "{body}");
            assert_eq!(body["confirmed"], "cancel");
        }
    }
    let (_, status) = shop_status(&w, order_id).await;
    assert_eq!(status["transaction_status"], "cancel");
    // The same replay with every result a 200 signature could claim.
    for claimed in ["capture", "refund", "SETTLEMENT"] {
        let mut replay = cancel.clone();
        replay["transaction_status"] = json!(claimed);
        after_the_interval(&w).await;
        let (code, body) = notify(&w, &replay).await;
        tried += 1;
        applied += usize::from(body["applied"] == true);
        assert_eq!(code, StatusCode::OK, "{claimed}: {body}");
        assert_eq!(body["transaction_status"], "cancel", "{claimed}");
    }
    eprintln!("cancel replays: {tried} tried, {applied} applied");
    assert_eq!((tried, applied), (7, 0));
}

/// One genuine settlement signature, resent hundreds of times at once as refund and
/// chargeback claims: nothing is applied, and Midtrans is asked about the order once.
#[tokio::test]
async fn a_storm_of_claims_costs_one_status_call() {
    // The shop learns of the payment from a poll (its own table of status calls), so the
    // storm meets an order whose confirmations are all still to come; the interval is longer
    // than any storm here, however loaded the machine.
    let interval = Duration::from_secs(30);
    let w = World::new(Options {
        notify_url: Some(dead_url()),
        status_refresh: interval,
        ..Options::default()
    })
    .await;
    let charge = buy(&w, "desktop").await;
    let order_id = charge["order_id"].as_str().unwrap().to_string();
    simulator(&w, &order_id, "pay").await;
    wait_for_status(&w, &order_id, "settlement", Duration::from_secs(3)).await;
    let genuine = notification(&charge, "settlement", "200", KEY);
    let before = status_calls(&w).await;
    let started = Instant::now();
    let mut storm = tokio::task::JoinSet::new();
    for i in 0..300 {
        let mut claim = genuine.clone();
        claim["transaction_status"] = json!(if i % 2 == 0 { "refund" } else { "chargeback" });
        let url = format!("{}/api/midtrans/notification", w.shop);
        storm.spawn(async move {
            let response = client().post(url).json(&claim).send().await.unwrap();
            let code = response.status();
            let body: Value = response.json().await.unwrap();
            (code, body)
        });
    }
    let (mut ok, mut retry, mut applied) = (0, 0, 0);
    while let Some(answer) = storm.join_next().await {
        let (code, body) = answer.unwrap();
        match code {
            StatusCode::OK => ok += 1,
            StatusCode::SERVICE_UNAVAILABLE => retry += 1,
            other => panic!("unexpected {other}: {body}"),
        }
        applied += usize::from(body["applied"] == true);
    }
    let elapsed = started.elapsed();
    let calls = status_calls(&w).await - before;
    eprintln!(
        "claim storm: 300 claims in {elapsed:?}: {ok} answered 200, {retry} answered 503, \
         {applied} applied, {calls} status calls"
    );
    assert_eq!(applied, 0);
    assert_eq!(
        ok, 1,
        "one claim was asked about; the rest are told to come back"
    );
    assert!(elapsed < interval, "{elapsed:?}");
    assert_eq!(calls, 1);
    assert_eq!(
        shop_status(&w, &order_id).await.1["transaction_status"],
        "settlement"
    );
}

#[tokio::test]
async fn a_shop_restarted_mid_transaction_keeps_its_orders_and_completes_the_payment() {
    let mut w = World::new(Options::default()).await;
    let charge = buy(&w, "phone").await;
    let order_id = charge["order_id"].as_str().unwrap().to_string();
    wait_for_status(&w, &order_id, "pending", Duration::from_secs(2)).await;

    w.stop_shop().await;
    assert!(client()
        .get(format!("{}/api/orders/{order_id}/status", w.shop))
        .send()
        .await
        .is_err());
    // Paid while the shop is down: the notification fails and is retried.
    simulator(&w, &order_id, "pay").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    w.restart_shop().await;

    // The retried notification reaches the new process, which knows the order.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (_, summary) = get_json(format!("{}/simulator/transactions/{order_id}", w.sim)).await;
        let settled = summary["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["transaction_status"] == "settlement" && n["delivered"] == true);
        if settled {
            break;
        }
        assert!(Instant::now() < deadline, "never delivered: {summary}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status = wait_for_status(&w, &order_id, "settlement", Duration::from_secs(1)).await;
    assert_eq!(status["transaction_id"], charge["transaction_id"]);
    let (code, stored) = get_json(format!("{}/api/orders/{order_id}", w.shop)).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(stored, charge);
}

#[tokio::test]
async fn without_notifications_the_status_is_refreshed_from_midtrans_at_a_bounded_rate() {
    // Notifications go nowhere: only the status API can tell the shop.
    let dead = dead_url();
    let slow = World::new(Options {
        notify_url: Some(dead.clone()),
        status_refresh: Duration::from_secs(60),
        ..Options::default()
    })
    .await;
    let charge = buy(&slow, "desktop").await;
    let order_id = charge["order_id"].as_str().unwrap();
    assert_eq!(
        shop_status(&slow, order_id).await.1["transaction_status"],
        "pending"
    );
    simulator(&slow, order_id, "pay").await;
    // Checked a moment ago: the next polls are answered from storage.
    for _ in 0..5 {
        assert_eq!(
            shop_status(&slow, order_id).await.1["transaction_status"],
            "pending"
        );
    }
    let (_, stats) = get_json(format!("{}/simulator/stats", slow.sim)).await;
    assert_eq!(stats["status_calls"], 1, "six polls, one Midtrans call");

    let quick = World::new(Options {
        notify_url: Some(dead),
        status_refresh: Duration::from_millis(100),
        ..Options::default()
    })
    .await;
    let charge = buy(&quick, "desktop").await;
    let order_id = charge["order_id"].as_str().unwrap();
    assert_eq!(
        shop_status(&quick, order_id).await.1["transaction_status"],
        "pending"
    );
    simulator(&quick, order_id, "deny").await;
    let denied = wait_for_status(&quick, order_id, "deny", Duration::from_secs(2)).await;
    assert_eq!(denied["status_code"], "202");
}

#[tokio::test]
async fn short_expiry_runs_out_and_the_shop_learns_it() {
    let w = World::new(Options {
        expiry_seconds: Some(2),
        status_refresh: Duration::from_secs(60),
        ..Options::default()
    })
    .await;
    let charge = buy(&w, "desktop").await;
    let order_id = charge["order_id"].as_str().unwrap();
    // The shop asked for a 2-second custom expiry.
    let clock = |field: &str| {
        let t = charge[field].as_str().unwrap();
        let n = |r: std::ops::Range<usize>| t[r].parse::<i64>().unwrap();
        n(8..10) * 86_400 + n(11..13) * 3600 + n(14..16) * 60 + n(17..19)
    };
    assert_eq!(
        clock("expiry_time") - clock("transaction_time"),
        2,
        "{charge}"
    );
    let status = wait_for_status(&w, order_id, "expire", Duration::from_secs(4)).await;
    assert_eq!(status["status_code"], "202", "from the notification");
}

#[tokio::test]
async fn status_faults_can_be_injected_for_a_count_or_a_while() {
    let w = World::new(Options::default()).await;
    let charge = buy(&w, "desktop").await;
    let order_id = charge["order_id"].as_str().unwrap();
    let arm = |body: Value| {
        let url = format!("{}/api/test/faults", w.shop);
        async move {
            client()
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(arm(json!({ "status_failures": 2 })).await, StatusCode::OK);
    assert_eq!(
        shop_status(&w, order_id).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        shop_status(&w, order_id).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(shop_status(&w, order_id).await.0, StatusCode::OK);

    assert_eq!(arm(json!({ "status_fail_ms": 300 })).await, StatusCode::OK);
    assert_eq!(
        shop_status(&w, order_id).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(shop_status(&w, order_id).await.0, StatusCode::OK);
    assert_eq!(arm(json!({ "bogus": 1 })).await, StatusCode::BAD_REQUEST);

    let closed = World::new(Options {
        test_controls: false,
        ..Options::default()
    })
    .await;
    let response = client()
        .post(format!("{}/api/test/faults", closed.shop))
        .json(&json!({ "status_failures": 5 }))
        .send()
        .await
        .unwrap();
    assert!(!response.status().is_success());
    let charge = buy(&closed, "desktop").await;
    let (code, _) = shop_status(&closed, charge["order_id"].as_str().unwrap()).await;
    assert_eq!(code, StatusCode::OK);
}

#[tokio::test]
async fn bad_requests_and_midtrans_errors_reach_the_page_as_json() {
    let w = World::new(Options::default()).await;
    for items in [
        json!([]),
        json!([{ "id": "no-such-thing", "qty": 1 }]),
        json!([{ "id": "batik-tote", "qty": 0 }]),
    ] {
        let (code, body) = create_order(&w, "desktop", items).await;
        assert_eq!(code, StatusCode::BAD_REQUEST);
        assert_eq!(body["status_code"], "400");
    }
    let response = client()
        .post(format!("{}/api/orders", w.shop))
        .json(&json!({ "items": [{ "id": "batik-tote", "qty": 1, "price": 1 }] }))
        .send()
        .await
        .unwrap();
    let (_, charge) = json_of(response).await;
    assert_eq!(
        charge["gross_amount"], "149500.00",
        "a price from the page is ignored"
    );

    let (code, body) = shop_status(&w, "SHOP-0-NOSUCH").await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    assert_eq!(body["status_code"], "404");
    let (code, _) = shop_status(&w, "a%20b").await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    let (code, _) = shop_status(&w, &"A".repeat(51)).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);

    // Midtrans refuses the shop's key: its answer reaches the page with its status.
    let refused = World::new(Options {
        shop_key: "SB-Mid-server-NOT-THE-RIGHT-ONE",
        ..Options::default()
    })
    .await;
    let (code, body) = create_order(
        &refused,
        "desktop",
        json!([{ "id": "kopi-gula-aren", "qty": 1 }]),
    )
    .await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    assert_eq!(body["status_code"], "401");
    assert!(body["status_message"]
        .as_str()
        .unwrap()
        .contains("cannot be authorized"));

    // Midtrans unreachable.
    let mut gone = World::new(Options::default()).await;
    gone.stop_shop().await;
    gone.config.midtrans_base_url = "http://127.0.0.1:9".into();
    gone.restart_shop().await;
    let (code, body) = create_order(
        &gone,
        "desktop",
        json!([{ "id": "kopi-gula-aren", "qty": 1 }]),
    )
    .await;
    assert_eq!(code, StatusCode::BAD_GATEWAY);
    assert_eq!(body["status_code"], "502");
}

#[tokio::test]
async fn serves_the_page_and_package_with_the_right_types_and_no_secrets() {
    let w = World::new(Options::default()).await;
    let get = |path: &str| client().get(format!("{}{path}", w.shop)).send();
    let checks = [
        ("/", "text/html"),
        ("/shop.js", "text/javascript"),
        ("/shop.css", "text/css"),
        ("/pkg/index.js", "text/javascript"),
        ("/pkg/gopay_widget_wasm_bg.wasm", "application/wasm"),
        ("/api/config", "application/json"),
    ];
    for (path, content_type) in checks {
        let response = get(path).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let got = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(got.starts_with(content_type), "{path}: {got}");
        assert!(response.headers().contains_key("content-security-policy"));
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        let text = String::from_utf8_lossy(&response.bytes().await.unwrap()).into_owned();
        assert!(!text.contains(KEY), "{path} leaks the server key");
    }
    let (_, config) = json_of(get("/api/config").await.unwrap()).await;
    assert_eq!(config["environment"], "sandbox");
    assert_eq!(config["simulator_url"], format!("{}/", w.sim));
    assert_eq!(config["products"].as_array().unwrap().len(), 3);
    let charge = buy(&w, "desktop").await;
    assert!(!charge.to_string().contains(KEY));
    assert_eq!(
        get("/nope.html").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

async fn refund_at_midtrans(w: &World, order_id: &str, amount: Option<u64>) -> Value {
    let body = match amount {
        Some(amount) => json!({ "refund_key": format!("{order_id}-{amount}"), "amount": amount }),
        None => json!({}),
    };
    let response = client()
        .post(format!("{}/v2/{order_id}/refund", w.sim))
        .basic_auth(KEY, Some(""))
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The signature covers order_id + status_code + gross_amount: a genuine settlement's
/// signature also signs "refund", "chargeback" or "deny" for the same order. Replayed with
/// those statuses, it must change nothing; a refund Midtrans really made is applied.
#[tokio::test]
async fn a_settlement_signature_replayed_as_a_refund_or_failure_changes_nothing() {
    let mut tried = 0;
    let mut applied = 0;

    // A paid order: every reversal and failure, signed with the settlement's signature.
    let w = World::new(Options::default()).await;
    let charge = buy(&w, "desktop").await;
    let order_id = charge["order_id"].as_str().unwrap();
    simulator(&w, order_id, "pay").await;
    wait_for_status(&w, order_id, "settlement", Duration::from_secs(3)).await;
    let genuine = notification(&charge, "settlement", "200", KEY);
    for claimed in [
        "refund",
        "partial_refund",
        "chargeback",
        "partial_chargeback",
        "REFUND",
        "deny",
        "cancel",
        "expire",
        "failure",
    ] {
        let mut forged = genuine.clone();
        forged["transaction_status"] = json!(claimed);
        // Each one is asked about (a claim moments after another is told to come back).
        after_the_interval(&w).await;
        let (code, body) = notify(&w, &forged).await;
        assert_eq!(code, StatusCode::OK, "{claimed}: {body}");
        tried += 1;
        if body["applied"] == true {
            applied += 1;
        }
        assert_eq!(body["transaction_status"], "settlement", "{claimed}");
    }
    let (_, status) = shop_status(&w, order_id).await;
    assert_eq!(status["transaction_status"], "settlement");

    // Orders paid at Midtrans whose settlement notification never reached the shop (it was
    // caught on the way): the captured settlement, replayed as a failure, must not fail them.
    let quiet = World::new(Options {
        notify_url: Some(dead_url()),
        status_refresh: Duration::from_secs(60),
        ..Options::default()
    })
    .await;
    for claimed in ["deny", "cancel", "expire", "failure", "capture"] {
        let charge = buy(&quiet, "desktop").await;
        let order_id = charge["order_id"].as_str().unwrap();
        assert_eq!(
            shop_status(&quiet, order_id).await.1["transaction_status"],
            "pending"
        );
        simulator(&quiet, order_id, "pay").await;
        let mut forged = notification(&charge, "settlement", "200", KEY);
        forged["transaction_status"] = json!(claimed);
        let (code, body) = notify(&quiet, &forged).await;
        assert_eq!(code, StatusCode::OK, "{claimed}: {body}");
        tried += 1;
        if body["applied"] == true {
            applied += 1;
        }
        // What Midtrans confirmed is what the shop keeps: the payment.
        assert_eq!(body["confirmed"], "settlement", "{claimed}");
        let (_, status) = shop_status(&quiet, order_id).await;
        assert_eq!(status["transaction_status"], "settlement", "{claimed}");
    }
    eprintln!("forged notifications: {tried} tried, {applied} applied");
    assert_eq!((tried, applied), (14, 0));

    // A refund Midtrans really made reaches the shop as a notification, is confirmed with the
    // status API, and is applied: partly, then in full.
    let before = get_json(format!("{}/simulator/stats", w.sim)).await.1["status_calls"]
        .as_u64()
        .unwrap();
    let answer = refund_at_midtrans(&w, order_id, Some(99_000)).await;
    assert_eq!(answer["transaction_status"], "partial_refund");
    let status = wait_for_status(&w, order_id, "partial_refund", Duration::from_secs(3)).await;
    assert_eq!(status["status_code"], "200");
    refund_at_midtrans(&w, order_id, None).await;
    wait_for_status(&w, order_id, "refund", Duration::from_secs(3)).await;
    let after = get_json(format!("{}/simulator/stats", w.sim)).await.1["status_calls"]
        .as_u64()
        .unwrap();
    assert!(
        after >= before + 2,
        "each refund was confirmed with the status API"
    );
}

/// A page on another site can POST text/plain or a form without a CORS preflight; only
/// `application/json` is taken, so it cannot create orders in a visitor's name.
#[tokio::test]
async fn json_endpoints_refuse_other_content_types() {
    let w = World::new(Options::default()).await;
    let order = r#"{"items":[{"id":"batik-tote","qty":1}],"device":"desktop"}"#;
    for content_type in [
        Some("text/plain"),
        Some("text/plain;charset=UTF-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        for path in [
            "/api/orders",
            "/api/midtrans/notification",
            "/api/test/faults",
        ] {
            let mut request = client().post(format!("{}{path}", w.shop)).body(order);
            if let Some(content_type) = content_type {
                request = request.header("content-type", content_type);
            }
            let (code, body) = json_of(request.send().await.unwrap()).await;
            assert_eq!(
                code,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "{path} {content_type:?}"
            );
            assert_eq!(body["status_code"], "415");
        }
    }
    let (_, stats) = get_json(format!("{}/simulator/stats", w.sim)).await;
    assert_eq!(stats["transactions"], 0, "no charge was made");
    // The same order as JSON is taken.
    let response = client()
        .post(format!("{}/api/orders", w.shop))
        .header("content-type", "application/json; charset=utf-8")
        .body(order)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn order_creation_is_rate_limited_per_client_with_retry_after() {
    let w = World::new(Options {
        limits: Limits {
            order_burst: 3,
            orders_per_minute: 2,
            ..Limits::default()
        },
        ..Options::default()
    })
    .await;
    for _ in 0..3 {
        buy(&w, "desktop").await;
    }
    let response = client()
        .post(format!("{}/api/orders", w.shop))
        .json(&json!({ "items": [{ "id": "batik-tote", "qty": 1 }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry_after), "{retry_after}");
    let (_, body) = json_of(response).await;
    assert_eq!(body["status_code"], "429");
    let (_, stats) = get_json(format!("{}/simulator/stats", w.sim)).await;
    assert_eq!(stats["transactions"], 3, "the refused order cost no charge");
    // The status of existing orders is not limited, and another client still may order.
    let other = reqwest::Client::builder()
        .local_address(Some("127.0.0.2".parse().unwrap()))
        .build()
        .unwrap();
    let response = other
        .post(format!("{}/api/orders", w.shop))
        .json(&json!({ "items": [{ "id": "batik-tote", "qty": 1 }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// Behind a load balancer every connection comes from its address: the shop reads the client
/// from X-Forwarded-For, but only when the connection comes from a proxy it trusts.
#[tokio::test]
async fn behind_a_trusted_proxy_the_order_limit_is_per_forwarded_client() {
    let w = World::new(Options {
        limits: Limits {
            order_burst: 2,
            orders_per_minute: 1,
            trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
            ..Limits::default()
        },
        ..Options::default()
    })
    .await;
    let order_from = |client: reqwest::Client, forwarded: &'static str| {
        let url = format!("{}/api/orders", w.shop);
        async move {
            client
                .post(url)
                .header("x-forwarded-for", forwarded)
                .json(&json!({ "items": [{ "id": "batik-tote", "qty": 1 }] }))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    // Through the proxy (127.0.0.1): each forwarded client has its own allowance, and what a
    // client writes on the left of the header is not believed.
    for _ in 0..2 {
        assert_eq!(order_from(client(), "203.0.113.7").await, StatusCode::OK);
    }
    assert_eq!(
        order_from(client(), "198.51.100.1, 203.0.113.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(order_from(client(), "198.51.100.1").await, StatusCode::OK);
    // Not through the proxy: the header is the client's own word, and ignored.
    let direct = || {
        reqwest::Client::builder()
            .local_address(Some("127.0.0.2".parse().unwrap()))
            .build()
            .unwrap()
    };
    assert_eq!(order_from(direct(), "192.0.2.1").await, StatusCode::OK);
    assert_eq!(order_from(direct(), "192.0.2.2").await, StatusCode::OK);
    assert_eq!(
        order_from(direct(), "192.0.2.3").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn static_files_never_follow_links_out_of_their_folders() {
    let mut w = World::new(Options::default()).await;
    let root = tempfile::tempdir().unwrap();
    let www = root.path().join("www");
    let outside = root.path().join("private");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.txt"), "the server key").unwrap();
    std::fs::write(www.join("shop.css"), "body {}").unwrap();
    std::os::unix::fs::symlink(outside.join("secret.txt"), www.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(&outside, www.join("private")).unwrap();
    std::os::unix::fs::symlink(www.join("shop.css"), www.join("alias.css")).unwrap();
    std::os::unix::fs::symlink(outside.join("secret.txt"), w.config.pkg_dir.join("leak.js"))
        .unwrap();
    // Links that never end: one naming itself, two naming each other, a folder inside itself.
    std::os::unix::fs::symlink(www.join("loop"), www.join("loop")).unwrap();
    std::os::unix::fs::symlink(www.join("pong"), www.join("ping")).unwrap();
    std::os::unix::fs::symlink(www.join("ping"), www.join("pong")).unwrap();
    std::os::unix::fs::symlink(www.join("ping"), www.join("dir")).unwrap();
    w.stop_shop().await;
    w.config.www_dir = www;
    w.restart_shop().await;
    for path in [
        "/leak.txt",
        "/private/secret.txt",
        "/pkg/leak.js",
        "/%6Ceak.txt",
        "/loop",
        "/ping",
        "/dir/index.html",
        "/loop/",
    ] {
        let response = client()
            .get(format!("{}{path}", w.shop))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(!response.text().await.unwrap().contains("server key"));
    }
    for path in ["/shop.css", "/alias.css", "/pkg/index.js"] {
        let response = client()
            .get(format!("{}{path}", w.shop))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
}

/// Reads from `stream` until the server closes it; how long that took.
async fn closed_after(stream: &mut tokio::net::TcpStream, within: Duration) -> Option<Duration> {
    use tokio::io::AsyncReadExt;
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout_at((started + within).into(), stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

#[tokio::test]
async fn slow_and_idle_clients_are_closed_and_connections_are_capped() {
    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpStream;
    let w = World::new(Options {
        limits: Limits {
            header_read_timeout: Duration::from_secs(1),
            request_timeout: Duration::from_secs(1),
            max_connections: 4,
            ..Limits::default()
        },
        ..Options::default()
    })
    .await;
    // Headers trickled a byte at a time, too slowly: closed after the header timeout.
    let mut slow = TcpStream::connect(w.shop_addr).await.unwrap();
    let trickle = tokio::spawn(async move {
        for byte in b"GET /api/config HTTP/1.1\r\nHost: shop\r\n" {
            if slow.write_all(&[*byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        slow
    });
    // Connected, never a byte: closed too.
    let mut idle = TcpStream::connect(w.shop_addr).await.unwrap();
    let idle_for = closed_after(&mut idle, Duration::from_secs(4)).await;
    assert!(
        idle_for.is_some_and(|t| t >= Duration::from_millis(800)),
        "{idle_for:?}"
    );
    let mut slow = trickle.await.unwrap();
    assert!(closed_after(&mut slow, Duration::from_secs(1))
        .await
        .is_some());

    // A body that never finishes: answered 408 after the request timeout.
    let mut stalled = TcpStream::connect(w.shop_addr).await.unwrap();
    stalled
        .write_all(
            b"POST /api/orders HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"items\":",
        )
        .await
        .unwrap();
    let mut answer = Vec::new();
    let started = Instant::now();
    {
        use tokio::io::AsyncReadExt;
        let mut buf = [0u8; 512];
        while let Ok(Ok(n)) =
            tokio::time::timeout(Duration::from_secs(4), stalled.read(&mut buf)).await
        {
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
            if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(3));
    drop(stalled);
    tokio::time::sleep(Duration::from_millis(100)).await;

    // Four connections fill the shop; a fifth client waits until the timeout frees a slot.
    let mut holders = Vec::new();
    for _ in 0..4 {
        holders.push(TcpStream::connect(w.shop_addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let (code, _) = get_json(format!("{}/api/config", w.shop)).await;
    let waited = started.elapsed();
    assert_eq!(code, StatusCode::OK);
    assert!(
        waited >= Duration::from_millis(500) && waited < Duration::from_secs(3),
        "the fifth connection was served after {waited:?}"
    );
}

/// A shop killed between storing an order and storing its charge leaves it `created`, while
/// Midtrans may hold a live charge for it. The next start settles each one (on PostgreSQL,
/// once the orders are older than twice the charge timeout: another instance might still be
/// charging them).
#[tokio::test]
async fn orders_left_without_their_charge_are_reconciled_at_start_up() {
    let mut w = World::new(Options {
        charge_timeout: Duration::from_secs(1),
        ..Options::default()
    })
    .await;
    w.stop_shop().await;
    // The state a crash leaves: orders stored, charges made (or not) at Midtrans, none stored.
    let db = gopay_demo::db::Db::open(&w.config.store()).await.unwrap();
    let items = json!([{ "id": "kopi-gula-aren", "qty": 1 }]);
    for order_id in ["SHOP-1-PENDING", "SHOP-1-NEVERCHARGED", "SHOP-1-PAID"] {
        db.insert(&gopay_demo::db::NewOrder {
            order_id,
            device: "desktop",
            payment_type: "qris",
            gross_amount: "45000.00",
            items: &items,
        })
        .await
        .unwrap();
    }
    support::charge_at_midtrans(&w.sim, KEY, "SHOP-1-PENDING").await;
    support::charge_at_midtrans(&w.sim, KEY, "SHOP-1-PAID").await;
    simulator(&w, "SHOP-1-PAID", "pay").await;
    // Their endpoints know nothing yet.
    assert_eq!(db.orders_without_charge(None).await.unwrap().len(), 3);
    drop(db);

    w.restart_shop().await;
    let cancelled = wait_for_status(&w, "SHOP-1-PENDING", "cancel", Duration::from_secs(5)).await;
    assert!(cancelled["transaction_id"].is_string());
    let (_, at_midtrans) =
        get_json(format!("{}/simulator/transactions/SHOP-1-PENDING", w.sim)).await;
    assert_eq!(
        at_midtrans["transaction_status"], "cancel",
        "cancelled there"
    );
    wait_for_status(&w, "SHOP-1-PAID", "settlement", Duration::from_secs(5)).await;
    let db = gopay_demo::db::Db::open(&w.config.store()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while db
        .get("SHOP-1-NEVERCHARGED")
        .await
        .unwrap()
        .unwrap()
        .transaction_status
        != "charge_failed"
    {
        assert!(Instant::now() < deadline, "never marked failed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        db.orders_without_charge(None).await.unwrap().is_empty(),
        "no orphan left"
    );
    // Unknown to Midtrans: no payment to show.
    let (code, _) = shop_status(&w, "SHOP-1-NEVERCHARGED").await;
    assert_eq!(code, StatusCode::NOT_FOUND);
}

/// Stands between the shop and the simulator like a gateway that loses the charge's answer:
/// every request goes through, but a charge is answered with an HTML 502 page.
async fn lossy_gateway(sim: String) -> String {
    use axum::response::IntoResponse;
    let bad_gateway: support::ChargeHook = std::sync::Arc::new(|| {
        Box::pin(async {
            Some(
                (
                    axum::http::StatusCode::BAD_GATEWAY,
                    "<html><body>502 Bad Gateway</body></html>",
                )
                    .into_response(),
            )
        })
    });
    support::midtrans_relay(sim, bad_gateway).await
}

/// A charge that reached Midtrans but whose answer was lost leaves a live transaction the
/// customer never saw: the shop finds it with the status API and cancels it.
#[tokio::test]
async fn a_charge_whose_answer_was_lost_is_found_and_cancelled() {
    let mut w = World::new(Options::default()).await;
    let gateway = lossy_gateway(w.sim.clone()).await;
    w.stop_shop().await;
    w.config.midtrans_base_url = gateway;
    w.restart_shop().await;
    let (code, body) = create_order(&w, "desktop", json!([{ "id": "batik-tote", "qty": 1 }])).await;
    assert_eq!(code, StatusCode::BAD_GATEWAY, "{body}");
    let (_, all) = get_json(format!("{}/simulator/transactions", w.sim)).await;
    let all = all["transactions"].as_array().unwrap().clone();
    assert_eq!(all.len(), 1, "the charge reached Midtrans");
    let order_id = all[0]["order_id"].as_str().unwrap();
    let deadline = Instant::now() + Duration::from_secs(8);
    loop {
        let (_, at_midtrans) =
            get_json(format!("{}/simulator/transactions/{order_id}", w.sim)).await;
        if at_midtrans["transaction_status"] == "cancel" {
            break;
        }
        assert!(Instant::now() < deadline, "still live: {at_midtrans}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_for_status(&w, order_id, "cancel", Duration::from_secs(2)).await;
}

async fn retry_order(w: &World, order_id: &str) -> (StatusCode, Value) {
    let response = client()
        .post(format!("{}/api/orders/{order_id}/retry", w.shop))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    json_of(response).await
}

/// "Get a new QR": an order that failed or expired is ordered again by the shop, from the lines
/// it stored, as a new order with a charge of its own; one that can still be paid, or was paid,
/// is not.
#[tokio::test]
async fn a_failed_order_is_ordered_again_as_a_new_charge() {
    let w = World::new(Options::default()).await;
    let charge = buy(&w, "phone").await;
    let order_id = charge["order_id"].as_str().unwrap();
    let (code, body) = retry_order(&w, order_id).await;
    assert_eq!(code, StatusCode::CONFLICT, "still payable: {body}");
    simulator(&w, order_id, "deny").await;
    wait_for_status(&w, order_id, "deny", Duration::from_secs(3)).await;
    let (code, again) = retry_order(&w, order_id).await;
    assert_eq!(code, StatusCode::OK, "{again}");
    assert_eq!(again["status_code"], "201");
    assert_ne!(again["order_id"], charge["order_id"]);
    assert_eq!(again["gross_amount"], charge["gross_amount"]);
    assert_eq!(again["payment_type"], "gopay", "the same kind of device");
    let new_id = again["order_id"].as_str().unwrap();
    wait_for_status(&w, new_id, "pending", Duration::from_secs(3)).await;

    simulator(&w, new_id, "pay").await;
    wait_for_status(&w, new_id, "settlement", Duration::from_secs(3)).await;
    let (code, body) = retry_order(&w, new_id).await;
    assert_eq!(code, StatusCode::CONFLICT, "paid: {body}");
    assert_eq!(body["status_message"], "This order was paid");

    assert_eq!(
        retry_order(&w, "SHOP-0-NOSUCH").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(retry_order(&w, "a%20b").await.0, StatusCode::BAD_REQUEST);
    let response = client()
        .post(format!("{}/api/orders/{order_id}/retry", w.shop))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

/// A connection to the shop from `ip` (any of 127.0.0.0/8 reaches loopback). A reset can come
/// before the connect call returns.
async fn connect_from(ip: [u8; 4], shop: SocketAddr) -> std::io::Result<tokio::net::TcpStream> {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((ip, 0))).unwrap();
    socket.connect(shop).await
}

/// Pipelined answers of a large file to a client that reads none of them: once the buffers
/// are full and nothing moves for the write timeout, the shop resets the connection (and its
/// place goes to the next client); a client that does read, even slowly, gets everything.
#[tokio::test]
async fn a_client_that_stops_reading_is_reset_after_the_write_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let w = World::new(Options {
        limits: Limits {
            write_timeout: Duration::from_secs(1),
            max_connections: 1,
            ..Limits::default()
        },
        ..Options::default()
    })
    .await;
    const SIZE: usize = 1 << 20;
    std::fs::write(w.config.pkg_dir.join("big.bin"), vec![7u8; SIZE]).unwrap();
    let request = "GET /pkg/big.bin HTTP/1.1\r\nHost: shop\r\n\r\n";

    let mut deaf = tokio::net::TcpStream::connect(w.shop_addr).await.unwrap();
    deaf.write_all(request.repeat(40).as_bytes()).await.unwrap();
    let started = Instant::now();
    // The reset is seen without reading (reading would let the shop write again).
    let reset_after = loop {
        if let Some(error) = deaf.take_error().unwrap() {
            assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset);
            break Some(started.elapsed());
        }
        if started.elapsed() > Duration::from_secs(6) {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(
        reset_after.is_some_and(|t| t >= Duration::from_secs(1) && t < Duration::from_secs(3)),
        "a client reading nothing of 40 pipelined answers was reset after {reset_after:?}"
    );
    // The only connection the shop allows is free again.
    let (code, _) = tokio::time::timeout(
        Duration::from_secs(2),
        get_json(format!("{}/api/config", w.shop)),
    )
    .await
    .expect("answered once the deaf client was let go");
    assert_eq!(code, StatusCode::OK);

    // Eight answers read 512 KiB at a time with pauses: longer in all than the write timeout,
    // but never a second without progress.
    let mut slow = tokio::net::TcpStream::connect(w.shop_addr).await.unwrap();
    let last = "GET /pkg/big.bin HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n";
    slow.write_all(format!("{}{last}", request.repeat(7)).as_bytes())
        .await
        .unwrap();
    let started = Instant::now();
    let mut received = 0;
    let mut buf = vec![0u8; 64 * 1024];
    let end = loop {
        let mut chunk = 0;
        let end = loop {
            match slow.read(&mut buf).await {
                Ok(0) => break Some(Ok(())),
                Ok(n) => chunk += n,
                Err(error) => break Some(Err(error)),
            }
            if chunk >= 512 * 1024 {
                break None;
            }
        };
        received += chunk;
        if let Some(end) = end {
            break end;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(end.is_ok(), "{end:?} after {received} bytes");
    assert!(received > 8 * SIZE, "{received} bytes");
    assert!(
        started.elapsed() > Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

/// One address opening more connections than its cap gets the excess reset as soon as they
/// are accepted, not queued where they would hold up other clients; a client from another
/// address is answered at once, and a place given back can be used again.
#[tokio::test]
async fn one_address_holds_at_most_its_cap_and_others_are_answered_promptly() {
    let w = World::new(Options {
        limits: Limits {
            max_connections: 8,
            max_connections_per_client: 4,
            ..Limits::default()
        },
        ..Options::default()
    })
    .await;
    let mut hog = Vec::new();
    for _ in 0..12 {
        hog.push(connect_from([127, 0, 0, 2], w.shop_addr).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut held = Vec::new();
    let mut closed = 0;
    for stream in hog {
        match stream {
            Ok(mut stream) => match closed_after(&mut stream, Duration::from_millis(200)).await {
                Some(_) => closed += 1,
                None => held.push(stream),
            },
            Err(error) => {
                assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset);
                closed += 1;
            }
        }
    }
    assert_eq!((held.len(), closed), (4, 8), "connections held and closed");

    let other = |ip: [u8; 4]| {
        reqwest::Client::builder()
            .local_address(std::net::IpAddr::from(ip))
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap()
    };
    let started = Instant::now();
    let answer = other([127, 0, 0, 3])
        .get(format!("{}/api/config", w.shop))
        .send()
        .await;
    let waited = started.elapsed();
    assert_eq!(answer.map(|a| a.status()).ok(), Some(StatusCode::OK));
    assert!(
        waited < Duration::from_millis(500),
        "answered after {waited:?}"
    );

    // The cap counts open connections: one closed, the address is served again.
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let answer = other([127, 0, 0, 2])
        .get(format!("{}/api/config", w.shop))
        .send()
        .await;
    assert_eq!(answer.map(|a| a.status()).ok(), Some(StatusCode::OK));
}

/// The shop sets its accept queue's size: with one connection allowed and held, the kernel
/// completes only as many more as the queue holds (one over it), and drops the SYNs of the
/// rest. tokio's queue of 1024 would take all ten.
#[tokio::test]
async fn the_accept_queue_has_the_size_the_shop_sets() {
    let w = World::new(Options {
        limits: Limits {
            max_connections: 1,
            listen_queue: 4,
            ..Limits::default()
        },
        ..Options::default()
    })
    .await;
    let mut held = tokio::net::TcpStream::connect(w.shop_addr).await.unwrap();
    {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        held.write_all(b"GET /api/config HTTP/1.1\r\nHost: shop\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 16];
        held.read_exact(&mut buf).await.unwrap();
        assert!(
            buf.starts_with(b"HTTP/1.1 200"),
            "the held connection was accepted"
        );
    }
    let mut waiting = Vec::new();
    let mut dropped = 0;
    for _ in 0..10 {
        let connect = tokio::net::TcpStream::connect(w.shop_addr);
        match tokio::time::timeout(Duration::from_millis(300), connect).await {
            Ok(stream) => waiting.push(stream.unwrap()),
            Err(_) => dropped += 1,
        }
    }
    assert_eq!((waiting.len(), dropped), (5, 5), "completed and dropped");
}

/// The payment page's package path: `/static/gopay-widget/{version}/`.
fn package_base(page: &str) -> String {
    let start = page
        .find("/static/gopay-widget/")
        .expect("the page names the versioned package");
    let url = &page[start
        ..page[start..]
            .find('"')
            .map_or(page.len(), |end| start + end)];
    url[..=url.rfind('/').expect("a folder")].to_string()
}

/// Served like a fast site: the package under a name that changes with its content, cached
/// for a year; its precompressed copies sent to a browser that accepts them; the page and the
/// JSON compressed on the way out.
#[tokio::test]
async fn the_package_is_served_precompressed_under_a_versioned_name_cached_for_a_year() {
    let w = World::new(Options::default()).await;
    let pkg = w.config.pkg_dir.clone();
    let entry = std::fs::read(pkg.join("index.js")).unwrap();
    // The build's brotli copy (any bytes do: the shop sends them as they are).
    std::fs::write(pkg.join("index.js.br"), b"precompressed entry").unwrap();
    let charge = buy(&w, "desktop").await;
    let order_id = charge["order_id"].as_str().unwrap();
    let fetch = |path: String, encoding: Option<&'static str>| {
        let mut request = client().get(format!("{}{path}", w.shop));
        if let Some(encoding) = encoding {
            request = request.header("accept-encoding", encoding);
        }
        request.send()
    };
    let page = fetch(format!("/?order={order_id}"), None).await.unwrap();
    assert!(page.headers().get("content-encoding").is_none());
    let page = page.text().await.unwrap();
    let base = package_base(&page);
    for hint in [
        format!(r#"<script type="module" src="{base}index.js""#),
        format!(r#"<link rel="modulepreload" href="{base}pure.js">"#),
        format!(r#"href="{base}gopay_widget_wasm_bg.wasm""#),
        format!(r#"href="{base}gopay-widget.css""#),
    ] {
        assert!(page.contains(&hint), "{hint}");
    }

    let versioned = fetch(format!("{base}index.js"), Some("br, gzip"))
        .await
        .unwrap();
    assert_eq!(versioned.status(), StatusCode::OK);
    assert_eq!(versioned.headers()["content-encoding"], "br");
    assert_eq!(
        versioned.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        &versioned.bytes().await.unwrap()[..],
        b"precompressed entry"
    );
    let plain = fetch(format!("{base}index.js"), None).await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.unwrap(), entry);
    let stale = fetch(
        "/static/gopay-widget/0123456789abcdef/index.js".into(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(stale.status(), StatusCode::NOT_FOUND);

    // The page, the JSON and the shop's own files, compressed whole for a browser that
    // accepts it and sent with their length: no chunk framing on the wire.
    for (path, encoding) in [
        (format!("/?order={order_id}"), "br"),
        (format!("/api/orders/{order_id}"), "gzip"),
        (format!("/api/orders/{order_id}/status"), "br"),
        ("/shop.js".to_string(), "gzip, deflate, br"),
    ] {
        let compressed = fetch(path.clone(), Some(encoding)).await.unwrap();
        let expected = if encoding == "gzip" { "gzip" } else { "br" };
        assert_eq!(compressed.headers()["content-encoding"], expected, "{path}");
        assert_eq!(compressed.headers()["vary"], "accept-encoding", "{path}");
        assert!(
            compressed.headers().get("transfer-encoding").is_none(),
            "{path} is sent whole"
        );
        let length: usize = compressed.headers()["content-length"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(compressed.bytes().await.unwrap().len(), length, "{path}");
    }

    // A rebuilt package is a new name; the old one is gone.
    std::fs::write(
        pkg.join("index.js"),
        "export async function mount() { /* v2 */ }\n",
    )
    .unwrap();
    let page = fetch(format!("/?order={order_id}"), None)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let rebuilt = package_base(&page);
    assert_ne!(rebuilt, base);
    let old = fetch(format!("{base}index.js"), None).await.unwrap();
    assert_eq!(old.status(), StatusCode::NOT_FOUND);
    let new = fetch(format!("{rebuilt}index.js"), None).await.unwrap();
    assert_eq!(new.status(), StatusCode::OK);
}

//! Several instances of the shop, each the real `gopay-demo` binary in a process of its own, on
//! one PostgreSQL database and one Midtrans simulator: a merchant's checkout behind a load
//! balancer. Notifications reach whichever instance a relay picks, as Midtrans reaches
//! whichever one the load balancer does.
//!
//! They need the database `TEST_DATABASE_URL` names (`make test-postgres` starts one); without
//! it each test says so on standard error and does nothing else.

mod support;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gopay_simulator::signature_key;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::net::TcpListener;

const KEY: &str = "SB-Mid-server-TEST-ONLY-instances";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An address nothing listens on.
fn dead_url() -> String {
    format!("http://127.0.0.1:{}/", free_port())
}

/// One shop process. Killed (SIGKILL) when dropped.
struct Shop {
    url: String,
    process: Option<Child>,
    log: PathBuf,
}

impl Shop {
    /// SIGKILL: no shutdown, no request finished, nothing given back.
    fn kill(&mut self) {
        if let Some(mut process) = self.process.take() {
            let _ = process.kill();
            let _ = process.wait();
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Shop {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Where notifications go: each to the next instance in turn, or past it to the one after when
/// it does not answer, as a load balancer does.
async fn round_robin(shops: Vec<String>) -> String {
    use axum::body::Bytes;
    use axum::extract::State;
    use axum::http::HeaderMap;
    use axum::response::{IntoResponse, Response};
    type Targets = Arc<(Vec<String>, AtomicUsize)>;
    async fn relay(State(targets): State<Targets>, headers: HeaderMap, body: Bytes) -> Response {
        let (shops, next) = &*targets;
        let first = next.fetch_add(1, Ordering::Relaxed);
        for i in 0..shops.len() {
            let shop = &shops[(first + i) % shops.len()];
            let mut request = client()
                .post(format!("{shop}/api/midtrans/notification"))
                .body(body.clone());
            if let Some(kind) = headers.get("content-type") {
                request = request.header("content-type", kind.to_str().unwrap_or_default());
            }
            if let Ok(answer) = request.send().await {
                let status = answer.status().as_u16();
                let text = answer.text().await.unwrap_or_default();
                return (
                    axum::http::StatusCode::from_u16(status).unwrap(),
                    [("content-type", "application/json")],
                    text,
                )
                    .into_response();
            }
        }
        axum::http::StatusCode::BAD_GATEWAY.into_response()
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .fallback(relay)
        .with_state(Arc::new((shops, AtomicUsize::new(0))));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// Between one instance and Midtrans: every request goes through, but a charge's answer is
/// held for `delay` (counted in `held` meanwhile), so the instance can be killed after
/// Midtrans made a charge and before the instance stored it.
async fn slow_charges(sim: String, delay: Duration, held: Arc<AtomicUsize>) -> String {
    let hold: support::ChargeHook = Arc::new(move || {
        let held = held.clone();
        Box::pin(async move {
            held.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(delay).await;
            held.fetch_sub(1, Ordering::SeqCst);
            None
        })
    });
    support::midtrans_relay(sim, hold).await
}

async fn start_simulator(notify_url: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(gopay_simulator::serve(
        listener,
        gopay_simulator::Config {
            server_key: KEY.into(),
            notify_url,
            retry_first_delay: Duration::from_millis(100),
            retry_max_delay: Duration::from_millis(400),
            ..gopay_simulator::Config::default()
        },
        std::future::pending(),
    ));
    sim
}

/// Shops on one database: `ports` to listen on, each with its Midtrans URL, started all at
/// once (so they migrate the empty schema together), and answering once this returns.
struct Cluster {
    database_url: String,
    sim: String,
    shops: Vec<Shop>,
    _dir: tempfile::TempDir,
}

/// Settings of every test shop; `extra` adds or overrides.
fn shop_env(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = [
        ("MIDTRANS_SERVER_KEY", KEY),
        ("SHOP_TEST_CONTROLS", "1"),
        ("SHOP_ORDER_BURST", "100000"),
        ("SHOP_ORDERS_PER_MINUTE", "100000"),
        ("SHOP_MAX_CONNECTIONS_PER_CLIENT", "2000"),
        ("SHOP_CHARGE_TIMEOUT_SECONDS", "2"),
        ("SHOP_RECONCILE_EVERY_SECONDS", "1"),
        ("SHOP_DB_POOL_SIZE", "5"),
        ("RUST_LOG", "info"),
        ("NO_COLOR", "1"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (name, value) in extra {
        env.retain(|(k, _)| k != name);
        env.push((name.to_string(), value.to_string()));
    }
    env
}

impl Cluster {
    /// On a new schema of the test database.
    async fn start(
        ports: &[u16],
        midtrans: &[String],
        sim: String,
        env: &[(String, String)],
    ) -> Cluster {
        let url = support::test_database_url().expect("checked by the caller");
        let database_url = support::scratch_schema(&url).await;
        Cluster::start_on(database_url, ports, midtrans, sim, env).await
    }

    async fn start_on(
        database_url: String,
        ports: &[u16],
        midtrans: &[String],
        sim: String,
        env: &[(String, String)],
    ) -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("pkg");
        std::fs::create_dir(&pkg).unwrap();
        let mut shops = Vec::new();
        for (i, (port, base)) in ports.iter().zip(midtrans).enumerate() {
            let log = dir.path().join(format!("shop-{i}.log"));
            let process = Command::new(env!("CARGO_BIN_EXE_gopay-demo"))
                .env("SHOP_ADDR", format!("127.0.0.1:{port}"))
                .env("DATABASE_URL", &database_url)
                .env("MIDTRANS_BASE_URL", base)
                .env("SHOP_PKG_DIR", &pkg)
                .env(
                    "SHOP_WWW_DIR",
                    concat!(env!("CARGO_MANIFEST_DIR"), "/../www"),
                )
                .envs(env.iter().map(|(k, v)| (k, v)))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).unwrap())
                .spawn()
                .unwrap();
            shops.push(Shop {
                url: format!("http://127.0.0.1:{port}"),
                process: Some(process),
                log,
            });
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        for shop in &shops {
            while client()
                .get(format!("{}/api/config", shop.url))
                .send()
                .await
                .is_err()
            {
                assert!(
                    Instant::now() < deadline,
                    "{} never started: {}",
                    shop.url,
                    shop.log()
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        Cluster {
            database_url,
            sim,
            shops,
            _dir: dir,
        }
    }

    async fn sql(&self) -> tokio_postgres::Client {
        let (client, connection) =
            tokio_postgres::connect(&self.database_url, tokio_postgres::NoTls)
                .await
                .unwrap();
        tokio::spawn(connection);
        client
    }

    async fn status_calls(&self) -> u64 {
        get_json(format!("{}/simulator/stats", self.sim)).await.1["status_calls"]
            .as_u64()
            .unwrap()
    }

    /// Every transaction the simulator holds.
    async fn at_midtrans(&self) -> Vec<Value> {
        get_json(format!("{}/simulator/transactions", self.sim))
            .await
            .1["transactions"]
            .as_array()
            .unwrap()
            .clone()
    }
}

fn skip(test: &str) -> bool {
    if support::test_database_url().is_some() {
        return false;
    }
    eprintln!("{test}: skipped, TEST_DATABASE_URL is not set (make test-postgres sets it)");
    true
}

async fn get_json(url: impl reqwest::IntoUrl) -> (StatusCode, Value) {
    let response = client().get(url).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn create_order(shop: &str) -> Result<(StatusCode, Value), reqwest::Error> {
    let response = client()
        .post(format!("{shop}/api/orders"))
        .json(&json!({ "items": [{ "id": "batik-tote", "qty": 1 }], "device": "desktop" }))
        .send()
        .await?;
    let status = response.status();
    Ok((status, response.json().await?))
}

async fn buy(shop: &str) -> Value {
    let (status, charge) = create_order(shop).await.unwrap();
    assert_eq!(status, StatusCode::OK, "{charge}");
    charge
}

async fn status_of(shop: &str, order_id: &str) -> (StatusCode, Value) {
    get_json(format!("{shop}/api/orders/{order_id}/status")).await
}

async fn pay(sim: &str, order_id: &str) {
    let response = client()
        .post(format!("{sim}/simulator/transactions/{order_id}/pay"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn duplicate_settlements_spread_over_three_instances_are_applied_once() {
    if skip("duplicate_settlements") {
        return;
    }
    // The test delivers the notifications itself.
    let sim = start_simulator(dead_url()).await;
    let ports = [free_port(), free_port(), free_port()];
    let c = Cluster::start(
        &ports,
        &[sim.clone(), sim.clone(), sim.clone()],
        sim,
        &shop_env(&[]),
    )
    .await;
    let charge = buy(&c.shops[0].url).await;
    let order_id = charge["order_id"].as_str().unwrap().to_string();
    pay(&c.sim, &order_id).await;
    let amount = charge["gross_amount"].as_str().unwrap();
    let settlement = json!({
        "transaction_time": charge["transaction_time"],
        "transaction_status": "settlement",
        "transaction_id": charge["transaction_id"],
        "status_message": "midtrans payment notification",
        "status_code": "200",
        "signature_key": signature_key(&order_id, "200", amount, KEY),
        "payment_type": "qris",
        "order_id": order_id,
        "gross_amount": amount,
        "fraud_status": "accept",
    });
    let before = c.status_calls().await;
    let mut deliveries = tokio::task::JoinSet::new();
    for i in 0..200 {
        let url = format!("{}/api/midtrans/notification", c.shops[i % 3].url);
        let body = settlement.clone();
        deliveries.spawn(async move {
            let response = client().post(url).json(&body).send().await.unwrap();
            let code = response.status();
            (code, response.json::<Value>().await.unwrap())
        });
    }
    let (mut applied, mut acknowledged, mut retry) = (0, 0, 0);
    while let Some(delivery) = deliveries.join_next().await {
        let (code, body) = delivery.unwrap();
        match code {
            StatusCode::OK => acknowledged += 1,
            StatusCode::SERVICE_UNAVAILABLE => retry += 1,
            other => panic!("unexpected {other}: {body}"),
        }
        applied += usize::from(body["applied"] == true);
    }
    let calls = c.status_calls().await - before;
    eprintln!(
        "200 duplicate settlements over 3 instances: {applied} applied, {acknowledged} answered \
         200, {retry} answered 503 (sent again by Midtrans), {calls} Midtrans status calls"
    );
    assert_eq!(applied, 1);
    assert_eq!(calls, 1, "one confirmation across the instances");
    for shop in &c.shops {
        let (code, status) = status_of(&shop.url, &order_id).await;
        assert_eq!(code, StatusCode::OK);
        assert_eq!(status["transaction_status"], "settlement", "{}", shop.url);
        assert_eq!(status["status_code"], "200");
    }
}

#[tokio::test]
async fn an_order_placed_on_one_instance_is_answered_by_every_instance() {
    if skip("answered_by_every_instance") {
        return;
    }
    let ports = [free_port(), free_port(), free_port()];
    let urls: Vec<String> = ports
        .iter()
        .map(|p| format!("http://127.0.0.1:{p}"))
        .collect();
    let sim = start_simulator(format!("{}/", round_robin(urls).await)).await;
    let c = Cluster::start(
        &ports,
        &[sim.clone(), sim.clone(), sim.clone()],
        sim,
        &shop_env(&[]),
    )
    .await;
    let charge = buy(&c.shops[0].url).await;
    let order_id = charge["order_id"].as_str().unwrap().to_string();
    let before = c.status_calls().await;
    for shop in &c.shops[1..] {
        let (code, stored) = get_json(format!("{}/api/orders/{order_id}", shop.url)).await;
        assert_eq!(code, StatusCode::OK);
        assert_eq!(
            stored, charge,
            "the charge as the first instance received it"
        );
    }
    // Thirty polls spread over the instances within the refresh interval (2 s): they share one
    // table of status calls, so Midtrans is asked once in all.
    for i in 0..30 {
        let (code, status) = status_of(&c.shops[i % 3].url, &order_id).await;
        assert_eq!(code, StatusCode::OK, "{status}");
        assert_eq!(status["transaction_status"], "pending");
        assert_eq!(status["transaction_id"], charge["transaction_id"]);
    }
    let calls = c.status_calls().await - before;
    assert_eq!(calls, 1, "polls on three instances, one Midtrans call");

    pay(&c.sim, &order_id).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    for shop in &c.shops {
        loop {
            let (_, status) = status_of(&shop.url, &order_id).await;
            if status["transaction_status"] == "settlement" {
                break;
            }
            assert!(Instant::now() < deadline, "{}: {status}", shop.url);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    // The page a customer reloads is drawn by any instance.
    let page = client()
        .get(format!("{}/?order={order_id}", c.shops[2].url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&order_id), "the order's payment is drawn in");
}

#[tokio::test]
async fn an_instance_killed_mid_burst_loses_no_acknowledged_order_and_leaves_no_orphan() {
    if skip("killed_mid_burst") {
        return;
    }
    let ports = [free_port(), free_port(), free_port()];
    let urls: Vec<String> = ports
        .iter()
        .map(|p| format!("http://127.0.0.1:{p}"))
        .collect();
    let sim = start_simulator(format!("{}/", round_robin(urls).await)).await;
    // The instance to be killed reaches Midtrans through a gateway that holds charges' answers
    // for a second: when it dies, Midtrans holds charges it never stored.
    let held = Arc::new(AtomicUsize::new(0));
    let slow = slow_charges(sim.clone(), Duration::from_secs(1), held.clone()).await;
    let mut c = Cluster::start(
        &ports,
        &[sim.clone(), slow, sim.clone()],
        sim,
        &shop_env(&[]),
    )
    .await;
    let doomed = c.shops[1].url.clone();

    let orders = 150;
    let concurrency = Arc::new(tokio::sync::Semaphore::new(15));
    let mut burst = tokio::task::JoinSet::new();
    for i in 0..orders {
        let shop = c.shops[i % 3].url.clone();
        let permit = concurrency.clone().acquire_owned().await.unwrap();
        burst.spawn(async move {
            let answer = create_order(&shop).await;
            drop(permit);
            (shop, answer)
        });
        if i == 60 {
            // Mid-burst, while the doomed instance waits for some of its charges' answers.
            let deadline = Instant::now() + Duration::from_secs(10);
            while held.load(Ordering::SeqCst) < 3 {
                assert!(
                    Instant::now() < deadline,
                    "no charge of the doomed instance in flight"
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            c.shops[1].kill();
        }
    }
    let mut acknowledged = Vec::new();
    let (mut failed, mut failed_charges) = (0, 0);
    while let Some(outcome) = burst.join_next().await {
        match outcome.unwrap() {
            (_, Ok((StatusCode::OK, body))) => {
                acknowledged.push(body["order_id"].as_str().unwrap().to_string())
            }
            // A survivor that could not charge in time says so (502); the order is settled by
            // the reconcile like any other that was not acknowledged.
            (shop, Ok((StatusCode::BAD_GATEWAY, _))) if shop != doomed => failed_charges += 1,
            (shop, Ok((code, body))) => panic!("{shop} answered {code}: {body}"),
            // Connections to the killed instance: refused, or cut mid-request.
            (shop, Err(_)) => {
                assert_eq!(shop, doomed, "only the killed instance may fail");
                failed += 1;
            }
        }
    }
    let sql = c.sql().await;
    let left_over: i64 = sql
        .query_one(
            "SELECT count(*) FROM orders WHERE charge IS NULL \
             AND transaction_status IN ('created', 'pending')",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    eprintln!(
        "SIGKILL mid-burst: {orders} orders sent, {} acknowledged, {failed} failed with the \
         killed instance, {failed_charges} answered 502 by a survivor, {left_over} stored \
         without their charge",
        acknowledged.len()
    );
    assert!(failed > 0, "the kill landed mid-burst");

    // Every acknowledged order is answered by the survivors.
    let survivors = [c.shops[0].url.clone(), c.shops[2].url.clone()];
    for order_id in &acknowledged {
        for shop in &survivors {
            let (code, status) = status_of(shop, order_id).await;
            assert_eq!(code, StatusCode::OK, "{order_id} lost: {status}");
        }
    }
    // Every charge Midtrans holds becomes known to the shop: the left-over orders are
    // reconciled by a surviving instance (cancelled at Midtrans, as nobody saw their QR).
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut orphans = Vec::new();
        for transaction in c.at_midtrans().await {
            let order_id = transaction["order_id"].as_str().unwrap();
            if status_of(&survivors[0], order_id).await.0 == StatusCode::NOT_FOUND {
                orphans.push(order_id.to_string());
            }
        }
        let open: i64 = sql
            .query_one(
                "SELECT count(*) FROM orders WHERE charge IS NULL \
                 AND transaction_status IN ('created', 'pending')",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if orphans.is_empty() && open == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} orphans ({orphans:?}), {open} orders still without their charge",
            orphans.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let cancelled = c
        .at_midtrans()
        .await
        .iter()
        .filter(|t| t["transaction_status"] == "cancel")
        .count();
    // At least the three whose answers the gateway held when the instance died.
    assert!(cancelled >= 3, "the charges it never stored are cancelled");
    let reconciled_by: Vec<&str> = [&c.shops[0], &c.shops[2]]
        .iter()
        .filter(|shop| shop.log().contains("reconciled "))
        .map(|shop| shop.url.as_str())
        .collect();
    assert!(!reconciled_by.is_empty(), "a survivor reconciled them");
    eprintln!(
        "after the kill: 0 acknowledged orders lost, 0 orphans, {cancelled} charges cancelled \
         at Midtrans, reconciled by {reconciled_by:?}"
    );
}

#[tokio::test]
async fn the_reconcile_runs_on_one_instance_and_is_taken_over_when_its_holder_dies() {
    if skip("reconcile_lease") {
        return;
    }
    let url = support::test_database_url().unwrap();
    let database_url = support::scratch_schema(&url).await;
    // No notifications: every status call is the reconcile's own.
    let sim = start_simulator(dead_url()).await;
    // What a crashed instance leaves behind: orders stored long ago without their charge, five
    // of them charged at Midtrans, and the reconcile lease it held.
    let db = gopay_demo::db::Db::open(&gopay_demo::db::Store::Postgres {
        url: database_url.clone(),
        pool_size: 2,
    })
    .await
    .unwrap();
    let items = json!([{ "id": "kopi-gula-aren", "qty": 1 }]);
    let ids: Vec<String> = (0..8).map(|i| format!("SHOP-1-LEFT{i}")).collect();
    for (i, order_id) in ids.iter().enumerate() {
        db.insert(&gopay_demo::db::NewOrder {
            order_id,
            device: "desktop",
            payment_type: "qris",
            gross_amount: "45000.00",
            items: &items,
        })
        .await
        .unwrap();
        if i < 5 {
            support::charge_at_midtrans(&sim, KEY, order_id).await;
        }
    }
    drop(db);
    let (sql, connection) = tokio_postgres::connect(&database_url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    sql.batch_execute(
        "UPDATE orders SET created_at = now() - interval '1 hour';
         INSERT INTO leases (name, holder, expires_at)
            VALUES ('reconcile', 'crashed-instance', now() + interval '1 hour');",
    )
    .await
    .unwrap();

    let ports = [free_port(), free_port(), free_port()];
    let c = Cluster::start_on(
        database_url,
        &ports,
        &[sim.clone(), sim.clone(), sim.clone()],
        sim,
        &shop_env(&[]),
    )
    .await;
    let open = || async {
        sql.query_one(
            "SELECT count(*) FROM orders WHERE charge IS NULL \
             AND transaction_status IN ('created', 'pending')",
            &[],
        )
        .await
        .unwrap()
        .get::<_, i64>(0)
    };
    // The instances are up, each has looked at its start and looks every second. The dead
    // instance's lease runs out in 2 s; until then nobody reconciles.
    sql.batch_execute("UPDATE leases SET expires_at = now() + interval '2 seconds'")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(open().await, 8);
    assert_eq!(c.status_calls().await, 0);
    // Then one of them takes the lease over and reconciles each order once.
    let deadline = Instant::now() + Duration::from_secs(10);
    while open().await > 0 {
        assert!(Instant::now() < deadline, "never reconciled");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Passes that come after find nothing left.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let took_over: Vec<&str> = c
        .shops
        .iter()
        .filter(|shop| shop.log().contains("reconciling 8 orders"))
        .map(|shop| shop.url.as_str())
        .collect();
    let calls = c.status_calls().await;
    let cancelled = c
        .at_midtrans()
        .await
        .iter()
        .filter(|t| t["transaction_status"] == "cancel")
        .count();
    eprintln!(
        "reconcile lease: taken over after the dead holder's expiry by {took_over:?}; \
         {calls} status calls for 8 orders, {cancelled} cancelled"
    );
    assert_eq!(took_over.len(), 1, "one instance reconciled them");
    assert_eq!(calls, 8, "each order asked about once");
    assert_eq!(cancelled, 5);
    let failed: i64 = sql
        .query_one(
            "SELECT count(*) FROM orders WHERE transaction_status = 'charge_failed'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(failed, 3, "unknown to Midtrans");
}

#[tokio::test]
async fn the_order_limit_holds_across_instances() {
    if skip("order_limit") {
        return;
    }
    let sim = start_simulator(dead_url()).await;
    let ports = [free_port(), free_port(), free_port()];
    let env = shop_env(&[("SHOP_ORDER_BURST", "3"), ("SHOP_ORDERS_PER_MINUTE", "2")]);
    let c = Cluster::start(&ports, &[sim.clone(), sim.clone(), sim.clone()], sim, &env).await;
    for shop in &c.shops {
        buy(&shop.url).await;
    }
    // The burst of three is used up on three instances: the fourth order is refused on any.
    let response = client()
        .post(format!("{}/api/orders", c.shops[0].url))
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
    // Another address has an allowance of its own.
    let other = reqwest::Client::builder()
        .local_address(Some("127.0.0.2".parse().unwrap()))
        .build()
        .unwrap();
    let response = other
        .post(format!("{}/api/orders", c.shops[1].url))
        .json(&json!({ "items": [{ "id": "batik-tote", "qty": 1 }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

//! The shop's log on a disk that is full: every line fails to be written, and no request may
//! fail for it. The real binary runs with its standard output and error on `/dev/full`.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::net::TcpListener;

const KEY: &str = "SB-Mid-server-TEST-ONLY-log";

struct Shop(Child);

impl Drop for Shop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn full_disk() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full"),
    )
}

#[tokio::test]
async fn every_stored_order_is_answered_when_the_log_cannot_be_written() {
    // The log really cannot be written here.
    {
        use std::io::Write;
        let mut full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        assert!(writeln!(full, "a log line").is_err());
    }
    let dir = tempfile::tempdir().unwrap();
    let sim_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim = format!("http://{}", sim_listener.local_addr().unwrap());
    let port = free_port();
    let shop = format!("http://127.0.0.1:{port}");
    tokio::spawn(gopay_simulator::serve(
        sim_listener,
        gopay_simulator::Config {
            server_key: KEY.into(),
            notify_url: format!("{shop}/api/midtrans/notification"),
            retry_first_delay: Duration::from_millis(100),
            retry_max_delay: Duration::from_millis(200),
            ..gopay_simulator::Config::default()
        },
        std::future::pending(),
    ));
    let pkg = dir.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    let _shop = Shop(
        Command::new(env!("CARGO_BIN_EXE_gopay-demo"))
            .env("SHOP_ADDR", format!("127.0.0.1:{port}"))
            .env("SHOP_DB", dir.path().join("shop.db"))
            .env("SHOP_PKG_DIR", &pkg)
            .env(
                "SHOP_WWW_DIR",
                concat!(env!("CARGO_MANIFEST_DIR"), "/../www"),
            )
            .env("MIDTRANS_SERVER_KEY", KEY)
            .env("MIDTRANS_BASE_URL", &sim)
            .env("SHOP_ORDER_BURST", "1000")
            .env("RUST_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(full_disk())
            .stderr(full_disk())
            .spawn()
            .unwrap(),
    );
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while http.get(format!("{shop}/api/config")).send().await.is_err() {
        assert!(Instant::now() < deadline, "the shop never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let mut answered = 0;
    let mut orders = Vec::new();
    for _ in 0..40 {
        let response = http
            .post(format!("{shop}/api/orders"))
            .json(&json!({ "items": [{ "id": "batik-tote", "qty": 1 }], "device": "desktop" }))
            .send()
            .await
            .expect("an answer, not a dropped connection");
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, 200, "{body}");
        answered += 1;
        orders.push(body["order_id"].as_str().unwrap().to_string());
    }
    // Each is stored, and the simulator's notifications (logged on arrival) are answered:
    // the pending one of each order, then a payment confirmed with Midtrans.
    for order_id in &orders {
        let (status, body) = {
            let r = http
                .get(format!("{shop}/api/orders/{order_id}/status"))
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        };
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["transaction_status"], "pending");
    }
    let paid = &orders[0];
    let pay = http
        .post(format!("{sim}/simulator/transactions/{paid}/pay"))
        .send()
        .await
        .unwrap();
    assert_eq!(pay.status(), 200);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let tx: Value = http
            .get(format!("{sim}/simulator/transactions/{paid}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let delivered = tx["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["transaction_status"] == "settlement" && n["delivered"] == true);
        if delivered {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the settlement notification was never answered: {tx}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("log on a full disk: 40 orders charged and stored, {answered} answered 200");
}

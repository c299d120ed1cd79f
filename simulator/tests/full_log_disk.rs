//! The simulator's log on a disk that is full: every line fails to be written, and no call may
//! fail for it. The real binary runs with its standard output and error on `/dev/full`.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
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
async fn every_call_is_answered_when_the_log_cannot_be_written() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let _sim = Running(
        Command::new(env!("CARGO_BIN_EXE_gopay-simulator"))
            .env("SIMULATOR_ADDR", format!("127.0.0.1:{port}"))
            // Notifications go nowhere: each failed delivery is logged too.
            .env("SIMULATOR_NOTIFY_URL", "http://127.0.0.1:9/")
            .env("RUST_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(full_disk())
            .stderr(full_disk())
            .spawn()
            .unwrap(),
    );
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while http
        .get(format!("{base}/simulator/stats"))
        .send()
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "the simulator never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let key = gopay_simulator::LOCAL_SERVER_KEY;
    for i in 0..40 {
        let order_id = format!("LOG-{}-{i}", std::process::id());
        let payment_type = if i % 2 == 0 { "qris" } else { "gopay" };
        let charge = http
            .post(format!("{base}/v2/charge"))
            .basic_auth(key, Some(""))
            .json(&json!({
                "payment_type": payment_type,
                "transaction_details": { "order_id": order_id, "gross_amount": 10_000 },
            }))
            .send()
            .await
            .expect("an answer, not a dropped connection");
        assert_eq!(charge.status(), 200, "{}", charge.text().await.unwrap());
        let action = if i % 3 == 0 { "deny" } else { "pay" };
        let moved = http
            .post(format!("{base}/simulator/transactions/{order_id}/{action}"))
            .send()
            .await
            .unwrap();
        assert_eq!(moved.status(), 200);
        let status: Value = http
            .get(format!("{base}/v2/{order_id}/status"))
            .basic_auth(key, Some(""))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let expected = if action == "pay" {
            "settlement"
        } else {
            "deny"
        };
        assert_eq!(status["transaction_status"], expected, "{status}");
    }
}

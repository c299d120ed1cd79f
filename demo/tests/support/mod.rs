//! What the shop's tests share: a store of their own for each test.

// Each test file uses part of it.
#![allow(dead_code)]

/// The database the tests run against when `TEST_DATABASE_URL` names one (`make test` starts a
/// throwaway PostgreSQL cluster and sets it); otherwise SQLite.
pub fn test_database_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// A URL for a new, empty schema of the test database: each test gets its own, so tests stay
/// independent and run in parallel.
pub async fn scratch_schema(url: &str) -> String {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("TEST_DATABASE_URL must reach a database");
    tokio::spawn(connection);
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).unwrap();
    let schema = format!("test_{}", hex::encode(random));
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .unwrap();
    let joint = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joint}options=-c%20search_path%3D{schema}")
}

/// A schema of its own in the test database for a test's shop, when there is one; `None`
/// means the shop keeps its SQLite file.
pub async fn scratch_database_url() -> Option<String> {
    Some(scratch_schema(&test_database_url()?).await)
}

/// What a relay does with a charge's answer from Midtrans: `Some` answers the shop instead,
/// `None` passes the answer on (after whatever the hook waited for).
pub type ChargeHook = std::sync::Arc<
    dyn Fn() -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Option<axum::response::Response>> + Send>,
        > + Send
        + Sync,
>;

/// Stands between a shop and Midtrans (the simulator at `sim`), as a gateway would: every
/// request goes through, and a charge's answer meets `on_charge` on its way back. Answers the
/// relay's URL.
pub async fn midtrans_relay(sim: String, on_charge: ChargeHook) -> String {
    use axum::extract::{Request, State};
    use axum::response::{IntoResponse, Response};
    async fn relay(
        State((sim, on_charge)): State<(String, ChargeHook)>,
        request: Request,
    ) -> Response {
        let (parts, body) = request.into_parts();
        let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
        let mut out = reqwest::Client::new()
            .request(parts.method.clone(), format!("{sim}{}", parts.uri.path()))
            .header("content-type", "application/json")
            .body(body.to_vec());
        if let Some(auth) = parts.headers.get("authorization") {
            out = out.header("authorization", auth.to_str().unwrap());
        }
        let answer = out.send().await.unwrap();
        let status = answer.status().as_u16();
        let text = answer.text().await.unwrap();
        if parts.uri.path() == "/v2/charge" {
            if let Some(instead) = on_charge().await {
                return instead;
            }
        }
        (
            axum::http::StatusCode::from_u16(status).unwrap(),
            [("content-type", "application/json")],
            text,
        )
            .into_response()
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .fallback(relay)
        .with_state((sim, on_charge));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// A QRIS charge of Rp45,000 for `order_id` made at Midtrans (the simulator at `sim`) directly,
/// as a shop that died before storing it would have left it.
pub async fn charge_at_midtrans(sim: &str, server_key: &str, order_id: &str) {
    let response = reqwest::Client::new()
        .post(format!("{sim}/v2/charge"))
        .basic_auth(server_key, Some(""))
        .json(&serde_json::json!({
            "payment_type": "qris",
            "transaction_details": { "order_id": order_id, "gross_amount": 45000 },
            "qris": { "acquirer": "gopay" },
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
}

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

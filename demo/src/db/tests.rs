//! The storage rules, run against SQLite and, when `TEST_DATABASE_URL` is set, PostgreSQL.

use std::sync::Arc;

use super::*;
use crate::status;

/// A fresh store of each kind: a SQLite file, and a PostgreSQL schema of its own in the
/// database `TEST_DATABASE_URL` names, when it is set.
struct Scratch {
    store: Store,
    _dir: Option<tempfile::TempDir>,
}

async fn scratch() -> Vec<Scratch> {
    let dir = tempfile::tempdir().unwrap();
    let mut stores = vec![Scratch {
        store: Store::Sqlite(dir.path().join("shop.db")),
        _dir: Some(dir),
    }];
    if let Some(url) = scratch_postgres().await {
        stores.push(Scratch {
            store: Store::Postgres { url, pool_size: 8 },
            _dir: None,
        });
    }
    stores
}

/// A URL for a new, empty schema in the test database.
async fn scratch_postgres() -> Option<String> {
    let url = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("TEST_DATABASE_URL");
    tokio::spawn(connection);
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).unwrap();
    let schema = format!("unit_{}", hex::encode(random));
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .unwrap();
    let joint = if url.contains('?') { '&' } else { '?' };
    Some(format!("{url}{joint}options=-c%20search_path%3D{schema}"))
}

async fn postgres_only() -> Option<Store> {
    Some(Store::Postgres {
        url: scratch_postgres().await?,
        pool_size: 8,
    })
}

/// `task(i)` for each `i` in `0..n`, all spawned at once; their results, in the order they end.
async fn at_once<T, F, Fut>(n: usize, task: F) -> Vec<T>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        tasks.spawn(task(i));
    }
    tasks.join_all().await
}

/// The shop's PostgreSQL storage itself, when a test database is set.
async fn postgres_db() -> Option<(Store, postgres::Db)> {
    let store = postgres_only().await?;
    let Db::Postgres(db) = Db::open(&store).await.unwrap() else {
        unreachable!()
    };
    Some((store, db))
}

/// A plain client of the test database, to look at what the storage wrote.
async fn sql_client(store: &Store) -> tokio_postgres::Client {
    let Store::Postgres { url, .. } = store else {
        unreachable!()
    };
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

fn update(status: &str, code: &str) -> Update {
    Update {
        transaction_status: status.into(),
        status_code: Some(code.into()),
        transaction_id: Some("tid-1".into()),
        ..Update::default()
    }
}

async fn new_order(db: &Db, id: &str) {
    db.insert(&NewOrder {
        order_id: id,
        device: "desktop",
        payment_type: "qris",
        gross_amount: "45000.00",
        items: &json!([{ "id": "kopi-gula-aren", "qty": 1 }]),
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn orders_survive_reopening_the_store() {
    for scratch in scratch().await {
        let store = &scratch.store;
        {
            let db = Db::open(store).await.unwrap();
            new_order(&db, "A-1").await;
            let charge = r#"{"status_code":"201","transaction_id":"tid-1"}"#;
            db.charge_created("A-1", charge, &update("pending", "201"))
                .await
                .unwrap();
            db.apply("A-1", &update("settlement", "200")).await.unwrap();
        }
        let db = Db::open(store).await.unwrap();
        let order = db.get("A-1").await.unwrap().unwrap();
        assert_eq!(order.transaction_status, "settlement", "{store:?}");
        assert_eq!(order.status_code.as_deref(), Some("200"));
        assert_eq!(order.transaction_id.as_deref(), Some("tid-1"));
        assert_eq!(
            order.charge.as_deref(),
            Some(r#"{"status_code":"201","transaction_id":"tid-1"}"#)
        );
        assert_eq!(order.items, json!([{ "id": "kopi-gula-aren", "qty": 1 }]));
        assert!(db.get("A-2").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn updates_keep_the_most_advanced_state() {
    for scratch in scratch().await {
        let db = Db::open(&scratch.store).await.unwrap();
        new_order(&db, "A-1").await;
        // A notification may arrive before the charge response is stored.
        assert_eq!(
            db.apply("A-1", &update("pending", "201")).await.unwrap(),
            Some((true, "pending".into()))
        );
        assert_eq!(
            db.get("A-1")
                .await
                .unwrap()
                .unwrap()
                .transaction_id
                .as_deref(),
            Some("tid-1")
        );
        assert!(!db
            .charge_created("A-1", "{}", &update("pending", "201"))
            .await
            .unwrap());
        assert_eq!(
            db.apply("A-1", &update("settlement", "200")).await.unwrap(),
            Some((true, "settlement".into()))
        );
        assert_eq!(
            db.apply("A-1", &update("expire", "202")).await.unwrap(),
            Some((false, "settlement".into()))
        );
        assert_eq!(
            db.apply("A-1", &update("pending", "201")).await.unwrap(),
            Some((false, "settlement".into()))
        );
        let order = db.get("A-1").await.unwrap().unwrap();
        assert_eq!(order.status_code.as_deref(), Some("200"));
        assert_eq!(
            db.apply("nope", &update("pending", "201")).await.unwrap(),
            None
        );
    }
}

#[tokio::test]
async fn missing_details_fill_in_without_moving_the_status() {
    for scratch in scratch().await {
        let db = Db::open(&scratch.store).await.unwrap();
        new_order(&db, "A-1").await;
        let bare = Update {
            transaction_status: "pending".into(),
            status_code: Some("201".into()),
            ..Update::default()
        };
        assert_eq!(
            db.apply("A-1", &bare).await.unwrap(),
            Some((true, "pending".into()))
        );
        let detailed = Update {
            transaction_time: Some("2026-01-01 10:00:00".into()),
            expiry_time: Some("2026-01-01 10:15:00".into()),
            ..update("pending", "201")
        };
        assert_eq!(
            db.apply("A-1", &detailed).await.unwrap(),
            Some((false, "pending".into()))
        );
        let order = db.get("A-1").await.unwrap().unwrap();
        assert_eq!(order.transaction_id.as_deref(), Some("tid-1"));
        assert_eq!(order.expiry_time.as_deref(), Some("2026-01-01 10:15:00"));
        // Details already known are never replaced.
        let other = Update {
            transaction_id: Some("tid-2".into()),
            ..update("pending", "201")
        };
        db.apply("A-1", &other).await.unwrap();
        let order = db.get("A-1").await.unwrap().unwrap();
        assert_eq!(order.transaction_id.as_deref(), Some("tid-1"));
    }
}

#[tokio::test]
async fn orders_without_a_charge_are_found() {
    for scratch in scratch().await {
        let db = Db::open(&scratch.store).await.unwrap();
        for id in ["A-1", "A-2", "A-3", "A-4", "A-5"] {
            new_order(&db, id).await;
        }
        db.charge_created("A-2", "{}", &update("pending", "201"))
            .await
            .unwrap();
        db.charge_failed("A-3").await.unwrap();
        // A notification told the shop of the charge, but its response was never stored.
        db.apply("A-4", &update("pending", "201")).await.unwrap();
        db.apply("A-5", &update("settlement", "200")).await.unwrap();
        assert_eq!(
            db.orders_without_charge(None).await.unwrap(),
            ["A-1", "A-4"]
        );
        // Only those stored long enough ago: a charge may still be on its way.
        let old_enough = db
            .orders_without_charge(Some(Duration::from_secs(60)))
            .await
            .unwrap();
        assert!(old_enough.is_empty(), "{old_enough:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            db.orders_without_charge(Some(Duration::from_millis(200)))
                .await
                .unwrap(),
            ["A-1", "A-4"]
        );
    }
}

async fn status_of(db: &Db) -> String {
    db.get("A-1").await.unwrap().unwrap().transaction_status
}

#[tokio::test]
async fn a_failed_charge_is_recorded_but_does_not_block_a_later_notification() {
    for scratch in scratch().await {
        let db = Db::open(&scratch.store).await.unwrap();
        new_order(&db, "A-1").await;
        db.charge_failed("A-1").await.unwrap();
        assert_eq!(status_of(&db).await, status::CHARGE_FAILED);
        db.apply("A-1", &update("pending", "201")).await.unwrap();
        assert_eq!(status_of(&db).await, "pending");
        // A late failure report never overwrites a real status.
        db.charge_failed("A-1").await.unwrap();
        assert_eq!(status_of(&db).await, "pending");
    }
}

/// The same settlement applied 40 times at once, on as many connections as the pool has,
/// for each of five orders: one of each forty applies it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_duplicates_are_applied_once() {
    for scratch in scratch().await {
        let db = Arc::new(Db::open(&scratch.store).await.unwrap());
        // Every connection of the pool open, so that the duplicates meet in the database
        // rather than one after the other as connections open.
        at_once(16, |_| {
            let db = db.clone();
            async move { db.get("A-1").await.unwrap() }
        })
        .await;
        for order in ["A-1", "A-2", "A-3", "A-4", "A-5"] {
            new_order(&db, order).await;
            db.apply(order, &update("pending", "201")).await.unwrap();
            let start = Arc::new(tokio::sync::Barrier::new(40));
            let outcomes = at_once(40, |_| {
                let db = db.clone();
                let start = start.clone();
                async move {
                    start.wait().await;
                    db.apply(order, &update("settlement", "200"))
                        .await
                        .unwrap()
                        .unwrap()
                }
            })
            .await;
            let mut applied = 0;
            for (changed, now) in outcomes {
                assert_eq!(now, "settlement");
                applied += usize::from(changed);
            }
            assert_eq!(applied, 1, "{order} on {:?}", scratch.store);
        }
    }
}

#[tokio::test]
async fn instances_starting_together_migrate_the_schema_once() {
    let Some(store) = postgres_only().await else {
        return;
    };
    for started in at_once(4, |_| {
        let store = store.clone();
        async move { Db::open(&store).await.map(|_| ()) }
    })
    .await
    {
        started.unwrap();
    }
    let client = sql_client(&store).await;
    let versions: Vec<i32> = client
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(versions, [1]);
    // A database a newer shop migrated is refused, not misread.
    client
        .execute(
            "INSERT INTO schema_migrations (version, name) VALUES (999, 'from the future')",
            &[],
        )
        .await
        .unwrap();
    let refused = Db::open(&store).await.err().unwrap().to_string();
    assert!(refused.contains("schema version 999"), "{refused}");
}

#[tokio::test]
async fn a_status_call_is_single_flight_and_rate_bounded_on_the_database_clock() {
    let Some((_, db)) = postgres_db().await else {
        return;
    };
    let interval = Duration::from_millis(400);
    let hold = Duration::from_secs(10);
    let claim = |order: &'static str, holder: i64| {
        let db = db.clone();
        async move {
            db.claim_status_call("confirm", order, interval, hold, holder)
                .await
                .unwrap()
        }
    };
    // Twenty claims at once: one is granted.
    let mut granted = Vec::new();
    for claimed in at_once(20, |holder| claim("A", holder as i64)).await {
        match claimed {
            postgres::Claimed::Granted => granted.push(()),
            postgres::Claimed::InFlight => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(granted.len(), 1);
    assert_eq!(claim("A", 99).await, postgres::Claimed::InFlight);
    assert_eq!(claim("B", 99).await, postgres::Claimed::Granted);
    // Released by someone who does not hold it: still in flight.
    db.release_status_call("confirm", "A", 12345).await.unwrap();
    assert_eq!(claim("A", 99).await, postgres::Claimed::InFlight);
    // The other purpose has a slot of its own.
    assert_eq!(
        db.claim_status_call("refresh", "A", interval, hold, 1)
            .await
            .unwrap(),
        postgres::Claimed::Granted
    );
    for holder in 0..20 {
        db.release_status_call("confirm", "A", holder)
            .await
            .unwrap();
    }
    match claim("A", 99).await {
        postgres::Claimed::TooSoon(left) => assert!(left <= interval, "{left:?}"),
        other => panic!("asked again within the interval: {other:?}"),
    }
    tokio::time::sleep(interval + Duration::from_millis(50)).await;
    assert_eq!(claim("A", 99).await, postgres::Claimed::Granted);
    // A holder that dies leaves its slot for at most its hold.
    let short = Duration::from_millis(300);
    assert_eq!(
        db.claim_status_call("confirm", "C", interval, short, 1)
            .await
            .unwrap(),
        postgres::Claimed::Granted
    );
    assert_eq!(claim("C", 2).await, postgres::Claimed::InFlight);
    tokio::time::sleep(interval.max(short) + Duration::from_millis(50)).await;
    assert_eq!(claim("C", 2).await, postgres::Claimed::Granted);
    // Slots idle for longer than the interval given are forgotten.
    assert_eq!(claim("D", 1).await, postgres::Claimed::Granted);
    db.release_status_call("confirm", "D", 1).await.unwrap();
    assert!(matches!(claim("D", 1).await, postgres::Claimed::TooSoon(_)));
    assert_eq!(db.prune(interval).await.unwrap(), 0);
    db.release_status_call("confirm", "B", 99).await.unwrap();
    assert_eq!(db.prune(Duration::ZERO).await.unwrap(), 2, "B and D");
    assert_eq!(claim("D", 1).await, postgres::Claimed::Granted);
}

#[tokio::test]
async fn a_lease_has_one_holder_until_it_expires_or_is_given_back() {
    let Some((store, db)) = postgres_db().await else {
        return;
    };
    let ttl = Duration::from_millis(400);
    let taken = at_once(10, |i| {
        let db = db.clone();
        async move {
            db.take_lease("reconcile", &format!("shop-{i}"), ttl)
                .await
                .unwrap()
        }
    })
    .await;
    assert_eq!(taken.iter().filter(|&&t| t).count(), 1);
    let holder: String = sql_client(&store)
        .await
        .query_one("SELECT holder FROM leases WHERE name = 'reconcile'", &[])
        .await
        .unwrap()
        .get(0);
    let other = if holder == "shop-0" {
        "shop-1"
    } else {
        "shop-0"
    };
    assert!(!db.take_lease("reconcile", other, ttl).await.unwrap());
    // Its holder renews it; another takes it only once it has expired.
    assert!(db.take_lease("reconcile", &holder, ttl).await.unwrap());
    assert!(!db.take_lease("reconcile", other, ttl).await.unwrap());
    tokio::time::sleep(ttl + Duration::from_millis(50)).await;
    assert!(db.take_lease("reconcile", other, ttl).await.unwrap());
    assert!(!db.take_lease("reconcile", &holder, ttl).await.unwrap());
    // Given back, it is free at once; a release by a former holder changes nothing.
    db.release_lease("reconcile", &holder).await.unwrap();
    assert!(!db.take_lease("reconcile", &holder, ttl).await.unwrap());
    db.release_lease("reconcile", other).await.unwrap();
    assert!(db.take_lease("reconcile", &holder, ttl).await.unwrap());
}

#[tokio::test]
async fn the_order_allowance_is_a_burst_then_one_per_interval() {
    let Some((_, db)) = postgres_db().await else {
        return;
    };
    let every = Duration::from_millis(500);
    let outcomes = at_once(10, |_| {
        let db = db.clone();
        async move {
            db.take_order_allowance("203.0.113.7", every, 3)
                .await
                .unwrap()
        }
    })
    .await;
    let taken = outcomes.iter().filter(|o| o.is_none()).count();
    assert_eq!(taken, 3, "a burst of 3");
    let wait = db
        .take_order_allowance("203.0.113.7", every, 3)
        .await
        .unwrap()
        .expect("refused");
    assert!(wait <= every, "{wait:?}");
    assert!(db
        .take_order_allowance("198.51.100.1", every, 3)
        .await
        .unwrap()
        .is_none());
    tokio::time::sleep(wait + Duration::from_millis(20)).await;
    assert!(db
        .take_order_allowance("203.0.113.7", every, 3)
        .await
        .unwrap()
        .is_none());
    assert!(db
        .take_order_allowance("203.0.113.7", every, 3)
        .await
        .unwrap()
        .is_some());
}

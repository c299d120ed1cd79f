//! Orders in PostgreSQL, for a shop that runs as several instances on one database. Each rule
//! that one process keeps with a mutex or a table in memory is decided by the database here,
//! in one statement, so that it holds whichever instance a request lands on:
//!
//! - a status moves only forward: one conditional `UPDATE ... WHERE status_rank < $rank`.
//!   Under READ COMMITTED, concurrent updates of one row queue on its row lock, and each
//!   evaluates its `WHERE` again on the row as the one before it left it, so of any number of
//!   duplicates delivered to any number of instances exactly one is applied;
//! - a Midtrans status call per order is single-flight and rate-bounded (`status_calls`);
//! - the reconcile runs on one instance at a time (`leases`);
//! - the per-client order limit (`order_allowances`).
//!
//! Every time is the database's `now()`, never an instance's own clock.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use serde_json::Value;
use tokio_postgres::{NoTls, Row};

use super::{Error, NewOrder, Order, Result, Update};
use crate::status;

/// The schema, oldest first. Applied at start-up, each once, in one transaction.
const MIGRATIONS: &[(i32, &str, &str)] = &[(
    1,
    "orders, status calls, leases, order allowances",
    include_str!("../../migrations/0001_orders.sql"),
)];

/// A pool of connections; cloning it shares the pool.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
}

const COLUMNS: &str = "order_id, device, payment_type, gross_amount, charge, transaction_id, \
     transaction_status, status_code, transaction_time, expiry_time, settlement_time, items";

fn order(row: &Row) -> Order {
    Order {
        order_id: row.get(0),
        device: row.get(1),
        payment_type: row.get(2),
        gross_amount: row.get(3),
        charge: row.get(4),
        transaction_id: row.get(5),
        transaction_status: row.get(6),
        status_code: row.get(7),
        transaction_time: row.get(8),
        expiry_time: row.get(9),
        settlement_time: row.get(10),
        items: serde_json::from_str(row.get(11)).unwrap_or(Value::Null),
    }
}

fn rank(status: &str) -> i16 {
    i16::from(status::rank(status))
}

fn seconds(duration: Duration) -> f64 {
    duration.as_secs_f64()
}

/// A length of time the database computed, in seconds; never negative.
fn duration(secs: f64) -> Duration {
    Duration::try_from_secs_f64(secs.max(0.0)).unwrap_or(Duration::MAX)
}

/// What the database says to a claim of a status call.
#[derive(Debug, PartialEq)]
pub enum Claimed {
    Granted,
    InFlight,
    TooSoon(Duration),
}

impl Db {
    /// Connects a pool of at most `pool_size` connections to `url` (a `postgres://` URL) and
    /// brings the schema up to date.
    pub async fn connect(url: &str, pool_size: usize) -> Result<Db> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| Error::Config(format!("DATABASE_URL: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        if config.get_application_name().is_none() {
            // So that pg_stat_activity tells the shop's connections from others.
            config.application_name("gopay-demo");
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(1))
            .runtime(Runtime::Tokio1)
            // A request waits this long for a connection when all are busy, then fails (500)
            // rather than queueing without end behind a stuck database.
            .wait_timeout(Some(Duration::from_secs(5)))
            .create_timeout(Some(Duration::from_secs(5)))
            .recycle_timeout(Some(Duration::from_secs(5)))
            .build()
            .map_err(|e| Error::Config(format!("connection pool: {e}")))?;
        let db = Db { pool };
        db.migrate().await?;
        Ok(db)
    }

    async fn client(&self) -> Result<deadpool_postgres::Client> {
        self.pool.get().await.map_err(|e| match e {
            deadpool_postgres::PoolError::Backend(e) => Error::Postgres(e),
            other => Error::Pool(other.to_string()),
        })
    }

    /// Applies the migrations this database lacks. Instances that start together queue on an
    /// advisory lock held for the transaction; the first applies them, the others find them
    /// applied. The lock is per schema, so shops in separate schemas of one database do not
    /// wait on each other.
    async fn migrate(&self) -> Result<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext('gopay-demo migrations ' || current_schema()))",
            &[],
        )
        .await?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )",
        )
        .await?;
        let applied: Vec<i32> = tx
            .query("SELECT version FROM schema_migrations", &[])
            .await?
            .iter()
            .map(|row| row.get(0))
            .collect();
        let known = MIGRATIONS.iter().map(|m| m.0).max().unwrap_or(0);
        if let Some(newer) = applied.iter().copied().filter(|v| *v > known).max() {
            return Err(Error::Schema(format!(
                "the database is at schema version {newer}, newer than this shop's {known}: \
                 run a shop at least as new as the one that migrated it"
            )));
        }
        for (version, name, sql) in MIGRATIONS {
            if applied.contains(version) {
                continue;
            }
            tx.batch_execute(sql).await?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                &[version, name],
            )
            .await?;
            tracing::info!("database schema: applied migration {version} ({name})");
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn insert(&self, order: &NewOrder<'_>) -> Result<()> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(
                "INSERT INTO orders (order_id, device, payment_type, gross_amount, items, \
                 transaction_status, status_rank) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .await?;
        client
            .execute(
                &statement,
                &[
                    &order.order_id,
                    &order.device,
                    &order.payment_type,
                    &order.gross_amount,
                    &order.items.to_string(),
                    &status::CREATED,
                    &rank(status::CREATED),
                ],
            )
            .await?;
        Ok(())
    }

    pub async fn get(&self, order_id: &str) -> Result<Option<Order>> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(&format!("SELECT {COLUMNS} FROM orders WHERE order_id = $1"))
            .await?;
        Ok(client
            .query_opt(&statement, &[&order_id])
            .await?
            .as_ref()
            .map(order))
    }

    /// Open orders whose charge response was never stored, stored at least `older_than` ago
    /// by the database's clock.
    pub async fn orders_without_charge(&self, older_than: Option<Duration>) -> Result<Vec<String>> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT order_id FROM orders WHERE charge IS NULL \
                 AND transaction_status IN ('created', 'pending') \
                 AND created_at <= now() - make_interval(secs => $1) ORDER BY created_at",
                &[&seconds(older_than.unwrap_or_default())],
            )
            .await?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    pub async fn charge_created(&self, order_id: &str, raw: &str, update: &Update) -> Result<bool> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached("UPDATE orders SET charge = $2, updated_at = now() WHERE order_id = $1")
            .await?;
        client.execute(&statement, &[&order_id, &raw]).await?;
        drop(client);
        Ok(self
            .apply(order_id, update)
            .await?
            .is_some_and(|(applied, _)| applied))
    }

    pub async fn charge_failed(&self, order_id: &str) -> Result<()> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(
                "UPDATE orders SET transaction_status = $2, updated_at = now() \
                 WHERE order_id = $1 AND transaction_status = $3",
            )
            .await?;
        client
            .execute(
                &statement,
                &[&order_id, &status::CHARGE_FAILED, &status::CREATED],
            )
            .await?;
        Ok(())
    }

    /// As the SQLite store's `apply`: the status when it advances the order, the details still
    /// missing always. The advance is one conditional UPDATE, so concurrent duplicates on any
    /// instances apply once; what else it reads is only reported.
    pub async fn apply(&self, order_id: &str, update: &Update) -> Result<Option<(bool, String)>> {
        let client = self.client().await?;
        let advance = client
            .prepare_cached(
                "UPDATE orders SET transaction_status = $2, status_rank = $3, status_code = $4,
                    settlement_time = COALESCE($5, settlement_time), updated_at = now(),
                    transaction_id = COALESCE(transaction_id, $6),
                    transaction_time = COALESCE(transaction_time, $7),
                    expiry_time = COALESCE(expiry_time, $8)
                 WHERE order_id = $1 AND status_rank < $3",
            )
            .await?;
        let advanced = client
            .execute(
                &advance,
                &[
                    &order_id,
                    &update.transaction_status,
                    &rank(&update.transaction_status),
                    &update.status_code,
                    &update.settlement_time,
                    &update.transaction_id,
                    &update.transaction_time,
                    &update.expiry_time,
                ],
            )
            .await?;
        if advanced == 1 {
            return Ok(Some((true, update.transaction_status.clone())));
        }
        // Not an advance: fill in what is missing (a notification that beat the charge
        // response), without a write when nothing is.
        let fill = client
            .prepare_cached(
                "UPDATE orders SET
                    transaction_id = COALESCE(transaction_id, $2),
                    transaction_time = COALESCE(transaction_time, $3),
                    expiry_time = COALESCE(expiry_time, $4)
                 WHERE order_id = $1 AND (
                    (transaction_id IS NULL AND $2::text IS NOT NULL)
                    OR (transaction_time IS NULL AND $3::text IS NOT NULL)
                    OR (expiry_time IS NULL AND $4::text IS NOT NULL))
                 RETURNING transaction_status",
            )
            .await?;
        let filled = client
            .query_opt(
                &fill,
                &[
                    &order_id,
                    &update.transaction_id,
                    &update.transaction_time,
                    &update.expiry_time,
                ],
            )
            .await?;
        if let Some(row) = filled {
            return Ok(Some((false, row.get(0))));
        }
        let current = client
            .prepare_cached("SELECT transaction_status FROM orders WHERE order_id = $1")
            .await?;
        Ok(client
            .query_opt(&current, &[&order_id])
            .await?
            .map(|row| (false, row.get(0))))
    }

    /// Claims the next status call of `purpose` about `order_id`: granted when none is in
    /// flight and the last started at least `interval` ago; held by `holder` for at most
    /// `hold` (a holder that dies frees it then). One statement: the insert-or-update takes
    /// the row's lock and checks both conditions on its latest version, so of any number of
    /// instances claiming at once one is granted. The rest is read from the row as it was
    /// when the statement began, to say why not.
    pub async fn claim_status_call(
        &self,
        purpose: &str,
        order_id: &str,
        interval: Duration,
        hold: Duration,
        holder: i64,
    ) -> Result<Claimed> {
        let client = self.client().await?;
        // Most claims find the slot taken (a poll every few seconds per widget, one call per
        // interval): a plain read says so without queueing on the row's lock.
        let look = client
            .prepare_cached(
                "SELECT held_until > now(), EXTRACT(EPOCH FROM
                    started_at + make_interval(secs => $3) - now())::float8
                 FROM status_calls WHERE purpose = $1 AND order_id = $2",
            )
            .await?;
        if let Some(row) = client
            .query_opt(&look, &[&purpose, &order_id, &seconds(interval)])
            .await?
        {
            let (in_flight, left): (bool, f64) = (row.get(0), row.get(1));
            if in_flight {
                return Ok(Claimed::InFlight);
            }
            if left > 0.0 {
                return Ok(Claimed::TooSoon(duration(left)));
            }
        }
        let statement = client
            .prepare_cached(
                "WITH claimed AS (
                    INSERT INTO status_calls AS c (purpose, order_id, started_at, held_until, holder)
                    VALUES ($1, $2, now(), now() + make_interval(secs => $4), $5)
                    ON CONFLICT (purpose, order_id) DO UPDATE
                        SET started_at = EXCLUDED.started_at, held_until = EXCLUDED.held_until,
                            holder = EXCLUDED.holder
                        WHERE c.held_until <= now()
                            AND c.started_at <= now() - make_interval(secs => $3)
                    RETURNING 1
                 )
                 SELECT EXISTS (SELECT 1 FROM claimed),
                    COALESCE(before.held_until > now(), false),
                    COALESCE(EXTRACT(EPOCH FROM
                        before.started_at + make_interval(secs => $3) - now())::float8, 0)
                 FROM (VALUES (1)) AS one
                 LEFT JOIN status_calls AS before
                    ON before.purpose = $1 AND before.order_id = $2",
            )
            .await?;
        let row = client
            .query_one(
                &statement,
                &[
                    &purpose,
                    &order_id,
                    &seconds(interval),
                    &seconds(hold),
                    &holder,
                ],
            )
            .await?;
        let (granted, in_flight, left): (bool, bool, f64) = (row.get(0), row.get(1), row.get(2));
        Ok(if granted {
            Claimed::Granted
        } else if !in_flight && left > 0.0 {
            Claimed::TooSoon(duration(left))
        } else {
            // In flight, or free in the snapshot the statement began with: another instance
            // took it in the meantime.
            Claimed::InFlight
        })
    }

    /// Ends `holder`'s status call: the order is free again once the interval has passed.
    pub async fn release_status_call(
        &self,
        purpose: &str,
        order_id: &str,
        holder: i64,
    ) -> Result<()> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(
                "UPDATE status_calls SET held_until = now() \
                 WHERE purpose = $1 AND order_id = $2 AND holder = $3",
            )
            .await?;
        client
            .execute(&statement, &[&purpose, &order_id, &holder])
            .await?;
        Ok(())
    }

    /// Takes (or extends, for its holder) the lease `name` for `ttl`, unless another holder's
    /// has not expired. Whether `holder` holds it now.
    pub async fn take_lease(&self, name: &str, holder: &str, ttl: Duration) -> Result<bool> {
        let client = self.client().await?;
        let taken = client
            .execute(
                "INSERT INTO leases AS l (name, holder, expires_at)
                 VALUES ($1, $2, now() + make_interval(secs => $3))
                 ON CONFLICT (name) DO UPDATE
                    SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
                    WHERE l.expires_at <= now() OR l.holder = EXCLUDED.holder",
                &[&name, &holder, &seconds(ttl)],
            )
            .await?;
        Ok(taken == 1)
    }

    /// Gives the lease back, so that any instance may take it at once.
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<()> {
        let client = self.client().await?;
        client
            .execute(
                "UPDATE leases SET expires_at = now() WHERE name = $1 AND holder = $2",
                &[&name, &holder],
            )
            .await?;
        Ok(())
    }

    /// Takes one order from `client`'s allowance (GCRA: one every `every`, `burst` at once):
    /// `None` when taken, or how long until the next one may be. One statement, as a claim.
    pub async fn take_order_allowance(
        &self,
        client_key: &str,
        every: Duration,
        burst: u32,
    ) -> Result<Option<Duration>> {
        let tolerance = every.saturating_mul(burst.max(1) - 1);
        let client = self.client().await?;
        let statement = client
            .prepare_cached(
                "WITH taken AS (
                    INSERT INTO order_allowances AS a (client, allowed_at)
                    VALUES ($1, now() + make_interval(secs => $2))
                    ON CONFLICT (client) DO UPDATE
                        SET allowed_at = GREATEST(a.allowed_at, now()) + make_interval(secs => $2)
                        WHERE GREATEST(a.allowed_at, now()) <= now() + make_interval(secs => $3)
                    RETURNING 1
                 )
                 SELECT EXISTS (SELECT 1 FROM taken),
                    COALESCE(EXTRACT(EPOCH FROM
                        before.allowed_at - now() - make_interval(secs => $3))::float8, 0)
                 FROM (VALUES (1)) AS one
                 LEFT JOIN order_allowances AS before ON before.client = $1",
            )
            .await?;
        let row = client
            .query_one(
                &statement,
                &[&client_key, &seconds(every), &seconds(tolerance)],
            )
            .await?;
        let (taken, wait): (bool, f64) = (row.get(0), row.get(1));
        Ok((!taken).then(|| duration(wait)))
    }

    /// Forgets status calls idle for longer than `interval` and clients whose allowance is
    /// full again, so that both tables hold only what still matters.
    pub async fn prune(&self, interval: Duration) -> Result<u64> {
        let client = self.client().await?;
        let calls = client
            .execute(
                "DELETE FROM status_calls WHERE held_until < now() \
                 AND started_at < now() - make_interval(secs => $1)",
                &[&seconds(interval)],
            )
            .await?;
        let clients = client
            .execute("DELETE FROM order_allowances WHERE allowed_at < now()", &[])
            .await?;
        Ok(calls + clients)
    }
}

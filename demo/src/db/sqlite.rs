//! Orders in an embedded SQLite file, for a shop that runs as one process. Every change is
//! committed before it is acknowledged, so a restarted shop knows every order and its last
//! status.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use super::{NewOrder, Order, Update};
use crate::status;

/// The schema this shop writes, in `PRAGMA user_version`. A file without it (0) was made by
/// a shop before the number was kept, with the same table.
const SCHEMA_VERSION: i64 = 1;

pub struct Db {
    conn: Mutex<Connection>,
}

pub type Result<T> = rusqlite::Result<T>;

const COLUMNS: &str = "order_id, device, payment_type, gross_amount, charge, transaction_id, \
     transaction_status, status_code, transaction_time, expiry_time, settlement_time, items";

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl Db {
    pub fn open(path: &Path) -> super::Result<Db> {
        let conn = Connection::open(path)?;
        // WAL lets status reads proceed during writes; FULL syncs every commit, since a payment
        // status acknowledged to Midtrans must survive a crash.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(Duration::from_secs(5))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(super::Error::Schema(format!(
                "the order file is at schema version {version}, newer than this shop's \
                 {SCHEMA_VERSION}: run a shop at least as new as the one that wrote it"
            )));
        }
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS orders (
                order_id TEXT PRIMARY KEY,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                device TEXT NOT NULL,
                payment_type TEXT NOT NULL,
                gross_amount TEXT NOT NULL,
                items TEXT NOT NULL,
                charge TEXT,
                transaction_id TEXT,
                transaction_status TEXT NOT NULL,
                status_code TEXT,
                transaction_time TEXT,
                expiry_time TEXT,
                settlement_time TEXT
            ) STRICT;",
        )?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        Ok(Db {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // Every change is one SQL transaction, so a panic elsewhere cannot leave it half done.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn insert(&self, order: &NewOrder<'_>) -> Result<()> {
        let now = now_ms();
        self.lock().execute(
            "INSERT INTO orders (order_id, created_at, updated_at, device, payment_type, \
             gross_amount, items, transaction_status) VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                order.order_id,
                now,
                order.device,
                order.payment_type,
                order.gross_amount,
                order.items.to_string(),
                status::CREATED
            ],
        )?;
        Ok(())
    }

    pub fn get(&self, order_id: &str) -> Result<Option<Order>> {
        let conn = self.lock();
        let mut statement =
            conn.prepare_cached(&format!("SELECT {COLUMNS} FROM orders WHERE order_id = ?1"))?;
        statement
            .query_row([order_id], |row| {
                Ok(Order {
                    order_id: row.get(0)?,
                    device: row.get(1)?,
                    payment_type: row.get(2)?,
                    gross_amount: row.get(3)?,
                    charge: row.get(4)?,
                    transaction_id: row.get(5)?,
                    transaction_status: row.get(6)?,
                    status_code: row.get(7)?,
                    transaction_time: row.get(8)?,
                    expiry_time: row.get(9)?,
                    settlement_time: row.get(10)?,
                    items: serde_json::from_str(&row.get::<_, String>(11)?).unwrap_or(Value::Null),
                })
            })
            .optional()
    }

    /// Open orders whose charge response was never stored (a run stopped between the two, or
    /// the charge's answer was lost): still `created`, or `pending` from a notification. With
    /// `older_than`, only those stored at least that long ago.
    pub fn orders_without_charge(&self, older_than: Option<Duration>) -> Result<Vec<String>> {
        let before = older_than.map_or(i64::MAX, |age| now_ms() - age.as_millis() as i64);
        let conn = self.lock();
        let mut statement = conn.prepare(
            "SELECT order_id FROM orders WHERE charge IS NULL \
             AND transaction_status IN (?1, 'pending') AND created_at <= ?2 ORDER BY created_at",
        )?;
        let ids = statement.query_map(params![status::CREATED, before], |row| row.get(0))?;
        ids.collect()
    }

    /// Stores the charge response and applies its status like any other update.
    pub fn charge_created(&self, order_id: &str, raw: &str, update: &Update) -> Result<bool> {
        self.lock()
            .execute(
                "UPDATE orders SET charge = ?2, updated_at = ?3 WHERE order_id = ?1",
                params![order_id, raw, now_ms()],
            )
            .map(|_| ())?;
        self.apply(order_id, update)
            .map(|r| r.is_some_and(|(applied, _)| applied))
    }

    pub fn charge_failed(&self, order_id: &str) -> Result<()> {
        self.lock().execute(
            "UPDATE orders SET transaction_status = ?2, updated_at = ?3 \
             WHERE order_id = ?1 AND transaction_status = ?4",
            params![order_id, status::CHARGE_FAILED, now_ms(), status::CREATED],
        )?;
        Ok(())
    }

    /// Applies `update` when it advances the order (see [`status::rank`]); always fills in
    /// details still missing, such as the transaction id when a notification beat the charge
    /// response. Returns whether the status changed and the status now stored, or `None` for
    /// an unknown order.
    pub fn apply(&self, order_id: &str, update: &Update) -> Result<Option<(bool, String)>> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        type Row = (String, Option<String>, Option<String>, Option<String>);
        let current: Option<Row> = tx
            .query_row(
                "SELECT transaction_status, transaction_id, transaction_time, expiry_time \
                 FROM orders WHERE order_id = ?1",
                [order_id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .optional()?;
        let Some((current, transaction_id, transaction_time, expiry_time)) = current else {
            return Ok(None);
        };
        let advances = status::advances(&current, &update.transaction_status);
        let fills = (transaction_id.is_none() && update.transaction_id.is_some())
            || (transaction_time.is_none() && update.transaction_time.is_some())
            || (expiry_time.is_none() && update.expiry_time.is_some());
        // Most status checks change nothing: they must not cost a synced write.
        if !advances && !fills {
            return Ok(Some((false, current)));
        }
        if fills {
            tx.execute(
                "UPDATE orders SET
                    transaction_id = COALESCE(transaction_id, ?2),
                    transaction_time = COALESCE(transaction_time, ?3),
                    expiry_time = COALESCE(expiry_time, ?4)
                 WHERE order_id = ?1",
                params![
                    order_id,
                    update.transaction_id,
                    update.transaction_time,
                    update.expiry_time
                ],
            )?;
        }
        if advances {
            tx.execute(
                "UPDATE orders SET transaction_status = ?2, status_code = ?3,
                    settlement_time = COALESCE(?4, settlement_time), updated_at = ?5
                 WHERE order_id = ?1",
                params![
                    order_id,
                    update.transaction_status,
                    update.status_code,
                    update.settlement_time,
                    now_ms()
                ],
            )?;
        }
        tx.commit()?;
        let stored = if advances {
            update.transaction_status.clone()
        } else {
            current
        };
        Ok(Some((advances, stored)))
    }
}

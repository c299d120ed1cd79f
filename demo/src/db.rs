//! Orders in an embedded SQLite file. Every change is committed before it is acknowledged,
//! so a restarted shop knows every order and its last status.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

use crate::status;

#[derive(Clone, Debug, PartialEq)]
pub struct Order {
    pub order_id: String,
    pub device: String,
    pub payment_type: String,
    pub gross_amount: String,
    /// The order's lines, `[{"id", "qty"}]`.
    pub items: Value,
    /// The charge response exactly as Midtrans sent it.
    pub charge: Option<String>,
    pub transaction_id: Option<String>,
    pub transaction_status: String,
    pub status_code: Option<String>,
    pub transaction_time: Option<String>,
    pub expiry_time: Option<String>,
    pub settlement_time: Option<String>,
}

impl Order {
    /// The shop's status endpoint body, in the Midtrans status shape.
    pub fn status_view(&self) -> Value {
        let mut view = json!({
            "order_id": self.order_id,
            "transaction_id": self.transaction_id,
            "transaction_status": self.transaction_status,
            "status_code": self.status_code,
            "gross_amount": self.gross_amount,
            "payment_type": self.payment_type,
            "transaction_time": self.transaction_time,
        });
        if let Some(expiry) = &self.expiry_time {
            view["expiry_time"] = json!(expiry);
        }
        if let Some(settled) = &self.settlement_time {
            view["settlement_time"] = json!(settled);
        }
        view
    }
}

/// What Midtrans said about a transaction, from a notification, a status check or a charge.
#[derive(Debug, Default)]
pub struct Update {
    pub transaction_status: String,
    pub status_code: Option<String>,
    pub transaction_id: Option<String>,
    pub transaction_time: Option<String>,
    pub expiry_time: Option<String>,
    pub settlement_time: Option<String>,
}

impl Update {
    pub fn from_midtrans(body: &Value) -> Option<Update> {
        let text = |name: &str| body[name].as_str().map(str::to_string);
        Some(Update {
            transaction_status: text("transaction_status")?.to_ascii_lowercase(),
            status_code: text("status_code"),
            transaction_id: text("transaction_id"),
            transaction_time: text("transaction_time"),
            // Some samples spell it expire_time.
            expiry_time: text("expiry_time").or_else(|| text("expire_time")),
            settlement_time: text("settlement_time"),
        })
    }
}

pub struct NewOrder<'a> {
    pub order_id: &'a str,
    pub device: &'a str,
    pub payment_type: &'a str,
    pub gross_amount: &'a str,
    pub items: &'a Value,
}

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
    pub fn open(path: &Path) -> Result<Db> {
        let conn = Connection::open(path)?;
        // WAL lets status reads proceed during writes; FULL syncs every commit, since a payment
        // status acknowledged to Midtrans must survive a crash.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
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
    /// the charge's answer was lost): still `created`, or `pending` from a notification.
    pub fn orders_without_charge(&self) -> Result<Vec<String>> {
        let conn = self.lock();
        let mut statement = conn.prepare(
            "SELECT order_id FROM orders WHERE charge IS NULL \
             AND transaction_status IN (?1, 'pending') ORDER BY created_at",
        )?;
        let ids = statement.query_map([status::CREATED], |row| row.get(0))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn update(status: &str, code: &str) -> Update {
        Update {
            transaction_status: status.into(),
            status_code: Some(code.into()),
            transaction_id: Some("tid-1".into()),
            ..Update::default()
        }
    }

    fn new_order(db: &Db, id: &str) {
        db.insert(&NewOrder {
            order_id: id,
            device: "desktop",
            payment_type: "qris",
            gross_amount: "45000.00",
            items: &json!([{ "id": "kopi-gula-aren", "qty": 1 }]),
        })
        .unwrap();
    }

    #[test]
    fn orders_survive_reopening_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.db");
        {
            let db = Db::open(&path).unwrap();
            new_order(&db, "A-1");
            let charge = r#"{"status_code":"201","transaction_id":"tid-1"}"#;
            db.charge_created("A-1", charge, &update("pending", "201"))
                .unwrap();
            db.apply("A-1", &update("settlement", "200")).unwrap();
        }
        let db = Db::open(&path).unwrap();
        let order = db.get("A-1").unwrap().unwrap();
        assert_eq!(order.transaction_status, "settlement");
        assert_eq!(order.status_code.as_deref(), Some("200"));
        assert_eq!(order.transaction_id.as_deref(), Some("tid-1"));
        assert_eq!(
            order.charge.as_deref(),
            Some(r#"{"status_code":"201","transaction_id":"tid-1"}"#)
        );
        assert!(db.get("A-2").unwrap().is_none());
    }

    #[test]
    fn updates_keep_the_most_advanced_state() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("shop.db")).unwrap();
        new_order(&db, "A-1");
        // A notification may arrive before the charge response is stored.
        assert_eq!(
            db.apply("A-1", &update("pending", "201")).unwrap(),
            Some((true, "pending".into()))
        );
        assert_eq!(
            db.get("A-1").unwrap().unwrap().transaction_id.as_deref(),
            Some("tid-1")
        );
        assert!(!db
            .charge_created("A-1", "{}", &update("pending", "201"))
            .unwrap());
        assert_eq!(
            db.apply("A-1", &update("settlement", "200")).unwrap(),
            Some((true, "settlement".into()))
        );
        assert_eq!(
            db.apply("A-1", &update("expire", "202")).unwrap(),
            Some((false, "settlement".into()))
        );
        assert_eq!(
            db.apply("A-1", &update("pending", "201")).unwrap(),
            Some((false, "settlement".into()))
        );
        let order = db.get("A-1").unwrap().unwrap();
        assert_eq!(order.status_code.as_deref(), Some("200"));
        assert_eq!(db.apply("nope", &update("pending", "201")).unwrap(), None);
    }

    #[test]
    fn orders_without_a_charge_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("shop.db")).unwrap();
        for id in ["A-1", "A-2", "A-3", "A-4", "A-5"] {
            new_order(&db, id);
        }
        db.charge_created("A-2", "{}", &update("pending", "201"))
            .unwrap();
        db.charge_failed("A-3").unwrap();
        // A notification told the shop of the charge, but its response was never stored.
        db.apply("A-4", &update("pending", "201")).unwrap();
        db.apply("A-5", &update("settlement", "200")).unwrap();
        assert_eq!(db.orders_without_charge().unwrap(), ["A-1", "A-4"]);
    }

    #[test]
    fn a_failed_charge_is_recorded_but_does_not_block_a_later_notification() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("shop.db")).unwrap();
        new_order(&db, "A-1");
        db.charge_failed("A-1").unwrap();
        assert_eq!(
            db.get("A-1").unwrap().unwrap().transaction_status,
            status::CHARGE_FAILED
        );
        db.apply("A-1", &update("pending", "201")).unwrap();
        assert_eq!(
            db.get("A-1").unwrap().unwrap().transaction_status,
            "pending"
        );
        // A late failure report never overwrites a real status.
        db.charge_failed("A-1").unwrap();
        assert_eq!(
            db.get("A-1").unwrap().unwrap().transaction_status,
            "pending"
        );
    }
}

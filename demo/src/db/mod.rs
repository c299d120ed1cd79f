//! Where the shop keeps its orders: an embedded SQLite file for a shop that runs as one process
//! (the default), or PostgreSQL for several instances on one database (`DATABASE_URL`). The
//! handlers use [`Db`] alike for both; what differs is in `sqlite` and `postgres`.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Value};

pub mod postgres;
mod sqlite;

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

/// Which store the shop opens.
#[derive(Clone, Debug)]
pub enum Store {
    /// A SQLite file, created when missing.
    Sqlite(PathBuf),
    /// A PostgreSQL database (a `postgres://` URL) and the most connections to keep open to it.
    Postgres { url: String, pool_size: usize },
}

#[derive(Debug)]
pub enum Error {
    Sqlite(rusqlite::Error),
    Postgres(tokio_postgres::Error),
    /// No connection could be had from the pool in time, or it is closed.
    Pool(String),
    /// The store was made by a newer shop.
    Schema(String),
    Config(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Sqlite(e) => write!(f, "SQLite: {e}"),
            Error::Postgres(e) => write!(f, "PostgreSQL: {e}"),
            Error::Pool(e) => write!(f, "PostgreSQL connection pool: {e}"),
            Error::Schema(e) | Error::Config(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for Error {}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Sqlite(e)
    }
}

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Self {
        Error::Postgres(e)
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// The order store. SQLite calls run in place (one short, serialised statement each, as
/// before there was a choice); PostgreSQL's are awaited on the pool.
pub enum Db {
    Sqlite(sqlite::Db),
    Postgres(postgres::Db),
}

impl Db {
    /// Opens the store, creating the SQLite file or applying the PostgreSQL migrations the
    /// database lacks.
    pub async fn open(store: &Store) -> Result<Db> {
        match store {
            Store::Sqlite(path) => Ok(Db::Sqlite(sqlite::Db::open(path)?)),
            Store::Postgres { url, pool_size } => {
                Ok(Db::Postgres(postgres::Db::connect(url, *pool_size).await?))
            }
        }
    }

    /// The database several instances share, if that is what this is.
    pub fn shared(&self) -> Option<&postgres::Db> {
        match self {
            Db::Sqlite(_) => None,
            Db::Postgres(db) => Some(db),
        }
    }

    pub async fn insert(&self, order: &NewOrder<'_>) -> Result<()> {
        match self {
            Db::Sqlite(db) => Ok(db.insert(order)?),
            Db::Postgres(db) => db.insert(order).await,
        }
    }

    pub async fn get(&self, order_id: &str) -> Result<Option<Order>> {
        match self {
            Db::Sqlite(db) => Ok(db.get(order_id)?),
            Db::Postgres(db) => db.get(order_id).await,
        }
    }

    /// Open orders whose charge response was never stored (a run stopped between the two, or
    /// the charge's answer was lost): still `created`, or `pending` from a notification. With
    /// `older_than`, only those stored at least that long ago, so that a charge another
    /// instance is still making is left alone.
    pub async fn orders_without_charge(&self, older_than: Option<Duration>) -> Result<Vec<String>> {
        match self {
            Db::Sqlite(db) => Ok(db.orders_without_charge(older_than)?),
            Db::Postgres(db) => db.orders_without_charge(older_than).await,
        }
    }

    /// Stores the charge response and applies its status like any other update.
    pub async fn charge_created(&self, order_id: &str, raw: &str, update: &Update) -> Result<bool> {
        match self {
            Db::Sqlite(db) => Ok(db.charge_created(order_id, raw, update)?),
            Db::Postgres(db) => db.charge_created(order_id, raw, update).await,
        }
    }

    /// Marks an order whose charge was refused or never made, unless it has moved on.
    pub async fn charge_failed(&self, order_id: &str) -> Result<()> {
        match self {
            Db::Sqlite(db) => Ok(db.charge_failed(order_id)?),
            Db::Postgres(db) => db.charge_failed(order_id).await,
        }
    }

    /// Applies `update` when it advances the order (see [`crate::status::rank`]); always fills
    /// in details still missing, such as the transaction id when a notification beat the
    /// charge response. Returns whether the status changed and the status now stored, or
    /// `None` for an unknown order. Of concurrent duplicates, one is applied.
    pub async fn apply(&self, order_id: &str, update: &Update) -> Result<Option<(bool, String)>> {
        match self {
            Db::Sqlite(db) => Ok(db.apply(order_id, update)?),
            Db::Postgres(db) => db.apply(order_id, update).await,
        }
    }
}

#[cfg(test)]
mod tests;

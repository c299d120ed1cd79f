//! Demo merchant shop backend for the gopay-widget: serves the shop page and the widget
//! package, creates orders and their Midtrans charges, verifies Midtrans notifications, and
//! answers the widget's status polls from its store: a SQLite file for one process, or a
//! PostgreSQL database that several instances share.

use std::future::Future;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, StatusCode};
use axum::Router;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

mod api;
pub mod catalogue;
pub mod compress;
pub mod confirm;
pub mod db;
mod faults;
pub mod files;
pub mod midtrans;
mod orders;
pub mod package;
mod page;
mod payments;
mod reconcile;
pub mod server;
pub mod status;

pub use server::Limits;

/// The key the shop and the local simulator share when no real key is set. Not a Midtrans key.
pub const LOCAL_SERVER_KEY: &str = "SB-Mid-server-LOCAL-SIMULATOR";
pub const LOCAL_MIDTRANS_URL: &str = "http://127.0.0.1:8081";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// Midtrans' documented bounds of `custom_expiry`.
const EXPIRY_RANGE: std::ops::RangeInclusive<u64> = 20..=7 * 86_400;

#[derive(Clone)]
pub struct Config {
    pub server_key: String,
    /// Where Midtrans is: the local simulator, the sandbox or production.
    pub midtrans_base_url: String,
    /// The SQLite file of orders, unless `database_url` is set.
    pub db_path: PathBuf,
    /// A PostgreSQL database (`postgres://...`) that instances of the shop share.
    pub database_url: Option<String>,
    /// Most connections each instance keeps open to `database_url`.
    pub db_pool_size: usize,
    /// Origin customers reach the shop at, for the GoPay callback; `None` uses the listen address.
    pub public_url: Option<String>,
    pub www_dir: PathBuf,
    pub pkg_dir: PathBuf,
    /// `custom_expiry` of every charge, in seconds; `None` keeps Midtrans' 15 minutes.
    pub expiry_seconds: Option<u64>,
    /// Enables `POST /api/test/faults`.
    pub test_controls: bool,
    /// Least time between two Midtrans status checks of one order.
    pub status_refresh: Duration,
    /// Longest a charge request to Midtrans may take. On a shared database an order stored
    /// twice this long ago without its charge is left over, and reconciled.
    pub charge_timeout: Duration,
    /// How often each instance on a shared database looks for left-over orders (one of them
    /// at a time reconciles them).
    pub reconcile_every: Duration,
    /// Timeouts, the connection caps and the order rate limit.
    pub limits: Limits,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("server_key", &"<redacted>")
            .field("midtrans_base_url", &self.midtrans_base_url)
            .field("db_path", &self.db_path)
            .field(
                "database_url",
                &self.database_url.as_deref().map(redacted_url),
            )
            .field("db_pool_size", &self.db_pool_size)
            .field("public_url", &self.public_url)
            .field("expiry_seconds", &self.expiry_seconds)
            .field("test_controls", &self.test_controls)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// From the process environment and command line (`--expiry-seconds N`).
    pub fn from_env(args: &[String]) -> Result<Config, String> {
        Config::from_lookup(|name| std::env::var(name).ok(), args)
    }

    /// From `get` (an environment) and command-line `args`.
    pub fn from_lookup(
        get: impl Fn(&str) -> Option<String>,
        args: &[String],
    ) -> Result<Config, String> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let key = get("MIDTRANS_SERVER_KEY");
        let real_key = key.as_deref().is_some_and(|k| k != LOCAL_SERVER_KEY);
        // A real key without a base URL means the Midtrans sandbox; nothing means the simulator.
        let base = match get("MIDTRANS_BASE_URL") {
            Some(url) => url.trim_end_matches('/').to_string(),
            None if real_key => midtrans::SANDBOX_BASE_URL.to_string(),
            None => LOCAL_MIDTRANS_URL.to_string(),
        };
        let mut expiry = get("EXPIRY_SECONDS");
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            if let Some(value) = arg.strip_prefix("--expiry-seconds=") {
                expiry = Some(value.to_string());
            } else if arg == "--expiry-seconds" {
                expiry = Some(
                    rest.next()
                        .cloned()
                        .ok_or("--expiry-seconds needs a number")?,
                );
            } else {
                return Err(format!("unknown argument {arg:?} (try --help)"));
            }
        }
        let expiry_seconds = match expiry {
            None => None,
            Some(text) => match text.trim().parse::<u64>() {
                Ok(secs) if EXPIRY_RANGE.contains(&secs) => Some(secs),
                _ => {
                    return Err(format!(
                        "expiry must be a number of seconds from {} to {} (Midtrans' limits), not {text:?}",
                        EXPIRY_RANGE.start(),
                        EXPIRY_RANGE.end()
                    ))
                }
            },
        };
        let number =
            |name: &str, default: u64, range: std::ops::RangeInclusive<u64>| match get(name) {
                None => Ok(default),
                Some(text) => match text.trim().parse::<u64>() {
                    Ok(n) if range.contains(&n) => Ok(n),
                    _ => Err(format!(
                        "{name} must be a number from {} to {}, not {text:?}",
                        range.start(),
                        range.end()
                    )),
                },
            };
        let database_url =
            match get("DATABASE_URL") {
                None => None,
                Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                    Some(url.trim().to_string())
                }
                Some(_) => return Err(
                    "DATABASE_URL must be a postgres:// URL (leave it unset for the SQLite file \
                     in SHOP_DB)"
                        .into(),
                ),
            };
        let defaults = Limits::default();
        let limits = Limits {
            header_read_timeout: Duration::from_secs(number(
                "SHOP_HEADER_TIMEOUT_SECONDS",
                defaults.header_read_timeout.as_secs(),
                1..=3600,
            )?),
            request_timeout: defaults.request_timeout,
            write_timeout: Duration::from_secs(number(
                "SHOP_WRITE_TIMEOUT_SECONDS",
                defaults.write_timeout.as_secs(),
                1..=3600,
            )?),
            max_connections: number(
                "SHOP_MAX_CONNECTIONS",
                defaults.max_connections as u64,
                1..=1_000_000,
            )? as usize,
            max_connections_per_client: number(
                "SHOP_MAX_CONNECTIONS_PER_CLIENT",
                defaults.max_connections_per_client as u64,
                1..=1_000_000,
            )? as usize,
            listen_queue: defaults.listen_queue,
            order_burst: number(
                "SHOP_ORDER_BURST",
                defaults.order_burst.into(),
                1..=1_000_000,
            )? as u32,
            orders_per_minute: number(
                "SHOP_ORDERS_PER_MINUTE",
                defaults.orders_per_minute.into(),
                1..=1_000_000,
            )? as u32,
            trusted_proxies: get("SHOP_TRUSTED_PROXIES")
                .map(|list| {
                    list.split(',')
                        .filter(|item| !item.trim().is_empty())
                        .map(|item| {
                            item.parse()
                                .map_err(|e| format!("SHOP_TRUSTED_PROXIES: {e}"))
                        })
                        .collect::<Result<Vec<server::Network>, String>>()
                })
                .transpose()?
                .unwrap_or_default(),
        };
        Ok(Config {
            server_key: key.unwrap_or_else(|| LOCAL_SERVER_KEY.to_string()),
            midtrans_base_url: base,
            db_path: get("SHOP_DB")
                .map_or_else(|| PathBuf::from("target/demo/shop.db"), PathBuf::from),
            database_url,
            db_pool_size: number("SHOP_DB_POOL_SIZE", 10, 1..=1000)? as usize,
            public_url: get("SHOP_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_string()),
            www_dir: get("SHOP_WWW_DIR").map_or_else(|| PathBuf::from("www"), PathBuf::from),
            pkg_dir: get("SHOP_PKG_DIR").map_or_else(|| PathBuf::from("pkg"), PathBuf::from),
            expiry_seconds,
            test_controls: get("SHOP_TEST_CONTROLS").as_deref() == Some("1"),
            status_refresh: Duration::from_secs(number("SHOP_STATUS_REFRESH_SECONDS", 2, 1..=60)?),
            charge_timeout: Duration::from_secs(number(
                "SHOP_CHARGE_TIMEOUT_SECONDS",
                15,
                1..=300,
            )?),
            reconcile_every: Duration::from_secs(number(
                "SHOP_RECONCILE_EVERY_SECONDS",
                30,
                1..=86_400,
            )?),
            limits,
        })
    }

    /// Where the orders are kept.
    pub fn store(&self) -> db::Store {
        match &self.database_url {
            Some(url) => db::Store::Postgres {
                url: url.clone(),
                pool_size: self.db_pool_size,
            },
            None => db::Store::Sqlite(self.db_path.clone()),
        }
    }

    /// The widget's `environment` option.
    pub fn environment(&self) -> &'static str {
        if self.midtrans_base_url == midtrans::PRODUCTION_BASE_URL {
            "production"
        } else {
            "sandbox"
        }
    }

    pub fn uses_local_simulator(&self) -> bool {
        self.midtrans_base_url != midtrans::SANDBOX_BASE_URL
            && self.midtrans_base_url != midtrans::PRODUCTION_BASE_URL
    }

    /// Where a tester pays: the local simulator's phone page or Midtrans' sandbox simulator.
    pub fn simulator_page(&self) -> Option<String> {
        if self.midtrans_base_url == midtrans::SANDBOX_BASE_URL {
            Some("https://simulator.sandbox.midtrans.com/v2/qris/index".into())
        } else if self.uses_local_simulator() {
            Some(format!("{}/", self.midtrans_base_url))
        } else {
            None
        }
    }

    /// The shop pages' Content-Security-Policy; QR images may come from Midtrans' origin.
    pub fn content_security_policy(&self) -> String {
        let midtrans_origin = reqwest::Url::parse(&self.midtrans_base_url)
            .ok()
            .filter(|u| u.scheme() == "http")
            .map(|u| format!(" {}", u.origin().ascii_serialization()))
            .unwrap_or_default();
        format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
             img-src 'self' data:{midtrans_origin} https:; connect-src 'self'; \
             base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        )
    }
}

/// A database URL without its password, for the log.
pub fn redacted_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) => "<not a URL>".into(),
    }
}

/// Shared state of a running shop.
struct App {
    config: Config,
    public_url: String,
    db: db::Db,
    midtrans: midtrans::Client,
    /// Status API calls per order for the widget's polls, and for confirming notifications:
    /// each one at a time, one per `status_refresh` at most.
    refreshes: confirm::Calls,
    confirmations: confirm::Calls,
    /// Orders each client address may still create.
    order_limit: OrderLimit,
    /// This instance's name in the leases it holds.
    instance: String,
    /// The widget package, served under a name that changes with its content.
    package: Arc<package::Package>,
}

/// The per-client order limit: in this process, or in the database the instances share (so
/// that a client gets one allowance, whichever instance its orders reach).
enum OrderLimit {
    Local(DefaultKeyedRateLimiter<IpAddr>),
    Shared {
        db: db::postgres::Db,
        /// One order per `every`, `burst` at once.
        every: Duration,
        burst: u32,
    },
}

fn order_limit(limits: &Limits, db: &db::Db) -> OrderLimit {
    let one = NonZeroU32::MIN;
    let per_minute = NonZeroU32::new(limits.orders_per_minute).unwrap_or(one);
    let burst = NonZeroU32::new(limits.order_burst).unwrap_or(one);
    match db.shared() {
        Some(db) => OrderLimit::Shared {
            db: db.clone(),
            every: Duration::from_secs(60) / per_minute.get(),
            burst: burst.get(),
        },
        None => OrderLimit::Local(RateLimiter::keyed(
            Quota::per_minute(per_minute).allow_burst(burst),
        )),
    }
}

fn status_calls(db: &db::Db, purpose: &'static str, interval: Duration) -> confirm::Calls {
    match db.shared() {
        Some(db) => confirm::Calls::Shared {
            db: db.clone(),
            purpose,
            interval,
        },
        None => confirm::Calls::Local(confirm::StatusCalls::new(interval)),
    }
}

/// A name for this process in the leases it takes: its id and a random part (ids repeat
/// across machines and restarts).
fn instance_name() -> String {
    let mut random = [0u8; 4];
    let _ = getrandom::fill(&mut random);
    format!("pid{}-{}", std::process::id(), hex::encode(random))
}

/// The shop's routes. Opens (or creates) the order store.
pub async fn router(config: Config, public_url: String) -> Result<Router, String> {
    Ok(shop(config, public_url).await?.0)
}

async fn shop(config: Config, public_url: String) -> Result<(Router, Arc<App>), String> {
    let store = config.store();
    if let db::Store::Sqlite(path) = &store {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
    }
    let db = db::Db::open(&store).await.map_err(|e| match &store {
        db::Store::Sqlite(path) => format!("cannot open {}: {e}", path.display()),
        db::Store::Postgres { url, .. } => {
            format!("cannot open the database {}: {e}", redacted_url(url))
        }
    })?;
    let csp = HeaderValue::from_str(&config.content_security_policy())
        .map_err(|e| format!("content security policy: {e}"))?;
    let www = files::serve_dir(&config.www_dir);
    let pkg = files::serve_dir(&config.pkg_dir);
    let package = Arc::new(package::Package::new(&config.pkg_dir));
    let request_timeout = config.limits.request_timeout;
    let config_refresh = config.status_refresh;
    let app = Arc::new(App {
        order_limit: order_limit(&config.limits, &db),
        midtrans: midtrans::Client::new(&config.midtrans_base_url, &config.server_key)
            .charge_timeout(config.charge_timeout),
        refreshes: status_calls(&db, "refresh", config_refresh),
        confirmations: status_calls(&db, "confirm", config_refresh),
        config,
        public_url,
        db,
        instance: instance_name(),
        package: package.clone(),
    });
    let routes = if app.config.test_controls {
        faults::wrap(api::routes())
    } else {
        api::routes()
    };
    let router = routes
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(DefaultBodyLimit::max(64 * 1024))
        .with_state(app.clone())
        .merge(package::routes(package))
        .nest_service("/pkg", pkg)
        .fallback_service(www)
        // Static files: revalidate, so a rebuilt package is picked up on reload.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            csp,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        // Pages, JSON and the shop's own script and stylesheet, compressed whole at the best
        // quality (brotli 11, gzip 9) and sent with their length: they are small (the largest,
        // shop.js, takes about 15 ms once per visitor, who then revalidates it), and every
        // byte is on the shopper's slow network. The package ships precompressed (see
        // docs/serving.md).
        .layer(axum::middleware::from_fn(compress::responses))
        // A request (its body read included) that takes longer is answered 408.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ));
    Ok((router, app))
}

/// Serves on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let public_url = match &config.public_url {
        Some(url) => url.clone(),
        None => format!(
            "http://{}",
            listener.local_addr().map_err(|e| e.to_string())?
        ),
    };
    let limits = config.limits.clone();
    let (router, app) = shop(config, public_url).await?;
    // Orders left between storing them and storing their charge: by a previous run, or on a
    // shared database by any instance.
    let watch = reconcile::spawn(app).await?;
    server::run(listener, router, &limits, shutdown).await;
    if let Some(watch) = watch {
        // A stopped shop takes no more turns; a lease it held runs out by itself.
        watch.abort();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)], args: &[&str]) -> Result<Config, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        Config::from_lookup(|name| vars.get(name).cloned(), &args)
    }

    #[test]
    fn no_key_means_the_local_simulator() {
        let c = config(&[], &[]).unwrap();
        assert_eq!(c.server_key, LOCAL_SERVER_KEY);
        assert_eq!(c.midtrans_base_url, LOCAL_MIDTRANS_URL);
        assert_eq!(
            c.simulator_page().as_deref(),
            Some("http://127.0.0.1:8081/")
        );
        assert_eq!(c.environment(), "sandbox");
        assert!(c
            .content_security_policy()
            .contains("img-src 'self' data: http://127.0.0.1:8081 https:"));
        assert_eq!(c.expiry_seconds, None);
        assert!(!c.test_controls);
    }

    #[test]
    fn a_real_key_without_a_base_url_means_the_sandbox() {
        let c = config(&[("MIDTRANS_SERVER_KEY", "SB-Mid-server-abc")], &[]).unwrap();
        assert_eq!(c.midtrans_base_url, "https://api.sandbox.midtrans.com");
        assert_eq!(c.environment(), "sandbox");
        assert!(!c.content_security_policy().contains("http://"));
        assert!(!format!("{c:?}").contains("abc"), "the key is not printed");
        // The local demo key never selects the sandbox.
        let c = config(&[("MIDTRANS_SERVER_KEY", LOCAL_SERVER_KEY)], &[]).unwrap();
        assert_eq!(c.midtrans_base_url, LOCAL_MIDTRANS_URL);
        let c = config(
            &[
                ("MIDTRANS_SERVER_KEY", "SB-Mid-server-abc"),
                ("MIDTRANS_BASE_URL", "http://127.0.0.1:9999/"),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(c.midtrans_base_url, "http://127.0.0.1:9999");
    }

    #[test]
    fn expiry_from_flag_or_environment_within_midtrans_limits() {
        assert_eq!(
            config(&[("EXPIRY_SECONDS", "60")], &[])
                .unwrap()
                .expiry_seconds,
            Some(60)
        );
        assert_eq!(
            config(&[("EXPIRY_SECONDS", "60")], &["--expiry-seconds", "30"])
                .unwrap()
                .expiry_seconds,
            Some(30)
        );
        assert_eq!(
            config(&[], &["--expiry-seconds=45"])
                .unwrap()
                .expiry_seconds,
            Some(45)
        );
        assert!(config(&[], &["--expiry-seconds", "5"]).is_err());
        assert!(config(&[], &["--expiry-seconds"]).is_err());
        assert!(config(&[("EXPIRY_SECONDS", "soon")], &[]).is_err());
        assert!(config(&[], &["--verbose"]).is_err());
    }

    #[test]
    fn write_timeout_and_per_client_cap_from_the_environment() {
        let limits = config(&[], &[]).unwrap().limits;
        assert_eq!(limits.write_timeout, Duration::from_secs(10));
        assert_eq!(limits.max_connections_per_client, 100);
        let limits = config(
            &[
                ("SHOP_WRITE_TIMEOUT_SECONDS", "3"),
                ("SHOP_MAX_CONNECTIONS_PER_CLIENT", "2000"),
            ],
            &[],
        )
        .unwrap()
        .limits;
        assert_eq!(limits.write_timeout, Duration::from_secs(3));
        assert_eq!(limits.max_connections_per_client, 2000);
        assert!(config(&[("SHOP_WRITE_TIMEOUT_SECONDS", "0")], &[]).is_err());
        assert!(config(&[("SHOP_MAX_CONNECTIONS_PER_CLIENT", "0")], &[]).is_err());
        assert!(config(&[("SHOP_MAX_CONNECTIONS_PER_CLIENT", "many")], &[]).is_err());
    }

    #[test]
    fn the_status_refresh_from_the_environment() {
        let c = config(&[], &[]).unwrap();
        assert_eq!(c.status_refresh, Duration::from_secs(2));
        let c = config(&[("SHOP_STATUS_REFRESH_SECONDS", "10")], &[]).unwrap();
        assert_eq!(c.status_refresh, Duration::from_secs(10));
        assert!(config(&[("SHOP_STATUS_REFRESH_SECONDS", "0")], &[]).is_err());
        assert!(config(&[("SHOP_STATUS_REFRESH_SECONDS", "61")], &[]).is_err());
    }

    #[test]
    fn the_store_and_the_proxies_from_the_environment() {
        let c = config(&[], &[]).unwrap();
        assert!(matches!(c.store(), db::Store::Sqlite(_)));
        assert!(c.limits.trusted_proxies.is_empty());
        let c = config(
            &[
                (
                    "DATABASE_URL",
                    "postgres://shop:s3cret@db.internal:5432/shop",
                ),
                ("SHOP_DB_POOL_SIZE", "20"),
                ("SHOP_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1"),
            ],
            &[],
        )
        .unwrap();
        assert!(matches!(
            c.store(),
            db::Store::Postgres { pool_size: 20, .. }
        ));
        assert!(!format!("{c:?}").contains("s3cret"), "{c:?}");
        assert_eq!(c.limits.trusted_proxies.len(), 2);
        assert!(config(&[("DATABASE_URL", "mysql://db/shop")], &[]).is_err());
        assert!(config(&[("SHOP_DB_POOL_SIZE", "0")], &[]).is_err());
        assert!(config(&[("SHOP_TRUSTED_PROXIES", "10.0.0.0/40")], &[]).is_err());
        assert!(config(&[("SHOP_TRUSTED_PROXIES", "lb.internal")], &[]).is_err());
    }
}

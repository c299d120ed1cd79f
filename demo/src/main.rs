//! The demo shop's command line: reads its settings, opens the order store, serves.

use std::process::ExitCode;

use tokio::net::TcpListener;

const HELP: &str = "gopay-demo: the demo shop for the GoPay widget

Usage: gopay-demo [--expiry-seconds N]

  --expiry-seconds N   charges expire after N seconds (20 to 604800; also EXPIRY_SECONDS)

Environment:
  SHOP_ADDR            listen address (default 127.0.0.1:8080)
  SHOP_PUBLIC_URL      origin customers reach the shop at (default http://<listen address>)
  SHOP_DB              SQLite file of orders (default target/demo/shop.db)
  DATABASE_URL         postgres://user:password@host:port/database: keep the orders in
                       PostgreSQL instead, so that several instances can share them
  SHOP_DB_POOL_SIZE    connections each instance keeps to DATABASE_URL (default 10)
  SHOP_CHARGE_TIMEOUT_SECONDS  longest a charge request to Midtrans may take (default 15)
  SHOP_RECONCILE_EVERY_SECONDS  with DATABASE_URL: how often each instance looks for orders
                       left without their charge (default 30; one instance at a time
                       reconciles them)
  SHOP_WWW_DIR         shop page directory (default www)
  SHOP_PKG_DIR         widget package directory, served at /pkg (default pkg)
  MIDTRANS_SERVER_KEY  server key (default: the local simulator's demo key)
  MIDTRANS_BASE_URL    Midtrans API (default: the local simulator at http://127.0.0.1:8081,
                       or the Midtrans sandbox when MIDTRANS_SERVER_KEY is a real key)
  SHOP_TEST_CONTROLS   1 enables POST /api/test/faults (end-to-end tests only)
  SHOP_HEADER_TIMEOUT_SECONDS  time a connection has to send a request's headers, also
                       the idle time after which a keep-alive connection closes (default 10)
  SHOP_WRITE_TIMEOUT_SECONDS  time writing an answer may make no progress (the client reads
                       nothing) before the connection is reset (default 10)
  SHOP_MAX_CONNECTIONS connections open at once (default 2000; raise `ulimit -n` above it)
  SHOP_MAX_CONNECTIONS_PER_CLIENT
                       connections one client address (IPv6: its /64) may hold; past it
                       they are reset at once (default 100). Behind a proxy or load balancer
                       every client has its address: set this to SHOP_MAX_CONNECTIONS and
                       cap clients in the proxy
  SHOP_ORDER_BURST, SHOP_ORDERS_PER_MINUTE
                       orders one client address may create at once, and a minute after
                       that (default 10 and 30; with DATABASE_URL, across all instances)
  SHOP_TRUSTED_PROXIES addresses or networks of load balancers (10.0.0.0/8, 192.0.2.1): from
                       them, the order limit counts the client X-Forwarded-For names
";

#[tokio::main]
async fn main() -> ExitCode {
    lossy_log::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        lossy_log::out(format_args!("{}", HELP.trim_end()));
        return ExitCode::SUCCESS;
    }
    let config = match gopay_demo::Config::from_env(&args) {
        Ok(config) => config,
        Err(message) => {
            lossy_log::err(format_args!("gopay-demo: {message}"));
            return ExitCode::from(2);
        }
    };
    let addr = std::env::var("SHOP_ADDR").unwrap_or_else(|_| gopay_demo::DEFAULT_ADDR.into());
    let listener = match TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(error) => {
            lossy_log::err(format_args!("gopay-demo: cannot listen on {addr}: {error}"));
            return ExitCode::FAILURE;
        }
    };
    let url = match (&config.public_url, listener.local_addr()) {
        (Some(url), _) => url.clone(),
        (None, Ok(local)) => format!("http://{local}"),
        (None, Err(_)) => format!("http://{addr}"),
    };
    lossy_log::out(format_args!("Shop: {url}/"));
    let midtrans = if config.uses_local_simulator() {
        "local simulator"
    } else {
        "Midtrans"
    };
    lossy_log::out(format_args!(
        "  Midtrans API: {} ({midtrans})",
        config.midtrans_base_url
    ));
    if let Some(page) = config.simulator_page() {
        lossy_log::out(format_args!("  Pay in the simulator: {page}"));
    }
    match config.store() {
        gopay_demo::db::Store::Sqlite(path) => {
            lossy_log::out(format_args!("  Orders: {}", path.display()));
        }
        gopay_demo::db::Store::Postgres { url, pool_size } => {
            lossy_log::out(format_args!(
                "  Orders: PostgreSQL {} (up to {pool_size} connections)",
                gopay_demo::redacted_url(&url)
            ));
        }
    }
    if let Some(secs) = config.expiry_seconds {
        lossy_log::out(format_args!("  Payments expire after {secs} s"));
    }
    if !config.pkg_dir.join("index.js").is_file() {
        lossy_log::out(format_args!(
            "  Note: {} has no index.js yet; build the widget package first",
            config.pkg_dir.display()
        ));
    }
    match gopay_demo::serve(listener, config, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            lossy_log::err(format_args!("gopay-demo: {error}"));
            ExitCode::FAILURE
        }
    }
}

/// Ctrl-C or SIGTERM: finish the requests in flight, then stop.
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
}

//! The simulator's command line: reads its settings and serves the local Midtrans.

use std::process::ExitCode;

use tokio::net::TcpListener;

const HELP: &str = "gopay-simulator: a local Midtrans Core API simulator (GoPay, QRIS)

Environment:
  SIMULATOR_ADDR                 listen address (default 127.0.0.1:8081)
  SIMULATOR_PUBLIC_URL           base of the URLs it hands out (default http://<listen address>)
  SIMULATOR_NOTIFY_URL           where notifications go
                                 (default http://127.0.0.1:8080/api/midtrans/notification)
  SIMULATOR_LATE_EXPIRE_SECONDS  delay of the expire notification after expiry (default 5)
  MIDTRANS_SERVER_KEY            the server key it expects (default: the local demo key)
";

#[tokio::main]
async fn main() -> ExitCode {
    lossy_log::init();
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        lossy_log::out(format_args!("{}", HELP.trim_end()));
        return ExitCode::SUCCESS;
    }
    let config = match gopay_simulator::Config::from_env() {
        Ok(config) => config,
        Err(message) => {
            lossy_log::err(format_args!("gopay-simulator: {message}"));
            return ExitCode::from(2);
        }
    };
    let addr = std::env::var("SIMULATOR_ADDR")
        .unwrap_or_else(|_| gopay_simulator::DEFAULT_ADDR.to_string());
    let listener = match TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(error) => {
            lossy_log::err(format_args!(
                "gopay-simulator: cannot listen on {addr}: {error}"
            ));
            return ExitCode::FAILURE;
        }
    };
    let url = match (&config.public_url, listener.local_addr()) {
        (Some(url), _) => url.clone(),
        (None, Ok(local)) => format!("http://{local}"),
        (None, Err(_)) => format!("http://{addr}"),
    };
    lossy_log::out(format_args!(
        "Midtrans simulator: {url}/ (phone page), notifying {}",
        config.notify_url
    ));
    match gopay_simulator::serve(listener, config, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            lossy_log::err(format_args!("gopay-simulator: {error}"));
            ExitCode::FAILURE
        }
    }
}

/// Ctrl-C or SIGTERM, so `make demo` and process managers stop it cleanly.
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

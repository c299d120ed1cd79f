//! Faults for end-to-end tests, armed through `POST /api/test/faults` and routed only with
//! `SHOP_TEST_CONTROLS=1`: a layer in front of the shop's routes that answers in their place,
//! so the shop's own handlers carry no test code.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::api::{declares_json, error, not_json};

#[derive(Debug, Default)]
struct Armed {
    status_failures: u32,
    status_fail_until: Option<Instant>,
    notification_failures: u32,
}

#[derive(Default)]
struct Faults(Mutex<Armed>);

impl Faults {
    fn armed(&self) -> MutexGuard<'_, Armed> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn take_status_failure(&self) -> bool {
        let mut armed = self.armed();
        if armed.status_fail_until.is_some_and(|t| Instant::now() < t) {
            return true;
        }
        if armed.status_failures > 0 {
            armed.status_failures -= 1;
            return true;
        }
        false
    }

    fn take_notification_failure(&self) -> bool {
        let mut armed = self.armed();
        if armed.notification_failures > 0 {
            armed.notification_failures -= 1;
            return true;
        }
        false
    }
}

/// `router` with the faults' control route and the layer that injects them.
pub fn wrap<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    let faults = Arc::new(Faults::default());
    let control = Router::new()
        .route("/api/test/faults", post(set_faults))
        .with_state(faults.clone());
    router
        .merge(control)
        .layer(middleware::from_fn_with_state(faults, inject))
}

/// Answers in the shop's place while a fault is armed: a status poll with 500, a notification
/// with 503 (which Midtrans retries).
async fn inject(State(faults): State<Arc<Faults>>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let is_status = request.method() == Method::GET
        && path.starts_with("/api/orders/")
        && path.ends_with("/status");
    let is_notification = request.method() == Method::POST && path == "/api/midtrans/notification";
    if is_status && faults.take_status_failure() {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Injected failure (test control)",
        );
    }
    if is_notification && faults.take_notification_failure() {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Injected failure (test control)",
        );
    }
    next.run(request).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultRequest {
    /// The next N status requests answer 500.
    #[serde(default)]
    status_failures: u32,
    /// Status requests answer 500 for this many milliseconds.
    #[serde(default)]
    status_fail_ms: u64,
    /// The next N notifications answer 503.
    #[serde(default)]
    notification_failures: u32,
}

/// Arms faults, replacing those armed before.
async fn set_faults(
    State(faults): State<Arc<Faults>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !declares_json(&headers) {
        return not_json();
    }
    let Ok(request) = serde_json::from_slice::<FaultRequest>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "Expected {\"status_failures\", \"status_fail_ms\", \"notification_failures\"}",
        );
    };
    let mut armed = faults.armed();
    armed.status_failures = request.status_failures;
    armed.status_fail_until = (request.status_fail_ms > 0)
        .then(|| Instant::now() + Duration::from_millis(request.status_fail_ms));
    armed.notification_failures = request.notification_failures;
    Json(json!({
        "status_failures": armed.status_failures,
        "status_fail_ms": request.status_fail_ms,
        "notification_failures": armed.notification_failures,
    }))
    .into_response()
}

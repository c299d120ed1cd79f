//! `POST /v2/charge`: the request checked as Midtrans checks it, and the charge response.

use super::*;

/// A validated charge request.
struct ChargeRequest {
    payment_type: PaymentType,
    order_id: String,
    gross_amount: u64,
    expiry: Duration,
    callback_url: Option<String>,
    acquirer: Option<String>,
}

/// Midtrans allows letters, digits and `-_~.` in order ids, up to 50 characters.
fn valid_order_id(id: &str) -> bool {
    (1..=50).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~' | b'.'))
}

/// Whole rupiah from a JSON number or numeric string (IDR has no minor unit).
pub(super) fn whole_rupiah(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && (0.0..1e15).contains(f))
                .map(|f| f as u64)
        }),
        Value::String(s) => {
            let digits = s.strip_suffix(".00").unwrap_or(s);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            digits.parse().ok()
        }
        _ => None,
    }
}

fn validate(body: &Value, config: &crate::Config) -> Result<ChargeRequest, Vec<String>> {
    let mut problems = Vec::new();
    let payment_type = match body["payment_type"].as_str() {
        Some("gopay") => Some(PaymentType::Gopay),
        Some("qris") => Some(PaymentType::Qris),
        Some(other) => {
            problems.push(format!(
                "payment_type {other:?} is not supported by this simulator (gopay, qris)"
            ));
            None
        }
        None => {
            problems.push("payment_type is required".into());
            None
        }
    };
    let details = &body["transaction_details"];
    let order_id = match details["order_id"].as_str() {
        Some(id) if valid_order_id(id) => Some(id.to_string()),
        Some(_) => {
            problems.push(
                "transaction_details.order_id must be 1 to 50 letters, digits or -_~.".into(),
            );
            None
        }
        None => {
            problems.push("transaction_details.order_id is required".into());
            None
        }
    };
    let gross_amount = match &details["gross_amount"] {
        Value::Null => {
            problems.push("transaction_details.gross_amount is required".into());
            None
        }
        value => {
            match whole_rupiah(value) {
                Some(n) if n >= 1 => Some(n),
                _ => {
                    problems.push("transaction_details.gross_amount must be a whole number of rupiah, at least 1".into());
                    None
                }
            }
        }
    };
    if let (Some(items), Some(total)) = (body["item_details"].as_array(), gross_amount) {
        let mut sum: Option<u64> = Some(0);
        for item in items {
            let price = whole_rupiah(&item["price"]);
            let quantity = item["quantity"].as_u64().filter(|q| *q >= 1);
            sum = match (sum, price, quantity) {
                (Some(s), Some(p), Some(q)) => p.checked_mul(q).and_then(|v| s.checked_add(v)),
                _ => None,
            };
        }
        match sum {
            None => problems.push(
                "item_details: each item needs a whole-rupiah price and a quantity of at least 1"
                    .into(),
            ),
            Some(sum) if sum != total => problems.push(format!(
                "transaction_details.gross_amount ({total}) is not equal to the sum of item_details ({sum})"
            )),
            Some(_) => {}
        }
    }
    let expiry = match &body["custom_expiry"] {
        Value::Null => Duration::from_secs(15 * 60),
        custom => {
            let unit_secs = match custom["unit"]
                .as_str()
                .map(|u| u.to_ascii_lowercase())
                .as_deref()
            {
                Some("second" | "seconds") => Some(1),
                Some("minute" | "minutes") => Some(60),
                Some("hour" | "hours") => Some(3600),
                Some("day" | "days") => Some(86_400),
                _ => None,
            };
            let duration = custom["expiry_duration"].as_u64();
            match (duration, unit_secs) {
                (Some(d), Some(u)) => {
                    let secs = Duration::from_secs(d.saturating_mul(u));
                    let max = Duration::from_secs(7 * 86_400);
                    if secs < config.min_expiry || secs > max {
                        problems.push(format!(
                            "custom_expiry must be between {} seconds and 7 days",
                            config.min_expiry.as_secs()
                        ));
                    }
                    secs
                }
                _ => {
                    problems.push("custom_expiry needs a positive expiry_duration and a unit (second, minute, hour, day)".into());
                    Duration::ZERO
                }
            }
        }
    };
    let mut callback_url = None;
    if payment_type == Some(PaymentType::Gopay) && body["gopay"]["enable_callback"] == json!(true) {
        match body["gopay"]["callback_url"].as_str() {
            Some(url) if reqwest::Url::parse(url).is_ok() => callback_url = Some(url.to_string()),
            Some(_) => problems.push("gopay.callback_url is not a valid URL".into()),
            None => {}
        }
    }
    let mut acquirer = None;
    if payment_type == Some(PaymentType::Qris) {
        match body["qris"]["acquirer"].as_str() {
            None | Some("gopay") => acquirer = Some("gopay".to_string()),
            Some("airpay shopee") => acquirer = Some("airpay shopee".to_string()),
            Some(other) => problems.push(format!(
                "qris.acquirer {other:?} is not supported (gopay, airpay shopee)"
            )),
        }
    }
    match (payment_type, order_id, gross_amount) {
        (Some(payment_type), Some(order_id), Some(gross_amount)) if problems.is_empty() => {
            Ok(ChargeRequest {
                payment_type,
                order_id,
                gross_amount,
                expiry,
                callback_url,
                acquirer,
            })
        }
        _ => Err(problems),
    }
}

pub(super) async fn charge(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !authorized(&headers, &sim.config.server_key) {
        return error(StatusCode::UNAUTHORIZED, "401", UNAUTHORIZED);
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "413", SYNTAX);
    };
    let request = match validate(&body, &sim.config) {
        Ok(request) => request,
        Err(messages) => {
            let body = json!({
                "status_code": "400",
                "status_message": INVALID,
                "id": ids::uuid_v4(),
                "validation_messages": messages,
            });
            return (StatusCode::BAD_REQUEST, Json(body)).into_response();
        }
    };
    let now = jakarta::now_ms();
    let transaction_id = ids::uuid_v4();
    let qr_string = qris::build(&qris::Payment {
        merchant_id: &sim.config.merchant_id,
        merchant_name: &sim.config.merchant_name,
        city: "JAKARTA",
        amount: request.gross_amount,
        reference: &transaction_id,
    });
    let tx = Transaction {
        order_id: request.order_id,
        tref: format!("A1{}", ids::alphanumeric(20)),
        transaction_id,
        payment_type: request.payment_type,
        gross_amount: request.gross_amount,
        created_ms: now,
        expiry_ms: now + request.expiry.as_millis() as u64,
        status: Status::Pending,
        settlement_ms: None,
        callback_url: request.callback_url,
        qr_string,
        acquirer: request.acquirer,
        deliveries: Vec::new(),
        refunded: 0,
        charged_back: 0,
    };
    if !sim.store.insert(tx.clone()) {
        return error(StatusCode::NOT_ACCEPTABLE, "406", DUPLICATE);
    }
    tracing::info!(
        "charge {} {} Rp{} (expires {})",
        tx.payment_type.as_str(),
        tx.order_id,
        tx.gross_amount,
        tx.expiry_time()
    );
    notify::spawn(sim.clone(), tx.clone(), Duration::ZERO);
    notify::schedule_expiry(sim.clone(), tx.transaction_id.clone(), tx.expiry_ms);
    Json(charge_response(&sim, &tx)).into_response()
}

fn charge_response(sim: &Sim, tx: &Transaction) -> Value {
    let base = &sim.base;
    let tid = &tx.transaction_id;
    let qris_image = json!({
        "name": if tx.payment_type == PaymentType::Gopay { "generate-qr-code-v2" } else { "generate-qr-code" },
        "method": "GET",
        "url": format!("{base}/v2/qris/{tid}/qr-code"),
    });
    let mut body = json!({
        "status_code": "201",
        "status_message": match tx.payment_type {
            PaymentType::Gopay => "GoPay transaction is created",
            PaymentType::Qris => "QRIS transaction is created",
        },
        "transaction_id": tid,
        "order_id": tx.order_id,
        "merchant_id": sim.config.merchant_id,
        "gross_amount": tx.gross_amount_str(),
        "currency": "IDR",
        "payment_type": tx.payment_type.as_str(),
        "transaction_time": tx.transaction_time(),
        "transaction_status": "pending",
        "fraud_status": "accept",
        "expiry_time": tx.expiry_time(),
    });
    match tx.payment_type {
        PaymentType::Qris => {
            body["acquirer"] = json!(tx.acquirer);
            body["qr_string"] = json!(tx.qr_string);
            body["actions"] = json!([qris_image]);
        }
        PaymentType::Gopay => {
            // GoPay's own answer to Midtrans, as the GoPay charge response documents it.
            body["channel_response_code"] = json!("200");
            body["channel_response_message"] = json!("Success");
            body["actions"] = json!([
                qris_image,
                { "name": "generate-qr-code", "method": "GET", "url": format!("{base}/v2/gopay/{tid}/qr-code") },
                { "name": "deeplink-redirect", "method": "GET", "url": deeplink(base, tx) },
                { "name": "get-status", "method": "GET", "url": format!("{base}/v2/{tid}/status") },
                { "name": "cancel", "method": "POST", "url": format!("{base}/v2/{tid}/cancel") },
            ]);
        }
    }
    body
}

/// The simulated app's page for this transaction, carrying the callback like Midtrans' sandbox.
fn deeplink(base: &str, tx: &Transaction) -> String {
    let mut params = vec![("tref", tx.tref.as_str())];
    if let Some(callback) = &tx.callback_url {
        params.push(("callback_url", callback));
    }
    match reqwest::Url::parse_with_params(&format!("{base}/app/deeplink"), &params) {
        Ok(url) => url.into(),
        Err(_) => format!("{base}/app/deeplink?tref={}", tx.tref),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_ids_follow_midtrans_rules() {
        assert!(valid_order_id("SHOP-1764054191-K3F9QZ"));
        assert!(valid_order_id("a.b_c~d"));
        assert!(!valid_order_id(""));
        assert!(!valid_order_id("has space"));
        assert!(!valid_order_id("slash/es"));
        assert!(!valid_order_id(&"x".repeat(51)));
    }

    #[test]
    fn rupiah_amounts() {
        assert_eq!(whole_rupiah(&json!(275000)), Some(275_000));
        assert_eq!(whole_rupiah(&json!(275000.0)), Some(275_000));
        assert_eq!(whole_rupiah(&json!("275000.00")), Some(275_000));
        assert_eq!(whole_rupiah(&json!(1.5)), None);
        assert_eq!(whole_rupiah(&json!(-3)), None);
        assert_eq!(whole_rupiah(&json!("12a")), None);
        assert_eq!(whole_rupiah(&json!("")), None);
    }
}

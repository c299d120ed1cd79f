//! The tester's pages: the "phone" (scan a QR, pay, deny or expire pending transactions) and
//! the simulated GoPay app a deeplink opens. Plain HTML forms, no script.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use crate::store::{Status, Transaction};
use crate::{jakarta, Sim};

pub(crate) fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/", get(phone))
        .route("/phone/act", post(phone_act))
        .route("/phone/scan", post(phone_scan))
        .route("/app/deeplink", get(app).post(app_act))
}

/// Escapes text for HTML element content and quoted attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `Rp149.500`, as Indonesians write rupiah.
fn rupiah(amount: u64) -> String {
    let digits = amount.to_string();
    let mut out = String::from("Rp");
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

fn time_left(tx: &Transaction) -> String {
    let left = tx.expiry_ms.saturating_sub(jakarta::now_ms()) / 1000;
    match left {
        0 => "expiring now".into(),
        s if s < 120 => format!("{s} s left"),
        s if s < 7200 => format!("{} min left", s / 60),
        s => format!("{} h left", s / 3600),
    }
}

const STYLE: &str = r#"
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#e9eef2;color:#1b2733}
.phone{max-width:430px;margin:24px auto;background:#fff;border-radius:28px;box-shadow:0 10px 40px #0002;overflow:hidden;border:10px solid #1b2733}
header{background:#00aa13;color:#fff;padding:14px 18px;font-weight:700;display:flex;justify-content:space-between;align-items:center}
header a{color:#fff;font-weight:400;font-size:14px}
main{padding:16px 18px 24px}
h1{font-size:22px;margin:4px 0}
h2{font-size:16px;margin:22px 0 8px;color:#4a5a68;text-transform:uppercase;letter-spacing:.04em}
.lead{color:#4a5a68;font-size:14px;margin-top:0}
.flash{padding:10px 12px;border-radius:10px;background:#e6f6e8;border:1px solid #9bd3a2;margin:8px 0}
.flash.error{background:#fdecec;border-color:#f1a7a7}
.card{border:1px solid #d7dee4;border-radius:14px;padding:12px;margin:10px 0}
.amount{font-size:26px;font-weight:700;margin:2px 0}
.meta{color:#4a5a68;font-size:13px;overflow-wrap:anywhere}
.actions{display:flex;gap:8px;margin-top:10px;flex-wrap:wrap}
button{font:inherit;border-radius:10px;border:1px solid #b8c3cc;background:#f5f7f9;padding:9px 14px;cursor:pointer}
button.primary{background:#00aa13;border-color:#00aa13;color:#fff;font-weight:600}
button.danger{border-color:#d64545;color:#b02a2a}
textarea{width:100%;font:13px ui-monospace,monospace;border-radius:10px;border:1px solid #b8c3cc;padding:8px}
label{display:block;font-size:14px;margin-bottom:4px}
table{width:100%;border-collapse:collapse;font-size:13px}
td,th{padding:6px 4px;border-bottom:1px solid #e3e8ec;text-align:left;vertical-align:top}
.status-settlement{color:#0a7d1a;font-weight:600}
.status-deny,.status-cancel,.status-expire{color:#b02a2a;font-weight:600}
"#;

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <link rel=\"icon\" href=\"data:,\">\
         <title>{}</title><style>{STYLE}</style></head>\
         <body><div class=\"phone\">{body}</div></body></html>",
        esc(title)
    ))
}

fn flash(message: Option<&str>, error: bool) -> String {
    match message {
        Some(m) if !m.is_empty() => format!(
            "<p class=\"flash{}\" role=\"status\">{}</p>",
            if error { " error" } else { "" },
            esc(m)
        ),
        _ => String::new(),
    }
}

/// A pending transaction with its pay, deny and expire buttons.
fn pending_card(sim: &Sim, tx: &Transaction) -> String {
    format!(
        "<div class=\"card\" data-order-id=\"{order}\">\
         <div class=\"amount\">{amount}</div>\
         <div class=\"meta\">Order <b>{order}</b> · {kind} · to {merchant}</div>\
         <div class=\"meta\">Expires {expiry} (Jakarta), {left}</div>\
         <form method=\"post\" action=\"/phone/act\" class=\"actions\">\
         <input type=\"hidden\" name=\"order_id\" value=\"{order}\">\
         <button class=\"primary\" name=\"action\" value=\"pay\">Pay</button>\
         <button class=\"danger\" name=\"action\" value=\"deny\">Deny</button>\
         <button name=\"action\" value=\"expire\">Let it expire</button>\
         </form></div>",
        order = esc(&tx.order_id),
        amount = rupiah(tx.gross_amount),
        kind = if tx.payment_type.as_str() == "qris" {
            "QRIS"
        } else {
            "GoPay"
        },
        merchant = esc(&sim.config.merchant_name),
        expiry = esc(&tx.expiry_time()),
        left = time_left(tx),
    )
}

#[derive(Deserialize)]
struct PhoneQuery {
    msg: Option<String>,
    error: Option<String>,
}

async fn phone(State(sim): State<Arc<Sim>>, Query(query): Query<PhoneQuery>) -> Html<String> {
    let all = sim.store.list();
    let pending: String = all
        .iter()
        .filter(|tx| tx.status == Status::Pending)
        .map(|tx| pending_card(&sim, tx))
        .collect();
    let pending = if pending.is_empty() {
        "<p class=\"meta\">No pending transactions. Buy something in the shop, then refresh.</p>"
            .to_string()
    } else {
        pending
    };
    let recent: String = all
        .iter()
        .filter(|tx| tx.status != Status::Pending)
        .take(20)
        .map(|tx| {
            let last = tx
                .deliveries
                .last()
                .map(|d| format!("{}: {}", d.status.as_str(), d.outcome))
                .unwrap_or_default();
            format!(
                "<tr data-order-id=\"{order}\"><td>{order}</td><td>{amount}</td>\
                 <td class=\"status-{status}\">{status}</td><td class=\"meta\">{last}</td></tr>",
                order = esc(&tx.order_id),
                amount = rupiah(tx.gross_amount),
                status = tx.status.as_str(),
                last = esc(&last),
            )
        })
        .collect();
    let recent = if recent.is_empty() {
        String::new()
    } else {
        format!(
            "<h2>Recent</h2><table><thead><tr><th>Order</th><th>Amount</th><th>Status</th>\
             <th>Last notification</th></tr></thead><tbody>{recent}</tbody></table>"
        )
    };
    let body = format!(
        "<header><span>GoPay simulator · phone</span><a href=\"/\">Refresh</a></header><main>\
         <p class=\"lead\">Play the customer: pay, deny or let a transaction expire. \
         The shop hears of it by a signed HTTP notification, as from Midtrans.</p>\
         {flash}{error}\
         <h2>Scan a QR code</h2>\
         <form method=\"post\" action=\"/phone/scan\">\
         <label for=\"payload\">Paste the QR payload, a deeplink, an order id or a transaction id</label>\
         <textarea id=\"payload\" name=\"payload\" rows=\"3\" required></textarea>\
         <div class=\"actions\"><button class=\"primary\">Find transaction</button></div></form>\
         <h2>Pending</h2>{pending}{recent}</main>",
        flash = flash(query.msg.as_deref(), false),
        error = flash(query.error.as_deref(), true),
    );
    page("GoPay simulator", &body)
}

#[derive(Deserialize)]
struct ActForm {
    order_id: String,
    action: String,
}

fn back_to_phone(key: &str, message: &str) -> Response {
    let url = reqwest::Url::parse_with_params("http://phone/", &[(key, message)])
        .ok()
        .and_then(|u| u.query().map(|q| format!("/?{q}")))
        .unwrap_or_else(|| "/".into());
    Redirect::to(&url).into_response()
}

async fn phone_act(State(sim): State<Arc<Sim>>, Form(form): Form<ActForm>) -> Response {
    let to = match form.action.as_str() {
        "pay" => Status::Settlement,
        "deny" => Status::Deny,
        "expire" => Status::Expire,
        _ => return back_to_phone("error", "unknown action"),
    };
    match crate::act(&sim, &form.order_id, to) {
        Ok(tx) => back_to_phone(
            "msg",
            &format!("Order {} is now {}.", tx.order_id, tx.status.as_str()),
        ),
        Err(e) => back_to_phone(
            "error",
            &format!("Order {}: {}.", form.order_id, crate::describe(&e)),
        ),
    }
}

#[derive(Deserialize)]
struct ScanForm {
    payload: String,
}

/// Shows the scanned transaction, ready to pay, as a wallet app does after a scan.
async fn phone_scan(State(sim): State<Arc<Sim>>, Form(form): Form<ScanForm>) -> Response {
    let tx = match crate::lookup(&sim, &form.payload) {
        Ok(tx) => tx,
        Err(message) => return back_to_phone("error", &message),
    };
    let details = if tx.status == Status::Pending {
        pending_card(&sim, &tx)
    } else {
        format!(
            "<div class=\"card\"><div class=\"amount\">{}</div><div class=\"meta\">Order <b>{}</b> \
             is already <span class=\"status-{s}\">{s}</span>.</div></div>",
            rupiah(tx.gross_amount),
            esc(&tx.order_id),
            s = tx.status.as_str(),
        )
    };
    let body = format!(
        "<header><span>Scanned</span><a href=\"/\">Back</a></header><main>\
         <h1>{}</h1>{details}</main>",
        esc(&sim.config.merchant_name)
    );
    page("Scanned QR code", &body).into_response()
}

#[derive(Deserialize)]
struct DeeplinkQuery {
    tref: Option<String>,
}

/// Where the deeplink lands: the app's payment confirmation.
async fn app(State(sim): State<Arc<Sim>>, Query(query): Query<DeeplinkQuery>) -> Response {
    let Some(tx) = query.tref.as_deref().and_then(|t| sim.store.find(t)) else {
        let body = "<header><span>GoPay</span></header><main><h1>Payment not found</h1>\
                    <p class=\"meta\">This link does not belong to a transaction of this simulator.</p></main>";
        return (StatusCode::NOT_FOUND, page("GoPay", body)).into_response();
    };
    let merchant = esc(&sim.config.merchant_name);
    let body = if tx.status == Status::Pending {
        format!(
            "<header><span>GoPay</span><span>simulated app</span></header><main>\
             <p class=\"lead\">Pay to</p><h1>{merchant}</h1>\
             <div class=\"amount\">{amount}</div>\
             <p class=\"meta\">Order {order} · {left}</p>\
             <form method=\"post\" action=\"/app/deeplink\" class=\"actions\">\
             <input type=\"hidden\" name=\"tref\" value=\"{tref}\">\
             <button class=\"primary\" name=\"action\" value=\"pay\">Pay</button>\
             <button class=\"danger\" name=\"action\" value=\"deny\">Deny</button>\
             <button name=\"action\" value=\"cancel\">Cancel</button></form>\
             <p class=\"meta\">Cancel returns to the merchant without paying; \
             the transaction stays pending until it expires.</p></main>",
            amount = rupiah(tx.gross_amount),
            order = esc(&tx.order_id),
            left = time_left(&tx),
            tref = esc(&tx.tref),
        )
    } else {
        let result = if tx.status == Status::Settlement {
            "success"
        } else {
            "failure"
        };
        let back = tx
            .callback_url
            .as_deref()
            .and_then(|c| callback_with(c, &tx.order_id, result))
            .map(|url| format!("<p><a href=\"{}\">Back to {merchant}</a></p>", esc(&url)))
            .unwrap_or_default();
        format!(
            "<header><span>GoPay</span><span>simulated app</span></header><main>\
             <h1>{merchant}</h1><div class=\"amount\">{}</div>\
             <p>This payment is <span class=\"status-{s}\">{s}</span>.</p>{back}</main>",
            rupiah(tx.gross_amount),
            s = tx.status.as_str(),
        )
    };
    page("GoPay", &body).into_response()
}

#[derive(Deserialize)]
struct AppForm {
    tref: String,
    action: String,
}

async fn app_act(State(sim): State<Arc<Sim>>, Form(form): Form<AppForm>) -> Response {
    let Some(tx) = sim.store.find(&form.tref) else {
        return (StatusCode::NOT_FOUND, "no such transaction").into_response();
    };
    let (outcome, problem) = match form.action.as_str() {
        "pay" => (Some(Status::Settlement), None),
        "deny" => (Some(Status::Deny), None),
        "cancel" => (None, None),
        _ => (None, Some("unknown action".to_string())),
    };
    let mut result = "failure";
    let mut problem = problem;
    if let Some(to) = outcome {
        match crate::act(&sim, &tx.order_id, to) {
            Ok(tx) if tx.status == Status::Settlement => result = "success",
            Ok(_) => {}
            Err(e) => problem = Some(crate::describe(&e)),
        }
    }
    // Back to the merchant as the real app does; the result there is a hint, not proof.
    if let Some(url) = tx
        .callback_url
        .as_deref()
        .and_then(|c| callback_with(c, &tx.order_id, result))
    {
        return Redirect::to(&url).into_response();
    }
    let message = match (result, problem) {
        (_, Some(problem)) => format!("Not paid: {problem}."),
        ("success", None) => "Paid. You can go back to the merchant's page.".to_string(),
        _ => "Not paid. You can go back to the merchant's page.".to_string(),
    };
    let body = format!(
        "<header><span>GoPay</span><span>simulated app</span></header><main>\
         <h1>{}</h1>{}</main>",
        esc(&sim.config.merchant_name),
        flash(Some(&message), result != "success"),
    );
    page("GoPay", &body).into_response()
}

/// `callback_url` with `order_id` and `result` set, keeping its other query parameters.
pub(crate) fn callback_with(callback: &str, order_id: &str, result: &str) -> Option<String> {
    let mut url = reqwest::Url::parse(callback).ok()?;
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "order_id" && k != "result")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.set_query(None);
    {
        let mut query = url.query_pairs_mut();
        query.extend_pairs(kept);
        query.append_pair("order_id", order_id);
        query.append_pair("result", result);
    }
    Some(url.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_gets_order_and_result() {
        assert_eq!(
            callback_with("http://127.0.0.1:8080/", "A-1", "success").as_deref(),
            Some("http://127.0.0.1:8080/?order_id=A-1&result=success")
        );
        assert_eq!(
            callback_with(
                "https://shop.example/pay/finish?x=1&order_id=OLD#top",
                "A 1",
                "failure"
            )
            .as_deref(),
            Some("https://shop.example/pay/finish?x=1&order_id=A+1&result=failure#top")
        );
        assert_eq!(
            callback_with("someapps://callback", "A-1", "success").as_deref(),
            Some("someapps://callback?order_id=A-1&result=success")
        );
        assert_eq!(callback_with("not a url", "A-1", "success"), None);
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn rupiah_groups_thousands() {
        assert_eq!(rupiah(0), "Rp0");
        assert_eq!(rupiah(999), "Rp999");
        assert_eq!(rupiah(1_000), "Rp1.000");
        assert_eq!(rupiah(149_500), "Rp149.500");
        assert_eq!(rupiah(1_234_567), "Rp1.234.567");
    }
}

//! wasm-bindgen tests in headless Chromium: mounting renders the QR as an `<svg>`, bad input
//! ends in the error state with one `gopay-error` event, and the JSON reader keeps its rules
//! in wasm as it does natively.
#![cfg(target_arch = "wasm32")]

use gopay_widget::embed::mount_widget;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

const QRIS_2021: &str = include_str!("fixtures/midtrans/qris-charge-docs-shape.json");

/// The fixture's charge with a transaction still open: an expired one shows no QR.
fn qris() -> String {
    QRIS_2021
        .replace("2021-06-23 15:22:03", "2099-12-31 23:00:00")
        .replace("2021-06-23 15:37:03", "2099-12-31 23:15:00")
}

fn host() -> HtmlElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el: HtmlElement = doc.create_element("div").unwrap().unchecked_into();
    doc.body().unwrap().append_child(&el).unwrap();
    el
}

fn options(charge: &str) -> JsValue {
    let o = Object::new();
    Reflect::set(&o, &"charge".into(), &charge.into()).unwrap();
    Reflect::set(&o, &"locale".into(), &"en".into()).unwrap();
    o.into()
}

async fn settle() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 30)
            .unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

/// Records the `detail.code` of each gopay-error event on `el`.
fn record_errors(el: &HtmlElement) -> Array {
    let seen = Array::new();
    let s = seen.clone();
    let cb = Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
        s.push(&Reflect::get(&e.detail(), &"code".into()).unwrap());
    });
    el.add_event_listener_with_callback("gopay-error", cb.as_ref().unchecked_ref())
        .unwrap();
    cb.forget();
    seen
}

#[wasm_bindgen_test]
async fn mount_renders_an_svg_qr() {
    let el = host();
    let errors = record_errors(&el);
    let mut handle = mount_widget(el.clone(), options(&qris())).unwrap();
    settle().await;
    let root = el.shadow_root().expect("open shadow root");
    let svg = root.query_selector("svg").unwrap().expect("an svg");
    assert_eq!(svg.get_attribute("role").as_deref(), Some("img"));
    let path = root.query_selector("svg path").unwrap().unwrap();
    assert!(path.get_attribute("d").unwrap().len() > 100);
    assert!(root.text_content().unwrap().contains("IDR 789,000"));
    assert_eq!(errors.length(), 0);
    handle.destroy();
    assert!(root.query_selector("svg").unwrap().is_none());
    assert_eq!(el.get_attribute("data-state"), None);
}

#[wasm_bindgen_test]
async fn bad_input_shows_the_error_state_once() {
    for bad in [
        "{",
        "[]",
        "null",
        r#"{"order_id":[1]}"#,
        r#"{"status_code":"401","status_message":"nope"}"#,
    ] {
        let el = host();
        let errors = record_errors(&el);
        let _handle = mount_widget(el.clone(), options(bad)).unwrap();
        settle().await;
        assert_eq!(
            el.get_attribute("data-state").as_deref(),
            Some("error"),
            "{bad}"
        );
        assert_eq!(errors.length(), 1, "{bad}");
        let root = el.shadow_root().unwrap();
        assert!(root.query_selector("svg").unwrap().is_none());
        assert!(!root.text_content().unwrap().trim().is_empty());
    }
}

#[wasm_bindgen_test]
async fn a_charge_object_is_accepted_too() {
    let el = host();
    let o = Object::new();
    Reflect::set(&o, &"charge".into(), &js_sys::JSON::parse(&qris()).unwrap()).unwrap();
    let _handle = mount_widget(el.clone(), o.into()).unwrap();
    settle().await;
    assert!(el
        .shadow_root()
        .unwrap()
        .query_selector("svg")
        .unwrap()
        .is_some());
}

#[wasm_bindgen_test]
async fn a_charge_with_a_repeated_key_is_refused_with_its_code() {
    // JSON.parse would keep the last value; the widget's reader refuses the charge.
    let twice = qris().replacen('{', r#"{"transaction_status":"settlement","#, 1);
    assert!(twice.matches("\"transaction_status\"").count() == 2);
    let el = host();
    let errors = record_errors(&el);
    let _handle = mount_widget(el.clone(), options(&twice)).unwrap();
    settle().await;
    assert_eq!(el.get_attribute("data-state").as_deref(), Some("error"));
    assert_eq!(errors.length(), 1);
    assert_eq!(errors.get(0).as_string().as_deref(), Some("duplicate_key"));
}

#[wasm_bindgen_test]
fn the_json_reader_keeps_its_rules_in_wasm() {
    use gopay_widget::core::json::{from_str, JsonError, Value, MAX_DEPTH};
    // Integer-like keys keep their place (JSON.parse would move them first).
    let Ok(Value::Object(entries)) = from_str(r#"{"b":1,"2":2,"a":3}"#) else {
        panic!("not an object")
    };
    let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["b", "2", "a"]);
    assert_eq!(from_str(r#"{"a":1,"a":2}"#), Err(JsonError::DuplicateKey));
    assert_eq!(from_str("[1,]"), Err(JsonError::Syntax));
    assert_eq!(from_str("275000.00"), Ok(Value::Number(275000.0)));
    assert_eq!(from_str("0.1"), Ok(Value::Number(0.1)));
    assert_eq!(
        from_str(r#""\ud83d\ude00""#),
        Ok(Value::String("😀".into()))
    );
    // Deep nesting is cut, not recursed, within the wasm stack.
    let deep = format!("{}{}", "[".repeat(60_000), "]".repeat(60_000));
    let mut cur = &from_str(&deep).unwrap();
    let mut depth = 0;
    while let Value::Array(items) = cur {
        depth += 1;
        cur = &items[0];
    }
    assert_eq!((depth, cur), (MAX_DEPTH + 1, &Value::TooDeep));
}

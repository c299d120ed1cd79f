//! The host's open shadow root, made ready for a view: emptied, the widget's stylesheet
//! adopted, and a container to mount the view in.

use super::browser;
use crate::ui;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CssStyleSheet, HtmlElement, ShadowRoot};

/// The stylesheet shared by every widget on the page.
fn shared_sheet() -> Option<CssStyleSheet> {
    thread_local! {
        static SHEET: Option<CssStyleSheet> = CssStyleSheet::new().ok().inspect(|s| {
            let _ = s.replace_sync(ui::CSS);
        });
    }
    SHEET.with(Clone::clone)
}

/// The host's open shadow root, emptied, with the widget's stylesheet and a container.
pub fn prepare_root(host: &HtmlElement) -> Result<HtmlElement, JsValue> {
    let root: ShadowRoot = match host.shadow_root() {
        Some(root) => root,
        None => host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))?,
    };
    // Emptied node by node: an innerHTML write would be refused under Trusted Types.
    while let Some(child) = root.first_child() {
        root.remove_child(&child)?;
    }
    if let Some(sheet) = shared_sheet() {
        Reflect::set(
            &root,
            &"adoptedStyleSheets".into(),
            &js_sys::Array::of1(&sheet),
        )?;
    }
    let document = browser::document().ok_or("no document")?;
    let container: HtmlElement = document.create_element("div")?.unchecked_into();
    root.append_child(&container)?;
    Ok(container)
}

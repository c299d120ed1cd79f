//! The host's open shadow root, made ready for a view: emptied, the widget's stylesheet
//! adopted (by the package's script in its browser build), and a container to mount the view in.

use super::browser;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, ShadowRoot};

/// The stylesheet shared by every widget on the page, adopted by `root`. The package's browser
/// build has none: its script adopts the same sheet, made from the same text, after each mount
/// (js/pure.js), and styles the QR it draws before the widget's module is there with it.
#[cfg(not(browser_build))]
fn adopt_sheet(root: &ShadowRoot) -> Result<(), JsValue> {
    use web_sys::CssStyleSheet;
    thread_local! {
        static SHEET: Option<CssStyleSheet> = CssStyleSheet::new().ok().inspect(|s| {
            let _ = s.replace_sync(crate::ui::CSS);
        });
    }
    if let Some(sheet) = SHEET.with(Clone::clone) {
        js_sys::Reflect::set(
            root,
            &"adoptedStyleSheets".into(),
            &js_sys::Array::of1(&sheet),
        )?;
    }
    Ok(())
}

#[cfg(browser_build)]
fn adopt_sheet(_: &ShadowRoot) -> Result<(), JsValue> {
    Ok(())
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
    adopt_sheet(&root)?;
    let document = browser::document().ok_or("no document")?;
    let container: HtmlElement = document.create_element("div")?.unchecked_into();
    root.append_child(&container)?;
    Ok(container)
}

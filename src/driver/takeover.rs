//! Taking over a server's first paint: one inserted unparsed by a script becomes the host's
//! shadow root, as the parser would have made it, and the QR drawn in it is found for the new
//! view to adopt ([`crate::ui::Parts::adopt`]).

use crate::ui::paint::{self, PaintedQr};
use js_sys::Reflect;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// An unparsed first paint's template ([`paint::unparsed_first_paint`]) becomes the host's
/// open shadow root: its nodes moved, not copied. A host with a shadow root keeps it.
pub fn adopt_unparsed_root(host: &HtmlElement) {
    if host.shadow_root().is_some() {
        return;
    }
    let Some(template) = paint::unparsed_first_paint(host) else {
        return;
    };
    let Some(content) = Reflect::get(&template, &"content".into())
        .ok()
        .and_then(|c| c.dyn_into::<web_sys::Node>().ok())
    else {
        return;
    };
    let init = web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open);
    if let Ok(root) = host.attach_shadow(&init) {
        if root.append_child(&content).is_ok() {
            template.remove();
        }
    }
}

/// The QR a server drew in the host's shadow root, before the root is emptied for the view.
pub fn painted_qr(host: &HtmlElement) -> Option<PaintedQr> {
    PaintedQr::find(&host.shadow_root()?)
}

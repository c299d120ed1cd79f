//! What the page hears: the host's `data-state`, DOM events (bubbling, composed) and the
//! merchant's callbacks.

use crate::core::machine::{Event, EventKind, State};
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};

/// The `on*` callbacks of `mount()`, one per event kind, in [`EventKind::ALL`]'s order.
#[derive(Default)]
pub struct Callbacks(pub [Option<Function>; EventKind::ALL.len()]);

impl Callbacks {
    fn of(&self, kind: EventKind) -> Option<&Function> {
        let i = EventKind::ALL.iter().position(|k| *k == kind)?;
        self.0[i].as_ref()
    }
}

/// The element the widget lives in, as the page sees it.
pub struct Page {
    pub host: HtmlElement,
    pub callbacks: Callbacks,
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

fn opt_str(v: Option<&str>) -> JsValue {
    v.map_or(JsValue::UNDEFINED, JsValue::from_str)
}

impl Page {
    /// Written only when it changes: each write, even of the same value, restyles the widget
    /// and wakes the page's observers (the view renders every second).
    pub fn set_state(&self, state: State) {
        if self.host.get_attribute("data-state").as_deref() != Some(state.as_str()) {
            let _ = self.host.set_attribute("data-state", state.as_str());
        }
    }

    pub fn clear_state(&self) {
        let _ = self.host.remove_attribute("data-state");
    }

    /// `data-live` (empty): the widget has taken the host over and runs it, which a server's
    /// first paint, already carrying `data-state`, cannot say.
    pub fn set_live(&self, live: bool) {
        let _ = if live {
            self.host.set_attribute("data-live", "")
        } else {
            self.host.remove_attribute("data-live")
        };
    }

    /// A machine event, with the contract's `detail`.
    pub fn emit(&self, event: &Event) {
        let detail = Object::new();
        set(&detail, "order_id", &JsValue::from_str(&event.order_id));
        set(
            &detail,
            "transaction_id",
            &JsValue::from_str(&event.transaction_id),
        );
        set(
            &detail,
            "transaction_status",
            &JsValue::from_str(&event.transaction_status),
        );
        set(
            &detail,
            "status_code",
            &opt_str(event.status_code.as_deref()),
        );
        set(
            &detail,
            "gross_amount",
            &opt_str(event.gross_amount.as_deref()),
        );
        if let Some(code) = event.code {
            set(&detail, "code", &JsValue::from_str(code));
        }
        set(&detail, "message", &opt_str(event.message.as_deref()));
        self.dispatch(event.kind, &detail);
    }

    /// `gopay-error` with `{code, message}`.
    pub fn error(&self, code: &str, message: &str) {
        let detail = Object::new();
        set(&detail, "code", &JsValue::from_str(code));
        set(&detail, "message", &JsValue::from_str(message));
        self.dispatch(EventKind::Error, &detail);
    }

    fn dispatch(&self, kind: EventKind, detail: &Object) {
        let init = CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(detail);
        if let Ok(ev) = CustomEvent::new_with_event_init_dict(kind.dom_name(), &init) {
            let _ = self.host.dispatch_event(&ev);
        }
        if let Some(f) = self.callbacks.of(kind) {
            // A merchant callback that throws must not stop the widget.
            if let Err(e) = f.call1(&JsValue::NULL, detail) {
                web_sys::console::error_2(&"gopay-widget: callback threw".into(), &e);
            }
        }
    }
}

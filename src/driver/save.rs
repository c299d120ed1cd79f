//! "Save QR image": the drawn QR as a PNG download, so the shopper can pay from a QRIS
//! app's gallery on the same phone.

use super::browser::document;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Draws the QR path (`size` modules a side) on a canvas and downloads it as a PNG. The path is
/// horizontal runs, drawn as the view draws them: half a module down (`qr::PATH_TRANSFORM`) and
/// stroked one module wide with butt caps (the canvas default, set anyway).
pub fn save_png(size: u32, path: &str, order_id: &str) -> Result<(), JsValue> {
    const SCALE: u32 = 10;
    let document = document().ok_or("no document")?;
    let canvas: web_sys::HtmlCanvasElement = document.create_element("canvas")?.unchecked_into();
    canvas.set_width(size * SCALE);
    canvas.set_height(size * SCALE);
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or("no 2d context")?
        .unchecked_into();
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, (size * SCALE) as f64, (size * SCALE) as f64);
    ctx.scale(SCALE as f64, SCALE as f64)?;
    ctx.translate(0.0, 0.5)?;
    ctx.set_stroke_style_str("#000000");
    ctx.set_line_width(1.0);
    ctx.set_line_cap("butt");
    ctx.stroke_with_path(&web_sys::Path2d::new_with_path_string(path)?);
    let url = canvas.to_data_url_with_type("image/png")?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    a.set_href(&url);
    let safe: String = order_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(50)
        .collect();
    a.set_download(&format!("gopay-qr-{safe}.png"));
    a.click();
    Ok(())
}

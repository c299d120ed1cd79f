//! "Save QR image": the QR as a PNG download, so the shopper can pay from a QRIS app's
//! gallery on the same phone: the drawn QR drawn again on a canvas, or the charge's own PNG
//! fetched as it is.

use super::browser::{document, window};
use crate::core::plan::Plan;
use crate::core::qris::{MARK_HEIGHT, MARK_PATH, MARK_STROKE, MARK_WIDTH};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Draws the QR path (`size` modules a side) on a canvas and downloads it as a PNG. The path is
/// horizontal runs, drawn as the view draws them: half a module down (`qr::PATH_TRANSFORM`) and
/// stroked one module wide with butt caps (the canvas default, set anyway). A QRIS code gets the
/// view's frame under it: the wordmark, the merchant, city and NMID, and the amount.
pub fn save_png(size: u32, path: &str, plan: &Plan) -> Result<(), JsValue> {
    const SCALE: u32 = 10;
    // The caption: the mark, then a line each for the merchant, city, NMID and amount.
    const MARK_SCALE: f64 = 3.0;
    const LINE: f64 = 36.0;
    let side = f64::from(size * SCALE);
    let caption = plan.qris.as_ref().map(|q| {
        [
            ("bold 30px sans-serif", q.merchant_name.clone()),
            ("24px sans-serif", q.merchant_city.clone()),
            ("24px sans-serif", format!("NMID: {}", q.nmid)),
            ("bold 28px sans-serif", plan.amount_text.clone()),
        ]
    });
    let mark_h = f64::from(MARK_HEIGHT) * MARK_SCALE;
    let height = match &caption {
        Some(lines) => side + mark_h + LINE * lines.len() as f64 + 24.0,
        None => side,
    };
    let document = document().ok_or("no document")?;
    let canvas: web_sys::HtmlCanvasElement = document.create_element("canvas")?.unchecked_into();
    canvas.set_width(size * SCALE);
    canvas.set_height(height as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or("no 2d context")?
        .unchecked_into();
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, side, height);
    ctx.set_stroke_style_str("#000000");
    ctx.set_fill_style_str("#000000");
    if let Some(lines) = caption {
        ctx.save();
        ctx.translate((side - f64::from(MARK_WIDTH) * MARK_SCALE) / 2.0, side)?;
        ctx.scale(MARK_SCALE, MARK_SCALE)?;
        ctx.set_line_width(MARK_STROKE);
        ctx.set_line_cap("round");
        ctx.set_line_join("round");
        ctx.stroke_with_path(&web_sys::Path2d::new_with_path_string(MARK_PATH)?);
        ctx.restore();
        ctx.set_text_align("center");
        ctx.set_text_baseline("middle");
        let margin = f64::from(4 * SCALE);
        for (i, (font, text)) in lines.iter().enumerate() {
            ctx.set_font(font);
            let y = side + mark_h + LINE * (i as f64 + 0.5) + 8.0;
            ctx.fill_text_with_max_width(text, side / 2.0, y, side - 2.0 * margin)?;
        }
    }
    ctx.scale(SCALE as f64, SCALE as f64)?;
    ctx.translate(0.0, 0.5)?;
    ctx.set_line_width(1.0);
    ctx.set_line_cap("butt");
    ctx.stroke_with_path(&web_sys::Path2d::new_with_path_string(path)?);
    download(
        &canvas.to_data_url_with_type("image/png")?,
        &plan.charge.order_id,
    )
}

/// Saves the charge's QR image (`url`, allowlisted) as the PNG it is. A cross-origin image is
/// readable only if its host allows it (CORS) and the page's CSP lets the widget connect to
/// it; `false` when it could not be saved (refused, unreachable, not a PNG).
pub async fn save_image(url: &str, order_id: &str) -> bool {
    let fetched = JsFuture::from(window().fetch_with_str(url)).await;
    let Ok(response) = fetched.and_then(|r| r.dyn_into::<web_sys::Response>()) else {
        return false;
    };
    // An error answer (Midtrans sends JSON ones) is not saved as an image.
    let png = response
        .headers()
        .get("content-type")
        .ok()
        .flatten()
        .is_some_and(|t| {
            t.trim_start()
                .get(..9)
                .is_some_and(|m| m.eq_ignore_ascii_case("image/png"))
        });
    if !response.ok() || !png {
        return false;
    }
    let Ok(read) = response.blob() else {
        return false;
    };
    let Ok(blob) = JsFuture::from(read).await else {
        return false;
    };
    // Not revoked: some browsers still read the URL after the click returns, and the page
    // keeps one small image per tap.
    web_sys::Url::create_object_url_with_blob(blob.unchecked_ref())
        .and_then(|href| download(&href, order_id))
        .is_ok()
}

/// Downloads `href` as `gopay-qr-{order}.png`, the order id cut to a safe file name.
fn download(href: &str, order_id: &str) -> Result<(), JsValue> {
    let document = document().ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    a.set_href(href);
    let safe: String = order_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(50)
        .collect();
    a.set_download(&format!("gopay-qr-{safe}.png"));
    a.click();
    Ok(())
}

//! Compression of what the shop writes itself: its pages, its JSON and the files of `www/`.
//!
//! Each body is compressed whole, at the best quality (brotli 11, gzip 9), and sent with its
//! `Content-Length`. A compressor on a stream would have to send the body in chunks, and the
//! chunks' framing costs a few bytes on every response (about 200 bytes over a payment page's
//! visit, most of them on the status polls); these bodies are small, so they are read whole
//! first. The package is not compressed here: the build writes its `.br` and `.gz` copies,
//! which `files::serve_dir` and the versioned package routes send as they are.

use std::io::Write;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::Body as _;

/// Bodies larger than this (or of unknown length) are sent as they are.
const LARGEST: u64 = 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    fn name(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }

    /// The encoding a request's `Accept-Encoding` prefers among brotli and gzip (brotli on a
    /// tie), or none when it accepts neither.
    pub fn accepted(headers: &HeaderMap) -> Option<Encoding> {
        let mut brotli = None;
        let mut gzip = None;
        let mut any = None;
        for value in headers.get_all(header::ACCEPT_ENCODING) {
            let Ok(value) = value.to_str() else { continue };
            for item in value.split(',') {
                let mut parts = item.split(';');
                let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
                let mut weight = 1.0_f32;
                for parameter in parts {
                    if let Some((key, v)) = parameter.split_once('=') {
                        if key.trim().eq_ignore_ascii_case("q") {
                            weight = v.trim().parse().unwrap_or(0.0);
                        }
                    }
                }
                match name.as_str() {
                    "br" => brotli = Some(weight),
                    "gzip" | "x-gzip" => gzip = Some(weight),
                    "*" => any = Some(weight),
                    _ => {}
                }
            }
        }
        let brotli = brotli.or(any).unwrap_or(0.0);
        let gzip = gzip.or(any).unwrap_or(0.0);
        if brotli > 0.0 && brotli >= gzip {
            Some(Encoding::Brotli)
        } else if gzip > 0.0 {
            Some(Encoding::Gzip)
        } else {
            None
        }
    }

    /// `raw` compressed whole, at the best quality.
    pub fn compress(self, raw: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(raw.len() / 2 + 64);
        match self {
            Encoding::Brotli => {
                let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
                // Writing into a Vec cannot fail.
                let _ = writer.write_all(raw);
                drop(writer);
            }
            Encoding::Gzip => {
                let mut writer =
                    flate2::write::GzEncoder::new(&mut out, flate2::Compression::best());
                let _ = writer.write_all(raw);
                let _ = writer.finish();
            }
        }
        out
    }
}

/// Whether a response is text the shop wrote and worth compressing.
fn compressible(response: &Response) -> bool {
    let headers = response.headers();
    let text = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|t| {
            t.starts_with("text/")
                || matches!(
                    t.as_str(),
                    "application/json" | "application/javascript" | "image/svg+xml"
                )
        });
    let no_transform = headers
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.to_ascii_lowercase().contains("no-transform"));
    text && !no_transform && !headers.contains_key(header::CONTENT_ENCODING)
}

/// The middleware: compresses a complete `200` text body for a client that accepts brotli
/// or gzip, and says that the answer varies with `Accept-Encoding`.
pub async fn responses(request: Request, next: Next) -> Response {
    let accepted = Encoding::accepted(request.headers());
    let head = request.method() == Method::HEAD;
    let mut response = next.run(request).await;
    if !compressible(&response) {
        return response;
    }
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    // A file's body does not know its length; its `Content-Length` does.
    let size = response.body().size_hint().exact().or_else(|| {
        response
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse().ok())
    });
    let (Some(encoding), false, StatusCode::OK, Some(1..=LARGEST)) =
        (accepted, head, response.status(), size)
    else {
        return response;
    };
    let (mut parts, body) = response.into_parts();
    let Ok(raw) = axum::body::to_bytes(body, LARGEST as usize).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let compressed = match tokio::task::spawn_blocking({
        let raw = raw.clone();
        move || encoding.compress(&raw)
    })
    .await
    {
        Ok(compressed) if compressed.len() < raw.len() => compressed,
        // Nothing saved (a tiny body), or the compressor's task failed: sent as it is.
        _ => return Response::from_parts(parts, Body::from(raw)),
    };
    parts.headers.remove(header::ACCEPT_RANGES);
    parts.headers.insert(
        header::CONTENT_ENCODING,
        HeaderValue::from_static(encoding.name()),
    );
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(compressed.len()));
    Response::from_parts(parts, Body::from(Bytes::from(compressed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Option<Encoding> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        Encoding::accepted(&headers)
    }

    #[test]
    fn the_preferred_encoding_is_read_from_accept_encoding() {
        assert_eq!(accept("gzip, deflate, br, zstd"), Some(Encoding::Brotli));
        assert_eq!(accept("gzip"), Some(Encoding::Gzip));
        assert_eq!(accept("br;q=0.5, gzip;q=0.8"), Some(Encoding::Gzip));
        assert_eq!(accept("br;q=0, gzip"), Some(Encoding::Gzip));
        assert_eq!(accept("*"), Some(Encoding::Brotli));
        assert_eq!(accept("*;q=0.1, br;q=0"), Some(Encoding::Gzip));
        assert_eq!(accept("identity"), None);
        assert_eq!(accept("br;q=0, gzip;q=0"), None);
        assert_eq!(accept("deflate"), None);
        assert_eq!(Encoding::accepted(&HeaderMap::new()), None);
    }

    #[test]
    fn both_encodings_give_back_the_bytes() {
        use std::io::Read;
        let raw = "Scan the QR code with Gojek or GoPay. ".repeat(40);
        let br = Encoding::Brotli.compress(raw.as_bytes());
        let mut back = String::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, raw);
        let gz = Encoding::Gzip.compress(raw.as_bytes());
        let mut back = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, raw);
        assert!(br.len() < raw.len() / 10 && gz.len() < raw.len() / 10);
    }
}

//! The widget package served like a fast site's assets: under a name that changes with its
//! content (`/static/gopay-widget/{version}/index.js`), so a returning shopper's browser keeps
//! every file for a year without asking again (`immutable`), and a rebuilt package is a new
//! name that no cache can mistake for the old one. The files themselves come from `pkg/` (with
//! the `.br` and `.gz` copies the build writes, so nothing is compressed per request).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::body::Body;
use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, Router};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use crate::files;

/// Where the versioned package is served; `{version}` follows it.
pub const PREFIX: &str = "/static/gopay-widget";

/// A year: the longest lifetime HTTP caches honour, for a name that never changes content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The package folder and the version of what it holds now.
pub struct Package {
    dir: PathBuf,
    /// The files' names, sizes and times, and the version computed from their contents.
    seen: Mutex<Option<(Vec<Stamp>, String)>>,
}

type Stamp = (String, u64, Option<SystemTime>);

impl Package {
    pub fn new(dir: &Path) -> Package {
        Package {
            dir: dir.to_path_buf(),
            seen: Mutex::default(),
        }
    }

    /// The files of the package that a page fetches or links, with their stamps.
    fn stamps(&self) -> Vec<Stamp> {
        let mut stamps: Vec<Stamp> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name().into_string().ok()?;
                let meta = entry.metadata().ok()?;
                meta.is_file()
                    .then(|| (name, meta.len(), meta.modified().ok()))
            })
            .collect();
        stamps.sort();
        stamps
    }

    /// The package's version: the start of a SHA-256 of every file's name and content,
    /// computed again only when a file was added, removed, resized or touched.
    pub fn version(&self) -> String {
        let stamps = self.stamps();
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((old, version)) = seen.as_ref() {
            if *old == stamps {
                return version.clone();
            }
        }
        let mut hash = Sha256::new();
        for (name, _, _) in &stamps {
            hash.update(name.as_bytes());
            hash.update([0]);
            if let Ok(bytes) = std::fs::read(self.dir.join(name)) {
                hash.update((bytes.len() as u64).to_le_bytes());
                hash.update(&bytes);
            }
        }
        let version = hex::encode(&hash.finalize()[..8]);
        *seen = Some((stamps, version.clone()));
        version
    }

    /// The URL folder of the current version, ending in `/`.
    pub fn base_url(&self) -> String {
        format!("{PREFIX}/{}/", self.version())
    }
}

/// `GET {PREFIX}/{version}/{file}`: the file from `pkg/` with a year's immutable caching, when
/// `version` is the package's current one; 404 for any other (a page from before a rebuild
/// reloads and gets the new names).
pub fn routes(package: Arc<Package>) -> Router {
    let files = files::serve_dir(&package.dir);
    Router::new()
        .route(&format!("{PREFIX}/{{version}}/{{*file}}"), get(versioned))
        .with_state((package, files))
}

async fn versioned(
    State((package, files)): State<(Arc<Package>, Router)>,
    UrlPath((version, file)): UrlPath<(String, String)>,
    request: Request,
) -> Response {
    let current = {
        let package = package.clone();
        tokio::task::spawn_blocking(move || package.version())
            .await
            .unwrap_or_default()
    };
    if version != current {
        return (StatusCode::NOT_FOUND, Body::empty()).into_response();
    }
    // The same request (its Accept-Encoding and validators), for the file in the folder.
    let (mut parts, body) = request.into_parts();
    let Ok(uri) = format!("/{file}").parse::<Uri>() else {
        return (StatusCode::NOT_FOUND, Body::empty()).into_response();
    };
    parts.uri = uri;
    let mut response = match files.oneshot(Request::from_parts(parts, body)).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_follows_the_content() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.js"), "export {};").unwrap();
        let package = Package::new(dir.path());
        let first = package.version();
        assert_eq!(first.len(), 16);
        assert_eq!(package.version(), first, "unchanged files, same version");
        std::fs::write(dir.path().join("index.js"), "export { x };").unwrap();
        let second = package.version();
        assert_ne!(second, first, "new content, new version");
        std::fs::write(dir.path().join("pure.js"), "").unwrap();
        assert_ne!(package.version(), second, "a file added");
        assert_eq!(
            package.base_url(),
            format!("{PREFIX}/{}/", package.version())
        );
    }
}

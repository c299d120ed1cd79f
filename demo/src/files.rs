//! Static files that never leave their folder: `ServeDir` follows symbolic links, so a link in
//! www/ or pkg/ pointing elsewhere would serve whatever it names. Every request is resolved
//! first (links included) and answered 404 unless it ends up inside the folder.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::Router;
use tower_http::services::ServeDir;

/// A router serving `dir`, refusing what resolves outside it. A file's `.br` or `.gz` copy
/// beside it (the package build writes them) is sent to a browser that accepts it.
pub fn serve_dir(dir: &Path) -> Router {
    let root = Arc::new(dir.to_path_buf());
    Router::new()
        .fallback_service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
        .layer(middleware::from_fn_with_state(root, stay_inside))
}

async fn stay_inside(State(root): State<Arc<PathBuf>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let root = root.clone();
    let inside = tokio::task::spawn_blocking(move || resolves_inside(&root, &path))
        .await
        .unwrap_or(false);
    if inside {
        next.run(request).await
    } else {
        (StatusCode::NOT_FOUND, Body::empty()).into_response()
    }
}

/// Whether the URL path `path` names nothing, or something that resolves inside `root`
/// (what does not exist is left to `ServeDir`, which answers 404).
pub fn resolves_inside(root: &Path, path: &str) -> bool {
    let Ok(decoded) = percent_encoding::percent_decode_str(path).decode_utf8() else {
        return false;
    };
    let Ok(real_root) = root.canonicalize() else {
        // No folder: nothing to serve and nothing to leak.
        return true;
    };
    let mut candidate = real_root.clone();
    for part in decoded.split('/') {
        match Path::new(part).components().next() {
            None => {}
            Some(Component::Normal(name)) if Path::new(part).components().count() == 1 => {
                candidate.push(name)
            }
            Some(Component::CurDir) if part == "." => {}
            // `..`, a root, a drive or a backslash path: never served.
            _ => return false,
        }
    }
    // What does not exist is left to `ServeDir`; anything else that cannot be resolved (a
    // link that never ends, a component that is a file) is refused here rather than failing
    // inside `ServeDir` with a 500.
    let check = |p: &Path| match p.canonicalize() {
        Ok(real) => real.starts_with(&real_root),
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    };
    // A folder is served as its index.html.
    check(&candidate) && (!candidate.is_dir() || check(&candidate.join("index.html")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_out_of_the_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let www = dir.path().join("www");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(www.join("sub")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(www.join("page.html"), "ok").unwrap();
        std::fs::write(outside.join("secret.txt"), "secret").unwrap();
        std::os::unix::fs::symlink(outside.join("secret.txt"), www.join("leak.txt")).unwrap();
        std::os::unix::fs::symlink(&outside, www.join("out")).unwrap();
        std::os::unix::fs::symlink(www.join("page.html"), www.join("sub/alias.html")).unwrap();
        std::os::unix::fs::symlink(outside.join("secret.txt"), www.join("sub/index.html")).unwrap();
        assert!(resolves_inside(&www, "/page.html"));
        assert!(
            resolves_inside(&www, "/sub/alias.html"),
            "a link inside is fine"
        );
        assert!(resolves_inside(&www, "/missing.js"));
        assert!(!resolves_inside(&www, "/leak.txt"));
        assert!(!resolves_inside(&www, "/%6Ceak.txt"));
        assert!(!resolves_inside(&www, "/out/secret.txt"));
        assert!(!resolves_inside(&www, "/sub/"), "its index.html leads out");
        assert!(!resolves_inside(&www, "/../outside/secret.txt"));
        assert!(!resolves_inside(&www, "/%2e%2e/outside/secret.txt"));
    }
}

//! Replays the fuzz corpus on stable: every file of `fuzz/corpus/<target>/` runs through
//! the very harness the fuzz targets run (`support/fuzz_harness.rs`), promises included,
//! so what the fuzzers found (crashes included, kept in the corpus) stays fixed.
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/fuzz_harness.rs"]
mod fuzz_harness;

use std::path::PathBuf;

fn replay(target: &str) {
    let run = fuzz_harness::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .map(|&(_, run)| run)
        .expect("a fuzz target");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a corpus entry").path())
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{}: {} files", dir.display(), files.len());
    for file in files {
        let data = std::fs::read(&file).expect("a corpus file");
        let outcome = std::panic::catch_unwind(|| run(&data));
        assert!(
            outcome.is_ok(),
            "{target}: {} breaks a promise",
            file.display()
        );
    }
}

#[test]
fn charge_corpus() {
    replay("charge");
}

#[test]
fn status_corpus() {
    replay("status");
}

#[test]
fn urls_corpus() {
    replay("urls");
}

#[test]
fn machine_corpus() {
    replay("machine");
}

#[test]
fn qris_corpus() {
    replay("qris");
}

#[test]
fn every_target_is_replayed() {
    let names: Vec<&str> = fuzz_harness::TARGETS.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["charge", "status", "urls", "machine", "qris"]);
}

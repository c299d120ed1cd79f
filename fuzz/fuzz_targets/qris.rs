//! The `qris` target: see tests/support/fuzz_harness.rs.
#![no_main]

#[path = "../../tests/support/fuzz_harness.rs"]
mod fuzz_harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_harness::qris_payload(data));

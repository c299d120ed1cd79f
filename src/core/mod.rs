//! The pure core: every rule of the widget that can be decided without a browser.

pub mod charge;
pub mod countdown;
pub mod deeplink;
pub mod device;
pub mod i18n;
pub mod jakarta;
pub mod json;
pub mod machine;
pub mod options;
pub mod percent;
pub mod plan;
pub mod present;
pub mod qr;
pub mod qris;
pub mod schedule;
pub mod snapshot;
pub mod status;

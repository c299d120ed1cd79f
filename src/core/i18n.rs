//! Indonesian and English strings and IDR formatting.

/// The widget's two languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Locale {
    Id,
    En,
}

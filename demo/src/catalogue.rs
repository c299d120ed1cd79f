//! The shop's products. Prices live here only: the page never sends one.

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Product {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    /// Whole rupiah.
    pub price: u64,
    /// Shown in place of a photo.
    pub emoji: &'static str,
}

pub const PRODUCTS: &[Product] = &[
    Product {
        id: "kopi-gula-aren",
        name: "Kopi gula aren, 1 litre",
        description: "Cold-brew coffee with palm sugar and fresh milk, from a Bandung roastery.",
        price: 45_000,
        emoji: "\u{2615}",
    },
    Product {
        id: "batik-tote",
        name: "Batik tote bag",
        description: "Hand-stamped batik cap from Pekalongan on heavy cotton canvas.",
        price: 149_500,
        emoji: "\u{1F45C}",
    },
    Product {
        id: "sambal-trio",
        name: "Sambal trio",
        description: "Sambal matah, sambal ijo and sambal bawang: three jars, medium heat.",
        price: 89_000,
        emoji: "\u{1F336}\u{FE0F}",
    },
];

pub fn find(id: &str) -> Option<&'static Product> {
    PRODUCTS.iter().find(|p| p.id == id)
}

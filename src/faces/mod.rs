//! The fixture face set: the bona fide, group and non-face photos of `fixtures/`, and the variants
//! derived from them by code (attacks, quality cases, re-encodings).

pub mod derive;

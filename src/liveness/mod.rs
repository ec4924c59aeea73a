//! Liveness score distributions: recording a target's decisions and scores over the fixture face set,
//! the presentation-attack metrics of ISO/IEC 30107-3 with honest intervals, and the comparison of two
//! runs that tells an operator when a vendor's liveness model changed.

pub mod cause;
pub mod compare;
pub mod errors;
pub mod html;
pub mod iso;
pub mod metrics;
pub mod record;
pub mod sample;
pub mod stats;

//! What a fixture is (bona fide, re-encoded, a variation, an attack of some species, a quality case),
//! which half of the set it belongs to, and the outcome the emulator is expected to give it.

use serde::{Deserialize, Serialize};

use crate::api::QualityCode;

/// What a fixture is, in the vocabulary of ISO/IEC 30107-3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    BonaFide,
    /// A bona fide photo re-encoded (PNG, JPEG quality 50 and 30): still bona fide.
    Reencoded,
    /// A bona fide photo as another capture would give it (lighting, rotation, scale, sensor noise;
    /// see [`vary`]): still bona fide.
    Variation,
    Attack(Species),
    Quality,
    NonFace,
    Group,
}

/// Presentation attack instrument species.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Species {
    ScreenReplay,
    Print,
    /// A printed face cut out with eye holes, worn over a real head.
    CutOut,
    /// A video frame replayed on a screen, with motion blur and heavy compression.
    VideoReplay,
    /// Two people blended into one face.
    Morph,
    /// An image injected instead of the camera's stream, its camera traces removed.
    Injection,
}

crate::api::closed!(Species);

impl Species {
    /// Whether the emulator's engine is calibrated on this species: print and screen replay, the two
    /// its cues are designed for. What it makes of the others is measured, never tuned for.
    pub fn is_calibrated(self) -> bool {
        matches!(self, Species::ScreenReplay | Species::Print)
    }
}

impl Class {
    /// Bona fide presentations for BPCER.
    pub fn is_bona_fide(self) -> bool {
        matches!(self, Class::BonaFide | Class::Reencoded | Class::Variation)
    }

    pub fn label(self) -> String {
        match self {
            Class::Attack(s) => format!(
                "attack/{}",
                serde_json::to_value(s).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
            ),
            other => serde_json::to_value(other).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
        }
    }
}

/// Which half of the face set a person's photos belong to: the engine's constants are set from the
/// calibration half only, and reports show the evaluation half by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FixtureSet {
    Calibration,
    Evaluation,
}

/// The outcome the emulator is expected to give a fixture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "code")]
pub enum Expected {
    Pass,
    /// A score at or below the threshold.
    ScoreReject,
    /// This quality failure.
    Quality(QualityCode),
    /// Any refusal: a score failure or a quality failure.
    Reject,
    /// Whatever the engine answers (a pass, a score failure or a quality failure), but an answer: an
    /// evaluation photo, whose outcome is what the run measures.
    Judged,
}

//! The emulator's liveness engine: a real face detector (SeetaFace through `rustface`) for the quality
//! failures, and a deterministic score from documented image cues for the rest. It is a test double
//! with constants set from the calibration half of the face set (print and screen replay against its
//! bona fide photos); it is **not a security control**.
//!
//! Quality rules, in order (boxes from the detector, sizes relative to the image):
//! 1. no face → `ERR_NO_FACE_DETECTED`;
//! 2. a second face at least half as wide as the largest → `ERR_MULTIPLE_FACES_DETECTED`;
//! 3. the largest face narrower than [`MIN_FACE_SHARE`] of the shorter side → `ERR_LIVENESS_FACE_TOO_SMALL`;
//! 4. the face box within [`BORDER_SHARE`] of an edge → `ERR_LIVENESS_FACE_CLOSE_TO_BORDER`.
//!
//! Score, clamped to [0, 1] and rounded to hundredths (see [`cues::Cues`] for the cues and
//! [`CALIBRATION`] for the constants, set from the calibration half of the face set only):
//!
//! ```text
//! mid   = (P_bona_max + P_attack_min) / 2          slope = (0.95 − 0.60) / (mid − P_bona_min)
//! score = 0.60 + slope·(mid − periodicity) − 0.04·(S − sharpness)⁺ − 6.0·(C − contrast)⁺ − 2.0·(highlights − H)⁺
//! ```
//!
//! Periodicity is a continuous term, so bona fide photos spread (0.95 at the calibration's cleanest,
//! 0.60 half-way between its most periodic bona fide photo and its least periodic attack); the
//! penalties start where the calibration's bona fide photos end.

pub mod cues;
pub mod detect;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use image::GenericImageView;

use super::liveness::{Assessment, DecodedImage, LivenessEngine};
use crate::api::{QualityCode, Score};
use detect::{FaceBox, FaceDetector};

/// The smallest accepted face width, as a share of the image's shorter side.
pub(crate) const MIN_FACE_SHARE: f64 = 0.12;
/// How close to an edge a face box may come, as a share of the image side.
pub(crate) const BORDER_SHARE: f64 = 0.02;
/// The second detection pass, for pictures where the first (at [`detect::DETECT_SIDE`]) found nothing.
const SECOND_PASS_SIDE: u32 = 1400;
/// Cached assessments before the cache is emptied.
const CACHE_LIMIT: usize = 512;

/// The cue values that set the score's constants, measured on the calibration half of the face set
/// (Grace Hopper and Barack Obama: their photos, re-encodings, variations, prints and screen
/// replays) and rounded so
/// that every calibration bona fide photo is inside them. `tests/it/liveness.rs` measures them again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    /// The most periodic calibration bona fide photo (0.1177 measured).
    pub periodicity_bona_max: f64,
    /// The least periodic calibration bona fide photo (0.0110).
    pub periodicity_bona_min: f64,
    /// The least periodic calibration attack (0.1552).
    pub periodicity_attack_min: f64,
    /// The least sharp calibration bona fide photo (5.032), rounded down.
    pub sharpness_min: f64,
    /// The lowest contrast of a calibration bona fide photo (0.1706), rounded down.
    pub contrast_min: f64,
    /// The largest share of highlights on a calibration bona fide photo (0.0828, Obama's lighting
    /// variation), rounded up.
    pub highlights_max: f64,
}

pub const CALIBRATION: Calibration = Calibration {
    periodicity_bona_max: 0.118,
    periodicity_bona_min: 0.011,
    periodicity_attack_min: 0.155,
    sharpness_min: 5.03,
    contrast_min: 0.170,
    highlights_max: 0.083,
};

pub struct PadEngine {
    detector: FaceDetector,
}

/// Assessments by image digest. Process-wide: the assessment is a pure function of the bytes, so
/// every emulator in the process (the suite's, a test's) can share it.
fn cache() -> &'static Mutex<HashMap<String, Assessment>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Assessment>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

impl PadEngine {
    pub fn new() -> std::io::Result<PadEngine> {
        Ok(PadEngine { detector: FaceDetector::new()? })
    }

    /// The quality failure of a set of detections, if any.
    pub fn quality(faces: &[FaceBox], width: u32, height: u32) -> Result<FaceBox, QualityCode> {
        let Some(largest) = faces.first().copied() else { return Err(QualityCode::NoFaceDetected) };
        if faces.get(1).is_some_and(|second| second.width >= 0.5 * largest.width) {
            return Err(QualityCode::MultipleFacesDetected);
        }
        let (w, h) = (f64::from(width), f64::from(height));
        if largest.width < MIN_FACE_SHARE * w.min(h) {
            return Err(QualityCode::FaceTooSmall);
        }
        let (mx, my) = (BORDER_SHARE * w, BORDER_SHARE * h);
        if largest.x < mx || largest.y < my || largest.x + largest.width > w - mx || largest.y + largest.height > h - my
        {
            return Err(QualityCode::FaceCloseToBorder);
        }
        Ok(largest)
    }

    /// The documented score formula.
    pub fn score(c: &cues::Cues) -> Score {
        let k = &CALIBRATION;
        let pos = |v: f64| v.max(0.0);
        let mid = (k.periodicity_bona_max + k.periodicity_attack_min) / 2.0;
        let slope = (0.95 - 0.60) / (mid - k.periodicity_bona_min);
        let raw = 0.60 + slope * (mid - c.periodicity)
            - 0.04 * pos(k.sharpness_min - c.sharpness)
            - 6.0 * pos(k.contrast_min - c.contrast)
            - 2.0 * pos(c.highlights - k.highlights_max);
        Score::saturating_from_f64(raw)
    }

    fn compute(&self, image: &image::DynamicImage) -> Assessment {
        let (w, h) = image.dimensions();
        let mut faces = self.detector.detect(image);
        if faces.is_empty() && w.max(h) > detect::DETECT_SIDE {
            faces = self.detector.detect_at(image, SECOND_PASS_SIDE);
        }
        match Self::quality(&faces, w, h) {
            Err(code) => Assessment::Quality(code),
            Ok(face) => Assessment::Scored(Self::score(&cues::measure(image, &face))),
        }
    }
}

impl LivenessEngine for PadEngine {
    fn assess(&self, decoded: &DecodedImage) -> Assessment {
        let cached = cache().lock().unwrap_or_else(|p| p.into_inner()).get(&decoded.digest).copied();
        if let Some(a) = cached {
            return a;
        }
        let a = self.compute(&decoded.image);
        let mut cache = cache().lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(decoded.digest.clone(), a);
        a
    }
}

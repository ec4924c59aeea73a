//! Face detection with the SeetaFace funnel cascade (`rustface`), on a downscaled grey copy so a selfie
//! costs tens of milliseconds. The model is embedded from `fixtures/models/` (BSD-2-Clause).

use image::{DynamicImage, GenericImageView, imageops::FilterType};
use rustface::{ImageData, Model};

const MODEL: &[u8] = include_bytes!("../../../fixtures/models/seeta_fd_frontal_v1.0.bin");

/// The longest side detection runs at; larger images are scaled down first.
pub(crate) const DETECT_SIDE: u32 = 320;

/// A face box in the coordinates of the original image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceBox {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub score: f64,
}

/// The parsed model, cloned into a fresh detector per image: `rustface` detectors are neither `Send`
/// nor reentrant, and building one from a parsed model is cheap.
pub struct FaceDetector {
    model: Model,
}

impl FaceDetector {
    pub fn new() -> std::io::Result<FaceDetector> {
        Ok(FaceDetector { model: rustface::read_model(MODEL)? })
    }

    /// Every face the cascade finds with a score of at least `threshold`, largest first.
    pub fn detect(&self, image: &DynamicImage) -> Vec<FaceBox> {
        self.detect_at(image, DETECT_SIDE)
    }

    /// Detection with the longest side scaled down to `side` pixels (never up).
    pub(crate) fn detect_at(&self, image: &DynamicImage, side: u32) -> Vec<FaceBox> {
        let (w, h) = image.dimensions();
        let scale = (f64::from(side) / f64::from(w.max(h))).min(1.0);
        let small = if scale < 1.0 {
            image.resize(
                ((f64::from(w) * scale).round() as u32).max(1),
                ((f64::from(h) * scale).round() as u32).max(1),
                FilterType::Triangle,
            )
        } else {
            image.clone()
        };
        let grey = small.to_luma8();
        let (sw, sh) = grey.dimensions();
        if sw < 24 || sh < 24 {
            return Vec::new();
        }
        let mut detector = rustface::create_detector_with_model(self.model.clone());
        detector.set_min_face_size(20);
        detector.set_score_thresh(2.0);
        detector.set_pyramid_scale_factor(0.8);
        detector.set_slide_window_step(4, 4);
        let mut faces: Vec<FaceBox> = detector
            .detect(&ImageData::new(grey.as_raw(), sw, sh))
            .into_iter()
            .map(|f| {
                let b = f.bbox();
                FaceBox {
                    x: f64::from(b.x()) / scale,
                    y: f64::from(b.y()) / scale,
                    width: f64::from(b.width()) / scale,
                    height: f64::from(b.height()) / scale,
                    score: f.score(),
                }
            })
            .collect();
        faces.sort_by(|a, b| (b.width * b.height).total_cmp(&(a.width * a.height)));
        faces
    }
}

//! Image cues in the spirit of image-distortion-analysis presentation-attack detection, measured on
//! the face region: periodic high-frequency energy (a screen's pixel grid and moiré, a print's
//! halftone), sharpness, contrast, and specular highlights.

use image::{DynamicImage, GenericImageView, GrayImage};

use super::detect::FaceBox;

/// The region around the face the cues are measured on, as a fraction of the face size on each side.
const MARGIN: f64 = 0.25;
/// The longest side of the region; larger regions are centre-cropped, never resized, so the period of
/// a grid or halftone is not changed by resampling.
const REGION_SIDE: u32 = 384;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cues {
    /// Largest normalised autocorrelation of the high-pass image at lags 2..=8, horizontal or
    /// vertical: near 0 for natural texture, high for a periodic pattern.
    pub periodicity: f64,
    /// Mean absolute Laplacian of the luma (0..255 scale).
    pub sharpness: f64,
    /// Standard deviation of the luma, in 0..1.
    pub contrast: f64,
    /// Share of pixels with luma above 0.97.
    pub highlights: f64,
}

fn region(image: &DynamicImage, face: &FaceBox) -> GrayImage {
    let (w, h) = image.dimensions();
    let (mx, my) = (face.width * MARGIN, face.height * MARGIN);
    let x0 = (face.x - mx).max(0.0) as u32;
    let y0 = (face.y - my).max(0.0) as u32;
    let x1 = ((face.x + face.width + mx) as u32).min(w);
    let y1 = ((face.y + face.height + my) as u32).min(h);
    let (mut rw, mut rh) = (x1.saturating_sub(x0).max(1), y1.saturating_sub(y0).max(1));
    let (mut cx, mut cy) = (x0, y0);
    if rw > REGION_SIDE {
        cx += (rw - REGION_SIDE) / 2;
        rw = REGION_SIDE;
    }
    if rh > REGION_SIDE {
        cy += (rh - REGION_SIDE) / 2;
        rh = REGION_SIDE;
    }
    image.crop_imm(cx, cy, rw, rh).to_luma8()
}

pub fn measure(image: &DynamicImage, face: &FaceBox) -> Cues {
    let g = region(image, face);
    let (w, h) = (g.width() as usize, g.height() as usize);
    let px: Vec<f64> = g.as_raw().iter().map(|v| f64::from(*v)).collect();
    let at = |x: usize, y: usize| px[y * w + x];
    let n = (w * h) as f64;
    let mean = px.iter().sum::<f64>() / n;
    let contrast = (px.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt() / 255.0;
    let highlights = px.iter().filter(|v| **v > 0.97 * 255.0).count() as f64 / n;
    if w < 12 || h < 12 {
        return Cues { periodicity: 0.0, sharpness: 0.0, contrast, highlights };
    }
    // High-pass: the Laplacian, on the interior.
    let (iw, ih) = (w - 2, h - 2);
    let mut hp = vec![0.0f64; iw * ih];
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            hp[(y - 1) * iw + (x - 1)] = 4.0 * at(x, y) - at(x - 1, y) - at(x + 1, y) - at(x, y - 1) - at(x, y + 1);
        }
    }
    let sharpness = hp.iter().map(|v| v.abs()).sum::<f64>() / hp.len() as f64;
    let energy: f64 = hp.iter().map(|v| v * v).sum();
    let mut periodicity: f64 = 0.0;
    if energy > 0.0 {
        for lag in 2..=8usize {
            let (mut horizontal, mut vertical) = (0.0, 0.0);
            for y in 0..ih {
                for x in 0..iw {
                    let v = hp[y * iw + x];
                    if x + lag < iw {
                        horizontal += v * hp[y * iw + x + lag];
                    }
                    if y + lag < ih {
                        vertical += v * hp[(y + lag) * iw + x];
                    }
                }
            }
            periodicity = periodicity.max(horizontal / energy).max(vertical / energy);
        }
    }
    Cues { periodicity, sharpness, contrast, highlights }
}

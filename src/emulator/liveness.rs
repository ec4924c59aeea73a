//! The emulator's liveness step: image decoding within limits, and the engine that judges a face.
//!
//! The engine here is an interim, documented test double: it detects the two cheapest quality
//! failures from image statistics and derives a deterministic score from the image bytes. It is not a
//! presentation-attack detector and must never be used as a security control.

use image::{GenericImageView, ImageFormat, ImageReader, Limits};

use crate::api::{DataUri, ImageMediaType, QualityCode, Score};

/// The decision of a liveness check on one image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assessment {
    /// The image was judged and got this score.
    Scored(Score),
    /// The image could not be judged.
    Quality(QualityCode),
}

/// Largest accepted side of a decoded image, in pixels.
pub const MAX_SIDE: u32 = 4096;

/// A decoded image and the digest reports name it by.
pub struct DecodedImage {
    pub image: image::DynamicImage,
    pub digest: String,
}

/// Why the bytes of an `image` are not a usable picture. Messages follow `"image" ...`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("bytes are not a JPEG or PNG image")]
    UnknownFormat,
    #[error("is labelled {declared} but the bytes are {actual}")]
    MediaTypeMismatch { declared: ImageMediaType, actual: ImageMediaType },
    #[error("is larger than {MAX_SIDE}x{MAX_SIDE} pixels")]
    TooLarge,
    #[error("could not be decoded (truncated or corrupt)")]
    Corrupt,
}

/// Decodes the bytes of a data URI, checking them against the declared media type.
pub fn decode(uri: &DataUri) -> Result<DecodedImage, ImageError> {
    let actual = match image::guess_format(&uri.bytes) {
        Ok(ImageFormat::Jpeg) => ImageMediaType::Jpeg,
        Ok(ImageFormat::Png) => ImageMediaType::Png,
        _ => return Err(ImageError::UnknownFormat),
    };
    if actual != uri.media_type {
        return Err(ImageError::MediaTypeMismatch { declared: uri.media_type, actual });
    }
    // The JPEG decoder fills a truncated scan with grey instead of failing, so a JPEG must end with
    // its End Of Image marker (trailing padding aside) to count as whole.
    if actual == ImageMediaType::Jpeg {
        let end = uri.bytes.iter().rposition(|b| *b != 0 && !b.is_ascii_whitespace()).map_or(0, |i| i + 1);
        if !uri.bytes[..end].ends_with(&[0xFF, 0xD9]) {
            return Err(ImageError::Corrupt);
        }
    }
    let mut reader = ImageReader::new(std::io::Cursor::new(&uri.bytes));
    reader.set_format(match actual {
        ImageMediaType::Jpeg => ImageFormat::Jpeg,
        ImageMediaType::Png => ImageFormat::Png,
    });
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => ImageError::TooLarge,
        _ => ImageError::Corrupt,
    })?;
    Ok(DecodedImage { image, digest: uri.digest() })
}

/// Judges one decoded image.
pub trait LivenessEngine: Send + Sync {
    fn assess(&self, image: &DecodedImage) -> Assessment;
}

/// The interim engine: quality from size and contrast, score from the digest.
///
/// * either side under [`StatsEngine::MIN_SIDE`] pixels: `ERR_LIVENESS_FACE_TOO_SMALL`;
/// * luma standard deviation under [`StatsEngine::MIN_CONTRAST`] (a flat picture): `ERR_NO_FACE_DETECTED`;
/// * otherwise a score in [0.70, 0.99] taken from the first digest byte, so the same bytes always get
///   the same score and every such image passes the default threshold.
#[derive(Debug, Default, Clone, Copy)]
pub struct StatsEngine;

impl StatsEngine {
    pub const MIN_SIDE: u32 = 64;
    pub const MIN_CONTRAST: f64 = 4.0;
}

impl LivenessEngine for StatsEngine {
    fn assess(&self, decoded: &DecodedImage) -> Assessment {
        let (w, h) = decoded.image.dimensions();
        if w < Self::MIN_SIDE || h < Self::MIN_SIDE {
            return Assessment::Quality(QualityCode::FaceTooSmall);
        }
        let luma = decoded.image.to_luma8();
        let n = f64::from(w) * f64::from(h);
        let mean = luma.pixels().map(|p| f64::from(p.0[0])).sum::<f64>() / n;
        let var = luma.pixels().map(|p| (f64::from(p.0[0]) - mean).powi(2)).sum::<f64>() / n;
        if var.sqrt() < Self::MIN_CONTRAST {
            return Assessment::Quality(QualityCode::NoFaceDetected);
        }
        let first = u8::from_str_radix(decoded.digest.get(..2).unwrap_or("00"), 16).unwrap_or(0);
        Assessment::Scored(Score::from_hundredths(70 + first % 30).unwrap_or(Score::ONE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb, RgbImage};

    fn png(img: &RgbImage) -> DataUri {
        let mut bytes = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut bytes), ImageFormat::Png).expect("encode png");
        DataUri::new(ImageMediaType::Png, bytes)
    }

    fn textured(w: u32, h: u32) -> RgbImage {
        ImageBuffer::from_fn(w, h, |x, y| Rgb([(x * 7 % 256) as u8, (y * 13 % 256) as u8, ((x + y) % 256) as u8]))
    }

    #[test]
    fn decodes_and_checks_the_declared_type() {
        let uri = png(&textured(80, 80));
        assert!(decode(&uri).is_ok());
        let lying = DataUri::new(ImageMediaType::Jpeg, uri.bytes.clone());
        assert!(matches!(decode(&lying), Err(ImageError::MediaTypeMismatch { .. })));
        let truncated = DataUri::new(ImageMediaType::Png, uri.bytes[..uri.bytes.len() / 2].to_vec());
        assert_eq!(decode(&truncated).err(), Some(ImageError::Corrupt));
        assert_eq!(
            decode(&DataUri::new(ImageMediaType::Png, b"hello".to_vec())).err(),
            Some(ImageError::UnknownFormat)
        );
    }

    #[test]
    fn interim_engine_is_deterministic_and_names_quality_failures() {
        let engine = StatsEngine;
        let ok = decode(&png(&textured(80, 80))).expect("decodes");
        let first = engine.assess(&ok);
        assert_eq!(first, engine.assess(&ok));
        assert!(matches!(first, Assessment::Scored(s) if s.hundredths() >= 70));
        let small = decode(&png(&textured(40, 80))).expect("decodes");
        assert_eq!(engine.assess(&small), Assessment::Quality(QualityCode::FaceTooSmall));
        let flat = decode(&png(&ImageBuffer::from_pixel(80, 80, Rgb([90, 90, 90])))).expect("decodes");
        assert_eq!(engine.assess(&flat), Assessment::Quality(QualityCode::NoFaceDetected));
    }
}

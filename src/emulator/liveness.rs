//! The emulator's liveness step: image decoding within limits, and the interface of the engine that
//! judges a face (implemented in [`super::pad`]).

use image::{ImageFormat, ImageReader, Limits};

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
pub(crate) const MAX_SIDE: u32 = 4096;

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

/// How strictly image bytes are read; anything but the default is a deviation of the self-test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DecodeRules {
    /// The bytes must be what the data URI says they are (`sniff-image-type` turns it off).
    pub trust_label: bool,
    /// A JPEG must end with its End Of Image marker (`accept-truncated-image` turns it off).
    pub whole_jpeg: bool,
}

impl Default for DecodeRules {
    fn default() -> Self {
        DecodeRules { trust_label: true, whole_jpeg: true }
    }
}

/// Decodes the bytes of a data URI, checking them against the declared media type.
pub fn decode(uri: &DataUri) -> Result<DecodedImage, ImageError> {
    decode_with(uri, DecodeRules::default())
}

pub(crate) fn decode_with(uri: &DataUri, rules: DecodeRules) -> Result<DecodedImage, ImageError> {
    let actual = match image::guess_format(&uri.bytes) {
        Ok(ImageFormat::Jpeg) => ImageMediaType::Jpeg,
        Ok(ImageFormat::Png) => ImageMediaType::Png,
        _ => return Err(ImageError::UnknownFormat),
    };
    if actual != uri.media_type && rules.trust_label {
        return Err(ImageError::MediaTypeMismatch { declared: uri.media_type, actual });
    }
    // The JPEG decoder fills a truncated scan with grey instead of failing, so a JPEG must end with
    // its End Of Image marker (trailing padding aside) to count as whole.
    if actual == ImageMediaType::Jpeg && rules.whole_jpeg {
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
}

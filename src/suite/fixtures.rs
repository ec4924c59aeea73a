//! The images the suite sends, built once per run from the embedded fixture face: the original JPEG
//! (with its metadata), a PNG and a metadata-free JPEG re-encoding, and a flat picture with no face.
//! Reports name them by fixture id and digest, never by content.

use image::{ImageFormat, RgbImage};

use crate::api::{DataUri, ImageMediaType};
use crate::faces::derive::{encode_jpeg, encode_png};

/// Grace Hopper, an official US Navy photograph (public domain); see `fixtures/manifest.json`.
pub(crate) const FACE_ID: &str = "grace_hopper";

/// One image as the suite sends it.
#[derive(Clone)]
pub struct Image {
    /// `fixture-id/variant`, how reports name it.
    pub name: String,
    pub uri: DataUri,
    text: String,
}

impl Image {
    fn new(name: String, uri: DataUri) -> Image {
        let text = uri.encode();
        Image { name, uri, text }
    }

    pub fn data_uri(&self) -> &str {
        &self.text
    }
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({:?})", self.name, self.uri)
    }
}

pub struct Fixtures {
    /// The original JPEG, metadata included.
    pub face_jpeg: Image,
    /// The same face re-encoded as PNG.
    pub face_png: Image,
    /// The same face re-encoded as JPEG (quality 90) without metadata.
    pub face_jpeg_plain: Image,
    /// A flat grey 320x240 PNG: no face in any detector.
    pub flat_png: Image,
}

impl Fixtures {
    pub fn load() -> Fixtures {
        // The fixture set embeds the photo once; an empty face would fail every check that sends it.
        let face_jpeg = crate::faces::source(FACE_ID).unwrap_or_default();
        let face = image::load_from_memory_with_format(face_jpeg, ImageFormat::Jpeg).ok().map(|f| f.to_rgb8());
        let original =
            Image::new(format!("{FACE_ID}/original.jpg"), DataUri::new(ImageMediaType::Jpeg, face_jpeg.to_vec()));
        // The embedded photo decodes (a unit test says so); were it ever not to, the original stands in.
        let png = face
            .as_ref()
            .map(|f| Image::new(format!("{FACE_ID}/reencoded.png"), DataUri::new(ImageMediaType::Png, encode_png(f))));
        let plain = face.as_ref().map(|f| {
            Image::new(format!("{FACE_ID}/q90-no-metadata.jpg"), DataUri::new(ImageMediaType::Jpeg, encode_jpeg(f, 90)))
        });
        let flat = encode_png(&RgbImage::from_pixel(320, 240, image::Rgb([128, 128, 128])));
        Fixtures {
            face_png: png.unwrap_or_else(|| original.clone()),
            face_jpeg_plain: plain.unwrap_or_else(|| original.clone()),
            flat_png: Image::new("generated/flat-grey-320x240.png".into(), DataUri::new(ImageMediaType::Png, flat)),
            face_jpeg: original,
        }
    }

    pub(crate) fn face_jpeg_uri(&self) -> &str {
        self.face_jpeg.data_uri()
    }

    /// The valid encodings of the face, for generated cases.
    pub fn faces(&self) -> Vec<Image> {
        vec![self.face_jpeg.clone(), self.face_png.clone(), self.face_jpeg_plain.clone()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_are_distinct_valid_images() {
        let f = Fixtures::load();
        let digests: std::collections::BTreeSet<String> =
            [&f.face_jpeg, &f.face_png, &f.face_jpeg_plain, &f.flat_png].iter().map(|i| i.uri.digest()).collect();
        assert_eq!(digests.len(), 4);
        assert_eq!(image::guess_format(&f.face_png.uri.bytes).ok(), Some(ImageFormat::Png));
        assert!(f.face_jpeg_plain.uri.bytes.len() < f.face_jpeg.uri.bytes.len() * 2);
        assert!(!format!("{:?}", f.face_jpeg).contains("/9j/"));
    }
}

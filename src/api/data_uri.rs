//! The `image` field: a strict reading of the data URI form the endpoint documents
//! (`data:image/jpeg;base64,/9j/4AAQ...`).
//!
//! RFC 2397 allows much more (no `;base64`, parameters, percent-encoding); the contract does not, so
//! everything outside `data:image/(jpeg|png);base64,<canonical standard base64>` is rejected with the
//! reason named. Decoding the image bytes themselves is the emulator's business, not this module's.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// The image media types the contract accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
pub enum ImageMediaType {
    #[strum(serialize = "image/jpeg")]
    Jpeg,
    #[strum(serialize = "image/png")]
    Png,
}

super::closed!(ImageMediaType);

/// Why a string is not an acceptable image data URI. Messages never quote the payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataUriError {
    #[error("is empty")]
    Empty,
    #[error("does not start with the lower-case scheme \"data:\"")]
    NotADataUri,
    #[error("has no comma between the header and the data")]
    NoComma,
    #[error("has media type {0:?}; only image/jpeg and image/png are accepted")]
    UnsupportedMediaType(String),
    #[error("is not marked \";base64\"")]
    NotBase64,
    #[error("has a parameter {0:?}; only \";base64\" is allowed")]
    UnexpectedParameter(String),
    #[error("has no data after the comma")]
    EmptyPayload,
    #[error("is not canonical standard base64 ({0})")]
    Base64(String),
}

/// A parsed image data URI: the declared media type and the decoded bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct DataUri {
    pub media_type: ImageMediaType,
    pub bytes: Vec<u8>,
}

impl DataUri {
    pub fn new(media_type: ImageMediaType, bytes: Vec<u8>) -> DataUri {
        DataUri { media_type, bytes }
    }

    pub(crate) fn parse(text: &str) -> Result<DataUri, DataUriError> {
        if text.is_empty() {
            return Err(DataUriError::Empty);
        }
        let rest = text.strip_prefix("data:").ok_or(DataUriError::NotADataUri)?;
        let (header, payload) = rest.split_once(',').ok_or(DataUriError::NoComma)?;
        let mut parts = header.split(';');
        let media = parts.next().unwrap_or_default();
        let media_type: ImageMediaType =
            media.parse().map_err(|_| DataUriError::UnsupportedMediaType(truncate(media)))?;
        let params: Vec<&str> = parts.collect();
        match params.as_slice() {
            ["base64"] => {}
            [] => return Err(DataUriError::NotBase64),
            ["base64", extra, ..] => return Err(DataUriError::UnexpectedParameter(truncate(extra))),
            [other, ..] => return Err(DataUriError::UnexpectedParameter(truncate(other))),
        }
        if payload.is_empty() {
            return Err(DataUriError::EmptyPayload);
        }
        // The SIMD decoder (decoding was the largest single cost of a refused request under load) only
        // says "invalid": the reference decoder, which a unit test shows agrees with it on what is
        // valid, then says where and why.
        let bytes = match base64_simd::STANDARD.decode_to_vec(payload) {
            Ok(bytes) => bytes,
            Err(_) => STANDARD.decode(payload).map_err(|e| DataUriError::Base64(describe_base64_error(&e)))?,
        };
        Ok(DataUri { media_type, bytes })
    }

    /// The canonical text form.
    pub fn encode(&self) -> String {
        format!("data:{};base64,{}", self.media_type, STANDARD.encode(&self.bytes))
    }

    /// The first 16 hex digits of the SHA-256 of the bytes: how reports name an image.
    pub(crate) fn digest(&self) -> String {
        short_digest(&self.bytes)
    }
}

/// Images are never printed; a debug view shows what and how much, never the bytes.
impl fmt::Debug for DataUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "data:{};base64,<{} bytes, sha256 {}>", self.media_type, self.bytes.len(), self.digest())
    }
}

/// The SHA-256 digest in lower-case hex, as the fixture manifest records it.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The first 16 hex digits of a SHA-256 digest.
pub fn short_digest(bytes: &[u8]) -> String {
    let mut hex = sha256_hex(bytes);
    hex.truncate(16);
    hex
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

fn describe_base64_error(e: &base64::DecodeError) -> String {
    match e {
        base64::DecodeError::InvalidByte(at, _) => format!("invalid character at offset {at}"),
        base64::DecodeError::InvalidLength(len) => format!("invalid length {len}"),
        base64::DecodeError::InvalidLastSymbol(at, _) => format!("non-canonical last symbol at offset {at}"),
        base64::DecodeError::InvalidPadding => "invalid padding".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]
        /// The two decoders agree on every payload, valid or not: the alphabet then 0 to 3 `=` in
        /// every length (so every final quantum and non-canonical trailing bit is met), the same with
        /// the URL-safe pair, whitespace, a stray byte or `=` inside, and canonical encodings of
        /// arbitrary bytes, short and longer than a SIMD block.
        #[test]
        fn the_simd_decoder_agrees_with_the_reference(
            text in prop_oneof!["[A-Za-z0-9+/]{0,70}={0,3}", "[A-Za-z0-9+/=_\\- \n.]{0,70}"],
            bytes in proptest::collection::vec(any::<u8>(), 0..200),
        ) {
            prop_assert_eq!(base64_simd::STANDARD.decode_to_vec(&text).ok(), STANDARD.decode(&text).ok(), "{:?}", text);
            let canonical = STANDARD.encode(&bytes);
            prop_assert_eq!(base64_simd::STANDARD.decode_to_vec(&canonical).ok(), Some(bytes));
        }
    }

    fn err(s: &str) -> DataUriError {
        DataUri::parse(s).expect_err("must be rejected")
    }

    #[test]
    fn accepts_the_documented_form() {
        let uri = DataUri::parse("data:image/jpeg;base64,/9j/4AAQ").expect("valid");
        assert_eq!(uri.media_type, ImageMediaType::Jpeg);
        assert_eq!(uri.bytes, [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]);
        assert_eq!(uri.encode(), "data:image/jpeg;base64,/9j/4AAQ");
        assert!(DataUri::parse("data:image/png;base64,iVBORw==").is_ok());
    }

    #[test]
    fn rejects_each_defect_class_with_its_reason() {
        assert_eq!(err(""), DataUriError::Empty);
        assert_eq!(err("/9j/4AAQ"), DataUriError::NotADataUri);
        assert_eq!(err("DATA:image/jpeg;base64,/9j/4AAQ"), DataUriError::NotADataUri);
        assert_eq!(err("data:image/jpeg;base64"), DataUriError::NoComma);
        assert!(matches!(err("data:;base64,/9j/4AAQ"), DataUriError::UnsupportedMediaType(_)));
        assert!(matches!(err("data:image/gif;base64,/9j/4AAQ"), DataUriError::UnsupportedMediaType(_)));
        assert!(matches!(err("data:IMAGE/JPEG;base64,/9j/4AAQ"), DataUriError::UnsupportedMediaType(_)));
        assert_eq!(err("data:image/jpeg,/9j/4AAQ"), DataUriError::NotBase64);
        assert!(matches!(err("data:image/jpeg;charset=x;base64,/9j/4AAQ"), DataUriError::UnexpectedParameter(_)));
        assert!(matches!(err("data:image/jpeg;base64;x,/9j/4AAQ"), DataUriError::UnexpectedParameter(_)));
        assert_eq!(err("data:image/jpeg;base64,"), DataUriError::EmptyPayload);
        assert!(matches!(err("data:image/jpeg;base64,_9j-4AAQ"), DataUriError::Base64(_)));
        assert!(matches!(err("data:image/jpeg;base64,/9j/4AA"), DataUriError::Base64(_)));
        assert!(matches!(err("data:image/jpeg;base64,/9j/ 4AAQ"), DataUriError::Base64(_)));
        assert!(matches!(err("data:image/jpeg;base64,QR=="), DataUriError::Base64(_)));
        assert!(matches!(err("data:image/jpeg;base64,Q===A"), DataUriError::Base64(_)));
    }

    #[test]
    fn debug_never_shows_the_bytes() {
        let uri = DataUri::new(ImageMediaType::Png, b"secret face".to_vec());
        let shown = format!("{uri:?}");
        assert!(!shown.contains("c2VjcmV0"), "{shown}");
        assert!(shown.contains("11 bytes"), "{shown}");
    }
}

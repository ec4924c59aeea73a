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
    pub(crate) fn generate() -> ObjectId {
        use std::sync::OnceLock;
        use std::sync::atomic::{AtomicU32, Ordering};
        // MongoDB's layout: 4 bytes of seconds, 5 bytes random per process, a 3-byte counter. The
        // counter makes ids unique within a process whatever the clock does.
        static PROCESS: OnceLock<[u8; 8]> = OnceLock::new();
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let process = PROCESS.get_or_init(|| {
            let mut r = [0u8; 8];
            if getrandom::fill(&mut r).is_err() {
                // No entropy source at all: the process id and the start instant still tell this
                // process from others.
                let nanos =
                    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
                r = (u64::from(std::process::id()) << 32 | u64::from(nanos)).to_be_bytes();
            }
            r
        });
        let mut bytes = [0u8; 12];
        let secs = chrono::Utc::now().timestamp().clamp(0, i64::from(u32::MAX)) as u32;
        bytes[..4].copy_from_slice(&secs.to_be_bytes());
        bytes[4..9].copy_from_slice(&process[..5]);
        let start = u32::from_be_bytes([0, process[5], process[6], process[7]]);
        let count = start.wrapping_add(COUNTER.fetch_add(1, Ordering::Relaxed)).to_be_bytes();
        bytes[9..].copy_from_slice(&count[1..]);
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

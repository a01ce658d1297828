//! Session ids: 128 bits from the operating system's CSPRNG, written as 22 characters
//! of URL-safe base64 without padding.

use std::fmt;
use std::str::FromStr;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The length of a session id's text form.
pub const SESSION_ID_LEN: usize = 22;

/// An opaque session id: 16 random bytes from the OS CSPRNG (128 bits, more than a
/// v4 UUID's 122).
///
/// The text form is exactly 22 URL-safe base64 characters; [`SessionId::parse`]
/// rejects anything else (including non-canonical encodings) before any store is
/// asked about it. `Debug` shows only a prefix, so ids do not leak into logs whole.
///
/// ```
/// use session_core::SessionId;
///
/// let id = SessionId::generate();
/// let text = id.to_string();
/// assert_eq!(text.len(), 22);
/// assert_eq!(SessionId::parse(&text), Some(id));
/// assert_eq!(SessionId::parse("not an id"), None);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SessionId([u8; 16]);

impl SessionId {
    /// A fresh id from the operating system's CSPRNG.
    ///
    /// # Panics
    /// When the operating system cannot provide random bytes at all, which leaves no
    /// safe way to issue a session.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).expect("the OS random number generator failed");
        SessionId(bytes)
    }

    /// Builds an id from its 16 bytes (for stores that keep ids in binary form).
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        SessionId(bytes)
    }

    /// The 16 bytes of the id.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Parses the 22-character text form; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        Self::parse_bytes(text.as_bytes())
    }

    /// Parses the text form from raw bytes (a cookie value that may not be UTF-8).
    pub fn parse_bytes(text: &[u8]) -> Option<Self> {
        let text: &[u8; SESSION_ID_LEN] = text.try_into().ok()?;
        let (last, head) = text.split_last().expect("22 characters");
        // The first 21 characters carry 126 bits; the last one 2 more, and 4 that must
        // be zero, or two texts would name one id.
        let mut bits: u128 = 0;
        for &c in head {
            bits = (bits << 6) | u128::from(decode_char(c)?);
        }
        let last = decode_char(*last)?;
        if last & 0b1111 != 0 {
            return None;
        }
        bits = (bits << 2) | u128::from(last >> 4);
        Some(SessionId(bits.to_be_bytes()))
    }

    /// Writes the text form into a stack buffer.
    pub fn encode(&self) -> [u8; SESSION_ID_LEN] {
        let bits = u128::from_be_bytes(self.0);
        let mut out = [0u8; SESSION_ID_LEN];
        for (i, slot) in out[..SESSION_ID_LEN - 1].iter_mut().enumerate() {
            *slot = ALPHABET[((bits >> (122 - 6 * i)) & 63) as usize];
        }
        out[SESSION_ID_LEN - 1] = ALPHABET[((bits & 0b11) << 4) as usize];
        out
    }
}

/// The 6-bit value of each alphabet byte; `INVALID` for every other byte.
const DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};
const INVALID: u8 = 0xff;

fn decode_char(c: u8) -> Option<u8> {
    match DECODE[usize::from(c)] {
        INVALID => None,
        value => Some(value),
    }
}

impl std::hash::Hash for SessionId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // The bytes are uniformly random, so half of them is already a good hash.
        let half = u64::from_le_bytes(self.0[..8].try_into().expect("8 bytes"));
        state.write_u64(half);
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.encode();
        f.write_str(std::str::from_utf8(&text).expect("the alphabet is ASCII"))
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.encode();
        let prefix = std::str::from_utf8(&text[..4]).expect("the alphabet is ASCII");
        write!(f, "SessionId({prefix}…)")
    }
}

/// The error of [`SessionId::from_str`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a session id: expected 22 URL-safe base64 characters")]
pub struct InvalidSessionId;

impl FromStr for SessionId {
    type Err = InvalidSessionId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SessionId::parse(s).ok_or(InvalidSessionId)
    }
}

impl serde::Serialize for SessionId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for SessionId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        SessionId::parse(&text).ok_or_else(|| serde::de::Error::custom(InvalidSessionId))
    }
}

/// A hasher for maps keyed by [`SessionId`]: the id's random bytes are the hash.
///
/// Ids are generated by the server from the CSPRNG, so an attacker cannot choose keys
/// that collide; looking up an attacker-chosen id costs one probe like any other.
#[derive(Debug, Default, Clone, Copy)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Builds [`IdHasher`]s.
pub type BuildIdHasher = std::hash::BuildHasherDefault<IdHasher>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_round_trips_and_is_canonical() {
        for _ in 0..1000 {
            let id = SessionId::generate();
            let text = id.to_string();
            assert_eq!(text.len(), SESSION_ID_LEN);
            assert!(text.bytes().all(|b| ALPHABET.contains(&b)));
            assert_eq!(SessionId::parse(&text), Some(id));
        }
        let zero = SessionId::from_bytes([0; 16]);
        assert_eq!(zero.to_string(), "AAAAAAAAAAAAAAAAAAAAAA");
        let ones = SessionId::from_bytes([0xff; 16]);
        assert_eq!(ones.to_string(), "_____________________w");
        // Same first 21 characters, non-zero padding bits: not canonical.
        assert_eq!(SessionId::parse("_____________________x"), None);
    }

    #[test]
    fn rejects_everything_else() {
        let good = SessionId::generate().to_string();
        assert_eq!(SessionId::parse(""), None);
        assert_eq!(SessionId::parse(&good[..21]), None);
        assert_eq!(SessionId::parse(&format!("{good}A")), None);
        assert_eq!(SessionId::parse("AAAAAAAAAAAAAAAAAAAAA="), None);
        assert_eq!(SessionId::parse("AAAAAAAAAAAAAAAAAAAA+A"), None);
        assert_eq!(SessionId::parse("AAAAAAAAAAAAAAAAAAAÀA"), None);
        assert_eq!(SessionId::parse_bytes(&[0xff; 22]), None);
        assert!("zzz".parse::<SessionId>().is_err());
    }

    #[test]
    fn ids_differ_and_debug_hides_most_of_them() {
        let a = SessionId::generate();
        let b = SessionId::generate();
        assert_ne!(a, b);
        let debug = format!("{a:?}");
        assert!(!debug.contains(&a.to_string()), "{debug}");
        assert!(debug.starts_with("SessionId("));
    }
}

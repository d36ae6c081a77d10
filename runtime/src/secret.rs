//! [`Secret`]: keeps key material out of `Debug` output, logs and error messages.

use std::fmt;

/// A value that must never be printed: private keys, the APIv3 key, the APIv2 key.
///
/// `Debug` prints `[redacted]`; there is deliberately no `Display`. Read the value with
/// [`Secret::expose_secret`] only where it is used (signing, decrypting).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps `value`.
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The wrapped value. Do not log or format it.
    pub const fn expose_secret(&self) -> &T {
        &self.0
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new(String::from("-----BEGIN PRIVATE KEY-----abc"));
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(format!("{s:#?}"), "[redacted]");
        assert_eq!(s.expose_secret(), "-----BEGIN PRIVATE KEY-----abc");
    }
}

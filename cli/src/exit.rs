//! Exit codes by error kind, and the one error type every command returns.
//!
//! The table (also in `payctl --help`):
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | the command ran and found a problem: a notification not delivered, strings to sign that differ |
//! | 2 | usage: a bad command line, profile or config file, an unknown operation, input that does not fit the model (nothing sent) |
//! | 3 | API error: a non-2xx answer, a Wonder envelope `code`, an APIv2 `return_code`/`result_code` |
//! | 4 | signature: the answer's signature did not verify (or a `WECHATPAY/SIGNTEST/` probe) |
//! | 5 | transport: connection, TLS or timeout |
//! | 6 | decode: the answer is not the expected JSON/XML |
//! | 7 | crypto or integrity: decryption, a certificate serial, a download's hash |
//! | 8 | I/O: reading or writing a local file |
//! | 9 | too large: an answer past its size limit |

use std::fmt;
use std::process::ExitCode;

use sdk_runtime::ErrorKind;

/// The exit code table shown at the end of `payctl --help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  the command ran and found a problem (notification not delivered, strings to sign differ)
  2  usage: bad command line, profile or config file, unknown operation, input that does not
     fit the model (nothing was sent)
  3  API error: non-2xx answer, Wonder envelope code, APIv2 return_code/result_code
  4  signature: the answer's signature did not verify
  5  transport: connection, TLS or timeout
  6  decode: the answer is not the expected JSON/XML
  7  crypto or integrity: decryption, certificate serial, download hash
  8  I/O: reading or writing a local file
  9  too large: an answer past its size limit";

/// What kind of failure ended a command; each has its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The command ran and found a problem (exit 1).
    Found,
    /// Bad usage or configuration; nothing was sent (exit 2).
    Usage,
    /// The API answered with an error (exit 3).
    Api,
    /// A signature did not verify (exit 4).
    Signature,
    /// The HTTP exchange failed (exit 5).
    Transport,
    /// An answer did not decode (exit 6).
    Decode,
    /// Decryption, a certificate or a hash check failed (exit 7).
    Crypto,
    /// A local file could not be read or written (exit 8).
    Io,
    /// An answer was past its size limit (exit 9).
    TooLarge,
}

impl Kind {
    /// The process exit code of this kind.
    pub fn code(self) -> u8 {
        match self {
            Kind::Found => 1,
            Kind::Usage => 2,
            Kind::Api => 3,
            Kind::Signature => 4,
            Kind::Transport => 5,
            Kind::Decode => 6,
            Kind::Crypto => 7,
            Kind::Io => 8,
            Kind::TooLarge => 9,
        }
    }

    /// The kind of a runtime error kind.
    pub fn of(kind: ErrorKind) -> Kind {
        match kind {
            ErrorKind::Build => Kind::Usage,
            ErrorKind::Api | ErrorKind::Business => Kind::Api,
            ErrorKind::Signature(_) => Kind::Signature,
            ErrorKind::Transport => Kind::Transport,
            ErrorKind::Decode => Kind::Decode,
            ErrorKind::Crypto | ErrorKind::Integrity => Kind::Crypto,
            ErrorKind::Io => Kind::Io,
            ErrorKind::TooLarge => Kind::TooLarge,
            _ => Kind::Found,
        }
    }
}

/// A command's failure: its kind (the exit code) and a message for stderr. Messages never hold
/// a secret: they are built from the runtime's errors (which hold none) and from names, paths
/// and ids.
#[derive(Debug)]
pub struct Failure {
    /// What kind of failure, for the exit code.
    pub kind: Kind,
    /// What went wrong, for people.
    pub message: String,
}

impl Failure {
    /// A failure of `kind`.
    pub fn new(kind: Kind, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
        }
    }

    /// A usage or configuration failure (exit 2).
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::new(Kind::Usage, message)
    }

    /// A local file failure (exit 8).
    pub fn io(what: impl fmt::Display, error: std::io::Error) -> Failure {
        Failure::new(Kind::Io, format!("{what}: {error}"))
    }

    /// A runtime error with its chain of causes, `context` first unless the error names its
    /// call itself.
    pub fn runtime(context: impl fmt::Display, error: &sdk_runtime::Error) -> Failure {
        let message = match error.operation() {
            Some(_) => chain(error),
            None => format!("{context}: {}", chain(error)),
        };
        Failure::new(Kind::of(error.kind()), message)
    }

    /// The exit code.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.kind.code())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// `error` and each of its causes, joined by `: `.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// What every command returns.
pub type Outcome<T = ()> = Result<T, Failure>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_table() {
        assert_eq!(Kind::of(ErrorKind::Build).code(), 2);
        assert_eq!(Kind::of(ErrorKind::Api).code(), 3);
        assert_eq!(Kind::of(ErrorKind::Business).code(), 3);
        assert_eq!(
            Kind::of(ErrorKind::Signature(
                sdk_runtime::SignatureErrorKind::InvalidSignature
            ))
            .code(),
            4
        );
        assert_eq!(Kind::of(ErrorKind::Transport).code(), 5);
        assert_eq!(Kind::of(ErrorKind::Decode).code(), 6);
        assert_eq!(Kind::of(ErrorKind::Integrity).code(), 7);
        assert_eq!(Kind::of(ErrorKind::Io).code(), 8);
        assert_eq!(Kind::of(ErrorKind::TooLarge).code(), 9);
        for code in 0..=9 {
            assert!(EXIT_CODES_HELP.contains(&format!("  {code}  ")), "{code}");
        }
    }
}

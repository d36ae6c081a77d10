//! Sensitive fields: [`Encryptor`] encrypts request fields with a WeChat Pay key (RSAES-OAEP,
//! SHA-1 and MGF1-SHA-1) and names that same key in the `Wechatpay-Serial` request header.
//!
//! Source: `shared/design/protocols.md` ("Sensitive fields") and
//! <https://pay.weixin.qq.com/docs/merchant/development/interface-rules/sensitive-data-encryption.html>.

use std::cell::RefCell;
use std::fmt;

use http::{HeaderName, HeaderValue};

use crate::Error;
use crate::rsa::PublicKey;
use crate::transport::Operation;

/// Encrypts sensitive request fields (names, ID numbers, phone numbers, bank accounts) with one
/// WeChat Pay key, and tells the request which key that was.
///
/// Obtained from [`Client::encryptor`](super::Client::encryptor), or handed to the body-building
/// closure of a generated operation whose docs declare the `Wechatpay-Serial` header; that
/// operation then sends `Wechatpay-Serial: <this encryptor's serial>`, so the header always names
/// the key that encrypted. Cheap to clone. `Debug` shows the serial only.
///
/// Use one encryptor for one request, the one handed to you: after a key rotation the client's
/// next encryptor names the new key, and ciphertexts made with an older one would no longer match
/// the request's `Wechatpay-Serial`.
#[derive(Clone)]
pub struct Encryptor {
    serial: String,
    key: PublicKey,
}

impl Encryptor {
    pub(crate) fn new(serial: String, key: PublicKey) -> Self {
        Self { serial, key }
    }

    /// The id of the key that encrypts: a WeChat Pay public key id (`PUB_KEY_ID_…`) or a
    /// platform certificate serial number; sent as `Wechatpay-Serial`.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// Encrypts one field value: RSAES-OAEP (SHA-1, MGF1-SHA-1, empty label), standard base64.
    /// Randomized, so two calls give different ciphertexts.
    ///
    /// # Errors
    /// [`ErrorKind::Crypto`](crate::ErrorKind::Crypto) if `plaintext` is over 214 bytes (UTF-8)
    /// for an RSA-2048 key. The error never contains the plaintext.
    pub fn encrypt(&self, plaintext: &str) -> Result<String, Error> {
        self.key.encrypt_oaep_base64(plaintext.as_bytes())
    }

    /// Runs `serialize` with this encryptor sealing every [`Sensitive`] value it serializes:
    /// each is written as its ciphertext, never as plaintext.
    ///
    /// # Errors
    /// The first encryption error (kind [`Crypto`](crate::ErrorKind::Crypto)), or `serialize`'s
    /// own error mapped by `map_err`.
    pub(crate) fn seal<T, E>(
        &self,
        serialize: impl FnOnce() -> Result<T, E>,
        map_err: impl FnOnce(E) -> Error,
    ) -> Result<T, Error> {
        /// Clears the sealing encryptor on every way out, a panic included.
        struct Scope;
        impl Drop for Scope {
            fn drop(&mut self) {
                SEALING.with(|s| *s.borrow_mut() = None);
            }
        }
        SEALING.with(|s| {
            *s.borrow_mut() = Some(Sealing {
                encryptor: self.clone(),
                error: None,
            });
        });
        let scope = Scope;
        let result = serialize();
        let error = SEALING.with(|s| s.borrow_mut().as_mut().and_then(|sealing| sealing.error.take()));
        drop(scope);
        match (error, result) {
            (Some(error), _) => Err(error),
            (None, Ok(value)) => Ok(value),
            (None, Err(err)) => Err(map_err(err)),
        }
    }
}

/// The encryptor sealing [`Sensitive`] values on this thread, while [`Encryptor::seal`] runs.
struct Sealing {
    encryptor: Encryptor,
    /// The first encryption error, returned by `seal` with its own kind.
    error: Option<Error>,
}

thread_local! {
    static SEALING: RefCell<Option<Sealing>> = const { RefCell::new(None) };
}

/// The plaintext of a sensitive request field (a name, an ID, phone or bank account number),
/// which the generated call encrypts with the WeChat Pay key it names in `Wechatpay-Serial`
/// (RSAES-OAEP with SHA-1, base64), as the official SDKs do.
///
/// Build it from the plaintext (`"张三".into()`); the generated operation seals it when it
/// serializes the request. `Debug` never shows the value, and serializing it outside a
/// generated call is an error, so plaintext never reaches the wire or a log. Deserializing
/// reads a plaintext string (a request built from JSON).
///
/// Source: <https://pay.weixin.qq.com/docs/merchant/development/interface-rules/sensitive-data-encryption.html>.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Sensitive(String);

impl Sensitive {
    /// The plaintext `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The plaintext. Personal data: do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Sensitive {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Sensitive {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive([redacted])")
    }
}

impl serde::Serialize for Sensitive {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        let sealed = SEALING.with(|s| {
            let mut sealing = s.borrow_mut();
            let sealing = sealing.as_mut()?;
            Some(match sealing.encryptor.encrypt(&self.0) {
                Ok(ciphertext) => Ok(ciphertext),
                Err(err) => {
                    sealing.error.get_or_insert(err);
                    Err(())
                }
            })
        });
        match sealed {
            Some(Ok(ciphertext)) => serializer.serialize_str(&ciphertext),
            Some(Err(())) => Err(S::Error::custom("a sensitive field cannot be encrypted")),
            None => Err(S::Error::custom(
                "a sensitive field is only serialized by a generated call, which encrypts it",
            )),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Sensitive {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

impl fmt::Debug for Encryptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Encryptor")
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

/// WeChat Pay's sensitive fields on an [`Operation`]: encrypt them while serializing, and name the
/// key in `Wechatpay-Serial`.
impl Operation {
    /// Binds the request to the key of `encryptor`: `Wechatpay-Serial` is sent with its serial,
    /// whatever other header was set, so the header names the key that encrypted the sensitive
    /// fields. Generated operations whose docs declare `Wechatpay-Serial` do this themselves.
    pub fn encrypted_with(mut self, encryptor: &Encryptor) -> Self {
        match HeaderValue::from_str(encryptor.serial()) {
            Ok(value) => self.pin_header(HeaderName::from_static("wechatpay-serial"), value),
            Err(_) => {
                self.fail("the encrypting key's serial is not a valid header value".to_owned());
                self
            }
        }
    }

    /// The serial bound by [`Operation::encrypted_with`], if any.
    pub fn encryption_serial(&self) -> Option<&str> {
        self.pinned_header("wechatpay-serial")
            .and_then(|v| v.to_str().ok())
    }

    /// Sets a JSON body like [`Operation::json`], with every [`Sensitive`](super::Sensitive)
    /// value of `body` encrypted by `encryptor`; pair it with [`Operation::encrypted_with`] so the
    /// request names that key.
    ///
    /// # Errors
    /// [`ErrorKind::Crypto`](crate::ErrorKind::Crypto) if a value cannot be encrypted (over 214
    /// bytes); [`ErrorKind::Build`](crate::ErrorKind::Build) if serialization fails.
    pub fn json_sealed<B: serde::Serialize + ?Sized>(
        self,
        body: &B,
        encryptor: &Encryptor,
    ) -> Result<Self, Error> {
        let bytes = encryptor.seal(
            || serde_json::to_vec(body),
            |e| Error::build_with("cannot serialize the JSON body", e),
        )?;
        self.set_json(Ok(bytes))
    }

    /// Appends a query like [`Operation::query`], with every [`Sensitive`](super::Sensitive)
    /// value encrypted by `encryptor`.
    ///
    /// # Errors
    /// As [`Operation::json_sealed`].
    pub fn query_sealed<Q: serde::Serialize + ?Sized>(
        self,
        query: &Q,
        encryptor: &Encryptor,
    ) -> Result<Self, Error> {
        let encoded = encryptor.seal(
            || serde_urlencoded::to_string(query),
            |e| Error::build_with("cannot URL-encode the query", e),
        )?;
        self.push_query(Ok(encoded))
    }
}

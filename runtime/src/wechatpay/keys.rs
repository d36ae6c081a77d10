//! The [`KeyStore`] that picks a WeChat Pay verifying key by its id (`Wechatpay-Serial`).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{PoisonError, RwLock};

use time::OffsetDateTime;

use super::certificates::PlatformCertificate;
use crate::rsa::PublicKey;

/// WeChat Pay's keys by id: the id of a WeChat Pay public key (`PUB_KEY_ID_…`) or the serial
/// number of a platform certificate. Responses and webhooks name their signing key in
/// `Wechatpay-Serial`; requests name the key that encrypted their sensitive fields the same way.
///
/// Ids are matched as WeChat Pay issues them: a platform certificate serial is hex, compared
/// case-insensitively (`5157f0…` names the certificate `5157F0…`); any other id, such as a
/// public key id `PUB_KEY_ID_…`, exactly.
///
/// Both key sources may be live at once while a merchant migrates from platform certificates to
/// the public key, so the store holds public keys and certificates together and picks by id. It
/// is thread-safe; certificates are replaced as a set by each download
/// ([`KeyStore::set_certificates`]).
#[derive(Default)]
pub struct KeyStore {
    inner: RwLock<Keys>,
}

#[derive(Default)]
struct Keys {
    by_id: BTreeMap<String, Entry>,
    /// The public key added last: preferred for encryption and named in `Wechatpay-Serial`.
    preferred_public_key: Option<String>,
}

struct Entry {
    key: PublicKey,
    certificate: Option<PlatformCertificate>,
}

/// The form a key id is stored and looked up in: an id made only of hex digits (a platform
/// certificate serial number) in upper case, so that serials compare case-insensitively; any
/// other id (a public key id `PUB_KEY_ID_…`) unchanged, compared exactly.
pub(crate) fn normalize_id(id: &str) -> std::borrow::Cow<'_, str> {
    if !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_hexdigit())
        && id.bytes().any(|b| b.is_ascii_lowercase())
    {
        std::borrow::Cow::Owned(id.to_ascii_uppercase())
    } else {
        std::borrow::Cow::Borrowed(id)
    }
}

impl KeyStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Keys> {
        self.inner.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Keys> {
        self.inner.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds or replaces the WeChat Pay public key named `id` (`PUB_KEY_ID_…`). The public key
    /// added last is the one [`KeyStore::encryption_key`] prefers.
    pub fn insert(&self, id: impl Into<String>, key: PublicKey) {
        let id = id.into();
        let id = normalize_id(&id).into_owned();
        let mut keys = self.write();
        keys.by_id.insert(
            id.clone(),
            Entry {
                key,
                certificate: None,
            },
        );
        keys.preferred_public_key = Some(id);
    }

    /// Replaces all platform certificates with `certificates` (what one download of
    /// `GET /v3/certificates` returned); public keys are kept.
    pub fn set_certificates(&self, certificates: &[PlatformCertificate]) {
        let mut keys = self.write();
        keys.by_id.retain(|_, entry| entry.certificate.is_none());
        for cert in certificates {
            keys.by_id.insert(
                normalize_id(cert.serial_no()).into_owned(),
                Entry {
                    key: cert.public_key().clone(),
                    certificate: Some(cert.clone()),
                },
            );
        }
    }

    /// Removes the key named `id`; whether it was there.
    pub fn remove(&self, id: &str) -> bool {
        let id = normalize_id(id);
        let mut keys = self.write();
        if keys.preferred_public_key.as_deref() == Some(&*id) {
            keys.preferred_public_key = None;
        }
        keys.by_id.remove(&*id).is_some()
    }

    /// Whether a key named `id` is present.
    pub fn contains(&self, id: &str) -> bool {
        self.read().by_id.contains_key(&*normalize_id(id))
    }

    /// A copy of the key named `id`.
    pub fn get(&self, id: &str) -> Option<PublicKey> {
        self.read()
            .by_id
            .get(&*normalize_id(id))
            .map(|entry| entry.key.clone())
    }

    /// The ids of all keys, sorted (certificate serials in upper case).
    pub fn ids(&self) -> Vec<String> {
        self.read().by_id.keys().cloned().collect()
    }

    /// The serial numbers of the platform certificates held, sorted.
    pub fn certificate_serials(&self) -> Vec<String> {
        self.read()
            .by_id
            .iter()
            .filter(|(_, entry)| entry.certificate.is_some())
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// The key to encrypt sensitive fields with, and its id for `Wechatpay-Serial`: the public
    /// key added last if there is one; otherwise, of the certificates valid at `now`, the one
    /// that became valid last (WeChat Pay serves the old and the new one during a rotation and
    /// asks merchants to switch to the new one). `None` when there is neither.
    pub fn encryption_key(&self, now: OffsetDateTime) -> Option<(String, PublicKey)> {
        let keys = self.read();
        if let Some(id) = &keys.preferred_public_key
            && let Some(entry) = keys.by_id.get(id)
        {
            return Some((id.clone(), entry.key.clone()));
        }
        keys.by_id
            .iter()
            .filter_map(|(id, entry)| entry.certificate.as_ref().map(|c| (id, entry, c)))
            .filter(|(_, _, cert)| cert.is_valid_at(now))
            .max_by_key(|(_, _, cert)| cert.not_before())
            .map(|(id, entry, _)| (id.clone(), entry.key.clone()))
    }
}

impl fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyStore").field("ids", &self.ids()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_case_insensitive_public_key_ids_exact() {
        assert_eq!(
            normalize_id("5157f09efdc096de15ebe81a47057a7232f1b8e1"),
            "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
        );
        assert_eq!(normalize_id("5157F09E"), "5157F09E");
        assert_eq!(
            normalize_id("PUB_KEY_ID_0114232134912410000000000000"),
            "PUB_KEY_ID_0114232134912410000000000000"
        );
        assert_eq!(normalize_id("pub_key_id_01"), "pub_key_id_01");
        assert_eq!(normalize_id(""), "");
    }
}

//! The APIv2 mock's certificates and TLS: a test CA made at start, the server certificate it
//! issues for `127.0.0.1` and `localhost`, the merchant client certificate (`apiclient_cert.pem`)
//! and key, and a rustls server that asks for a client certificate but does not require one.

use std::io;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyPair, KeyUsagePurpose,
};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{RootCertStore, ServerConfig, crypto};

/// The certificates of one mock: a test CA and what it issued.
pub(crate) struct TestPki {
    /// The test CA certificate (PEM), which clients trust.
    pub ca_certificate_pem: String,
    ca_certificate_der: CertificateDer<'static>,
    server_certificate_der: CertificateDer<'static>,
    server_key_der: Vec<u8>,
    /// The merchant client certificate (PEM), issued by the CA, CN = the merchant id.
    pub merchant_certificate_pem: String,
    /// The merchant client key (PKCS#8 `PRIVATE KEY` PEM, ECDSA P-256).
    pub merchant_key_pem: String,
}

fn tls_error(what: &str, e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("{what}: {e}"))
}

fn name(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::CountryName, "CN");
    name.push(DnType::OrganizationName, "wechatpay-mock");
    name.push(DnType::CommonName, common_name);
    name
}

impl TestPki {
    /// A fresh CA (ECDSA P-256 keys throughout, valid for decades) and the server and merchant
    /// certificates it issues; the merchant certificate's CN is `mch_id`, as WeChat Pay's are.
    pub(crate) fn generate(mch_id: &str) -> io::Result<TestPki> {
        let err = |e: rcgen::Error| tls_error("cannot make the test certificates", e);
        let ca_key = KeyPair::generate().map_err(err)?;
        let mut ca_params = CertificateParams::default();
        ca_params.distinguished_name = name("wechatpay-mock APIv2 test CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_certificate = ca_params.self_signed(&ca_key).map_err(err)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let server_key = KeyPair::generate().map_err(err)?;
        let mut server_params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).map_err(err)?;
        server_params.distinguished_name = name("localhost");
        server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_certificate = server_params.signed_by(&server_key, &issuer).map_err(err)?;

        let merchant_key = KeyPair::generate().map_err(err)?;
        let mut merchant_params = CertificateParams::default();
        merchant_params.distinguished_name = name(mch_id);
        merchant_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let merchant_certificate = merchant_params.signed_by(&merchant_key, &issuer).map_err(err)?;

        Ok(TestPki {
            ca_certificate_pem: ca_certificate.pem(),
            ca_certificate_der: ca_certificate.der().clone(),
            server_certificate_der: server_certificate.der().clone(),
            server_key_der: server_key.serialize_der(),
            merchant_certificate_pem: merchant_certificate.pem(),
            merchant_key_pem: merchant_key.serialize_pem(),
        })
    }

    /// A rustls server (aws-lc-rs, TLS 1.2 and 1.3, ALPN `http/1.1`) presenting the server
    /// certificate (and the CA), which verifies a client certificate against the test CA when
    /// the client presents one, and lets the handshake through when it does not.
    pub(crate) fn server_config(&self) -> io::Result<Arc<ServerConfig>> {
        let provider = Arc::new(crypto::aws_lc_rs::default_provider());
        let mut roots = RootCertStore::empty();
        roots
            .add(self.ca_certificate_der.clone())
            .map_err(|e| tls_error("the test CA", e))?;
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
            .allow_unauthenticated()
            .build()
            .map_err(|e| tls_error("the client verifier", e))?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.server_key_der.clone()));
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error("TLS versions", e))?
            .with_client_cert_verifier(verifier)
            .with_single_cert(
                vec![
                    self.server_certificate_der.clone(),
                    self.ca_certificate_der.clone(),
                ],
                key,
            )
            .map_err(|e| tls_error("the server certificate", e))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

//! A test PKI and an HTTPS server on 127.0.0.1 for mutual-TLS tests: a test CA (rcgen), a
//! server certificate for `127.0.0.1`/`localhost`, a merchant client certificate with an RSA
//! key (like `apiclient_cert.pem`/`apiclient_key.pem`), and a server (tokio-rustls + axum) that
//! can require a client certificate signed by the CA. It counts TCP connections and TLS
//! handshakes, so a test can tell that nothing reached it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{RootCertStore, ServerConfig};
use tokio_rustls::server::TlsStream;

/// A certificate and its private key, PEM.
#[derive(Clone)]
pub struct Identity {
    pub certificate_pem: String,
    pub key_pem: String,
    certificate_der: CertificateDer<'static>,
    key_der: Vec<u8>,
}

/// The test CA, the server's identity, and two client identities: one the CA signed, one
/// self-signed (a certificate the server must refuse).
pub struct TestPki {
    /// The CA certificate, to trust on the client (`add_root_certificate_pem`).
    pub ca_pem: String,
    ca_der: CertificateDer<'static>,
    pub server: Identity,
    /// The merchant certificate, signed by the CA, with an RSA-2048 PKCS#8 key.
    pub client: Identity,
    /// A client certificate the CA did not sign.
    pub stranger: Identity,
}

impl TestPki {
    pub fn new() -> Self {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "sdk-runtime test CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();

        let leaf = |names: Vec<String>,
                    usage: ExtendedKeyUsagePurpose,
                    key: KeyPair,
                    issuer: Option<&CertifiedIssuer<'_, KeyPair>>| {
            let mut params = CertificateParams::new(names).unwrap();
            params.distinguished_name.push(DnType::CommonName, "1900000109");
            params.extended_key_usages = vec![usage];
            let certificate = match issuer {
                Some(issuer) => params.signed_by(&key, issuer).unwrap(),
                None => params.self_signed(&key).unwrap(),
            };
            Identity {
                certificate_pem: certificate.pem(),
                key_pem: key.serialize_pem(),
                certificate_der: certificate.der().clone(),
                key_der: key.serialize_der(),
            }
        };
        let server = leaf(
            vec!["127.0.0.1".into(), "localhost".into()],
            ExtendedKeyUsagePurpose::ServerAuth,
            KeyPair::generate().unwrap(),
            Some(&ca),
        );
        let rsa = || KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
        let client = leaf(Vec::new(), ExtendedKeyUsagePurpose::ClientAuth, rsa(), Some(&ca));
        let stranger = leaf(Vec::new(), ExtendedKeyUsagePurpose::ClientAuth, rsa(), None);
        Self {
            ca_pem: ca.pem(),
            ca_der: ca.der().clone(),
            server,
            client,
            stranger,
        }
    }

    fn server_config(&self, require_client_certificate: bool) -> ServerConfig {
        let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap();
        let builder = if require_client_certificate {
            let mut roots = RootCertStore::empty();
            roots.add(self.ca_der.clone()).unwrap();
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .unwrap();
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.server.key_der.clone()));
        builder
            .with_single_cert(vec![self.server.certificate_der.clone()], key)
            .unwrap()
    }
}

/// A running HTTPS server; it stops when the test's runtime ends.
pub struct TlsServer {
    /// `https://127.0.0.1:PORT`.
    pub base_url: String,
    connections: Arc<AtomicUsize>,
    handshakes_ok: Arc<AtomicUsize>,
    handshakes_failed: Arc<AtomicUsize>,
}

impl TlsServer {
    /// Serves `router` over TLS with the PKI's server certificate; with
    /// `require_client_certificate`, a client must present a certificate the test CA signed.
    pub async fn start(router: axum::Router, pki: &TestPki, require_client_certificate: bool) -> Self {
        let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = tcp.local_addr().unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(pki.server_config(require_client_certificate)));
        let connections = Arc::new(AtomicUsize::new(0));
        let handshakes_ok = Arc::new(AtomicUsize::new(0));
        let handshakes_failed = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = mpsc::unbounded_channel();
        {
            let (connections, ok, failed) = (
                connections.clone(),
                handshakes_ok.clone(),
                handshakes_failed.clone(),
            );
            tokio::spawn(async move {
                loop {
                    let Ok((stream, peer)) = tcp.accept().await else {
                        continue;
                    };
                    connections.fetch_add(1, Ordering::SeqCst);
                    let (acceptor, tx, ok, failed) =
                        (acceptor.clone(), tx.clone(), ok.clone(), failed.clone());
                    // Each handshake in its own task: a stuck client never blocks the next one.
                    tokio::spawn(async move {
                        match acceptor.accept(stream).await {
                            Ok(tls) => {
                                ok.fetch_add(1, Ordering::SeqCst);
                                let _ = tx.send((tls, peer));
                            }
                            Err(_) => {
                                failed.fetch_add(1, Ordering::SeqCst);
                            }
                        }
                    });
                }
            });
        }
        let listener = Handshaken { rx, addr };
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Self {
            base_url: format!("https://{addr}"),
            connections,
            handshakes_ok,
            handshakes_failed,
        }
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// TLS handshakes that completed.
    pub fn handshakes_ok(&self) -> usize {
        self.handshakes_ok.load(Ordering::SeqCst)
    }

    /// TLS handshakes the server refused (e.g. no or an unknown client certificate).
    pub fn handshakes_failed(&self) -> usize {
        self.handshakes_failed.load(Ordering::SeqCst)
    }
}

/// The connections whose TLS handshake completed, as an axum listener.
struct Handshaken {
    rx: mpsc::UnboundedReceiver<(TlsStream<TcpStream>, SocketAddr)>,
    addr: SocketAddr,
}

impl axum::serve::Listener for Handshaken {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(connection) => connection,
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.addr)
    }
}

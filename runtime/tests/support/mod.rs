//! Test support that later tests can reuse: the mutual-TLS PKI and HTTPS server.
#![allow(dead_code)]

pub mod tls;

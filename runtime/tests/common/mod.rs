//! Shared test helpers: key constants, a recording mock server and hostile raw HTTP servers.
#![allow(dead_code)]

pub mod capture;
pub mod certs;
pub mod hostile;
pub mod keys;
pub mod notify;
pub mod server;

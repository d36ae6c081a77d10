//! Shared test helpers: key constants and a recording mock server.
#![allow(dead_code)]

pub mod certs;
pub mod keys;
pub mod server;

//! The code generator: spec front-ends → IR → Rust emitter.
//!
//! A pure library: functions from bytes to IR to source text. Only `xtask` touches the disk.

pub mod diag;
pub mod wechat;

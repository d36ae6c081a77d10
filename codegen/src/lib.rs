//! The code generator: spec front-ends → IR → Rust emitter.
//!
//! A pure library: functions from bytes to IR to source text. Only `xtask` touches the disk.

pub mod changelog;
pub mod diag;
pub mod emit;
pub mod ir;
pub mod model;
pub mod openapi;
pub mod overrides;
pub mod wechat;

//! Front-end for the WeChat Pay docs format (one markdown page per endpoint).

pub mod page;
pub mod ts;

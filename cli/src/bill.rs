//! `payctl bill download` and `payctl bill parse`: RESERVED, NOT IMPLEMENTED YET.
//!
//! ============================================================================================
//! TODO(issue 12, item 1): these two commands wait for the bill parser being written in
//! `runtime/src/wechatpay/bill/` (typed rows and the summary of trade and fund-flow bills, amounts
//! as exact decimals). When it lands, implement here:
//! - `bill download --date YYYY-MM-DD [--type trade|fundflow] [--bill-type ALL|SUCCESS|REFUND]
//!   [--gzip] [--out FILE]`: the bill-apply call (`GET /v3/bill/tradebill` /
//!   `GET /v3/bill/fundflowbill`) through the conformance crate as `payctl call` does, then
//!   `Client::download_url(…).gunzip().verify_hash(…)` (progress on stderr);
//! - `bill parse FILE --format json|csv`: the runtime's parser over the (gunzipped) file.
//!
//! The command line is declared in `cli.rs` (`BillCommand`) so the place is visible in `--help`;
//! until then both exit 2 saying so.
//! ============================================================================================

use crate::exit::{Failure, Outcome};

/// Runs `bill download` or `bill parse`: not implemented yet.
pub fn run(command: &str) -> Outcome {
    Err(Failure::usage(format!(
        "`payctl bill {command}` is not implemented yet: it waits for the bill parser (issue 12, item 1)"
    )))
}

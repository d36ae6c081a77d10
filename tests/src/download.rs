//! File downloads: the deterministic content the mock serves for a download path, its SHA-1,
//! gzip, and which download endpoints WeChat Pay leaves unsigned.

use std::io::Write as _;

use aws_lc_rs::digest::{SHA1_FOR_LEGACY_USE_ONLY, digest};

/// Size of every download body (plain, before any gzip): 200 KiB.
pub const DOWNLOAD_LEN: usize = 200 * 1024;

/// Size of the chunks a download is streamed in.
pub const DOWNLOAD_CHUNK: usize = 32 * 1024;

/// Download endpoints whose responses WeChat Pay does not sign (path templates), from
/// `shared/design/protocols.md`. Responses of other binary endpoints are signed.
pub const UNSIGNED_DOWNLOAD_PATHS: &[&str] = &[
    "/v3/billdownload/file",
    "/v3/statements",
    "/v3/global/statements",
    "/v3/new-tax-control-fapiao/download",
    // The docs page `/v3/new-tax-control-fapiao/download` is served on the wire as this path
    // (on `https://pay.wechatpay.cn/`).
    "/invoicing/fapiao/fapiao-file",
    "/v3/transferdownload/signfile",
    "/v3/transferdownload/elecvoucherfile",
    "/v3/merchant-service/images/{media_id}",
];

/// The bill download endpoint, whose content can be gzip-compressed on request.
pub const BILL_DOWNLOAD_PATH: &str = "/v3/billdownload/file";

/// Whether responses of the operation with this path template are sent unsigned: a `{…}`
/// segment matches a `{…}` segment of any name, a literal segment only itself (so
/// `/v3/merchant-service/images/upload` is signed).
pub fn is_unsigned_download(template: &str) -> bool {
    let is_param = |s: &str| s.starts_with('{') && s.ends_with('}');
    UNSIGNED_DOWNLOAD_PATHS.iter().any(|known| {
        let (a, b): (Vec<&str>, Vec<&str>) = (known.split('/').collect(), template.split('/').collect());
        a.len() == b.len()
            && a.iter()
                .zip(&b)
                .all(|(x, y)| x == y || (is_param(x) && is_param(y)))
    })
}

/// Exactly the bytes the mock sends for a download request `target` (path and `?query` as
/// sent) with default settings: [`download_content_for`] the path and query, gzip-compressed for
/// a bill download whose query has `tartype=GZIP`.
pub fn expected_download(target: &str) -> Vec<u8> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let pairs: Vec<(String, String)> = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let plain = download_content_for(path, &pairs);
    let gzip_asked = pairs
        .iter()
        .any(|(k, v)| k == "tartype" && v.eq_ignore_ascii_case("GZIP"));
    if path == BILL_DOWNLOAD_PATH && gzip_asked {
        gzip(&plain)
    } else {
        plain
    }
}

/// The plain content the mock serves for a download at the concrete `path` whose (decoded) query
/// is `query`: at the bill download, the bill its `token` names (a token of a bill-apply answer,
/// [`crate::bills::bill_token`]), else [`download_content`] of the path.
pub fn download_content_for(path: &str, query: &[(String, String)]) -> Vec<u8> {
    let named = query
        .iter()
        .find(|(k, _)| k == "token")
        .and_then(|(_, token)| crate::bills::parse_token(token));
    match named {
        Some((kind, date)) if path == BILL_DOWNLOAD_PATH => crate::bills::v3_bill(kind, &date),
        _ => download_content(path),
    }
}

/// The plain content the mock serves for a download at the concrete `path` (no query, as
/// received, e.g. `/v3/merchant-service/images/MEDIA1`), [`DOWNLOAD_LEN`] bytes, the same on every
/// call: at the bill download, a real bill ([`crate::bills::default_bill`], the trade bill `ALL`
/// of [`crate::bills::SAMPLE_BILL_DATE`]); elsewhere numbered CSV-like lines that name the path.
pub fn download_content(path: &str) -> Vec<u8> {
    if path == BILL_DOWNLOAD_PATH {
        return crate::bills::default_bill();
    }
    let mut out = Vec::with_capacity(DOWNLOAD_LEN + 128);
    out.extend_from_slice(b"line,path,checksum\n");
    let mut line: u64 = 0;
    let mut state: u32 = path
        .bytes()
        .fold(0x811c_9dc5, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    while out.len() < DOWNLOAD_LEN {
        line += 1;
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let _ = writeln!(out, "{line},{path},{state:08x}");
    }
    out.truncate(DOWNLOAD_LEN);
    out
}

/// Lower-case hex SHA-1 of [`download_content`] for `path`: the `hash_value` (with
/// `hash_type` `SHA1`) a client checks a downloaded bill against.
pub fn download_sha1_hex(path: &str) -> String {
    sha1_hex(&download_content(path))
}

/// Lower-case hex SHA-1 of `bytes`.
pub fn sha1_hex(bytes: &[u8]) -> String {
    digest(&SHA1_FOR_LEGACY_USE_ONLY, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `bytes` gzip-compressed (what a bill download with `tartype=GZIP` carries).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    #[test]
    fn content_is_deterministic_and_path_dependent() {
        let a = download_content("/v3/billdownload/file");
        assert_eq!(a.len(), DOWNLOAD_LEN);
        assert_eq!(a, download_content("/v3/billdownload/file"));
        assert_ne!(a, download_content("/v3/merchant-service/images/M1"));
        assert_eq!(download_sha1_hex("/v3/billdownload/file").len(), 40);
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&gzip(&a)[..])
            .read_to_end(&mut plain)
            .unwrap();
        assert_eq!(plain, a);
        assert_eq!(
            expected_download("/v3/billdownload/file?token=t&tartype=GZIP"),
            gzip(&a)
        );
        assert_eq!(expected_download("/v3/billdownload/file?token=t"), a);
    }

    #[test]
    fn unsigned_downloads() {
        assert!(is_unsigned_download("/v3/billdownload/file"));
        assert!(is_unsigned_download("/v3/merchant-service/images/{media_id}"));
        assert!(is_unsigned_download("/v3/merchant-service/images/{id}"));
        assert!(!is_unsigned_download("/v3/merchant-service/images/upload"));
        assert!(!is_unsigned_download("/v3/merchant-service/images/upload/x"));
        assert!(is_unsigned_download("/invoicing/fapiao/fapiao-file"));
        assert!(!is_unsigned_download("/invoicing/fapiao/fapiao-applications"));
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    }
}

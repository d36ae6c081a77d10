//! Hostile HTTP/1.1 servers on 127.0.0.1, written by hand over a tokio `TcpListener` so that
//! each byte on the wire is under the test's control: huge or endless bodies, chunked or not,
//! bodies dripped one byte at a time. They write from a static buffer, so serving any amount
//! allocates (almost) nothing: a test's memory measurement sees the client only.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// What every byte of a served zero body comes from.
static ZEROS: [u8; 64 * 1024] = [0; 64 * 1024];

/// A running server; it stops when the test's runtime ends.
pub struct HostileServer {
    pub base_url: String,
}

impl HostileServer {
    /// Accepts connections forever; for each, reads the request head (the tests send no
    /// request body) and hands the stream to `respond`.
    pub async fn start<F, Fut>(respond: F) -> Self
    where
        F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let respond = Arc::new(respond);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let respond = respond.clone();
                tokio::spawn(async move {
                    if read_request_head(&mut stream).await {
                        respond(stream).await;
                    }
                });
            }
        });
        Self {
            base_url: format!("http://{addr}"),
        }
    }
}

/// Reads up to the end of the request head (`\r\n\r\n`); false if the client went away.
async fn read_request_head(stream: &mut TcpStream) -> bool {
    let mut buf = [0_u8; 4096];
    let mut tail = [0_u8; 4];
    loop {
        let n = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => n,
        };
        for &b in &buf[..n] {
            tail = [tail[1], tail[2], tail[3], b];
            if &tail == b"\r\n\r\n" {
                return true;
            }
        }
    }
}

/// Writes the status line and headers (and the blank line). Errors are ignored: a client that
/// gave up is what the tests expect.
pub async fn write_head(stream: &mut TcpStream, status: u16, headers: &[(&str, String)]) {
    let mut head = format!("HTTP/1.1 {status} Hostile\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes()).await;
}

/// Writes `prefix`, then zeros up to `total` bytes in all (spaces instead of zeros when
/// `spaces`), as one body; chunked transfer encoding when `chunked` (the head must say so).
/// Stops quietly when the client closes the connection.
pub async fn write_body(stream: &mut TcpStream, prefix: &[u8], total: u64, chunked: bool, spaces: bool) {
    static SPACES: [u8; 64 * 1024] = [b' '; 64 * 1024];
    let filler: &[u8] = if spaces { &SPACES } else { &ZEROS };
    if write_piece(stream, prefix, chunked).await.is_err() {
        return;
    }
    let mut left = total.saturating_sub(prefix.len() as u64);
    while left > 0 {
        let n = left.min(filler.len() as u64) as usize;
        if write_piece(stream, &filler[..n], chunked).await.is_err() {
            return;
        }
        left -= n as u64;
    }
    if chunked {
        let _ = stream.write_all(b"0\r\n\r\n").await;
    }
    let _ = stream.flush().await;
}

async fn write_piece(stream: &mut TcpStream, piece: &[u8], chunked: bool) -> std::io::Result<()> {
    if piece.is_empty() {
        return Ok(());
    }
    if chunked {
        stream
            .write_all(format!("{:x}\r\n", piece.len()).as_bytes())
            .await?;
        stream.write_all(piece).await?;
        stream.write_all(b"\r\n").await
    } else {
        stream.write_all(piece).await
    }
}

/// Writes `bytes` one byte every `interval` (a body that is never too slow for one read, and
/// never done).
pub async fn drip(stream: &mut TcpStream, bytes: u64, interval: Duration) {
    for _ in 0..bytes {
        if stream.write_all(b"x").await.is_err() || stream.flush().await.is_err() {
            return;
        }
        tokio::time::sleep(interval).await;
    }
}

//! Starting and stopping a mock server (WeChat Pay's or Wonder's): the bound socket, the accept
//! loop, the task or thread that serves it, and the sender that stops it when the handle is
//! dropped.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use axum::{Extension, Router};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::watch;

use crate::fault::ConnControl;

/// How long a mock waits for a request's headers, and for its body, before it gives up on the
/// connection by default ([`crate::MockConfig::read_timeout`],
/// [`crate::wonder::WonderConfig::read_timeout`]): 10 s. A client that connects and sends
/// nothing, or trickles its headers or body (slow loris), is disconnected (headers) or
/// answered 408 and disconnected (body) instead of holding the connection.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A mock server that is serving; dropping it stops the server.
pub(crate) struct Listening {
    addr: SocketAddr,
    shutdown: watch::Sender<()>,
}

impl Listening {
    /// Binds `addr` and serves `app` there: as a task of the current Tokio runtime, or outside
    /// one on its own thread named `{name}-{port}`. A connection whose request headers have not
    /// all arrived `read_timeout` after it opened (or after its previous answer) is closed.
    ///
    /// # Errors
    /// The address cannot be bound, or the thread or its runtime cannot be started.
    pub(crate) fn start(
        addr: SocketAddr,
        app: Router,
        name: &str,
        read_timeout: Duration,
    ) -> io::Result<Listening> {
        Listening::spawn(addr, name, move |listener, stop| {
            serve(listener, app, stop, read_timeout)
        })
    }

    /// Binds `addr` and runs `accept` on it until the handle is dropped (`accept` gets the
    /// listener and a receiver that changes then): as a task of the current Tokio runtime, or
    /// outside one on its own thread named `{name}-{port}`. The HTTP mocks serve through
    /// [`Listening::start`]; the APIv2 mock accepts TLS itself.
    ///
    /// # Errors
    /// The address cannot be bound, or the thread or its runtime cannot be started.
    pub(crate) fn spawn<F, Fut>(addr: SocketAddr, name: &str, accept: F) -> io::Result<Listening>
    where
        F: FnOnce(tokio::net::TcpListener, watch::Receiver<()>) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (shutdown, stop) = watch::channel(());
        let serve = async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            accept(listener, stop).await;
            Ok::<(), io::Error>(())
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(serve);
            }
            Err(_) => {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                std::thread::Builder::new()
                    .name(format!("{name}-{}", addr.port()))
                    .spawn(move || {
                        let _ = runtime.block_on(serve);
                    })?;
            }
        }
        Ok(Listening { addr, shutdown })
    }

    /// The bound socket address.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub(crate) fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        let _ = self.shutdown.send(());
    }
}

/// Accepts connections until `stop` changes (or its sender is dropped); each connection is
/// served by hyper (closed when its request headers take longer than `read_timeout`) and
/// dropped at once when a handler asks for a reset.
async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    mut stop: watch::Receiver<()>,
    read_timeout: Duration,
) {
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let control = ConnControl::default();
        let service = TowerToHyperService::new(app.clone().layer(Extension(control.clone())));
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(read_timeout)
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                () = control.reset_requested() => {}
                _ = stop.changed() => {}
            }
        });
    }
}

//! Starting and stopping a mock server (WeChat Pay's or Wonder's): the bound socket, the task
//! or thread that serves it, and the sender that stops it when the handle is dropped.

use std::io;
use std::net::SocketAddr;

use axum::Router;
use tokio::sync::watch;

/// A mock server that is serving; dropping it stops the server.
pub(crate) struct Listening {
    addr: SocketAddr,
    shutdown: watch::Sender<()>,
}

impl Listening {
    /// Binds `addr` and serves `app` there: as a task of the current Tokio runtime, or outside
    /// one on its own thread named `{name}-{port}`.
    ///
    /// # Errors
    /// The address cannot be bound, or the thread or its runtime cannot be started.
    pub(crate) fn start(addr: SocketAddr, app: Router, name: &str) -> io::Result<Listening> {
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (shutdown, stop) = watch::channel(());
        let serve = async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            crate::server::serve(listener, app, stop).await;
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

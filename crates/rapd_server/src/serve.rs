//! The accept loop: HTTP/1.1 connections, over plain TCP and over TLS, with a header read timeout,
//! served until shutdown, then drained within a deadline. A request head hyper refuses (414,
//! 431) is answered with Graph's error body (`refused_heads.rs`).

use std::{future::Future, net::SocketAddr, time::Duration};

use axum::{Router, extract::ConnectInfo};
use hyper::{rt::Read, rt::Write, server::conn::http1};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::{GracefulShutdown, Watcher},
    service::TowerToHyperService,
};
use rapd_http::TLS_HEADER;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::refused_heads::GraphRefusals;

/// Connection-level limits.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// A client must send a request's whole header block within this time (slowloris); a TLS
    /// client must also finish its handshake within it.
    pub header_read_timeout: Duration,
    /// In-flight requests get this long to finish after shutdown begins.
    pub drain_deadline: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(10),
            drain_deadline: Duration::from_secs(20),
        }
    }
}

/// What rapd listens on: plain HTTP, HTTPS, or both. Both share the limits and the drain.
#[derive(Default)]
pub struct Listeners {
    pub http: Option<TcpListener>,
    pub https: Option<(TcpListener, TlsAcceptor)>,
}

/// Serves `app` on `listener` until `shutdown` resolves; then stops accepting and waits up to
/// the drain deadline for the requests in flight.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listeners = Listeners {
        http: Some(listener),
        https: None,
    };
    serve_listeners(listeners, app, limits, shutdown).await
}

/// [`serve`] on every listener in `listeners` at once.
pub async fn serve_listeners(
    listeners: Listeners,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let graceful = GracefulShutdown::new();
    let (http, https) = (listeners.http, listeners.https);
    tokio::pin!(shutdown);
    loop {
        let (accepted, tls) = tokio::select! {
            accepted = accept(http.as_ref()) => (accepted, None),
            accepted = accept(https.as_ref().map(|(l, _)| l)) => {
                (accepted, https.as_ref().map(|(_, a)| a.clone()))
            }
            () = &mut shutdown => break,
        };
        let (stream, remote) = match accepted {
            Ok(conn) => conn,
            Err(e) => {
                // Running out of file descriptors must not end the server; back off briefly.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let connection = Connection {
            app: app.clone(),
            builder: builder.clone(),
            watcher: graceful.watcher(),
            remote,
        };
        tokio::spawn(async move {
            match tls {
                None => connection.serve(stream, false).await,
                // The handshake runs in the connection's task so a slow client never stalls
                // the accept loop; it gets the header read timeout to finish.
                Some(acceptor) => {
                    match tokio::time::timeout(limits.header_read_timeout, acceptor.accept(stream))
                        .await
                    {
                        Ok(Ok(stream)) => connection.serve(stream, true).await,
                        Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!("TLS handshake timed out"),
                    }
                }
            }
        });
    }
    drop((http, https));
    if tokio::time::timeout(limits.drain_deadline, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("drain deadline passed with requests still in flight; stopping anyway");
    }
    Ok(())
}

/// The next connection on `listener`; never, when there is no listener.
async fn accept(listener: Option<&TcpListener>) -> std::io::Result<(TcpStream, SocketAddr)> {
    match listener {
        Some(listener) => listener.accept().await,
        None => std::future::pending().await,
    }
}

/// One accepted connection and what serving it needs.
struct Connection {
    app: Router,
    builder: http1::Builder,
    watcher: Watcher,
    remote: SocketAddr,
}

impl Connection {
    async fn serve<S>(self, stream: S, tls: bool)
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
        TokioIo<S>: Read + Write,
    {
        let remote = self.remote;
        let service = self
            .app
            .map_request(move |mut request: axum::extract::Request<_>| {
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(remote));
                let headers = request.headers_mut();
                headers.remove(TLS_HEADER);
                if tls {
                    headers.insert(TLS_HEADER, http::HeaderValue::from_static("1"));
                }
                request
            });
        // hyper's own 414 and 431 get Graph's error body.
        let stream = GraphRefusals::new(stream);
        let connection = self
            .builder
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        if let Err(e) = self.watcher.watch(connection).await {
            tracing::debug!(error = %e, "connection ended with an error");
        }
    }
}

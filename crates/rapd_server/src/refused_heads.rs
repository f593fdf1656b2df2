//! hyper answers a request head it cannot parse by itself, before any service runs: `414` for a
//! URL over 65 534 bytes, `431` for more than 100 headers or a head past its buffer, each with
//! an empty body. [`GraphRefusals`] wraps a connection's stream and puts Graph's error body and
//! envelope headers in their place, so clients parse these like every other error.
//!
//! hyper writes such an answer as the first bytes of a response (never mid-body: it answers a
//! head error only before it has begun writing one), in one write, and then closes. Only a write
//! that is exactly that answer is replaced: rapd itself never answers 414 or 431.

use std::{
    io,
    pin::Pin,
    task::{Context, Poll, ready},
};

use http::StatusCode;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::error::ApiError;

/// The longest automatic answer hyper writes: status line, `content-length: 0`, `date`.
const MAX_AUTOMATIC_ANSWER: usize = 256;

/// A connection's stream whose automatic 414 and 431 answers are given Graph's body.
pub(crate) struct GraphRefusals<S> {
    inner: S,
    /// The replacement answer still to write, from this offset.
    replacing: Option<(Vec<u8>, usize)>,
}

impl<S> GraphRefusals<S> {
    pub(crate) fn new(inner: S) -> GraphRefusals<S> {
        GraphRefusals {
            inner,
            replacing: None,
        }
    }
}

/// The error of hyper's automatic answer in `written`, if it is exactly one.
fn automatic_refusal(written: &[u8]) -> Option<ApiError> {
    if written.len() > MAX_AUTOMATIC_ANSWER || !written.ends_with(b"\r\n\r\n") {
        return None;
    }
    let refusal = if written.starts_with(b"HTTP/1.1 414 ") {
        ApiError::UriTooLong
    } else if written.starts_with(b"HTTP/1.1 431 ") {
        ApiError::HeadersTooLarge
    } else {
        return None;
    };
    let head = std::str::from_utf8(written).ok()?.to_ascii_lowercase();
    head.contains("\r\ncontent-length: 0\r\n")
        .then_some(refusal)
}

/// Graph's answer for `refusal`, as bytes on the wire; the connection closes after it.
fn graph_answer(refusal: &ApiError) -> Vec<u8> {
    let (status, payload) = refusal.payload();
    let (headers, body) = rapd_http::standalone_error(&payload);
    let mut answer = format!(
        "HTTP/1.1 {} {}\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    for (name, value) in &headers {
        answer.push_str(name.as_str());
        answer.push_str(": ");
        answer.push_str(value.to_str().unwrap_or(""));
        answer.push_str("\r\n");
    }
    let date = httpdate::fmt_http_date(std::time::SystemTime::now());
    answer.push_str(&format!(
        "date: {date}\r\nconnection: close\r\ncontent-length: {}\r\n\r\n",
        body.len()
    ));
    let mut bytes = answer.into_bytes();
    bytes.extend_from_slice(&body);
    debug_assert!(matches!(
        status,
        StatusCode::URI_TOO_LONG | StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
    ));
    bytes
}

impl<S: AsyncWrite + Unpin> GraphRefusals<S> {
    /// Writes what is left of the replacement answer.
    fn poll_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, offset)) = &mut self.replacing {
            if *offset == bytes.len() {
                self.replacing = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*offset..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *offset += n;
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for GraphRefusals<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for GraphRefusals<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_replacement(cx))?;
        if let Some(refusal) = automatic_refusal(buf) {
            self.replacing = Some((graph_answer(&refusal), 0));
            // hyper's bytes are taken; the replacement goes out now or on the flush that follows.
            if let Poll::Ready(Err(e)) = self.poll_replacement(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_replacement(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_replacement(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_exact_automatic_answers_are_replaced() {
        let date = "date: Thu, 03 Dec 2026 10:00:00 GMT\r\n";
        let answer = |status: &str| format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\n{date}\r\n");
        assert!(matches!(
            automatic_refusal(answer("414 URI Too Long").as_bytes()),
            Some(ApiError::UriTooLong)
        ));
        assert!(matches!(
            automatic_refusal(answer("431 Request Header Fields Too Large").as_bytes()),
            Some(ApiError::HeadersTooLarge)
        ));
        assert!(automatic_refusal(answer("400 Bad Request").as_bytes()).is_none());
        let with_body = format!("HTTP/1.1 431 X\r\ncontent-length: 2\r\n{date}\r\n{{}}");
        assert!(automatic_refusal(with_body.as_bytes()).is_none());
        let long = answer(&format!("431 {}", "x".repeat(300)));
        assert!(automatic_refusal(long.as_bytes()).is_none());
    }
}

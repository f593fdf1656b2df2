//! Middleware whose work before the handler is synchronous: it looks at the request, then either
//! answers at once or hands the request on and finishes the response afterwards.
//!
//! axum's `from_fn` clones the whole inner service stack and boxes two values on every request;
//! these layers call the inner service in place, so a request pays for the work and nothing else.

use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use axum::{
    extract::Request,
    response::{IntoResponse, Response},
};
use tower::{Layer, Service};

/// One middleware: what it does before the inner service and what it does to the response.
pub trait Around: Clone + Send + Sync + 'static {
    /// What `before` hands to `after` for this request.
    type Carry: Send + 'static;
    /// The answer when `before` refuses: the server's `ApiError`, or `Infallible`.
    type Refusal: IntoResponse;

    /// Looks at (and may change) the request; `Err` answers in place of the inner service.
    fn before(&self, request: &mut Request) -> Result<Self::Carry, Self::Refusal>;

    /// Finishes the inner service's response.
    fn after(&self, carry: Self::Carry, response: Response) -> Response;
}

/// Two middlewares that never refuse as one, `O` around `I`: one router layer instead of two.
/// axum wraps every route of a `Router::layer` in one more boxed service, which it clones (with
/// everything inside it) and boxes a future for on every request.
impl<O, I> Around for (O, I)
where
    O: Around<Refusal = Infallible>,
    I: Around<Refusal = Infallible>,
{
    type Carry = (O::Carry, I::Carry);
    type Refusal = Infallible;

    fn before(&self, request: &mut Request) -> Result<Self::Carry, Infallible> {
        let Ok(outer) = self.0.before(request);
        let Ok(inner) = self.1.before(request);
        Ok((outer, inner))
    }

    fn after(&self, (outer, inner): Self::Carry, response: Response) -> Response {
        self.0.after(outer, self.1.after(inner, response))
    }
}

/// The [`Layer`] of an [`Around`].
#[derive(Clone)]
pub struct AroundLayer<A>(pub A);

impl<A: Around, S> Layer<S> for AroundLayer<A> {
    type Service = AroundService<A, S>;

    fn layer(&self, inner: S) -> Self::Service {
        AroundService {
            around: self.0.clone(),
            inner,
        }
    }
}

#[derive(Clone)]
pub struct AroundService<A, S> {
    around: A,
    inner: S,
}

impl<A, S> Service<Request> for AroundService<A, S>
where
    A: Around,
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = AroundFuture<A, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let state = match self.around.before(&mut request) {
            Ok(carry) => State::Inner {
                future: self.inner.call(request),
                carry: Some(carry),
            },
            Err(error) => State::Answered {
                response: Some(error.into_response()),
            },
        };
        AroundFuture {
            around: self.around.clone(),
            state,
        }
    }
}

pin_project_lite::pin_project! {
    pub struct AroundFuture<A: Around, F> {
        around: A,
        #[pin]
        state: State<A::Carry, F>,
    }
}

pin_project_lite::pin_project! {
    #[project = StateProj]
    enum State<C, F> {
        Inner { #[pin] future: F, carry: Option<C> },
        Answered { response: Option<Response> },
    }
}

impl<A, F> Future for AroundFuture<A, F>
where
    A: Around,
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        match this.state.project() {
            StateProj::Inner { future, carry } => {
                let Ok(response) = std::task::ready!(future.poll(cx));
                let carry = carry.take().expect("polled after completion");
                Poll::Ready(Ok(this.around.after(carry, response)))
            }
            StateProj::Answered { response } => {
                Poll::Ready(Ok(response.take().expect("polled after completion")))
            }
        }
    }
}

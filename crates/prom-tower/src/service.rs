//! The service the layer wraps around the inner one, and its response future.

use std::future::Future;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use http_body::Body;
use pin_project_lite::pin_project;
use tower_service::Service;

use crate::body::ResponseBody;
use crate::metrics::{method_label, Metrics, Pending};
use crate::route::Route;

/// The inner service wrapped by a
/// [`RequestMetricsLayer`](crate::RequestMetricsLayer): it records each
/// request it passes on. Cloning it is cheap (the inner service's clone and a
/// reference count).
///
/// ```
/// use tower::{Layer, ServiceExt};
///
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let layer = prom_tower::RequestMetricsLayer::new();
/// let service = layer.layer(tower::service_fn(|_: http::Request<String>| async {
///     Ok::<_, std::convert::Infallible>(http::Response::new(String::new()))
/// }));
/// service.clone().oneshot(http::Request::new(String::new())).await?;
/// service.oneshot(http::Request::new(String::new())).await?;
/// assert_eq!(layer.requests().with(&["GET", "unmatched", "200"], |c| c.get())?, 2.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct RequestMetricsService<S> {
    inner: S,
    metrics: Arc<Metrics>,
}

impl<S> RequestMetricsService<S> {
    pub(crate) fn new(inner: S, metrics: Arc<Metrics>) -> Self {
        Self { inner, metrics }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The wrapped service, unwrapped.
    pub fn into_inner(self) -> S {
        self.inner
    }

    /// The route label of `request`: the user's choice if given one, else
    /// axum's matched route, else the unmatched value.
    fn route<B>(&self, request: Request<B>) -> (Route, Request<B>) {
        let metrics = &*self.metrics;
        let (route, request) = match &metrics.route_fn {
            Some(choose) => {
                // Taking the request apart and back together moves it, no more.
                let (parts, body) = request.into_parts();
                (choose(&parts), Request::from_parts(parts, body))
            }
            None => (matched(&request), request),
        };
        (route.unwrap_or_else(|| metrics.unmatched.clone()), request)
    }
}

#[cfg(feature = "axum")]
fn matched<B>(request: &Request<B>) -> Option<Route> {
    Route::matched_path(request.extensions())
}

#[cfg(not(feature = "axum"))]
fn matched<B>(_: &Request<B>) -> Option<Route> {
    None
}

impl<S> std::fmt::Debug for RequestMetricsService<S>
where
    S: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestMetricsService")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for RequestMetricsService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ReqBody: Body,
    ResBody: Body,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let method = method_label(request.method());
        let (route, request) = self.route(request);
        let request_size = self
            .metrics
            .request_size
            .as_ref()
            .and_then(|_| request.body().size_hint().exact());
        let pending = Pending::start(Arc::clone(&self.metrics), method, route, request_size);
        // A panic here drops `pending` while unwinding, which records a 500.
        // (No `catch_unwind`: it would copy the request into its closure.)
        let future = self.inner.call(request);
        ResponseFuture {
            inner: future,
            pending: Some(pending),
        }
    }
}

pin_project! {
    /// The future of a [`RequestMetricsService`] call: the inner future, and
    /// the request's record until the response arrives. Dropped before that,
    /// it records the request as [`CANCELLED`](crate::CANCELLED).
    ///
    /// ```
    /// use tower::{Layer, Service};
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build()?.block_on(async {
    /// let layer = prom_tower::RequestMetricsLayer::new();
    /// let mut service = layer.layer(tower::service_fn(|_: http::Request<String>| async {
    ///     std::future::pending::<()>().await; // never answers
    ///     Ok::<_, std::convert::Infallible>(http::Response::new(String::new()))
    /// }));
    /// let future: prom_tower::ResponseFuture<_> = service.call(http::Request::new(String::new()));
    /// assert!(tokio::time::timeout(std::time::Duration::from_millis(1), future).await.is_err());
    /// assert_eq!(layer.requests().with(&["GET", "unmatched", "cancelled"], |c| c.get())?, 1.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        pending: Option<Pending>,
    }
}

impl<F> std::fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("answered", &self.pending.is_none())
            .finish_non_exhaustive()
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Body,
{
    type Output = Result<Response<ResponseBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let inner = this.inner;
        // A panic is recorded as a 500 and then resumed, so the server (or a
        // catch-panic layer outside this one) handles it as it would have.
        let result = match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(result)) => result,
            Err(panic) => {
                if let Some(mut pending) = this.pending.take() {
                    pending.fail();
                }
                resume_unwind(panic)
            }
        };
        let mut pending = this.pending.take();
        Poll::Ready(match result {
            Ok(response) => {
                if let Some(pending) = &mut pending {
                    pending.respond(response.status());
                }
                let (parts, body) = response.into_parts();
                Ok(Response::from_parts(
                    parts,
                    ResponseBody::new(body, pending),
                ))
            }
            Err(error) => {
                if let Some(pending) = &mut pending {
                    pending.fail();
                }
                Err(error)
            }
        })
    }
}

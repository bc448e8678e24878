//! The response body wrapper: a request is timed until its body ends.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Buf;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;

use crate::metrics::Pending;

pin_project! {
    /// The body of a response that went through the layer: the inner body,
    /// unchanged, recording the request when it ends.
    ///
    /// The request is recorded when the body has yielded its last frame (or
    /// says it is at its end), when it fails (as a 500), or when it is dropped
    /// unfinished (with the status sent: the client went away mid-body).
    ///
    /// ```
    /// use http_body::Body as _;
    /// use tower::{Layer, ServiceExt};
    ///
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let layer = prom_tower::RequestMetricsLayer::new();
    /// let service = layer.layer(tower::service_fn(|_: http::Request<String>| async {
    ///     Ok::<_, std::convert::Infallible>(http::Response::new(String::from("hello")))
    /// }));
    /// let response = service.oneshot(http::Request::new(String::new())).await?;
    /// let body: &prom_tower::ResponseBody<String> = response.body();
    /// assert_eq!(body.size_hint().exact(), Some(5));
    /// assert_eq!(layer.requests().with(&["GET", "unmatched", "200"], |c| c.get())?, 0.0); // not yet
    /// drop(response);
    /// assert_eq!(layer.requests().with(&["GET", "unmatched", "200"], |c| c.get())?, 1.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct ResponseBody<B> {
        #[pin]
        inner: B,
        pending: Option<Pending>,
    }
}

impl<B: Body> ResponseBody<B> {
    /// Wraps `inner`; a body that is already at its end records at once.
    pub(crate) fn new(inner: B, pending: Option<Pending>) -> Self {
        let pending = pending.filter(|_| !inner.is_end_stream());
        Self { inner, pending }
    }
}

impl<B> std::fmt::Debug for ResponseBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseBody")
            .field("ended", &self.pending.is_none())
            .finish_non_exhaustive()
    }
}

impl<B: Body> Body for ResponseBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let mut inner = this.inner;
        // A panic is recorded as a 500 and then resumed: the layer changes
        // nothing about how the server reacts to it.
        let polled = match catch_unwind(AssertUnwindSafe(|| inner.as_mut().poll_frame(cx))) {
            Ok(polled) => polled,
            Err(panic) => {
                if let Some(mut pending) = this.pending.take() {
                    pending.fail();
                }
                resume_unwind(panic)
            }
        };
        if let Poll::Ready(frame) = &polled {
            match frame {
                Some(Ok(frame)) => {
                    if let Some(pending) = this.pending.as_mut() {
                        if let Some(data) = frame.data_ref() {
                            pending.sent(data.remaining());
                        }
                    }
                    // A server may stop polling once the body says it is at its end.
                    if inner.is_end_stream() {
                        this.pending.take();
                    }
                }
                Some(Err(_)) => {
                    if let Some(mut pending) = this.pending.take() {
                        pending.fail();
                    }
                }
                None => {
                    this.pending.take();
                }
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

//! `Future` and `Stream` for a wrapped future or stream (feature `futures`): polled on the
//! owner thread only.

use crate::SendWrapper;
use futures_core::Stream;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

impl<F: Future> Future for SendWrapper<F> {
    type Output = F::Output;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.check("poll");
        // Safety: the wrapper never moves `data` out while pinned (take needs it by value).
        unsafe { self.map_unchecked_mut(|w| &mut *w.data) }.poll(cx)
    }
}

impl<S: Stream> Stream for SendWrapper<S> {
    type Item = S::Item;

    #[track_caller]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        self.check("poll");
        // Safety: as for poll.
        unsafe { self.map_unchecked_mut(|w| &mut *w.data) }.poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (**self).size_hint()
    }
}

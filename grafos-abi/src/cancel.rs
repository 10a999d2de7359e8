//! [`CancelToken`]: stopping a launch from outside.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

type Waker = Arc<dyn Fn() + Send + Sync>;

struct Inner {
    cancelled: AtomicBool,
    next_id: AtomicU64,
    wakers: Mutex<Vec<(u64, Waker)>>,
}

/// Cancels a launch from outside it.
///
/// Give a clone to the SDK's `SharedTaskletBuilder::cancel_token`
/// (or the runtime's run options) and call [`cancel`](Self::cancel) from any
/// thread: lanes waiting at a barrier are released at once with
/// [`Cancelled`](crate::Cancelled), fuel checkpoints report
/// [`FuelExhausted`](crate::FuelExhausted), and the launch returns
/// [`TaskletError::Cancelled`](crate::TaskletError::Cancelled). A token stays
/// cancelled; one token may cancel many launches.
///
/// **Portable.**
///
/// ```
/// use grafos_abi::CancelToken;
/// let token = CancelToken::new();
/// let clone = token.clone();
/// std::thread::spawn(move || clone.cancel()).join().unwrap();
/// assert!(token.is_cancelled());
/// ```
#[derive(Clone)]
pub struct CancelToken {
    inner: Arc<Inner>,
}

impl CancelToken {
    /// A token that is not cancelled yet.
    ///
    /// **Portable.**
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                cancelled: AtomicBool::new(false),
                next_id: AtomicU64::new(0),
                wakers: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Cancels every launch this token was given to. Idempotent.
    ///
    /// **Portable.**
    pub fn cancel(&self) {
        if self.inner.cancelled.swap(true, Ordering::SeqCst) {
            return;
        }
        // Take the wakers out so none runs under the lock.
        let wakers: Vec<Waker> = self
            .inner
            .wakers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(_, w)| Arc::clone(w))
            .collect();
        for wake in wakers {
            wake();
        }
    }

    /// Whether [`cancel`](Self::cancel) has been called.
    ///
    /// **Portable.**
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }

    /// Runs `wake` when the token is cancelled (at once if it already is),
    /// until the returned guard is dropped. Lets a launch release its
    /// waiters without polling.
    #[doc(hidden)]
    pub fn on_cancel(&self, wake: impl Fn() + Send + Sync + 'static) -> CancelRegistration {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let wake: Waker = Arc::new(wake);
        self.inner
            .wakers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((id, Arc::clone(&wake)));
        // Checked after registering: a cancel between the two is not missed.
        if self.is_cancelled() {
            wake();
        }
        CancelRegistration {
            token: self.clone(),
            id,
        }
    }
}

impl Default for CancelToken {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelToken")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

/// Keeps a [`CancelToken::on_cancel`] callback registered; dropping it
/// unregisters the callback.
#[doc(hidden)]
#[must_use = "dropping the registration unregisters the callback"]
#[derive(Debug)]
pub struct CancelRegistration {
    token: CancelToken,
    id: u64,
}

impl Drop for CancelRegistration {
    fn drop(&mut self) {
        let removed = {
            let mut wakers = self
                .token
                .inner
                .wakers
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let at = wakers.iter().position(|(id, _)| *id == self.id);
            at.map(|at| wakers.swap_remove(at))
        };
        // Dropped outside the lock: the callback may own a launch's last
        // reference, and its destructor must not run under the lock.
        drop(removed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn wakers_run_once_and_unregister_on_drop() {
        let token = CancelToken::new();
        let hits = Arc::new(AtomicUsize::new(0));
        let h = Arc::clone(&hits);
        let reg = token.on_cancel(move || {
            h.fetch_add(1, Ordering::SeqCst);
        });
        let h = Arc::clone(&hits);
        drop(token.on_cancel(move || {
            h.fetch_add(100, Ordering::SeqCst);
        }));
        token.cancel();
        token.cancel();
        assert_eq!(hits.load(Ordering::SeqCst), 1);
        drop(reg);
        assert!(token.inner.wakers.lock().unwrap().is_empty());
    }

    #[test]
    fn registering_on_a_cancelled_token_wakes_at_once() {
        let token = CancelToken::new();
        token.cancel();
        let hits = Arc::new(AtomicUsize::new(0));
        let h = Arc::clone(&hits);
        let _reg = token.on_cancel(move || {
            h.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    }
}

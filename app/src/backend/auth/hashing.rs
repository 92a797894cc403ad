//! A bound on password hashing at once.
//!
//! Each argon2id hash or check holds its memory cost (19 MiB) for about a quarter of a second
//! on a blocking thread, and tokio's blocking pool would run hundreds at once: a burst of
//! logins could take gigabytes. So a few run at once (two per core), a few more wait their
//! turn, and beyond that the server answers 503 with `Retry-After` at once rather than queue
//! without limit.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::error::AppError;

/// The permits of password work.
#[derive(Debug, Clone)]
pub struct Hashing {
    running: Arc<Semaphore>,
    waiting: Arc<Semaphore>,
}

impl Default for Hashing {
    /// Two running per core, and four times as many waiting.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Hashing::new(2 * cores, 8 * cores)
    }
}

impl Hashing {
    /// At most `running` hashes at once and `waiting` more queued.
    pub fn new(running: usize, waiting: usize) -> Hashing {
        Hashing {
            running: Arc::new(Semaphore::new(running.max(1))),
            waiting: Arc::new(Semaphore::new(waiting)),
        }
    }

    /// Run `work` (a hash or a check) on the blocking pool when a turn is free; `Busy` at once
    /// when the queue is full too.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let busy = || AppError::Busy {
            message: "The server is busy checking passwords. Try again in a moment.".into(),
            retry_after: 1,
        };
        let turn = match self.running.clone().try_acquire_owned() {
            Ok(turn) => turn,
            Err(_) => {
                let _in_line = self.waiting.try_acquire().map_err(|_| {
                    tracing::debug!("password hashing full: a check refused");
                    busy()
                })?;
                self.running
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(|_| busy())?
            }
        };
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            work()
        })
        .await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn beyond_the_running_and_waiting_turns_work_is_refused_not_queued() {
        let hashing = Hashing::new(1, 1);
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let hold = Arc::new(std::sync::Mutex::new(hold));
        let started = {
            let hold = hold.clone();
            let h = hashing.clone();
            tokio::spawn(async move {
                h.run(move || {
                    let _ = hold.lock().unwrap().recv();
                    Ok(1)
                })
                .await
            })
        };
        // Let the first take its turn, then queue a second.
        while hashing.running.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        let queued = {
            let h = hashing.clone();
            tokio::spawn(async move { h.run(|| Ok(2)).await })
        };
        while hashing.waiting.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        // A third finds both full.
        let third = hashing.run(|| Ok(3)).await;
        assert!(
            matches!(third, Err(AppError::Busy { retry_after: 1, .. })),
            "{third:?}"
        );
        release.send(()).unwrap();
        assert_eq!(started.await.unwrap().unwrap(), 1);
        assert_eq!(queued.await.unwrap().unwrap(), 2);
        assert_eq!(hashing.run(|| Ok(4)).await.unwrap(), 4);
    }
}

//! Work on many files on all cores, with the results taken in the order of the files.
//!
//! Import and `inspect` both read a batch of files (hashing, metadata, pixels) where each file
//! is independent, but what follows must happen in the given order on the calling thread
//! (database rows, progress, printed reports). [`for_each_in_order`] does the first part on
//! worker threads and hands the results back one by one, in order; at most `threads` results
//! exist at a time beyond the last one handed back, so memory does not grow with the batch
//! whatever order the files finish in. (rayon's ordered collection would hold every result
//! until the end.)

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, PoisonError, mpsc};

/// One thread per core, at most `max`, and no more than there are items.
pub fn thread_count(items: usize, max: usize) -> usize {
    threads_per_core(items, 1, max)
}

/// `per_core` threads per core, at most `max`, and no more than there are items. For work
/// that also waits on the disk: while one thread waits for an fsync another decodes.
pub fn threads_per_core(items: usize, per_core: usize, max: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |count| count.get());
    cores.saturating_mul(per_core.max(1)).clamp(1, max.max(1)).min(items.max(1))
}

/// Runs `work` on each item on `threads` worker threads and calls `then` on the calling thread
/// with each item's index and result, in the order of `items`. `work` should not panic (catch
/// what may); if it does, the panic is raised again on the calling thread when the scope ends.
pub fn for_each_in_order<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    work: impl Fn(&T) -> R + Sync,
    mut then: impl FnMut(usize, R),
) {
    let window = Window::new(items.len(), threads.max(1));
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel::<(usize, R)>();
        for _ in 0..threads.max(1) {
            let (sender, window, work) = (sender.clone(), &window, &work);
            scope.spawn(move || {
                while let Some(index) = window.take() {
                    if sender.send((index, work(&items[index]))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        let mut finished: BTreeMap<usize, R> = BTreeMap::new();
        for index in 0..items.len() {
            let result = loop {
                if let Some(result) = finished.remove(&index) {
                    break Some(result);
                }
                match receiver.recv() {
                    Ok((done, result)) => {
                        finished.insert(done, result);
                    }
                    // Every worker is gone before finishing: one panicked, and the scope
                    // raises that panic as it ends.
                    Err(_) => break None,
                }
            };
            let Some(result) = result else { break };
            window.handed_back(index + 1);
            then(index, result);
        }
        // Workers waiting for room must not wait for ever if the loop above stopped early.
        window.handed_back(usize::MAX / 2);
    });
}

/// Hands the indexes to the workers, never more than `ahead` beyond the last result handed
/// back, while the next result to hand back is always among those handed out.
struct Window {
    state: Mutex<WindowState>,
    changed: Condvar,
    total: usize,
    ahead: usize,
}

struct WindowState {
    next: usize,
    handed_back: usize,
}

impl Window {
    fn new(total: usize, ahead: usize) -> Window {
        Window { state: Mutex::new(WindowState { next: 0, handed_back: 0 }), changed: Condvar::new(), total, ahead }
    }

    /// The next item to work on, waiting while the window is full; `None` when all are given out.
    fn take(&self) -> Option<usize> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if state.next >= self.total {
                return None;
            }
            if state.next < state.handed_back.saturating_add(self.ahead) {
                state.next += 1;
                return Some(state.next - 1);
            }
            state = self.changed.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn handed_back(&self, count: usize) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).handed_back = count;
        self.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn results_come_in_order_and_no_more_than_the_window_are_in_flight() {
        let items: Vec<u64> = (0..200).collect();
        let in_flight = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let mut seen = Vec::new();
        for_each_in_order(
            &items,
            4,
            |item| {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                // Early items take longest, so later ones finish first.
                std::thread::sleep(std::time::Duration::from_micros((200 - item) * 20));
                in_flight.fetch_sub(1, Ordering::SeqCst);
                item * 2
            },
            |index, result| {
                assert_eq!(result, items[index] * 2);
                seen.push(index);
            },
        );
        assert_eq!(seen, (0..200).collect::<Vec<_>>());
        assert!(most.load(Ordering::SeqCst) <= 4);
    }

    #[test]
    fn thread_counts_follow_the_cores_within_their_bounds() {
        let cores = std::thread::available_parallelism().map_or(1, |count| count.get());
        assert_eq!(threads_per_core(1000, 2, 64), (cores * 2).min(64));
        assert_eq!(threads_per_core(1000, 2, 3), 3.min(cores * 2), "never more than the maximum");
        assert_eq!(threads_per_core(1, 2, 64), 1, "never more than there are items");
        assert_eq!(threads_per_core(0, 2, 64), 1);
        assert_eq!(thread_count(1000, 64), cores.min(64));
    }

    #[test]
    fn nothing_to_do_is_fine() {
        let items: Vec<u8> = Vec::new();
        for_each_in_order(&items, 2, |item| *item, |_, _| panic!("no items"));
    }
}

//! How far each member has read (W2, D4), saved in batches: open sessions report
//! their last delivered seq at most once a second; one task keeps the highest
//! seq per membership and writes them all in one call every second, never one
//! database write per delivered frame. (A closing session writes its own last
//! mark at once, so that a quick reconnect replays from there.)

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chatroom_domain::delivery::DeliveryMark;
use chatroom_domain::ids::{RoomId, Seq, UserId};
use chatroom_domain::live::LiveService;
use tokio::sync::{mpsc, watch};

/// How often the marks are written.
pub(crate) const FLUSH_EVERY: Duration = Duration::from_secs(1);

/// Marks waiting for the writer; beyond this, reports are dropped (a lost mark
/// only means a longer replay on the next connection, never a lost event).
const PENDING_REPORTS: usize = 16 * 1024;

/// The sessions' handle to the writer.
#[derive(Clone, Debug)]
pub(crate) struct Deliveries {
    reports: mpsc::Sender<DeliveryMark>,
}

impl Deliveries {
    /// Starts the writer on the current tokio runtime; it flushes every
    /// [`FLUSH_EVERY`] and a last time when `shutdown` turns true or every
    /// handle is gone.
    pub(crate) fn start(live: Arc<dyn LiveService>, shutdown: watch::Receiver<bool>) -> Self {
        let (reports, inbox) = mpsc::channel(PENDING_REPORTS);
        tokio::spawn(write(live, inbox, shutdown));
        Self { reports }
    }

    /// Reports that `user` has received every event of `room` up to `seq`.
    pub(crate) fn report(&self, room: &RoomId, user: &UserId, seq: Seq) {
        let mark = DeliveryMark { room_id: room.clone(), user_id: user.clone(), seq };
        // Full: the writer is behind; this mark is superseded by a later one.
        let _ = self.reports.try_send(mark);
    }
}

async fn write(
    live: Arc<dyn LiveService>,
    mut inbox: mpsc::Receiver<DeliveryMark>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut pending: HashMap<(RoomId, UserId), Seq> = HashMap::new();
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + FLUSH_EVERY, FLUSH_EVERY);
    loop {
        tokio::select! {
            report = inbox.recv() => match report {
                Some(mark) => {
                    let seq = pending.entry((mark.room_id, mark.user_id)).or_insert(mark.seq);
                    *seq = (*seq).max(mark.seq);
                }
                None => break,
            },
            _ = ticks.tick() => flush(live.as_ref(), &mut pending).await,
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    // Sessions close with the shutdown: give their last reports a moment.
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    while let Ok(mark) = inbox.try_recv() {
                        let seq = pending.entry((mark.room_id, mark.user_id)).or_insert(mark.seq);
                        *seq = (*seq).max(mark.seq);
                    }
                    break;
                }
            }
        }
    }
    flush(live.as_ref(), &mut pending).await;
}

async fn flush(live: &dyn LiveService, pending: &mut HashMap<(RoomId, UserId), Seq>) {
    if pending.is_empty() {
        return;
    }
    let marks: Vec<DeliveryMark> =
        pending.drain().map(|((room_id, user_id), seq)| DeliveryMark { room_id, user_id, seq }).collect();
    if let Err(e) = live.delivered(&marks).await {
        tracing::warn!(error = %format_args!("{e:#}"), marks = marks.len(), "could not save delivered seqs");
    }
}

#[cfg(test)]
mod tests {
    use chatroom_domain::live::ports::MockLiveService;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn d4_marks_are_written_in_one_batch_per_second_keeping_the_highest_seq() {
        let (written, mut batches) = mpsc::unbounded_channel();
        let mut live = MockLiveService::new();
        live.expect_delivered().returning(move |marks| {
            let _ = written.send(marks.to_vec());
            Ok(())
        });
        let (_stop, shutdown) = watch::channel(false);
        let deliveries = Deliveries::start(Arc::new(live), shutdown);
        let (room, alice, bob) =
            (RoomId::parse("r1").unwrap(), UserId::parse("alice").unwrap(), UserId::parse("bob").unwrap());
        for seq in [3, 7, 5] {
            deliveries.report(&room, &alice, Seq::new(seq));
        }
        deliveries.report(&room, &bob, Seq::new(2));
        tokio::time::sleep(FLUSH_EVERY + Duration::from_millis(10)).await;
        let mut batch = batches.recv().await.unwrap();
        batch.sort_by(|a, b| a.user_id.as_str().cmp(b.user_id.as_str()));
        let seqs: Vec<(&str, i64)> = batch.iter().map(|m| (m.user_id.as_str(), m.seq.get())).collect();
        assert_eq!(seqs, vec![("alice", 7), ("bob", 2)]);
        assert!(batches.try_recv().is_err(), "one write for the whole batch");
    }

    #[tokio::test(start_paused = true)]
    async fn d4_the_last_marks_are_written_at_shutdown() {
        let (written, mut batches) = mpsc::unbounded_channel();
        let mut live = MockLiveService::new();
        live.expect_delivered().returning(move |marks| {
            let _ = written.send(marks.to_vec());
            Ok(())
        });
        let (stop, shutdown) = watch::channel(false);
        let deliveries = Deliveries::start(Arc::new(live), shutdown);
        tokio::time::sleep(Duration::from_millis(10)).await;
        deliveries.report(&RoomId::parse("r1").unwrap(), &UserId::parse("alice").unwrap(), Seq::new(9));
        stop.send_replace(true);
        let batch = batches.recv().await.unwrap();
        assert_eq!(batch.len(), 1);
        assert_eq!(batch[0].seq, Seq::new(9));
    }
}

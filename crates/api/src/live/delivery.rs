//! How far each member has read (W2, D4), saved in batches: open sessions report
//! their last delivered seq at most once a second; one task, the
//! [`MarksWriter`], keeps the highest seq per membership and writes them all in
//! one call every second, never one database write per delivered frame. (A
//! closing session writes its own last mark at once, so that a quick reconnect
//! replays from there.) The server runs the writer and stops it on shutdown,
//! after the sessions have closed and before the database does (D5).

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chatroom_domain::delivery::DeliveryMark;
use chatroom_domain::ids::{RoomKey, Seq, UserId};
use chatroom_domain::live::LiveService;
use tokio::sync::mpsc;

/// How often the marks are written.
pub(crate) const FLUSH_EVERY: Duration = Duration::from_secs(1);

/// Marks waiting for the writer; beyond this, reports are dropped (a lost mark
/// only means a longer replay on the next connection, never a lost event).
const PENDING_REPORTS: usize = 16 * 1024;

/// The sessions' handle to the [`MarksWriter`].
#[derive(Clone, Debug)]
pub struct Deliveries {
    reports: mpsc::Sender<DeliveryMark>,
}

/// The task that saves the marks reported through [`Deliveries`].
pub struct MarksWriter {
    live: Arc<dyn LiveService>,
    inbox: mpsc::Receiver<DeliveryMark>,
}

impl Deliveries {
    /// The sessions' handle, and the writer that saves what they report
    /// through `live`, for the caller to run.
    pub fn new(live: Arc<dyn LiveService>) -> (Self, MarksWriter) {
        let (reports, inbox) = mpsc::channel(PENDING_REPORTS);
        (Self { reports }, MarksWriter { live, inbox })
    }

    /// Reports that `user` has received every event of `room` up to `seq`.
    pub fn report(&self, room: &RoomKey, user: &UserId, seq: Seq) {
        let mark = DeliveryMark { room: room.clone(), user_id: user.clone(), seq };
        // Full: the writer is behind; this mark is superseded by a later one.
        let _ = self.reports.try_send(mark);
    }
}

impl MarksWriter {
    /// Saves the reported marks every [`FLUSH_EVERY`] until every
    /// [`Deliveries`] handle is gone (every session has closed) or `stop`
    /// resolves; then saves what was reported until then, and returns.
    pub async fn run(self, stop: impl Future<Output = ()>) {
        let Self { live, mut inbox } = self;
        let mut stop = std::pin::pin!(stop);
        let mut pending: HashMap<(RoomKey, UserId), Seq> = HashMap::new();
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + FLUSH_EVERY, FLUSH_EVERY);
        loop {
            tokio::select! {
                report = inbox.recv() => match report {
                    Some(mark) => keep_highest(&mut pending, mark),
                    None => break,
                },
                _ = ticks.tick() => flush(live.as_ref(), &mut pending).await,
                () = &mut stop => {
                    while let Ok(mark) = inbox.try_recv() {
                        keep_highest(&mut pending, mark);
                    }
                    break;
                }
            }
        }
        flush(live.as_ref(), &mut pending).await;
    }
}

fn keep_highest(pending: &mut HashMap<(RoomKey, UserId), Seq>, mark: DeliveryMark) {
    let seq = pending.entry((mark.room, mark.user_id)).or_insert(mark.seq);
    *seq = (*seq).max(mark.seq);
}

async fn flush(live: &dyn LiveService, pending: &mut HashMap<(RoomKey, UserId), Seq>) {
    if pending.is_empty() {
        return;
    }
    let marks: Vec<DeliveryMark> =
        pending.drain().map(|((room, user_id), seq)| DeliveryMark { room, user_id, seq }).collect();
    if let Err(e) = live.delivered(&marks).await {
        tracing::warn!(error = %format_args!("{e:#}"), marks = marks.len(), "could not save delivered seqs");
    }
}

#[cfg(test)]
mod tests {
    use chatroom_domain::ids::{Incarnation, RoomId};
    use chatroom_domain::live::ports::MockLiveService;
    use tokio::sync::oneshot;

    use super::*;

    /// A service whose saved batches arrive on the receiver.
    fn recording() -> (MockLiveService, mpsc::UnboundedReceiver<Vec<DeliveryMark>>) {
        let (written, batches) = mpsc::unbounded_channel();
        let mut live = MockLiveService::new();
        live.expect_delivered().returning(move |marks| {
            let _ = written.send(marks.to_vec());
            Ok(())
        });
        (live, batches)
    }

    fn alice_in_r1() -> (RoomKey, UserId) {
        (RoomKey::new(RoomId::parse("r1").unwrap(), Incarnation::new(1)), UserId::parse("alice").unwrap())
    }

    #[tokio::test(start_paused = true)]
    async fn d4_marks_are_written_in_one_batch_per_second_keeping_the_highest_seq() {
        let (live, mut batches) = recording();
        let (deliveries, writer) = Deliveries::new(Arc::new(live));
        tokio::spawn(writer.run(std::future::pending()));
        let ((room, alice), bob) = (alice_in_r1(), UserId::parse("bob").unwrap());
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
    async fn d4_d5_the_last_marks_are_written_when_the_writer_is_stopped() {
        let (live, mut batches) = recording();
        let (deliveries, writer) = Deliveries::new(Arc::new(live));
        let (stop, stopped) = oneshot::channel::<()>();
        let writer = tokio::spawn(writer.run(async {
            let _ = stopped.await;
        }));
        let (room, alice) = alice_in_r1();
        deliveries.report(&room, &alice, Seq::new(9));
        stop.send(()).unwrap();
        writer.await.unwrap();
        let batch = batches.try_recv().unwrap();
        assert_eq!((batch.len(), batch[0].seq), (1, Seq::new(9)));
    }

    #[tokio::test(start_paused = true)]
    async fn d4_d5_the_writer_writes_the_last_marks_and_ends_once_every_session_has_closed() {
        let (live, mut batches) = recording();
        let (deliveries, writer) = Deliveries::new(Arc::new(live));
        let writer = tokio::spawn(writer.run(std::future::pending()));
        let (room, alice) = alice_in_r1();
        deliveries.report(&room, &alice, Seq::new(4));
        drop(deliveries);
        writer.await.unwrap();
        assert_eq!(batches.try_recv().unwrap()[0].seq, Seq::new(4));
    }
}

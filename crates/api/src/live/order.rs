//! D2, one order: every connection sends a room's events in seq order. The
//! feed brings them in publication order, which two concurrent writers may make
//! differ from seq order, so a later seq waits here for the earlier ones; if
//! one never arrives live (its publication failed or is late), it is committed
//! all the same (D1), and after [`GAP_PATIENCE`] the session reads it from the
//! store and hands it in with [`SeqOrder::fill`].
//!
//! No socket and no clock: the session passes the time and sends what
//! [`SeqOrder::pop`] releases.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chatroom_domain::ids::Seq;
use chatroom_domain::timeline::RoomEvent;
use tokio::time::Instant;

/// How long a later seq waits for an earlier one before the gap is read from
/// the store.
pub(crate) const GAP_PATIENCE: Duration = Duration::from_millis(500);

/// One connection's events on their way out, in seq order.
#[derive(Debug)]
pub(crate) struct SeqOrder {
    /// The last seq released: sent, or handed out by `pop` to be sent.
    released: Seq,
    /// The very next seq, arrived with nothing held: the usual case, kept out
    /// of `held`, whose node would stay allocated.
    next: Option<Arc<RoomEvent>>,
    /// Later seqs, waiting for the earlier ones.
    held: BTreeMap<Seq, Arc<RoomEvent>>,
    /// When the gap in front of `held` is read from the store.
    gap: Option<Instant>,
}

impl SeqOrder {
    /// The order of a connection that has sent everything up to `last_sent`
    /// (its opening).
    pub(crate) fn new(last_sent: Seq) -> Self {
        Self { released: last_sent, next: None, held: BTreeMap::new(), gap: None }
    }

    /// The last seq released; a fill reads the events after it.
    pub(crate) fn released(&self) -> Seq {
        self.released
    }

    /// Takes an event from the feed, arrived at `now`. One already released
    /// (in the opening's replay, or a repeat) is dropped; one behind a gap is
    /// held, and the first held starts the gap's patience.
    pub(crate) fn accept(&mut self, event: Arc<RoomEvent>, now: Instant) {
        if event.seq <= self.released {
            return;
        }
        if event.seq == self.released.next() && self.held.is_empty() && self.next.is_none() {
            self.released = event.seq;
            self.next = Some(event);
            return;
        }
        self.gap.get_or_insert(now + GAP_PATIENCE);
        self.held.insert(event.seq, event);
    }

    /// The next event to send, if it has arrived: events come out in seq order
    /// with no gap.
    pub(crate) fn pop(&mut self) -> Option<Arc<RoomEvent>> {
        if let Some(event) = self.next.take() {
            return Some(event);
        }
        let entry = self.held.first_entry().filter(|entry| *entry.key() == self.released.next())?;
        let event = entry.remove();
        self.released = event.seq;
        if self.held.is_empty() {
            self.gap = None;
        }
        Some(event)
    }

    /// When the gap in front of the held events is to be read from the store:
    /// set while something is held.
    pub(crate) fn gap_deadline(&self) -> Option<Instant> {
        self.gap
    }

    /// Takes `events` read from the store after [`SeqOrder::released`] at
    /// `now`. What the store cannot fill is skipped: the order goes on from
    /// the first event it holds (whose predecessors are then lost to this
    /// connection, but not to its next one, D4). A gap further on gets a new
    /// deadline.
    pub(crate) fn fill(&mut self, events: Vec<RoomEvent>, now: Instant) {
        for event in events {
            if event.seq > self.released {
                self.held.insert(event.seq, Arc::new(event));
            }
        }
        if let Some(first) = self.held.keys().next() {
            self.released = self.released.max(Seq::new(first.get() - 1));
        }
        self.gap = (!self.held.is_empty()).then_some(now + GAP_PATIENCE);
    }
}

#[cfg(test)]
mod tests {
    use chatroom_domain::ids::{RoomId, UserId};
    use chatroom_domain::timeline::{EventKind, SystemEvent};

    use super::*;

    fn event(seq: i64) -> RoomEvent {
        RoomEvent {
            room_id: RoomId::parse("r1").unwrap(),
            seq: Seq::new(seq),
            at: time::OffsetDateTime::UNIX_EPOCH,
            kind: EventKind::System(SystemEvent::Joined(UserId::parse("alice").unwrap())),
        }
    }

    fn accept(order: &mut SeqOrder, seqs: &[i64], now: Instant) {
        for seq in seqs {
            order.accept(Arc::new(event(*seq)), now);
        }
    }

    /// What the order releases now, as the session sends it.
    fn drain(order: &mut SeqOrder) -> Vec<i64> {
        std::iter::from_fn(|| order.pop()).map(|event| event.seq.get()).collect()
    }

    #[test]
    fn d2_events_published_out_of_seq_order_are_released_in_seq_order() {
        let (mut order, now) = (SeqOrder::new(Seq::new(2)), Instant::now());
        accept(&mut order, &[4, 5], now);
        assert_eq!(drain(&mut order), Vec::<i64>::new(), "4 and 5 wait for 3");
        accept(&mut order, &[3], now);
        assert_eq!(drain(&mut order), vec![3, 4, 5]);
        assert_eq!((order.released(), order.gap_deadline()), (Seq::new(5), None));
    }

    #[test]
    fn d2_the_very_next_event_is_released_at_once_and_starts_no_gap() {
        let (mut order, now) = (SeqOrder::new(Seq::new(2)), Instant::now());
        accept(&mut order, &[3], now);
        assert_eq!(order.gap_deadline(), None);
        assert_eq!(drain(&mut order), vec![3]);
        accept(&mut order, &[4], now);
        assert_eq!(drain(&mut order), vec![4]);
        assert!(order.held.is_empty());
    }

    #[test]
    fn d2_an_event_already_sent_is_skipped() {
        let (mut order, now) = (SeqOrder::new(Seq::new(5)), Instant::now());
        accept(&mut order, &[4, 5], now);
        assert_eq!(drain(&mut order), Vec::<i64>::new(), "the replay had them");
        accept(&mut order, &[6, 6], now);
        assert_eq!(drain(&mut order), vec![6]);
        assert_eq!(order.gap_deadline(), None);
    }

    #[test]
    fn d2_a_gap_waits_its_patience_from_the_first_event_held() {
        let (mut order, start) = (SeqOrder::new(Seq::ZERO), Instant::now());
        accept(&mut order, &[2], start);
        accept(&mut order, &[3], start + Duration::from_millis(300));
        assert_eq!(order.gap_deadline(), Some(start + GAP_PATIENCE));
        accept(&mut order, &[1], start + Duration::from_millis(400));
        assert_eq!(drain(&mut order), vec![1, 2, 3]);
        assert_eq!(order.gap_deadline(), None, "closed in time");
    }

    #[test]
    fn d2_a_fill_releases_the_missing_events_and_those_held_behind_them() {
        let (mut order, now) = (SeqOrder::new(Seq::new(2)), Instant::now());
        accept(&mut order, &[5], now);
        order.fill((3..=6).map(event).collect(), now + GAP_PATIENCE);
        assert_eq!(drain(&mut order), vec![3, 4, 5, 6]);
        assert_eq!((order.released(), order.gap_deadline()), (Seq::new(6), None));
    }

    #[test]
    fn d2_a_gap_the_store_cannot_fill_is_skipped() {
        let (mut order, now) = (SeqOrder::new(Seq::new(2)), Instant::now());
        accept(&mut order, &[5, 6], now);
        order.fill(Vec::new(), now + GAP_PATIENCE);
        assert_eq!(drain(&mut order), vec![5, 6], "3 and 4 are skipped");
        assert_eq!(order.gap_deadline(), None);
    }

    #[test]
    fn d2_a_fill_that_stops_short_of_a_later_gap_keeps_a_deadline_for_it() {
        let (mut order, now) = (SeqOrder::new(Seq::ZERO), Instant::now());
        accept(&mut order, &[2, 9], now);
        let later = now + GAP_PATIENCE;
        order.fill((1..=3).map(event).collect(), later);
        assert_eq!(drain(&mut order), vec![1, 2, 3]);
        assert_eq!(order.gap_deadline(), Some(later + GAP_PATIENCE), "9 still waits for 4 to 8");
        order.fill((4..=9).map(event).collect(), later + GAP_PATIENCE);
        assert_eq!(drain(&mut order), vec![4, 5, 6, 7, 8, 9]);
        assert_eq!(order.gap_deadline(), None);
    }

    #[test]
    fn d2_events_of_a_fill_already_released_are_skipped() {
        let (mut order, now) = (SeqOrder::new(Seq::new(4)), Instant::now());
        accept(&mut order, &[6], now);
        order.fill((1..=6).map(event).collect(), now);
        assert_eq!(drain(&mut order), vec![5, 6]);
    }
}

//! The simulator's transactions, in memory: a simulator restart starts from a clean slate.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentType {
    Gopay,
    Qris,
}

impl PaymentType {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentType::Gopay => "gopay",
            PaymentType::Qris => "qris",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Pending,
    Settlement,
    Deny,
    Cancel,
    Expire,
    /// An error at the payment provider ended the transaction unpaid.
    Failure,
    /// Paid, then part of the amount given back.
    PartialRefund,
    /// Paid, then the whole amount given back.
    Refund,
    /// Paid, then part of the amount taken back by the payer's provider.
    PartialChargeback,
    /// Paid, then all that was left taken back by the payer's provider.
    Chargeback,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Settlement => "settlement",
            Status::Deny => "deny",
            Status::Cancel => "cancel",
            Status::Expire => "expire",
            Status::Failure => "failure",
            Status::PartialRefund => "partial_refund",
            Status::Refund => "refund",
            Status::PartialChargeback => "partial_chargeback",
            Status::Chargeback => "chargeback",
        }
    }

    /// `status_code` of an HTTP notification: 201 while the payer has yet to pay, 200 for a
    /// payment and whatever follows one, 202 for a transaction that ended unpaid. Midtrans
    /// signs a cancel with 200, as it signs a payment ("Cancel Transaction Response and
    /// Notification"), so a cancel's signature is byte for byte a settlement's.
    pub fn notification_code(self) -> &'static str {
        match self {
            Status::Pending => "201",
            Status::Settlement
            | Status::Cancel
            | Status::PartialRefund
            | Status::Refund
            | Status::PartialChargeback
            | Status::Chargeback => "200",
            Status::Deny | Status::Expire | Status::Failure => "202",
        }
    }

    /// `status_code` of the status API, which reports an expired transaction as 407.
    pub fn status_api_code(self) -> &'static str {
        match self {
            Status::Expire => "407",
            other => other.notification_code(),
        }
    }
}

/// What became of one notification.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub status: Status,
    pub outcome: String,
    pub delivered: bool,
}

#[derive(Clone, Debug)]
pub struct Transaction {
    pub order_id: String,
    pub transaction_id: String,
    /// The deeplink's transaction reference.
    pub tref: String,
    pub payment_type: PaymentType,
    /// Whole rupiah.
    pub gross_amount: u64,
    pub created_ms: u64,
    pub expiry_ms: u64,
    pub status: Status,
    pub settlement_ms: Option<u64>,
    pub callback_url: Option<String>,
    pub qr_string: String,
    pub acquirer: Option<String>,
    pub deliveries: Vec<Delivery>,
    /// Whole rupiah given back by refunds so far.
    pub refunded: u64,
    /// Whole rupiah taken back by chargebacks so far.
    pub charged_back: u64,
}

impl Transaction {
    pub fn gross_amount_str(&self) -> String {
        format!("{}.00", self.gross_amount)
    }

    pub fn transaction_time(&self) -> String {
        crate::jakarta::format(self.created_ms / 1000)
    }

    /// Shown rounded down, so a countdown to it never outlives the transaction.
    pub fn expiry_time(&self) -> String {
        crate::jakarta::format(self.expiry_ms / 1000)
    }

    /// Whole rupiah of the payment not yet refunded or charged back.
    pub fn left(&self) -> u64 {
        self.gross_amount
            .saturating_sub(self.refunded)
            .saturating_sub(self.charged_back)
    }
}

/// Money going back to the payer after a payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reversal {
    /// Asked for by the merchant (the refund API or the dashboard).
    Refund,
    /// Taken back through the payer's provider.
    Chargeback,
}

#[derive(Debug, PartialEq, Eq)]
pub enum TransitionError {
    NotFound,
    NotPending(Status),
    /// Its expiry has passed; the expiry task is about to record it.
    Expired,
}

#[derive(Debug, PartialEq, Eq)]
pub enum RefundError {
    NotFound,
    /// Only a paid transaction with something left can be refunded or charged back (and a
    /// charged back one no longer refunded).
    NotPaid(Status),
    /// Zero, or more than is left to give back.
    BadAmount {
        left: u64,
    },
}

#[derive(Default)]
pub struct Store {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Each order_id's current transaction.
    by_order: HashMap<String, Transaction>,
    /// The current transactions' transaction_id and tref -> order_id.
    aliases: HashMap<String, String>,
    /// Transactions whose order_id was charged again (after they expired or were cancelled):
    /// still found by their transaction_id or tref, as Midtrans keeps them.
    earlier: Vec<Transaction>,
}

impl Inner {
    fn key(&self, id: &str) -> Option<String> {
        if self.by_order.contains_key(id) {
            Some(id.to_string())
        } else {
            self.aliases.get(id).cloned()
        }
    }

    /// The transaction with this transaction_id, current or earlier.
    fn by_transaction(&mut self, transaction_id: &str) -> Option<&mut Transaction> {
        match self.aliases.get(transaction_id).cloned() {
            Some(order) => self.by_order.get_mut(&order),
            None => self
                .earlier
                .iter_mut()
                .rev()
                .find(|tx| tx.transaction_id == transaction_id),
        }
    }
}

impl Store {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere leaves the map consistent: every change is a single insert.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a transaction unless its order_id is taken; false when it is. As at Midtrans, an
    /// order_id whose transaction expired or was cancelled can be charged again: the new
    /// transaction becomes the order's, and the old one is found only by its own ids.
    pub fn insert(&self, tx: Transaction) -> bool {
        let mut inner = self.lock();
        if let Some(old) = inner.by_order.get(&tx.order_id) {
            if !matches!(old.status, Status::Expire | Status::Cancel) {
                return false;
            }
            let (tid, tref) = (old.transaction_id.clone(), old.tref.clone());
            inner.aliases.remove(&tid);
            inner.aliases.remove(&tref);
            if let Some(old) = inner.by_order.remove(&tx.order_id) {
                inner.earlier.push(old);
            }
        }
        inner
            .aliases
            .insert(tx.transaction_id.clone(), tx.order_id.clone());
        inner.aliases.insert(tx.tref.clone(), tx.order_id.clone());
        inner.by_order.insert(tx.order_id.clone(), tx);
        true
    }

    /// Finds by order_id, transaction_id or deeplink tref.
    pub fn find(&self, id: &str) -> Option<Transaction> {
        let inner = self.lock();
        match inner.key(id) {
            Some(key) => inner.by_order.get(&key).cloned(),
            None => inner
                .earlier
                .iter()
                .rev()
                .find(|tx| tx.transaction_id == id || tx.tref == id)
                .cloned(),
        }
    }

    /// Newest first.
    pub fn list(&self) -> Vec<Transaction> {
        let inner = self.lock();
        let mut all: Vec<_> = inner
            .by_order
            .values()
            .chain(&inner.earlier)
            .cloned()
            .collect();
        all.sort_by_key(|tx| std::cmp::Reverse(tx.created_ms));
        all
    }

    /// Moves a pending transaction to `to`. Paying or denying after the expiry fails.
    pub fn transition(
        &self,
        id: &str,
        to: Status,
        now_ms: u64,
    ) -> Result<Transaction, TransitionError> {
        let mut inner = self.lock();
        let key = inner.key(id).ok_or(TransitionError::NotFound)?;
        let tx = inner
            .by_order
            .get_mut(&key)
            .ok_or(TransitionError::NotFound)?;
        if tx.status != Status::Pending {
            return Err(TransitionError::NotPending(tx.status));
        }
        if to != Status::Expire && to != Status::Cancel && now_ms >= tx.expiry_ms {
            return Err(TransitionError::Expired);
        }
        tx.status = to;
        if to == Status::Settlement {
            tx.settlement_ms = Some(now_ms);
        }
        Ok(tx.clone())
    }

    /// Gives back `amount` rupiah (all that is left when `None`) of a paid transaction through
    /// `reversal`: it becomes `refund` or `chargeback` once nothing is left, `partial_refund`
    /// or `partial_chargeback` before. Returns the transaction and the amount given back now.
    pub fn reverse(
        &self,
        id: &str,
        reversal: Reversal,
        amount: Option<u64>,
    ) -> Result<(Transaction, u64), RefundError> {
        let mut inner = self.lock();
        let key = inner.key(id).ok_or(RefundError::NotFound)?;
        let tx = inner.by_order.get_mut(&key).ok_or(RefundError::NotFound)?;
        let reversible = match reversal {
            Reversal::Refund => matches!(tx.status, Status::Settlement | Status::PartialRefund),
            Reversal::Chargeback => matches!(
                tx.status,
                Status::Settlement | Status::PartialRefund | Status::PartialChargeback
            ),
        };
        if !reversible {
            return Err(RefundError::NotPaid(tx.status));
        }
        let left = tx.left();
        let amount = amount.unwrap_or(left);
        if amount == 0 || amount > left {
            return Err(RefundError::BadAmount { left });
        }
        let all = amount == left;
        tx.status = match reversal {
            Reversal::Refund => {
                tx.refunded += amount;
                if all {
                    Status::Refund
                } else {
                    Status::PartialRefund
                }
            }
            Reversal::Chargeback => {
                tx.charged_back += amount;
                if all {
                    Status::Chargeback
                } else {
                    Status::PartialChargeback
                }
            }
        };
        Ok((tx.clone(), amount))
    }

    /// Records the start of a notification; returns its index for [`Store::record_delivery`].
    pub fn start_delivery(&self, transaction_id: &str, status: Status) -> usize {
        let mut inner = self.lock();
        match inner.by_transaction(transaction_id) {
            Some(tx) => {
                tx.deliveries.push(Delivery {
                    status,
                    outcome: "sending".into(),
                    delivered: false,
                });
                tx.deliveries.len() - 1
            }
            None => 0,
        }
    }

    pub fn record_delivery(
        &self,
        transaction_id: &str,
        index: usize,
        outcome: String,
        delivered: bool,
    ) {
        let mut inner = self.lock();
        if let Some(d) = inner
            .by_transaction(transaction_id)
            .and_then(|tx| tx.deliveries.get_mut(index))
        {
            d.outcome = outcome;
            d.delivered = delivered;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(order_id: &str) -> Transaction {
        Transaction {
            order_id: order_id.into(),
            transaction_id: format!("tid-{order_id}"),
            tref: format!("tref-{order_id}"),
            payment_type: PaymentType::Gopay,
            gross_amount: 10_000,
            created_ms: 1_000,
            expiry_ms: 61_000,
            status: Status::Pending,
            settlement_ms: None,
            callback_url: None,
            qr_string: String::new(),
            acquirer: None,
            deliveries: Vec::new(),
            refunded: 0,
            charged_back: 0,
        }
    }

    #[test]
    fn refunds_follow_a_payment_and_never_exceed_it() {
        let store = Store::default();
        assert!(store.insert(tx("a")));
        assert_eq!(
            store.reverse("a", Reversal::Refund, None).unwrap_err(),
            RefundError::NotPaid(Status::Pending)
        );
        store.transition("a", Status::Settlement, 2_000).unwrap();
        assert_eq!(
            store.reverse("a", Reversal::Refund, Some(0)).unwrap_err(),
            RefundError::BadAmount { left: 10_000 }
        );
        let (part, given) = store
            .reverse("tid-a", Reversal::Refund, Some(4_000))
            .unwrap();
        assert_eq!(given, 4_000);
        assert_eq!((part.status, part.refunded), (Status::PartialRefund, 4_000));
        assert_eq!(
            store
                .reverse("a", Reversal::Refund, Some(7_000))
                .unwrap_err(),
            RefundError::BadAmount { left: 6_000 }
        );
        let (all, given) = store.reverse("a", Reversal::Refund, None).unwrap();
        assert_eq!(given, 6_000);
        assert_eq!((all.status, all.refunded), (Status::Refund, 10_000));
        assert_eq!(all.status.notification_code(), "200");
        assert_eq!(
            store.reverse("a", Reversal::Refund, None).unwrap_err(),
            RefundError::NotPaid(Status::Refund)
        );
        assert_eq!(
            store.reverse("b", Reversal::Refund, None).unwrap_err(),
            RefundError::NotFound
        );
    }

    #[test]
    fn chargebacks_take_what_refunds_left() {
        let store = Store::default();
        assert!(store.insert(tx("a")));
        assert_eq!(
            store.reverse("a", Reversal::Chargeback, None).unwrap_err(),
            RefundError::NotPaid(Status::Pending)
        );
        store.transition("a", Status::Settlement, 2_000).unwrap();
        store.reverse("a", Reversal::Refund, Some(1_000)).unwrap();
        let (part, given) = store
            .reverse("a", Reversal::Chargeback, Some(3_000))
            .unwrap();
        assert_eq!(given, 3_000);
        assert_eq!(
            (part.status, part.refunded, part.charged_back, part.left()),
            (Status::PartialChargeback, 1_000, 3_000, 6_000)
        );
        assert_eq!(part.status.notification_code(), "200");
        assert_eq!(
            store.reverse("a", Reversal::Refund, None).unwrap_err(),
            RefundError::NotPaid(Status::PartialChargeback),
            "a disputed payment is not refunded on top"
        );
        assert_eq!(
            store
                .reverse("a", Reversal::Chargeback, Some(6_001))
                .unwrap_err(),
            RefundError::BadAmount { left: 6_000 }
        );
        let (all, given) = store.reverse("a", Reversal::Chargeback, None).unwrap();
        assert_eq!(
            (all.status, given, all.left()),
            (Status::Chargeback, 6_000, 0)
        );
        assert_eq!(
            store.reverse("a", Reversal::Chargeback, None).unwrap_err(),
            RefundError::NotPaid(Status::Chargeback)
        );
    }

    #[test]
    fn duplicate_order_ids_are_refused() {
        let store = Store::default();
        assert!(store.insert(tx("a")));
        assert!(!store.insert(tx("a")));
        assert_eq!(store.list().len(), 1);
    }

    #[test]
    fn found_by_any_identifier() {
        let store = Store::default();
        assert!(store.insert(tx("a")));
        for id in ["a", "tid-a", "tref-a"] {
            assert_eq!(store.find(id).unwrap().order_id, "a");
        }
        assert!(store.find("b").is_none());
    }

    #[test]
    fn only_pending_transactions_move() {
        let store = Store::default();
        assert!(store.insert(tx("a")));
        let paid = store.transition("a", Status::Settlement, 2_000).unwrap();
        assert_eq!(paid.settlement_ms, Some(2_000));
        assert_eq!(
            store
                .transition("tid-a", Status::Expire, 70_000)
                .unwrap_err(),
            TransitionError::NotPending(Status::Settlement)
        );
        assert_eq!(
            store.transition("x", Status::Deny, 2_000).unwrap_err(),
            TransitionError::NotFound
        );
    }

    #[test]
    fn paying_after_expiry_fails_but_expiring_works() {
        let store = Store::default();
        assert!(store.insert(tx("a")));
        assert_eq!(
            store
                .transition("a", Status::Settlement, 61_000)
                .unwrap_err(),
            TransitionError::Expired
        );
        assert_eq!(
            store
                .transition("a", Status::Expire, 61_000)
                .unwrap()
                .status,
            Status::Expire
        );
    }
}

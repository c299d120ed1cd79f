//! Which transaction status wins when notifications and status checks disagree or repeat.

/// How far along a transaction is. A status replaces the stored one only when it ranks higher,
/// so duplicates change nothing, a late `pending` never undoes a result, a settlement beats an
/// expiry that raced it, and a refund may follow a settlement.
pub fn rank(status: &str) -> u8 {
    match status.to_ascii_lowercase().as_str() {
        // The shop's own states before Midtrans has confirmed a charge.
        CREATED | CHARGE_FAILED => 0,
        "pending" | "authorize" => 1,
        "deny" | "cancel" | "expire" | "expired" | "failure" => 2,
        "capture" => 3,
        "settlement" => 4,
        "partial_refund" | "partial_chargeback" => 5,
        "refund" | "chargeback" => 6,
        // Unknown statuses are treated like pending: stored over nothing, never over a result.
        _ => 1,
    }
}

/// An order whose charge is being created.
pub const CREATED: &str = "created";
/// An order whose charge Midtrans refused or never answered.
pub const CHARGE_FAILED: &str = "charge_failed";

/// Whether the shop should still ask Midtrans about this order.
pub fn is_open(status: &str) -> bool {
    rank(status) <= 1
}

/// Whether a notification's `status_code` fits its `transaction_status`. The signature covers
/// `status_code` but not `transaction_status`, so this is what ties a result to a signature:
/// a payment or reversal comes with 200, and a failure never with the pending 201. Otherwise
/// a genuine pending notification, replayed with another status, would pass as signed.
pub fn code_fits(transaction_status: &str, status_code: &str) -> bool {
    match rank(transaction_status) {
        0 | 1 => true,
        2 => status_code != "201",
        _ => status_code == "200",
    }
}

/// Whether the order ended without a payment (failed, cancelled, expired, or its charge never
/// made): the shopper may order the same again.
pub fn ended_unpaid(status: &str) -> bool {
    rank(status) == 2 || status.eq_ignore_ascii_case(CHARGE_FAILED)
}

/// Whether a signed notification claiming `claimed` must be confirmed with Midtrans' status
/// API before the order moves from `current`. The signature covers order_id, status_code and
/// gross_amount, not transaction_status, and one signature serves every status with the same
/// code: a settlement's also signs a refund or a chargeback, and a cancel's (Midtrans signs a
/// cancel with 200, like a payment) a settlement. So no result is taken on the signature's
/// word: every move out of pending, and every move on from a result, is confirmed. Only a
/// notification that leaves the order open (pending, or nothing new) is stored as it is.
pub fn needs_confirmation(current: &str, claimed: &str) -> bool {
    advances(current, claimed) && !is_open(claimed)
}

/// Whether `next` should replace `current`.
pub fn advances(current: &str, next: &str) -> bool {
    rank(next) > rank(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_pending_never_undoes_a_result() {
        for terminal in ["settlement", "deny", "expire", "cancel", "refund"] {
            assert!(!advances(terminal, "pending"), "{terminal}");
            assert!(advances("pending", terminal), "{terminal}");
        }
    }

    #[test]
    fn duplicates_change_nothing() {
        for status in ["pending", "settlement", "expire"] {
            assert!(!advances(status, status));
        }
    }

    #[test]
    fn settlement_beats_expiry_in_either_order() {
        assert!(advances("expire", "settlement"));
        assert!(!advances("settlement", "expire"));
    }

    #[test]
    fn first_failure_sticks() {
        assert!(!advances("deny", "expire"));
        assert!(!advances("expire", "cancel"));
    }

    #[test]
    fn reversals_follow_payment() {
        assert!(advances("settlement", "refund"));
        assert!(advances("settlement", "partial_refund"));
        assert!(advances("partial_refund", "refund"));
        assert!(!advances("refund", "settlement"));
        assert!(advances("capture", "settlement"));
    }

    #[test]
    fn a_result_needs_the_status_code_its_signature_covers() {
        assert!(code_fits("settlement", "200") && code_fits("capture", "200"));
        assert!(code_fits("refund", "200") && code_fits("partial_chargeback", "200"));
        assert!(
            !code_fits("settlement", "201"),
            "a replayed pending signature"
        );
        assert!(!code_fits("Settlement", "202") && !code_fits("refund", "201"));
        for failed in ["deny", "cancel", "expire", "failure"] {
            assert!(code_fits(failed, "202"), "{failed}");
            assert!(!code_fits(failed, "201"), "{failed}");
        }
        // Midtrans signs a cancel with 200, as it signs a payment.
        assert!(code_fits("expire", "407") && code_fits("cancel", "200"));
        assert!(code_fits("pending", "201") && code_fits("something-new", "201"));
    }

    #[test]
    fn every_result_is_confirmed_and_only_pending_is_taken_on_the_signature() {
        for open in [CREATED, CHARGE_FAILED, "pending"] {
            assert!(!needs_confirmation(open, "pending"), "{open}");
            for result in [
                "settlement",
                "Settlement",
                "capture",
                "deny",
                "cancel",
                "expire",
                "failure",
                "refund",
                "chargeback",
            ] {
                assert!(needs_confirmation(open, result), "{open} -> {result}");
            }
        }
        // A cancel's signature (status_code 200) replayed as a settlement, on an order still
        // open or already cancelled.
        assert!(needs_confirmation("pending", "settlement"));
        assert!(needs_confirmation("cancel", "settlement"));
        for reversal in [
            "refund",
            "partial_refund",
            "chargeback",
            "partial_chargeback",
        ] {
            assert!(needs_confirmation("settlement", reversal), "{reversal}");
        }
        assert!(needs_confirmation("expire", "settlement"));
        assert!(needs_confirmation("deny", "settlement"));
        // Nothing new: duplicates and older states change nothing and ask nobody.
        assert!(!needs_confirmation("settlement", "settlement"));
        assert!(!needs_confirmation("settlement", "expire"));
        assert!(!needs_confirmation("refund", "settlement"));
    }

    #[test]
    fn charge_states_give_way_to_anything_from_midtrans() {
        assert!(advances(CREATED, "pending"));
        assert!(advances(CHARGE_FAILED, "pending"));
        assert!(advances(CREATED, "something-new"));
        assert!(!advances("something-new", "pending"));
        assert!(is_open(CREATED) && is_open("pending") && !is_open("settlement"));
        assert!(
            advances("PENDING", "Settlement"),
            "compared case-insensitively"
        );
    }
}

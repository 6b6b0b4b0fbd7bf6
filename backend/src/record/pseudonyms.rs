//! Pseudonyms in the public record: keyed digests that name a person the same way wherever the
//! record needs it, and that nobody without the instance's key can link to an account.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;

/// Stable pseudonyms: an HMAC of the consultation and the account under the instance's key,
/// so the same person has the same pseudonym throughout a consultation and different ones in
/// different consultations, and nobody without the key can tell who it is.
///
/// In the public record a person's positions go under a pseudonym of their own, other than the
/// one of their comments and proposals: those are public under handles, so a shared pseudonym
/// would tell whose positions are whose (see `docs/security.md`).
pub(super) struct Pseudonyms {
    mac: Hmac<Sha256>,
    consultation_id: i64,
    /// Positions' pseudonyms are the round's own: a person's stand cannot be followed from
    /// one round's public record to the next.
    round_id: i64,
    /// The pseudonyms of people imported with a record, as that record gave them.
    known: HashMap<i64, String>,
    /// Pseudonyms made here, by account and side.
    made: HashMap<(i64, Side), String>,
    /// Whether positions have pseudonyms of their own (the public record).
    split: bool,
}

/// What a pseudonym stands for in a record: what someone wrote, or how they stood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Side {
    Writing,
    Standing,
}

impl Pseudonyms {
    /// Pseudonyms under `key` in the consultation and round `place`, with the people a record
    /// names already (`known`: account, pseudonym); `split` gives positions pseudonyms of their
    /// own (the public record).
    pub(super) fn new(
        key: &[u8],
        place: (i64, i64),
        known: HashMap<i64, String>,
        split: bool,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            mac: <Hmac<Sha256> as Mac>::new_from_slice(key)?,
            consultation_id: place.0,
            round_id: place.1,
            known,
            made: HashMap::new(),
            split,
        })
    }

    pub(super) fn of(&mut self, account_id: i64, side: Side) -> String {
        if let Some(known) = self.known.get(&account_id) {
            return known.clone();
        }
        let side = if self.split { side } else { Side::Writing };
        let (mac, consultation_id, round_id) = (&self.mac, self.consultation_id, self.round_id);
        self.made
            .entry((account_id, side))
            .or_insert_with(|| {
                let mut mac = mac.clone();
                let subject = match side {
                    Side::Writing => format!("{consultation_id}:{account_id}"),
                    Side::Standing => {
                        format!("{consultation_id}:{round_id}:{account_id}:standing")
                    }
                };
                mac.update(subject.as_bytes());
                let digest = mac.finalize().into_bytes();
                let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
                format!("p-{hex}")
            })
            .clone()
    }
}

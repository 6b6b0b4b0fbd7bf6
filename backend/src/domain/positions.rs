//! Taking a position: who may, what it must carry, and what follows it. The one path of a
//! cast is [`cast`]: check, write (which counts the clause anew, once), tell the watchers with
//! those counts, and answer them to the caster if the round shows its results.

use super::access;
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::{Account, ClauseRow, StoreError, TallyNotice};
use shared::{CastPosition, PositionCast};

/// Takes or changes `account`'s position on `clause`. The results the write counted are the
/// only ones read: the store remembers them (SQLite) or has sent them to every process with
/// the commit (PostgreSQL), and the watchers and the answer reuse them.
pub async fn cast(
    state: &AppState,
    account: &Account,
    clause: &ClauseRow,
    cast: &CastPosition,
) -> Result<PositionCast, StoreError> {
    access::require_taking_part(state, account, clause).await?;
    let reason = cast.check().map_err(Refusal::Validation)?;
    let counted = state
        .store
        .cast_position(clause, account.id, cast.stance, reason.as_deref())
        .await?;
    metrics::counter!(crate::ops::metrics::POSITIONS).increment(1);
    let total = counted.results.total;
    state
        .hub
        .tally(&state.store, TallyNotice::new(clause, total));
    let show = access::sees_results(
        state,
        Some(account),
        &clause.consultation()?,
        &clause.round_slug,
        clause.state.hides_results()?,
    )
    .await?;
    Ok(PositionCast {
        position: counted.position,
        tally: show.then_some(total),
    })
}

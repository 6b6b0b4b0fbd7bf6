//! What conveners write in a draft round: add a clause at the end, rewrite one (saying why, and
//! which comments of the previous round led to it), remove one, put them in order; and give a clause in another of
//! the interface's languages until the round closes.

use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::{
    Account, ClauseDraft, ClauseRow, ConsultationRef, RoundRow, StoreError, UnknownComments,
};
use shared::{ClauseEdit, ClauseTranslation, FieldError, Language, TranslationEdit};

/// Adds a clause at the end of draft round `row`, by convener `by`; answers its key.
pub async fn add(
    state: &AppState,
    by: &Account,
    row: &RoundRow,
    edit: &ClauseEdit,
) -> Result<String, StoreError> {
    let (title, body_md, change_note) = edit.check().map_err(Refusal::Validation)?;
    let draft = ClauseDraft {
        title: &title,
        body_md: &body_md,
        change_note: &change_note,
        responds_to: &[],
    };
    state.store.add_clause(row, &draft, by.id).await
}

/// Rewrites clause `key` of draft round `row`, by convener `by`.
pub async fn edit(
    state: &AppState,
    by: &Account,
    row: &RoundRow,
    key: &str,
    edit: &ClauseEdit,
) -> Result<(), StoreError> {
    let (title, body_md, change_note) = edit.check().map_err(Refusal::Validation)?;
    let draft = ClauseDraft {
        title: &title,
        body_md: &body_md,
        change_note: &change_note,
        responds_to: &edit.responds_to,
    };
    match state.store.edit_clause(row, key, &draft, by.id).await? {
        Ok(true) => Ok(()),
        Ok(false) => Err(Refusal::NotFound("clause").into()),
        Err(unknown) => Err(unknown_comments(unknown).into()),
    }
}

/// Removes clause `key` from draft round `row`, by convener `by`.
pub async fn remove(
    state: &AppState,
    by: &Account,
    row: &RoundRow,
    key: &str,
) -> Result<(), StoreError> {
    if state.store.remove_clause(row, key, by.id).await? {
        Ok(())
    } else {
        Err(Refusal::NotFound("clause").into())
    }
}

/// Puts the clauses of draft round `row` in the order of `keys` (each of its clauses once), by
/// convener `by`.
pub async fn reorder(
    state: &AppState,
    by: &Account,
    row: &RoundRow,
    keys: &[String],
) -> Result<(), StoreError> {
    if state.store.reorder_clauses(row, keys, by.id).await? {
        return Ok(());
    }
    Err(Refusal::Validation(vec![FieldError::new(
        "keys",
        "not_a_permutation",
        "List every clause of the round once, in the new order.",
    )])
    .into())
}

/// Gives clause `key` of round `round` in `language` (`Some` edit), or takes that translation
/// away (`None`), by convener `by`; answers the clause's translations.
pub async fn translate(
    state: &AppState,
    by: &Account,
    consultation: &ConsultationRef,
    (round, key, language): (&str, &str, &str),
    edit: Option<&TranslationEdit>,
) -> Result<Vec<ClauseTranslation>, StoreError> {
    let language = Language::parse(language).ok_or_else(|| {
        let names: Vec<&str> = Language::ALL.iter().map(|l| l.as_str()).collect();
        Refusal::Validation(vec![FieldError::new(
            "language",
            "unsupported",
            format!("Clauses can be translated into {}.", names.join(", ")),
        )])
    })?;
    let row = super::rounds::find(state, consultation, round).await?;
    let clause: ClauseRow = state
        .store
        .clause_in_round(row.id, key)
        .await?
        .ok_or(Refusal::NotFound("clause"))?;
    match edit {
        Some(edit) => {
            let (title, body_md) = edit.check().map_err(Refusal::Validation)?;
            let wording = Some((title.as_str(), body_md.as_str()));
            state
                .store
                .translate(&row, &clause, language, wording, Some(by.id))
                .await?;
        }
        None => {
            if !state
                .store
                .translate(&row, &clause, language, None, Some(by.id))
                .await?
            {
                return Err(Refusal::NotFound("translation").into());
            }
        }
    }
    state.store.translations(&clause).await
}

fn unknown_comments(UnknownComments(ids): UnknownComments) -> Refusal {
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    Refusal::Validation(vec![FieldError::new(
        "responds_to",
        "unknown_comment",
        format!(
            "These are not comments on this clause in the previous round: {}.",
            ids.join(", ")
        ),
    )])
}

//! `concord consultation create`: sets up a consultation from the command line, with the same
//! checks as the API and, with `--from`, its first round's text read from a document, all in one
//! transaction.

use crate::cli::CreateArgs;
use crate::document::{self, DOCUMENT_MAX, Format};
use crate::refusal::Refusal;
use crate::store::{FirstRound, NewSetup, Store, StoreError};
use shared::{
    ConsultationAccess, ConsultationSettings, FieldError, Language, LocalTitle, NewConsultation,
    NewRound, StakeholderGroup,
};

/// Creates the consultation `args` describe. `Ok(Err(why))` when nothing was created because
/// of what was asked (a taken address, a broken field, an unreadable document); `Err` when the
/// database failed.
pub async fn create(args: &CreateArgs) -> anyhow::Result<Result<String, String>> {
    let new = match consultation(args) {
        Ok(new) => new,
        Err(why) => return Ok(Err(why)),
    };
    let (slug, settings) = match new.check() {
        Ok(checked) => checked,
        Err(broken) => return Ok(Err(fields(&broken))),
    };
    let text = match &args.from {
        None => None,
        Some(path) => match read_text(path) {
            Ok(text) => Some(text),
            Err(why) => return Ok(Err(why)),
        },
    };
    let rules = NewRound {
        slug: args.round.clone(),
        title: args.round_title.clone(),
        hide_results: false,
        rule: shared::Rule::default(),
        abstentions_count: false,
        counting: shared::Counting::default(),
        text: None,
    };
    let (round_slug, round_title) = match rules.check() {
        Ok(checked) => checked,
        Err(broken) => return Ok(Err(fields(&broken))),
    };
    let store = Store::connect(&args.database.database_url).await?;
    store.migrate().await?;
    let setup = NewSetup {
        slug: &slug,
        access: new.access,
        conveners: &new.conveners,
        settings: &settings,
    };
    let first_round = text.as_ref().map(|text| FirstRound {
        slug: &round_slug,
        title: &round_title,
        rules: &rules,
        text,
    });
    match store
        .create_consultation(&setup, first_round.as_ref(), None)
        .await
    {
        Ok(_) => {}
        Err(StoreError::Refused(Refusal::ConsultationExists)) => {
            return Ok(Err(format!("a consultation {slug:?} exists already")));
        }
        Err(StoreError::Refused(Refusal::Validation(broken))) => return Ok(Err(fields(&broken))),
        Err(e) => return Err(e.into()),
    }
    tracing::info!(event = "consultation_created", %slug, "consultation created");
    Ok(Ok(match &text {
        Some(text) => format!(
            "created {slug} with its first round {round_slug} (a draft of {} clauses{})",
            text.clauses.len(),
            if text.preamble_md.is_empty() {
                ""
            } else {
                " and a preamble"
            }
        ),
        None => format!("created {slug} (no round yet)"),
    }))
}

/// The consultation the flags describe, unchecked.
fn consultation(args: &CreateArgs) -> Result<NewConsultation, String> {
    let titles = [
        (Language::En, &args.title),
        (Language::Fr, &args.title_fr),
        (Language::Es, &args.title_es),
        (Language::Ar, &args.title_ar),
    ]
    .into_iter()
    .filter_map(|(language, title)| {
        Some(LocalTitle {
            language,
            title: title.clone()?,
        })
    })
    .collect();
    let mut settings = ConsultationSettings {
        titles,
        description: args.description.clone(),
        ..ConsultationSettings::default()
    };
    if !args.groups.is_empty() {
        settings.stakeholder_groups = args
            .groups
            .iter()
            .map(|g| {
                StakeholderGroup::parse(g.trim())
                    .ok_or_else(|| format!("--group {g:?} is not a stakeholder group"))
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(path) = &args.regions {
        let list = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        settings.regions = list.lines().map(str::to_owned).collect();
    }
    Ok(NewConsultation {
        slug: args.slug.clone(),
        access: if args.invitation_only {
            ConsultationAccess::Invitation
        } else {
            ConsultationAccess::Open
        },
        conveners: args.conveners.clone(),
        settings,
    })
}

/// The text of the document at `path`, cut into clauses and checked.
fn read_text(path: &std::path::Path) -> Result<shared::DraftText, String> {
    let name = path.display();
    let format = Format::from_file_name(&path.to_string_lossy()).ok_or_else(|| {
        format!("{name}: Concord reads .md, .txt, .docx and .odt files; name the file so")
    })?;
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {name}: {e}"))?
        .len();
    if size > DOCUMENT_MAX as u64 {
        return Err(format!("{name}: {}", document::DocumentError::TooLarge));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    let blocks = document::read(format, &bytes).map_err(|e| format!("{name}: {e}"))?;
    shared::draft::split(&blocks)
        .check()
        .map_err(|broken| format!("{name}: {}", fields(&broken)))
}

/// Broken fields as one line each.
fn fields(broken: &[FieldError]) -> String {
    broken
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("\n")
}

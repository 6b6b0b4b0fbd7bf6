//! Links to a round's record: the signed bundle, `record.json` and each CSV file, with what
//! each is and how to check a bundle.

use crate::api;
use crate::i18n::{tr, use_i18n};
use leptos::prelude::*;

/// The CSV files of a record, in the order the data dictionary describes them.
const CSV_FILES: [&str; 8] = [
    "clauses.csv",
    "proposals.csv",
    "comments.csv",
    "positions.csv",
    "tallies.csv",
    "moderation.csv",
    "responses.csv",
    "minority-statements.csv",
];

/// The downloads of a round's record; `convener` for the complete record.
#[component]
pub fn RecordLinks(slug: String, round: String, convener: bool) -> impl IntoView {
    let i18n = use_i18n();
    let link = move |file: &str| api::record_url(&slug, &round, file, convener);
    view! {
        <div class="record" id=if convener { "convener-record" } else { "public-record" }>
            <p class="help">
                {if convener {
                    tr!(i18n, record_convener_help).into_any()
                } else {
                    tr!(i18n, record_public_help).into_any()
                }}
            </p>
            <ul class="downloads">
                // Opens in the browser (served inline), to read, print or save as a PDF.
                <li>
                    <a href=link("report.html") class="record-report">{tr!(i18n, record_report)}</a>
                    " — "{tr!(i18n, record_report_help)}
                </li>
                <li>
                    <a href=link("bundle.zip") download="" class="record-bundle">{tr!(i18n, record_bundle)}</a>
                    " — "{tr!(i18n, record_bundle_help)}" "
                    <a href="/.well-known/concord-record-key.pub" download="">{tr!(i18n, record_key)}</a>
                </li>
                <li>
                    <a href=link("record.json") download="">"record.json"</a>
                    " — "{tr!(i18n, record_json_help)}" "
                    <a href=crate::api::RECORD_SCHEMA_URL>{tr!(i18n, record_schema)}</a>
                </li>
                <li>
                    {tr!(i18n, record_csv_help)}" "
                    {CSV_FILES.into_iter().map(|file| view! {
                        <a href=link(file) download="" class="record-csv">{file}</a>" "
                    }).collect_view()}
                </li>
            </ul>
        </div>
    }
}

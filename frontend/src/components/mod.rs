//! Reusable, prop-driven pieces of the interface. None of them fetches.

mod feedback;
mod follow;
mod forms;
mod gate;
mod outcome;
mod overview;
mod phase;
mod record;
mod response;
mod results;
mod setup;
mod tally;

pub use feedback::{ErrorNotice, Loading, errors_fallback};
pub use follow::FollowLinks;
pub use forms::{
    FieldErrors, FieldMessage, GroupSelect, RegionSelect, SubmitButton, TextArea, TextField,
    confirmed, general_error, invalid,
};
pub use gate::WhenOpen;
pub use outcome::{ChamberedView, ConsensusView, ResultsCharts, StatementsView};
pub use overview::ResultsOverview;
pub use phase::{Deadline, PhaseBadge, RedlineText};
pub use record::RecordLinks;
pub use response::{ResponseNote, VerdictSelect};
pub use results::ResultsView;
pub use setup::{SettingsFields, TakingPartFields, TitleFields};
pub use tally::TallyView;

//! Any two wordings of a clause: the redline never panics, and reading its unchanged and added
//! stretches gives back the new wording, its unchanged and removed ones the old.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::Change;

fuzz_target!(|pair: (&str, &str)| {
    let (old, new) = pair;
    let segments = shared::redline(old, new);
    let words = |keep: Change| -> Vec<String> {
        segments
            .iter()
            .filter(|s| s.change == Change::Same || s.change == keep)
            .flat_map(|s| s.text.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            .collect()
    };
    let split = |t: &str| t.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(words(Change::Added), split(new));
    assert_eq!(words(Change::Removed), split(old));
});

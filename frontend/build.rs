//! Compiles the translation catalogues in `locales/` into the `i18n` module (leptos_i18n).

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::error::Error;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("i18n");
    // Counts ("3 comments") are interpolated into plain strings, not only into views.
    let options = ParseOptions::default().interpolate_display(true);
    let config = Config::new("en")?
        .add_locale("fr")?
        .add_locale("es")?
        .add_locale("ar")?
        .parse_options(options);
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(out)?;
    Ok(())
}

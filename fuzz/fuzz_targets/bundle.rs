//! Any bytes as a record bundle or its record.json: checking and parsing refuse with a reason,
//! never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let key = minisign::PublicKey::from_base64(
        "RWSjkto1Kig9PS3REdY/AwQRjjM6xRvZqPB/luuFzsN4cRScOHT/5qOE",
    );
    if let Ok(key) = key {
        let _ = backend::record::bundle::verify(std::io::Cursor::new(data), &key);
    }
    let _ = serde_json::from_slice::<backend::record::Record>(data);
    let _ = backend::record::bundle::public_key_from(&String::from_utf8_lossy(data));
});

//! Importing a long draft (`scripts/bench/import [CLAUSES]`): a DOCX of 300 clauses and about
//! 2 MB, made here from the project's fixture (its styles and numbering, a new body), imported
//! with `concord consultation create --from` into a fresh SQLite database — read, cut into
//! clauses, checked and saved as a first round — against `unzip -p` unpacking the same document's
//! XML, in one run. Prints each one's best time of three and peak memory.

#[path = "support/measure.rs"]
mod measure;

use measure::measure;
use std::io::{Read, Write};
use std::process::{Command, Stdio};

const FIXTURE: &[u8] = include_bytes!("../fixtures/charter.docx");
/// The size the document is grown to, at least.
const TARGET_BYTES: usize = 2 * 1024 * 1024;

/// A word from a pseudo-random stream, so that the text compresses as prose does, not as
/// repetition.
fn word(state: &mut u64) -> String {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    let len = 2 + (*state % 9) as usize;
    (0..len)
        .map(|i| char::from(b'a' + ((*state >> (i * 5)) % 26) as u8))
        .collect()
}

/// `word/document.xml` with `clauses` headed articles of `paragraphs` paragraphs each, some
/// words bold or italic.
fn document(clauses: usize, paragraphs: usize) -> String {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:body><w:p><w:pPr><w:pStyle w:val=\"Title\"/></w:pPr><w:r><w:t>A long charter</w:t>\
         </w:r></w:p>",
    );
    for n in 1..=clauses {
        let title: Vec<String> = (0..4).map(|_| word(&mut state)).collect();
        xml.push_str(&format!(
            "<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr><w:r><w:t>Article {n}: {}</w:t>\
             </w:r></w:p>",
            title.join(" ")
        ));
        for _ in 0..paragraphs {
            xml.push_str("<w:p>");
            for run in 0..6 {
                let text: Vec<String> = (0..12).map(|_| word(&mut state)).collect();
                let style = match run {
                    2 => "<w:rPr><w:b/></w:rPr>",
                    4 => "<w:rPr><w:i/></w:rPr>",
                    _ => "",
                };
                xml.push_str(&format!(
                    "<w:r>{style}<w:t xml:space=\"preserve\">{} </w:t></w:r>",
                    text.join(" ")
                ));
            }
            xml.push_str("</w:p>");
        }
    }
    xml.push_str("</w:body></w:document>");
    xml
}

/// The fixture with its body replaced by `body`.
fn docx(body: &str) -> Vec<u8> {
    let mut fixture = zip::ZipArchive::new(std::io::Cursor::new(FIXTURE)).expect("fixture");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..fixture.len() {
        let mut entry = fixture.by_index(i).expect("entry");
        let name = entry.name().to_owned();
        out.start_file(name.as_str(), options).expect("start");
        if name == "word/document.xml" {
            out.write_all(body.as_bytes()).expect("write");
        } else {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).expect("read");
            out.write_all(&bytes).expect("write");
        }
    }
    out.finish().expect("zip").into_inner()
}

fn main() {
    let clauses: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(300);
    let concord = std::env::var("CONCORD_BIN").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../target/release/concord").into()
    });
    let dir = tempfile::tempdir().expect("directory");
    // Grow the paragraphs per clause until the file weighs what was asked.
    let mut paragraphs = 1;
    let bytes = loop {
        let bytes = docx(&document(clauses, paragraphs));
        if bytes.len() >= TARGET_BYTES {
            break bytes;
        }
        paragraphs += 1;
    };
    let path = dir.path().join("long.docx");
    std::fs::write(&path, &bytes).expect("write");
    let mb = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!(
        "a DOCX of {clauses} clauses ({paragraphs} paragraphs each), {:.2} MB",
        mb(bytes.len() as u64)
    );

    let mut best = [(f64::MAX, 0u64); 2];
    for run in 0..3 {
        let url = format!(
            "sqlite://{}",
            dir.path().join(format!("run{run}.db")).display()
        );
        let migrated = Command::new(&concord)
            .args(["migrate", "--database-url", &url])
            .stderr(Stdio::null())
            .status()
            .expect("concord");
        assert!(migrated.success());
        let unzip = measure(
            Command::new("unzip")
                .arg("-p")
                .arg(&path)
                .arg("word/document.xml"),
            &dir.path().join("unzipped.xml"),
        );
        let import = measure(
            Command::new(&concord)
                .args(["consultation", "create", "--slug", &format!("long-{run}")])
                .args(["--title", "A long charter", "--from"])
                .arg(&path)
                .args(["--database-url", &url]),
            &dir.path().join("created.txt"),
        );
        let said = std::fs::read_to_string(dir.path().join("created.txt")).expect("output");
        assert!(
            said.contains(&format!("a draft of {clauses} clauses")),
            "{said}"
        );
        for (slot, (seconds, peak)) in best.iter_mut().zip([unzip, import]) {
            if seconds < slot.0 {
                *slot = (seconds, peak);
            }
        }
    }
    let [(unzip_s, unzip_kb), (import_s, import_kb)] = best;
    println!(
        "unzip -p document.xml         : {unzip_s:.3} s, peak {:.1} MB",
        mb(unzip_kb * 1024)
    );
    println!(
        "concord consultation create   : {import_s:.3} s, peak {:.1} MB (target: under 2 s, 64 MB)",
        mb(import_kb * 1024)
    );
    println!(
        "ratio import / unzip           : {:.1}× the time, {:.1}× the memory",
        import_s / unzip_s,
        import_kb as f64 / unzip_kb as f64
    );
}

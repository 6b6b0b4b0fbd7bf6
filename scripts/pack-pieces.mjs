// Packs the pieces of the application that a first visit to a clause page loads into one file,
// so that a slow link pays one request's latency for them rather than ninety (issue 18).
//
//   node scripts/pack-pieces.mjs APP_DIR PACK_NAME SPLIT...
//
// wasm-split-cli writes one file per piece: a `split_<name>_<hash>.wasm` for each `#[lazy]`
// function or lazy route, and a `chunk_<n>.wasm` for each group of functions that several of them
// share; __wasm_split.js fetches each as it is first needed. For every SPLIT named (the start of a
// `split_` file's name, such as `position_fields`), this script puts its file and those of the
// chunks it depends on into PACK_NAME, one after another, removes them, and has __wasm_split.js
// take them from the pack: the first piece asked for fetches the whole pack once, and each is then
// handed to the browser as if fetched alone. Pieces of other pages are left as they are.
import fs from "node:fs";
import path from "node:path";

const [dir, packName, ...splits] = process.argv.slice(2);
if (!dir || !packName || splits.length === 0) {
  console.error("usage: node scripts/pack-pieces.mjs APP_DIR PACK_NAME SPLIT...");
  process.exit(2);
}
const loaderPath = path.join(dir, "__wasm_split.js");
let loader = fs.readFileSync(loaderPath, "utf8");

// Where each piece is fetched: `fetch(new URL("./<file>", import.meta.url))`.
const FETCH = /fetch\(new URL\("\.\/([^"]+\.wasm)", import\.meta\.url\)\)/g;
// A shared chunk: `const __chunk_7 = makeLoad(<fetcher of ./chunk_7.wasm>, []);`
const CHUNK = /const (__chunk_\d+) = makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\.\/([^"]+)"/g;
// A split: `export const <loader> = wrapAsyncCb(makeLoad(<fetcher of ./split_….wasm>, [deps]));`
const SPLIT =
  /export const \w+ = wrapAsyncCb\(makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\.\/(split_[^"]+)"[\s\S]*?\n\}\s*, \[([^\]]*)\]\)\);/g;

const chunkFiles = new Map([...loader.matchAll(CHUNK)].map((m) => [m[1], m[2]]));
const packed = [];
for (const wanted of splits) {
  const found = [...loader.matchAll(SPLIT)].filter((m) => m[1].startsWith(`split_${wanted}_`));
  if (found.length !== 1) {
    console.error(`pack-pieces: no single piece split_${wanted}_… in ${loaderPath}`);
    process.exit(1);
  }
  const [, file, deps] = found[0];
  for (const dep of deps.split(",").map((d) => d.trim()).filter(Boolean)) {
    const chunk = chunkFiles.get(dep);
    if (!chunk) {
      console.error(`pack-pieces: ${dep} has no file in ${loaderPath}`);
      process.exit(1);
    }
    if (!packed.includes(chunk)) packed.push(chunk);
  }
  if (!packed.includes(file)) packed.push(file);
}

// The pack, and where each piece lies in it.
const table = {};
const parts = [];
let offset = 0;
for (const file of packed) {
  const bytes = fs.readFileSync(path.join(dir, file));
  table[file] = [offset, bytes.length];
  parts.push(bytes);
  offset += bytes.length;
}
fs.writeFileSync(path.join(dir, packName), Buffer.concat(parts));
for (const file of packed) fs.unlinkSync(path.join(dir, file));

const takeFromPack = `
const packed = ${JSON.stringify(table)};
let pack;
function fetchPiece(file) {
    const where = packed[file];
    if (where === undefined) return fetch(new URL("./" + file, import.meta.url));
    if (pack === undefined) {
        pack = fetch(new URL(${JSON.stringify("./" + packName)}, import.meta.url))
            .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(r.statusText))));
        pack.catch(() => { pack = undefined; });
    }
    return pack.then((bytes) => new Response(bytes.slice(where[0], where[0] + where[1]),
        { headers: { "Content-Type": "application/wasm" } }));
}
`;
let replaced = 0;
loader = loader.replace(FETCH, (whole, file) => {
  if (!(file in table)) return whole;
  replaced += 1;
  return `fetchPiece(${JSON.stringify(file)})`;
});
if (replaced !== packed.length) {
  console.error(`pack-pieces: ${packed.length} pieces packed but ${replaced} fetches rewritten`);
  process.exit(1);
}
// After the import of the glue, which must stay the module's first statement.
const firstLineEnd = loader.indexOf("\n");
loader = loader.slice(0, firstLineEnd + 1) + takeFromPack + loader.slice(firstLineEnd + 1);
fs.writeFileSync(loaderPath, loader);
console.log(`packed ${packed.length} pieces (${offset} bytes) into ${packName}`);

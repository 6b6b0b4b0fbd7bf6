// Gives the functions main_bg.wasm imports from its JavaScript glue short names, in both files.
// wasm-bindgen names each after what it does plus a 16-digit hash
// ("__wbg_instanceof_Window_5cf453f5639aa1a2"), and a first visit downloads every name twice,
// once in the wasm and once in the glue; hashes do not compress.
//
//   node scripts/shorten-imports.mjs main_bg.wasm main.js
//
// Only the imports from the glue ("./main_bg.js") are renamed; those from __wasm_split.js are
// whole modules and keep their names. Each name must appear exactly once in the glue, as the key
// of the function that provides it, or nothing is written.
import fs from "node:fs";

const GLUE = "./main_bg.js";
const [wasmPath, jsPath] = process.argv.slice(2);
if (!wasmPath || !jsPath) {
  console.error("usage: node scripts/shorten-imports.mjs MODULE.wasm GLUE.js");
  process.exit(2);
}
const wasm = fs.readFileSync(wasmPath);
let js = fs.readFileSync(jsPath, "utf8");

function readU32(bytes, at) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

function u32(value) {
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return Buffer.from(out);
}

function name(text) {
  const bytes = Buffer.from(text, "utf8");
  return Buffer.concat([u32(bytes.length), bytes]);
}

// Where an import's description (after its two names) ends.
function skipDescription(bytes, at) {
  const kind = bytes[at++];
  const limits = (at) => {
    const flags = bytes[at++];
    [, at] = readU32(bytes, at);
    if (flags & 1) [, at] = readU32(bytes, at);
    return at;
  };
  switch (kind) {
    case 0: // function: its type
      return readU32(bytes, at)[1];
    case 1: // table: element type, limits
      return limits(at + 1);
    case 2: // memory: limits
      return limits(at);
    case 3: // global: value type, mutability
      return at + 2;
    case 4: // tag: attribute, type
      return readU32(bytes, at + 1)[1];
    default:
      throw new Error(`unknown import kind ${kind}`);
  }
}

const renames = new Map();
const sections = [wasm.subarray(0, 8)];
let at = 8;
while (at < wasm.length) {
  const id = wasm[at];
  const [size, body] = readU32(wasm, at + 1);
  const end = body + size;
  if (id !== 2) {
    sections.push(wasm.subarray(at, end));
    at = end;
    continue;
  }
  const [count, first] = readU32(wasm, body);
  const entries = [u32(count)];
  let pos = first;
  for (let i = 0; i < count; i++) {
    let moduleLength, fieldLength;
    [moduleLength, pos] = readU32(wasm, pos);
    const module = wasm.toString("utf8", pos, pos + moduleLength);
    pos += moduleLength;
    [fieldLength, pos] = readU32(wasm, pos);
    const field = wasm.toString("utf8", pos, pos + fieldLength);
    pos += fieldLength;
    const descriptionStart = pos;
    pos = skipDescription(wasm, pos);
    let renamed = field;
    if (module === GLUE) {
      renamed = renames.get(field) ?? `_${renames.size.toString(36)}`;
      renames.set(field, renamed);
    }
    entries.push(name(module), name(renamed), wasm.subarray(descriptionStart, pos));
  }
  const content = Buffer.concat(entries);
  sections.push(Buffer.from([2]), u32(content.length), content);
  at = end;
}

for (const [long, short] of renames) {
  const key = new RegExp(`\\b${long}(?=\\s*:)`, "g");
  const found = js.match(key)?.length ?? 0;
  if (found !== 1) {
    console.error(`${jsPath}: ${long} is a key ${found} times, not once; nothing changed`);
    process.exit(1);
  }
  js = js.replace(key, short);
}

fs.writeFileSync(wasmPath, Buffer.concat(sections));
fs.writeFileSync(jsPath, js);
console.log(`${renames.size} imports from the glue renamed`);

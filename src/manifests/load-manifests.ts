import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { ManifestError, type ManifestProblem } from '../errors/manifest-error.js';
import { REPO_ROOT } from '../version.js';
import { objectKey, type K8sObject, type ManifestEntry, type ManifestSource } from './k8s-object.js';

const sources = new WeakMap<object, ManifestSource>();

/**
 * Every object in the `*.yaml` / `*.yml` files directly inside `dir`, in file-name order and then
 * document order. Documents that are empty or only comments are skipped. All problems in all files
 * are collected into one ManifestError: YAML syntax, a document that is not a mapping, a missing
 * apiVersion/kind/metadata.name, and the same object defined twice.
 */
export async function loadManifestEntries(dir: string): Promise<ManifestEntry[]> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isFile() && /\.ya?ml$/.test(d.name))
    .map((d) => d.name)
    .sort();
  const entries: ManifestEntry[] = [];
  const problems: ManifestProblem[] = [];
  for (const name of names) {
    const file = join(dir, name);
    parseManifestText(await readFile(file, 'utf8'), displayPath(file), entries, problems);
  }
  const seen = new Map<string, ManifestSource>();
  for (const { object, source } of entries) {
    const key = objectKey(object);
    const first = seen.get(key);
    if (first) {
      problems.push({
        file: source.file,
        line: source.line,
        col: 1,
        message: `${key} is already defined at ${first.file}:${first.line}`,
      });
    } else seen.set(key, source);
  }
  if (problems.length > 0) throw new ManifestError(problems);
  return entries;
}

/**
 * The objects of `dir` (see loadManifestEntries). Each object remembers where it came from:
 * `sourceOf(obj)` gives its file and line for error messages.
 */
export async function loadManifests(dir: string): Promise<K8sObject[]> {
  return (await loadManifestEntries(dir)).map((e) => e.object);
}

/** File and line an object returned by loadManifests was read from; undefined for copies and other objects. */
export function sourceOf(obj: K8sObject): ManifestSource | undefined {
  return sources.get(obj);
}

/** `file:line (namespace/Kind/name)` when the source is known, else the object key alone. */
export function describeObject(obj: K8sObject): string {
  const src = sourceOf(obj);
  return src ? `${src.file}:${src.line} (${objectKey(obj)})` : objectKey(obj);
}

/** Parses one multi-document YAML text; exported for tests and for manifests that do not come from files. */
export function parseManifestText(
  text: string,
  file: string,
  entries: ManifestEntry[] = [],
  problems: ManifestProblem[] = [],
): ManifestEntry[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  for (const doc of docs) {
    // Only the first syntax error of a document: the parser's later ones are mostly consequences of it.
    const syntax = doc.errors[0];
    if (syntax) {
      const pos = lines.linePos(syntax.pos[0]);
      problems.push({ file, line: pos.line, col: pos.col, message: `YAML: ${firstLine(syntax.message)}` });
      continue;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    const start = doc.contents?.range[0] ?? 0;
    const pos = lines.linePos(start);
    const bad = (message: string): void => {
      problems.push({ file, line: pos.line, col: pos.col, message });
    };
    if (typeof value !== 'object' || Array.isArray(value)) {
      bad('a manifest document must be a mapping with apiVersion, kind and metadata');
      continue;
    }
    const obj = value as Record<string, unknown>;
    const meta = obj.metadata as Record<string, unknown> | undefined;
    if (typeof obj.apiVersion !== 'string' || obj.apiVersion === '') {
      bad('missing apiVersion');
      continue;
    }
    if (typeof obj.kind !== 'string' || obj.kind === '') {
      bad('missing kind');
      continue;
    }
    if (!meta || typeof meta !== 'object' || typeof meta.name !== 'string' || meta.name === '') {
      bad(`${obj.kind} without metadata.name`);
      continue;
    }
    if (meta.namespace !== undefined && typeof meta.namespace !== 'string') {
      bad(`${obj.kind} ${meta.name}: metadata.namespace must be a string`);
      continue;
    }
    const object = obj as unknown as K8sObject;
    const source = { file, line: pos.line };
    sources.set(object, source);
    entries.push({ object, source });
  }
  return entries;
}

/** The parser's first line, without its own ` at line L, column C:` (the position is reported separately). */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

/** Repository-relative paths read better in messages; anything outside the repository stays absolute. */
function displayPath(file: string): string {
  const rel = relative(REPO_ROOT, file);
  return rel.startsWith('..') ? file : rel;
}

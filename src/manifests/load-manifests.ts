import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { ManifestError, type ManifestProblem } from '../errors/manifest-error.js';
import { isKubeObject } from '../kube/kube-object.js';
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
    if (!isKubeObject(value)) {
      problems.push({ file, line: pos.line, col: pos.col, message: documentProblem(value) });
      continue;
    }
    const object: K8sObject = value;
    const source = { file, line: pos.line };
    sources.set(object, source);
    entries.push({ object, source });
  }
  return entries;
}

/** What keeps a document isKubeObject refuses from being an object, for the message. */
function documentProblem(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'a manifest document must be a mapping with apiVersion, kind and metadata';
  }
  const apiVersion = 'apiVersion' in value ? value.apiVersion : undefined;
  const kind = 'kind' in value ? value.kind : undefined;
  const meta = 'metadata' in value ? value.metadata : undefined;
  const name = typeof meta === 'object' && meta !== null && 'name' in meta ? meta.name : undefined;
  if (typeof apiVersion !== 'string' || apiVersion === '') return 'missing apiVersion';
  if (typeof kind !== 'string' || kind === '') return 'missing kind';
  if (typeof name !== 'string' || name === '') return `${kind} without metadata.name`;
  return `${kind} ${name}: metadata.namespace must be a string`;
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

// Brings the evaluation images onto the machine from the packages that ship them: Debian packages
// (downloaded with `apt-get download` into a cache folder and unpacked with `dpkg-deb`, never
// installed system-wide, never committed) and npm packages already in package-lock.json. Every file
// is checked against the sha256 in ground-truth.json, so the labels always describe the bytes read.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface DebSource {
  kind: 'deb';
  package: string;
  version: string;
  licence: string;
  copyright: string;
}
export interface NpmSource {
  kind: 'npm';
  package: string;
  version: string;
  licence: string;
  copyright: string;
}
export type Source = DebSource | NpmSource;

export interface ImageRef {
  id: string;
  source: string;
  /** Path inside the package (absolute path of the unpacked .deb, or relative to the npm package). */
  path: string;
  sha256: string;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

export function findNpmPackage(pkg: string, from: string): string {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, 'node_modules', pkg);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`npm package ${pkg} is not installed (run npm ci)`);
    dir = parent;
  }
}

function run(cmd: string, args: string[], cwd: string): void {
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Downloads pkg=version (or, if Debian has moved on, the current candidate) into cacheDir and unpacks the wanted paths. */
function unpackDeb(src: DebSource, paths: string[], cacheDir: string): string {
  const root = join(cacheDir, `${src.package}_${src.version}`);
  if (paths.every((p) => existsSync(join(root, p)))) return root;
  mkdirSync(root, { recursive: true });
  const debDir = join(cacheDir, 'debs');
  mkdirSync(debDir, { recursive: true });
  const debOf = () =>
    readdirSync(debDir).find(
      (f) => f.startsWith(`${src.package}_`) && f.endsWith('.deb') && f.includes(src.version.replace(/^\d+:/, '')),
    );
  let deb = debOf();
  if (!deb) {
    const tries: [string, string[]][] = [
      ['apt-get', ['download', `${src.package}=${src.version}`]],
      ['apt-get', ['download', src.package]],
    ];
    let lastErr: unknown;
    for (let attempt = 0; attempt < 2 && !deb; attempt++) {
      for (const [cmd, args] of tries) {
        try {
          run(cmd, args, debDir);
          deb = readdirSync(debDir).find((f) => f.startsWith(`${src.package}_`) && f.endsWith('.deb'));
          if (deb) break;
        } catch (err) {
          lastErr = err;
        }
      }
      // the package lists may be missing on a fresh machine: refresh them once (needs root, as apt-get install does)
      if (!deb && attempt === 0) {
        try {
          run('apt-get', ['update', '-qq'], debDir);
        } catch (err) {
          lastErr = err;
        }
      }
    }
    if (!deb) {
      const msg = lastErr instanceof Error ? lastErr.message : String(lastErr);
      throw new Error(
        `could not download the Debian package ${src.package} (${msg.trim()}); run apt-get update as root`,
      );
    }
  }
  // unpack only what the set uses (opencv-doc is ~100 MB of HTML otherwise)
  const members = paths.map((p) => `.${p}`);
  execFileSync(
    'sh',
    [
      '-c',
      'd="$0"; r="$1"; shift; dpkg-deb --fsys-tarfile "$d" | tar -x -C "$r" "$@"',
      join(debDir, deb),
      root,
      ...members,
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  return root;
}

/** Local file of every image, checked against its sha256. */
export function fetchImages(
  images: ImageRef[],
  sources: Record<string, Source>,
  opts: { cacheDir: string; workspace: string },
): Map<string, string> {
  const out = new Map<string, string>();
  const bySource = new Map<string, ImageRef[]>();
  for (const img of images) {
    if (!sources[img.source]) throw new Error(`${img.id}: unknown source ${img.source}`);
    bySource.set(img.source, [...(bySource.get(img.source) ?? []), img]);
  }
  for (const [name, refs] of bySource) {
    const src = sources[name];
    let root: string;
    if (src.kind === 'npm') {
      root = findNpmPackage(src.package, opts.workspace);
      const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
      if (version !== src.version)
        throw new Error(`${src.package} is ${version}, the set was labelled on ${src.version}`);
    } else {
      root = unpackDeb(
        src,
        refs.map((r) => r.path),
        opts.cacheDir,
      );
    }
    for (const r of refs) {
      const file = join(root, r.path);
      if (!existsSync(file)) throw new Error(`${r.id}: ${r.path} is not in ${src.package}`);
      const got = sha256(file);
      if (got !== r.sha256)
        throw new Error(`${r.id}: ${r.path} of ${src.package} has sha256 ${got}, the labels are for ${r.sha256}`);
      out.set(r.id, file);
    }
  }
  return out;
}

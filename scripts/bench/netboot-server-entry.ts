// How the netboot bench starts our servers (netboot-server.ts): compiled, as the
// appliance runs in production (`npm run build`, `npm run start:built`'s Node flags),
// or through tsx with BENCH_TSX=1 (quick A/B of sources, both sides run the same way).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import ts from 'typescript';
import { benchNodeFlags } from './bench-support.ts';

let compiledEntry: string | undefined;

/**
 * The bench server itself is not part of the build (tsconfig.build.json covers
 * appliance/ and api/): it is transpiled beside the build, into
 * dist/scripts/bench/, where its relative imports of `../../appliance/….ts`
 * become the compiled `….js` modules. Only types are stripped; the servers it
 * starts are the build's own files, with their worker threads loading no loader.
 */
function compileOnce(repo: string): string {
  if (compiledEntry !== undefined) return compiledEntry;
  // As bench-support's startNode: BENCH_DIST names a frozen copy of dist/ (not rebuilt),
  // BENCH_NO_BUILD=1 reuses dist/ as it is (repeated runs of an unchanged tree).
  const given = process.env.BENCH_DIST;
  const dist = given === undefined ? join(repo, 'dist') : isAbsolute(given) ? given : join(repo, given);
  if (given === undefined && process.env.BENCH_NO_BUILD !== '1') execFileSync('npm', ['run', '--silent', 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  const source = readFileSync(join(repo, 'scripts/bench/netboot-server.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, rewriteRelativeImportExtensions: true, verbatimModuleSyntax: true },
    fileName: 'netboot-server.ts',
  });
  const dir = join(dist, 'scripts/bench');
  mkdirSync(dir, { recursive: true });
  compiledEntry = join(dir, 'netboot-server.js');
  writeFileSync(compiledEntry, outputText);
  return compiledEntry;
}

/** Node arguments that start netboot-server.ts (the JSON config goes after them). */
export function benchServerArgs(repo: string): string[] {
  if (process.env.BENCH_TSX === '1') return ['--import', 'tsx', join(repo, 'scripts/bench/netboot-server.ts')];
  // start:built's flags plus BENCH_NODE_FLAGS; BENCH_START_FLAGS replaces start:built's.
  return [...benchNodeFlags(), compileOnce(repo)];
}

// npm run bench -- <suite>: benchmarks for docs/performance.md (never run by npm test).
const suites: Record<string, string> = {
  api: './bench/api-bench.ts',
  netboot: './bench/netboot-bench.ts',
  realtime: './bench/realtime-bench.ts',
};

const name = process.argv[2];
if (!name || !(name in suites)) {
  console.error(`usage: npm run bench -- <${Object.keys(suites).join('|')}>`);
  process.exit(2);
}
await import(suites[name]!);

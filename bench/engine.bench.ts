import { evaluate } from '../src/rules/reimaging/evaluate.ts';
import { generateQuestions } from './generate.ts';

/**
 * The pure-engine floor: verdicts per second on one core with reasons and clause IDs included.
 * Target: at least 1,000,000 per second. Questions are generated once (a seeded, varied fleet) and
 * evaluated round-robin until a million verdicts have been given.
 */
const TOTAL = Number(process.env.KENRI_BENCH_TOTAL ?? 1_000_000);
const DISTINCT = Math.min(TOTAL, Number(process.env.KENRI_BENCH_DISTINCT ?? 100_000));

const t0 = performance.now();
const questions = generateQuestions(DISTINCT);
const generatedMs = performance.now() - t0;

let peakRss = process.memoryUsage().rss;
const counts = { allowed: 0, denied: 0, conditional: 0 };
let cites = 0;
// Warm-up lets V8 optimise before the clock starts, as in any steady-state fleet run.
for (let i = 0; i < Math.min(DISTINCT, 50_000); i++) evaluate(questions[i]!);

const start = performance.now();
for (let i = 0; i < TOTAL; i++) {
  const v = evaluate(questions[i % DISTINCT]!);
  counts[v.verdict]++;
  cites += v.cites.length;
  if ((i & 0xffff) === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
const seconds = (performance.now() - start) / 1000;
peakRss = Math.max(peakRss, process.memoryUsage().rss);

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`kenri engine benchmark (one core, Node ${process.version})`);
console.log(`  questions generated : ${fmt(DISTINCT)} distinct in ${fmt(generatedMs)} ms`);
console.log(`  verdicts evaluated  : ${fmt(TOTAL)} in ${seconds.toFixed(3)} s`);
console.log(`  verdicts per second : ${fmt(TOTAL / seconds)}   (target ≥ 1,000,000)`);
console.log(
  `  mix                 : ${fmt(counts.allowed)} allowed, ${fmt(counts.denied)} denied, ${fmt(counts.conditional)} conditional`,
);
console.log(`  clause IDs returned : ${fmt(cites)} (${(cites / TOTAL).toFixed(2)} per verdict)`);
console.log(`  peak memory (RSS)   : ${fmt(peakRss / 1024 / 1024)} MB`);

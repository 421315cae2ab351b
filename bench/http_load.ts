/**
 * The HTTP load benchmark, as `deno task bench:http` runs it: `httpServer`
 * against the runtime's bare server with the same handler (bench/http/
 * server.ts), on Deno, Node.js 24 and Bun, under autocannon on 127.0.0.1.
 *
 * Per runtime, every contender's server is started once and warmed up; then
 * each round runs autocannon against every contender in turn, the order
 * rotating from round to round so that a noisy moment on a shared machine
 * hits them alike. Figures are medians over the rounds; each ratio divides
 * two medians of the same run, and the paired ratio is the median of each
 * round's ratio (two runs next to each other in time). Besides throughput,
 * the server's CPU time per request (utime + stime from /proc, Linux only) is
 * reported: on a shared machine it moves much less than throughput does.
 * (Pinning the server and the load to a CPU each with `taskset` made it
 * worse here: other processes landing on a pinned CPU stalled it.)
 *
 * The hand-written notes in bench/http/notes.md end the BENCH.md section.
 *
 * Usage: deno run -A bench/http_load.ts [--rounds 5] [--duration 5]
 *   [--warmup 3] [--connections 50] [--runtimes deno,node,bun] [--write]
 *
 * `--write` puts the results in BENCH.md (its "HTTP load" section, replaced
 * on each write, the rest of the file left alone) and bench/http/results.json.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { loadavg } from "node:os";
import { exists, pinnedRuntime } from "../scripts/runtimes.ts";
import { median } from "./lib/stats.ts";

type Runtime = "deno" | "node" | "bun";
type Contender = "goasync" | "bare" | "native";

const CONTENDERS: Record<Runtime, Contender[]> = {
  deno: ["goasync", "bare"],
  node: ["goasync", "bare", "native"],
  bun: ["goasync", "bare"],
};
const BARE_NAME: Record<Runtime, string> = {
  deno: "Deno.serve",
  node: "node:http + minimal adapter",
  bun: "Bun.serve",
};
/** The target: httpServer's throughput within 5% of the bare server's. */
const TARGET_RATIO = 0.95;
const START_TIMEOUT_MS = 60_000;

const BEGIN = "<!-- http-load:begin -->";
const END = "<!-- http-load:end -->";

const bench = new URL(".", import.meta.url).pathname;
const root = new URL("..", import.meta.url).pathname;
const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "5" },
    duration: { type: "string", default: "5" },
    warmup: { type: "string", default: "3" },
    connections: { type: "string", default: "50" },
    runtimes: { type: "string", default: "deno,node,bun" },
    write: { type: "boolean", default: false },
  },
});
const rounds = Number(flags.rounds);
const duration = Number(flags.duration);
const warmup = Number(flags.warmup);
const connections = Number(flags.connections);
const runtimes = flags.runtimes.split(",") as Runtime[];

/** One autocannon run against one server. */
interface Sample {
  round: number;
  requestsPerSecond: number;
  requests: number;
  errors: number;
  non2xx: number;
  latencyP50: number;
  latencyP99: number;
  /** Server CPU time per request, µs; NaN without /proc. */
  cpuMicrosPerRequest: number;
}

interface Server {
  contender: Contender;
  port: number;
  pid: number;
  process: Deno.ChildProcess;
}

async function commandFor(runtime: Runtime): Promise<string[]> {
  if (runtime === "deno") return [Deno.execPath(), "run", "-A"];
  return await pinnedRuntime(runtime);
}

async function start(runtime: Runtime, contender: Contender): Promise<Server> {
  const [cmd, ...args] = await commandFor(runtime);
  const child = new Deno.Command(cmd, {
    args: [...args, `${bench}http/server.ts`, contender],
    cwd: root,
    stdout: "piped",
    stderr: "inherit",
    stdin: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const timer = setTimeout(() => child.kill("SIGKILL"), START_TIMEOUT_MS);
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`${runtime} ${contender}: no port line`);
      text += value;
      const match = /port (\d+) pid (\d+)/.exec(text);
      if (match) {
        // Keep draining stdout so the server never blocks on a full pipe.
        (async () => {
          while (!(await reader.read()).done);
        })().catch(() => {});
        return {
          contender,
          port: Number(match[1]),
          pid: Number(match[2]),
          process: child,
        };
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

async function stop(server: Server): Promise<void> {
  try {
    Deno.kill(server.pid, "SIGKILL");
  } catch { /* already gone */ }
  try {
    server.process.kill("SIGKILL");
  } catch { /* already gone */ }
  await server.process.status;
}

/** utime + stime of `pid`, in ms; NaN where /proc cannot be read. */
async function cpuMillis(pid: number): Promise<number> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    // Fields after the command name, which is in parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks * 10; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

async function autocannon(port: number, seconds: number) {
  const { stdout, success, stderr } = await new Deno.Command("node", {
    args: [
      `${bench}node_modules/autocannon/autocannon.js`,
      "-c",
      String(connections),
      "-d",
      String(seconds),
      "-j",
      `http://127.0.0.1:${port}/`,
    ],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  if (!success) {
    throw new Error(`autocannon failed: ${new TextDecoder().decode(stderr)}`);
  }
  return JSON.parse(new TextDecoder().decode(stdout));
}

async function measure(server: Server, round: number): Promise<Sample> {
  const cpuBefore = await cpuMillis(server.pid);
  const result = await autocannon(server.port, duration);
  const cpuAfter = await cpuMillis(server.pid);
  const requests = result.requests.total as number;
  return {
    round,
    requestsPerSecond: result.requests.average,
    requests,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    cpuMicrosPerRequest: (cpuAfter - cpuBefore) * 1000 / requests,
  };
}

async function version(runtime: Runtime): Promise<string> {
  const [cmd, ...args] = await commandFor(runtime);
  const { stdout } = await new Deno.Command(cmd, {
    args: runtime === "deno" ? ["--version"] : [...args, "--version"],
    stdout: "piped",
    stderr: "null",
  }).output();
  const text = new TextDecoder().decode(stdout);
  return /\d+\.\d+\.\d+/.exec(text)?.[0] ?? text.trim();
}

if (!await exists(`${bench}node_modules/autocannon/package.json`)) {
  const install = await new Deno.Command("npm", {
    args: ["ci", "--no-audit", "--no-fund", "--prefix", bench],
  }).output();
  if (!install.success) throw new Error("npm ci in bench/ failed");
}

const startedAt = new Date();
const loadBefore = loadavg();
const results: Record<
  string,
  { version: string; samples: Record<string, Sample[]> }
> = {};
for (const runtime of runtimes) {
  const contenders = CONTENDERS[runtime];
  const servers: Server[] = [];
  try {
    for (const contender of contenders) {
      servers.push(await start(runtime, contender));
    }
    for (const server of servers) await autocannon(server.port, warmup);
    const samples: Record<string, Sample[]> = {};
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < servers.length; i++) {
        const server = servers[(i + round) % servers.length];
        const sample = await measure(server, round);
        (samples[server.contender] ??= []).push(sample);
        console.log(
          `${runtime} ${server.contender} round ${round + 1}: ${
            sample.requestsPerSecond.toFixed(0)
          } req/s, ${sample.cpuMicrosPerRequest.toFixed(1)} µs CPU/req, ` +
            `p99 ${sample.latencyP99} ms, errors ${sample.errors}, non-2xx ${sample.non2xx}`,
        );
      }
    }
    results[runtime] = { version: await version(runtime), samples };
  } finally {
    for (const server of servers) await stop(server);
  }
}
const loadAfter = loadavg();

interface Row {
  runtime: Runtime;
  contender: Contender;
  rps: number;
  cpu: number;
  p99: number;
  spread: number;
  errors: number;
}
const rows: Row[] = [];
for (const runtime of runtimes) {
  for (const [contender, samples] of Object.entries(results[runtime].samples)) {
    const rps = samples.map((s) => s.requestsPerSecond);
    rows.push({
      runtime,
      contender: contender as Contender,
      rps: median(rps),
      cpu: median(samples.map((s) => s.cpuMicrosPerRequest)),
      p99: median(samples.map((s) => s.latencyP99)),
      spread: (Math.max(...rps) - Math.min(...rps)) / median(rps),
      errors: samples.reduce((n, s) => n + s.errors + s.non2xx, 0),
    });
  }
}
const find = (runtime: Runtime, contender: Contender) =>
  rows.find((r) => r.runtime === runtime && r.contender === contender);

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    })
    : "n/a";
const name = (runtime: Runtime) =>
  ({ deno: "Deno", node: "Node", bun: "Bun" })[runtime];

const table = [
  "| Runtime | Server | req/s (median) | spread over rounds | CPU µs per request | p99 latency, ms | errors + non-2xx |",
  "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ...rows.map((r) =>
    `| ${name(r.runtime)} | ${
      r.contender === "goasync"
        ? "httpServer"
        : r.contender === "bare"
        ? BARE_NAME[r.runtime]
        : "node:http, no Request/Response"
    } | ${fmt(r.rps)} | ${fmt(r.spread * 100)}% | ${fmt(r.cpu, 1)} | ${
      fmt(r.p99)
    } | ${r.errors} |`
  ),
];
/** Each round's httpServer ÷ bare: two runs next to each other in time. */
function paired(runtime: Runtime, pick: (s: Sample) => number): number[] {
  const { goasync, bare } = results[runtime].samples;
  return goasync.map((ours, i) => pick(ours) / pick(bare[i]));
}
const ratios = [
  "| Runtime | httpServer ÷ bare, throughput (medians) | same, median of paired rounds (min–max) | bare ÷ httpServer, CPU per request | throughput target ≥ 0.95× |",
  "| --- | ---: | ---: | ---: | --- |",
  ...runtimes.map((runtime) => {
    const ours = find(runtime, "goasync")!;
    const bare = find(runtime, "bare")!;
    const pairs = paired(runtime, (s) => s.requestsPerSecond);
    const ratio = median(pairs);
    return `| ${name(runtime)} | ${fmt(ours.rps / bare.rps, 3)}× | ${
      fmt(ratio, 3)
    }× (${fmt(Math.min(...pairs), 2)}–${fmt(Math.max(...pairs), 2)}) | ${
      fmt(bare.cpu / ours.cpu, 3)
    }× | ${ratio >= TARGET_RATIO ? "held" : "**missed**"} |`;
  }),
];
const notes = await Deno.readTextFile(`${bench}http/notes.md`).catch(() => "");
const node = find("node", "native");
const section = [
  BEGIN,
  `## HTTP load (${startedAt.toISOString().slice(0, 10)})`,
  "",
  `Generated by \`deno task bench:http\` (bench/http_load.ts) on ${
    startedAt.toISOString().replace(/\.\d+Z$/, "Z")
  }. \`httpServer\` from \`@goasync/core/http\`, run by a \`TaskManager\`, against the runtime's bare server serving the same web-standard handler (\`new Response("hello world\\n")\`), each in its own process (bench/http/server.ts). Load: autocannon 8 on the Node.js of the PATH, ${connections} keep-alive connections to 127.0.0.1, ${duration} s per run, ${rounds} rounds after a ${warmup} s warm-up of each server; the order of the servers rotates from round to round. Figures are medians over the rounds; "paired rounds" divides the two runs of each round (next to each other in time) and takes the median. CPU per request: the server process's utime + stime (from /proc) over a run, divided by the requests it answered. Load average (1 min) on the machine: ${
    fmt(loadBefore[0], 2)
  } before, ${fmt(loadAfter[0], 2)} after.`,
  "",
  `Runtimes: ${
    runtimes.map((r) => `${name(r)} ${results[r].version}`).join(", ")
  }.`,
  "",
  ...ratios,
  "",
  ...table,
  "",
  node
    ? `On Node.js the bare server needs an adapter too (a web handler does not run on \`node:http\` as it is): the least one, which builds a \`Request\` and writes the \`Response\` whole, with no streaming, no \`request.signal\` and no drain. The last Node row answers the same bytes with no \`Request\` or \`Response\` at all, the ceiling on Node.js: httpServer reaches ${
      fmt(find("node", "goasync")!.rps / node.rps, 2)
    }× of it.`
    : "",
  "",
  notes.trim(),
  "",
  "Rerun: `deno task bench:http` (prints only), `deno task bench:http --write` (this section and bench/http/results.json), `--rounds 9 --duration 3` for more pairs.",
  END,
].join("\n");

console.log(`\n${ratios.join("\n")}\n\n${table.join("\n")}`);

if (flags.write) {
  const path = `${root}BENCH.md`;
  const current = await Deno.readTextFile(path);
  const begin = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  const next = begin !== -1 && end > begin
    ? current.slice(0, begin) + section + current.slice(end + END.length)
    : `${current.trimEnd()}\n\n${section}\n`;
  await Deno.writeTextFile(path, next);
  await Deno.writeTextFile(
    `${bench}http/results.json`,
    JSON.stringify(
      {
        startedAt,
        loadBefore,
        loadAfter,
        connections,
        duration,
        rounds,
        results,
      },
      null,
      2,
    ) + "\n",
  );
  // In the project's format, so that `deno fmt --check` stays clean.
  await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "-q", `${bench}http/results.json`],
  }).output();
  console.log("wrote BENCH.md and bench/http/results.json");
}

/**
 * examples/kubernetes/deployment.yaml agrees with the demo: the probes hit
 * the paths healthHandler serves on the port the demo listens on, and the
 * grace period outlasts the whole shutdown the demo's arguments ask for.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { parseAllDocuments } from "yaml";
import { healthHandler } from "../src/http/mod.ts";
import {
  DEFAULT_OPTIONS,
  parseOptions,
  shutdownBudget,
} from "../examples/demo/options.ts";

const MANIFEST = new URL(
  "../examples/kubernetes/deployment.yaml",
  import.meta.url,
);

interface Probe {
  httpGet: { path: string; port: number | string };
  periodSeconds?: number;
  failureThreshold?: number;
}

interface Container {
  name: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
}

// deno-lint-ignore no-explicit-any
type Manifest = any;

async function manifests(): Promise<Manifest[]> {
  const documents = parseAllDocuments(await readFile(MANIFEST, "utf8"));
  assert.ok(Array.isArray(documents), "a YAML stream");
  for (const document of documents) {
    assert.deepEqual(document.errors, [], "valid YAML");
  }
  return documents.map((document) => document.toJS());
}

async function demoContainer() {
  const all = await manifests();
  const deployment = all.find((m) => m.kind === "Deployment");
  assert.ok(deployment, "a Deployment");
  const spec = deployment.spec.template.spec;
  const container: Container = spec.containers.find((c: Container) =>
    c.command?.includes("examples/demo/main.ts")
  );
  assert.ok(container, "a container that runs the demo");
  return { all, deployment, spec, container };
}

/** The container port a probe points at (a number or a port's name). */
function probePort(container: Container, probe: Probe): number {
  const { port } = probe.httpGet;
  if (typeof port === "number") return port;
  const named = container.ports?.find((p) => p.name === port);
  assert.ok(named, `a container port named ${port}`);
  return named.containerPort;
}

test("kubernetes: the probes hit /readyz and /livez on the port the demo listens on", async () => {
  const { container } = await demoContainer();
  const options = parseOptions(container.args ?? []);
  assert.equal(options.hostname, "0.0.0.0", "reachable from the kubelet");
  assert.ok(options.port > 0, "a fixed port");
  assert.deepEqual(
    container.ports?.map((p) => p.containerPort),
    [options.port],
  );

  const readiness = container.readinessProbe;
  const liveness = container.livenessProbe;
  assert.ok(readiness && liveness, "both probes");
  assert.equal(readiness.httpGet.path, "/readyz");
  assert.equal(liveness.httpGet.path, "/livez");
  assert.equal(probePort(container, readiness), options.port);
  assert.equal(probePort(container, liveness), options.port);

  // The paths are the ones healthHandler answers (and not 404).
  const health = healthHandler({
    state: "running",
    snapshot: () => ({ state: "running", since: 0, tasks: [] }),
  });
  for (const probe of [readiness, liveness]) {
    const response = await health(
      new Request(`http://localhost${probe.httpGet.path}`),
    );
    assert.equal(response.status, 200, probe.httpGet.path);
  }
});

test("kubernetes: the grace period outlasts drain delay + shutdown timeout, and the drain outlasts a readiness period", async () => {
  const { spec, container } = await demoContainer();
  const options = parseOptions(container.args ?? []);
  assert.ok(
    options.drainDelay > DEFAULT_OPTIONS.drainDelay,
    "the manifest asks for a drain",
  );
  const graceMs = spec.terminationGracePeriodSeconds * 1000;
  assert.ok(
    graceMs > shutdownBudget(options),
    `terminationGracePeriodSeconds (${graceMs} ms) must exceed the demo's shutdown (${
      shutdownBudget(options)
    } ms)`,
  );
  // One failed readiness probe is seen before the drain ends.
  const readiness = container.readinessProbe!;
  const periodMs = (readiness.periodSeconds ?? 10) * 1000;
  const threshold = readiness.failureThreshold ?? 3;
  assert.ok(
    periodMs * threshold < options.drainDelay,
    `readiness fails within ${
      periodMs * threshold
    } ms, before the ${options.drainDelay} ms drain ends`,
  );
});

test("kubernetes: the Service routes to the demo's pods on the named port", async () => {
  const { all, deployment, container } = await demoContainer();
  const service = all.find((m) => m.kind === "Service");
  assert.ok(service, "a Service");
  assert.deepEqual(
    service.spec.selector,
    deployment.spec.template.metadata.labels,
  );
  assert.deepEqual(
    deployment.spec.selector.matchLabels,
    deployment.spec.template.metadata.labels,
  );
  const target = service.spec.ports[0].targetPort;
  assert.equal(
    container.ports?.find((p) => p.name === target)?.containerPort,
    parseOptions(container.args ?? []).port,
  );
});

/**
 * Reading the third argument of `addTask` and `addExecuteTask`: a task type,
 * or options with a type and a restart policy. Shared by the manager and its
 * fake, so that both accept and refuse the same things.
 *
 * @module
 */

import { ExecuteTaskType, TaskType } from "../task_type.ts";
import type {
  BackoffOptions,
  IntensityOptions,
  RestartPolicy,
} from "../restart.ts";
import { callName, MAX_TIMER_DELAY, numberProblem } from "./checks.ts";
import { show } from "./render.ts";

/** How a task that ended early is restarted; from validated options. */
export interface RestartConfig {
  /** Restarted after a return too (`permanent`), not only after a throw. */
  readonly permanent: boolean;
  readonly initial: number;
  readonly max: number;
  readonly factor: number;
  readonly jitter: number;
  readonly resetAfter: number;
  readonly maxRestarts: number;
  readonly within: number;
}

/** The third argument of `addTask` or `addExecuteTask`, validated. */
export interface ReadOptions {
  readonly type: TaskType;
  /** Undefined for `temporary`: never restarted. */
  readonly restart: RestartConfig | undefined;
}

const TASK_TYPES: readonly string[] = Object.values(TaskType);
const BY_TYPE: Readonly<Record<TaskType, ReadOptions>> = {
  strict: Object.freeze({ type: "strict", restart: undefined }),
  error: Object.freeze({ type: "error", restart: undefined }),
  "stop-group": Object.freeze({ type: "stop-group", restart: undefined }),
};
const EXECUTE_TASK_TYPES: readonly string[] = Object.values(ExecuteTaskType);
const POLICIES: readonly string[] = ["temporary", "transient", "permanent"];

/**
 * Validates `options` (a type string, an options object, or undefined) for
 * the task `name` added by `method`; `forExecute` allows only execute-task
 * types.
 *
 * @throws {TypeError} For anything bad, as `addTask` promises: an unknown
 * type or policy, a number of the wrong type or out of range, `backoff` or
 * `intensity` without a restarting policy, a `permanent` stop-group task.
 */
export function checkTaskOptions(
  method: string,
  name: string,
  options: unknown,
  forExecute: boolean,
): ReadOptions {
  if (options === null || typeof options !== "object") {
    const given = options === undefined ? "strict" : options;
    const type = readType(method, name, given, forExecute);
    return BY_TYPE[type]; // shared: adding a task allocates no options
  }
  const caller = callName(method, name);
  const { type, restart, backoff, intensity } = options as {
    type?: unknown;
    restart?: unknown;
    backoff?: unknown;
    intensity?: unknown;
  };
  const taskType = readType(method, name, type ?? "strict", forExecute);
  const policy = restart ?? "temporary";
  if (typeof policy !== "string" || !POLICIES.includes(policy)) {
    throw new TypeError(
      `${caller}: unknown restart policy ${show(policy)}; expected one of ${
        quoteAll(POLICIES)
      }`,
    );
  }
  if (policy === "temporary") {
    if (backoff !== undefined || intensity !== undefined) {
      throw new TypeError(
        `${caller}: backoff and intensity need restart "transient" or "permanent"`,
      );
    }
    return { type: taskType, restart: undefined };
  }
  if (policy === "permanent" && taskType === "stop-group") {
    throw new TypeError(
      `${caller}: a stop-group task cannot be "permanent": its return is meant to end it`,
    );
  }
  return {
    type: taskType,
    restart: {
      permanent: (policy as RestartPolicy) === "permanent",
      ...readBackoff(caller, backoff),
      ...readIntensity(caller, intensity),
    },
  };
}

function readType(
  method: string,
  name: string,
  type: unknown,
  forExecute: boolean,
): TaskType {
  const types = forExecute ? EXECUTE_TASK_TYPES : TASK_TYPES;
  if (typeof type !== "string" || !types.includes(type)) {
    throw new TypeError(
      `${callName(method, name)}: unknown task type ${
        show(type)
      }; expected one of ${quoteAll(types)}`,
    );
  }
  return type as TaskType;
}

function readBackoff(caller: string, value: unknown) {
  const given = readObject<BackoffOptions>(caller, "backoff", value);
  const max = num(caller, "backoff.max", given.max, 30_000, MAX_TIMER_DELAY);
  const initial = num(
    caller,
    "backoff.initial",
    given.initial,
    Math.min(100, max),
    MAX_TIMER_DELAY,
  );
  if (initial > max) {
    throw new TypeError(
      `${caller}: backoff.initial (${initial}) must not exceed backoff.max (${max})`,
    );
  }
  return {
    initial,
    max,
    factor: num(caller, "backoff.factor", given.factor, 2, Infinity, 1),
    jitter: num(caller, "backoff.jitter", given.jitter, 0.2, 1),
    resetAfter: num(
      caller,
      "backoff.resetAfter",
      given.resetAfter,
      max,
      Infinity,
    ),
  };
}

function readIntensity(caller: string, value: unknown) {
  const given = readObject<IntensityOptions>(caller, "intensity", value);
  return {
    maxRestarts: num(
      caller,
      "intensity.maxRestarts",
      given.maxRestarts,
      5,
      Infinity,
    ),
    within: num(caller, "intensity.within", given.within, 60_000, Infinity),
  };
}

function readObject<T>(caller: string, what: string, value: unknown): T {
  if (value === undefined) return {} as T;
  if (value === null || typeof value !== "object") {
    throw new TypeError(
      `${caller}: ${what} must be an object, got ${show(value)}`,
    );
  }
  return value as T;
}

/** A number option: its default when undefined, else checked to [min, max]. */
function num(
  caller: string,
  what: string,
  value: unknown,
  fallback: number,
  max: number,
  min = 0,
): number {
  if (value === undefined) return fallback;
  const problem = numberProblem(value, `${caller}: ${what}`, min, max);
  if (problem !== undefined) throw new TypeError(problem);
  return value as number;
}

function quoteAll(values: readonly string[]): string {
  return values.map((value) => `"${value}"`).join(", ");
}

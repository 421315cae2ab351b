/**
 * Helpers for the HTTP tests: a raw HTTP/1.1 client on `node:net` (so a test
 * sees exactly when a connection is refused, answered or closed, which
 * `fetch` hides behind its pool). Latches and guards come from
 * helpers/tasks.ts and helpers/child.ts.
 *
 * @module
 */

import { connect, type Socket } from "node:net";

/** One parsed response. */
export interface RawResponse {
  status: number;
  /** Lower-case names; repeated headers in order. */
  headers: [string, string][];
  body: string;
}

/** The value of the first header `name` (lower case), if any. */
export function header(
  response: RawResponse,
  name: string,
): string | undefined {
  return response.headers.find(([n]) => n === name)?.[1];
}

/** A connection to 127.0.0.1, one request at a time (keep-alive). */
export class RawConnection {
  readonly socket: Socket;
  /** Resolves when the socket has closed, for whatever reason. */
  readonly closed: Promise<void>;
  #isClosed = false;
  #buffer = Buffer.alloc(0);
  #wake: (() => void) | undefined;
  #ended = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) =>
      socket.once("close", () => {
        this.#isClosed = true;
        resolve();
      })
    );
    socket.on("data", (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
    socket.on("end", () => {
      this.#ended = true;
      this.#wake?.();
    });
    socket.on("error", () => {
      this.#ended = true;
      this.#wake?.();
    });
  }

  /** Whether the socket has closed. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Connects; rejects with the socket error (e.g. ECONNREFUSED). */
  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new RawConnection(socket));
      });
    });
  }

  /** Sends a request (HTTP/1.1, keep-alive unless told otherwise). */
  send(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body = "",
  ): void {
    const lines = [`${method} ${path} HTTP/1.1`, "host: 127.0.0.1"];
    for (const [name, value] of Object.entries(headers)) {
      lines.push(`${name}: ${value}`);
    }
    if (body !== "" || method === "POST" || method === "PUT") {
      lines.push(`content-length: ${Buffer.byteLength(body)}`);
    }
    this.socket.write(`${lines.join("\r\n")}\r\n\r\n${body}`);
  }

  /** Sends a request and reads its response. */
  request(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body = "",
  ): Promise<RawResponse> {
    this.send(method, path, headers, body);
    return this.read(method === "HEAD");
  }

  /** Reads the next response head only; the body stays buffered. */
  async readHead(): Promise<Omit<RawResponse, "body">> {
    const end = await this.#until(() => this.#buffer.indexOf("\r\n\r\n"));
    const head = this.#buffer.subarray(0, end).toString("latin1");
    this.#buffer = this.#buffer.subarray(end + 4);
    const [statusLine, ...fields] = head.split("\r\n");
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
    const headers = fields.map((line): [string, string] => {
      const colon = line.indexOf(":");
      return [
        line.slice(0, colon).trim().toLowerCase(),
        line.slice(colon + 1).trim(),
      ];
    });
    return { status, headers };
  }

  /** Reads the next whole response. */
  async read(head = false): Promise<RawResponse> {
    const { status, headers } = await this.readHead();
    const response = { status, headers, body: "" };
    if (head || status === 204 || status === 304) return response;
    const length = header(response, "content-length");
    if (length !== undefined) {
      response.body = await this.readBytes(Number(length));
    } else if (header(response, "transfer-encoding") === "chunked") {
      response.body = await this.#readChunked();
    } else {
      await this.#until(() => this.#ended ? 0 : -1);
      response.body = this.#buffer.toString("utf8");
      this.#buffer = Buffer.alloc(0);
    }
    return response;
  }

  /** Reads exactly `n` body bytes, as text. */
  async readBytes(n: number): Promise<string> {
    await this.#until(() => this.#buffer.length >= n ? 0 : -1);
    const text = this.#buffer.subarray(0, n).toString("utf8");
    this.#buffer = this.#buffer.subarray(n);
    return text;
  }

  /** Reads one chunk of a chunked body ("" for the last one). */
  async readChunk(): Promise<string> {
    const eol = await this.#until(() => this.#buffer.indexOf("\r\n"));
    const size = parseInt(this.#buffer.subarray(0, eol).toString(), 16);
    this.#buffer = this.#buffer.subarray(eol + 2);
    const text = await this.readBytes(size);
    await this.readBytes(2);
    return text;
  }

  async #readChunked(): Promise<string> {
    let body = "";
    for (
      let chunk = await this.readChunk();
      chunk;
      chunk = await this.readChunk()
    ) {
      body += chunk;
    }
    return body;
  }

  /** Waits until `find` returns a non-negative number; rejects at the end. */
  #until(find: () => number): Promise<number> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found >= 0) {
          this.#wake = undefined;
          resolve(found);
        } else if (this.#ended || this.#isClosed) {
          this.#wake = undefined;
          reject(new Error("the connection closed before the response"));
        }
      };
      this.#wake = check;
      check();
    });
  }

  /** Closes the socket from this end. */
  close(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }
}

/**
 * What happens to a new connection that sends `GET /`: refused, closed
 * without an answer, or answered (with the status).
 */
export async function tryRequest(
  port: number,
): Promise<"refused" | "closed" | number> {
  let connection: RawConnection;
  try {
    connection = await RawConnection.open(port);
  } catch {
    return "refused";
  }
  try {
    return (await connection.request("GET", "/")).status;
  } catch {
    return "closed";
  } finally {
    connection.socket.destroy();
  }
}

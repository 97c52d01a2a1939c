/** One HTTP GET, no redirect following, with a deadline and a cap on the body size. */

export type Exchange =
  | { kind: 'response'; status: number; headers: Headers; body: Buffer | null; tooLarge: boolean }
  | { kind: 'failure'; reason: string; retryable: boolean };

// Connection-level failures worth another attempt (undici puts the code on the error or its cause).
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export async function httpGet(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
  maxBytes: number,
): Promise<Exchange> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(url, { headers, redirect: 'manual', signal: controller.signal });
    const response = {
      kind: 'response' as const,
      status: res.status,
      headers: res.headers,
      body: null,
      tooLarge: false,
    };
    if (res.status < 200 || res.status >= 300) {
      await res.body?.cancel().catch(() => {});
      return response;
    }
    if (Number(res.headers.get('content-length') ?? 0) > maxBytes) {
      controller.abort();
      return { ...response, tooLarge: true };
    }
    const body = await readCapped(res.body, maxBytes);
    if (body === null) controller.abort();
    return { ...response, body, tooLarge: body === null };
  } catch (err) {
    if (controller.signal.aborted) {
      return { kind: 'failure', reason: `timeout: no complete response within ${timeoutMs} ms`, retryable: true };
    }
    const code = errorCode(err);
    return {
      kind: 'failure',
      reason: `network: ${describe(err)}`,
      retryable: code !== null && TRANSIENT_CODES.has(code),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** The body, or null as soon as it grows past maxBytes (the rest is never read). */
async function readCapped(stream: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Buffer | null> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks, total);
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
}

function errorCode(err: unknown): string | null {
  for (let e: unknown = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return null;
}

function describe(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const { message, code } = e as { message?: string; code?: string };
    parts.push(code ? `${message} (${code})` : String(message));
  }
  return parts.join(': ') || String(err);
}

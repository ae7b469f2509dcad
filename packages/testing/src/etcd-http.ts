import * as http from "node:http";
import * as https from "node:https";

/** What {@link httpRequest} sends. */
export interface HttpRequestOptions {
  /** A JSON body: sent as a POST. */
  json?: unknown;
  /** etcd's auth token (`Authorization` header). */
  token?: string | undefined;
  timeoutMs: number;
  /** For `https://` URLs: the CA to trust and a client certificate with its key, PEM text. */
  tls?: { ca: Buffer; cert?: Buffer; key?: Buffer };
}

/**
 * One HTTP request with no keep-alive (no socket left open after a test) and a deadline.
 * @returns the response body; rejects on a network error, the deadline, or a status >= 400 (with the body)
 */
export function httpRequest(url: string, options: HttpRequestOptions): Promise<string> {
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (options.token) headers.authorization = options.token;
  return new Promise<string>((resolve, reject) => {
    const method = body === undefined ? "GET" : "POST";
    const common = { method, agent: false, timeout: options.timeoutMs, headers } as const;
    const request = (url.startsWith("https:") ? https.request : http.request)(
      url,
      url.startsWith("https:") ? { ...common, ...options.tls } : common,
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () => {
          if ((response.statusCode ?? 500) >= 400)
            reject(new Error(`${url}: HTTP ${response.statusCode}: ${text.trim()}`));
          else resolve(text);
        });
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error(`${url}: no answer within ${options.timeoutMs} ms`)));
    request.on("error", reject);
    request.end(body);
  });
}

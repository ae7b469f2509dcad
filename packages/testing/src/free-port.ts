import * as net from "node:net";

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (the OS picked it; it is released at once):
 * for a server to start on, or an address where nothing listens.
 * @returns the port number
 * @example const nowhere = `http://127.0.0.1:${await findFreePort()}`;
 */
export function findFreePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no free port found"))));
    });
  });
}

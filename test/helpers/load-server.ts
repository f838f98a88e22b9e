/** A real node:http server on 127.0.0.1 for load tests: routes by path, counts requests. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (request: IncomingMessage, response: ServerResponse) => void;

export interface LoadServer {
  url: string;
  requests: number;
  close(): Promise<void>;
}

/** `/ok` answers 200, `/500` answers 500, `/slow` after 2 s; `routes` add or replace paths. */
export async function startLoadServer(routes: Record<string, Route> = {}): Promise<LoadServer> {
  const all: Record<string, Route> = {
    '/ok': (_, res) => res.end('ok'),
    '/500': (_, res) => {
      res.statusCode = 500;
      res.end('boom');
    },
    '/slow': (_, res) => {
      const timer = setTimeout(() => res.end('late'), 2000);
      res.on('close', () => clearTimeout(timer));
    },
    ...routes,
  };
  const state = { requests: 0 };
  const server = createServer((req, res) => {
    state.requests += 1;
    const route = all[new URL(req.url ?? '/', 'http://x').pathname];
    if (route) route(req, res);
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

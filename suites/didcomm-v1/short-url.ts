import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonMessage } from '../define.js';

/** One GET the short-URL server answered. */
export interface ShortUrlHit {
  method: string;
  headers: IncomingHttpHeaders;
}

export interface ShortUrlServer {
  /** The shortened URL: no oob parameter, only a unique path. */
  url: string;
  hits: ShortUrlHit[];
  close(): Promise<void>;
}

/**
 * A URL shortener for one invitation, on 127.0.0.1 (Aries RFC 0434, URL Shortening): a GET that
 * accepts application/json gets the invitation as JSON with status 200 (the RFC's MUST for that
 * case); any other GET gets a 302 to the long `?oob=` URL (its MAY). Other paths and methods: 404.
 */
export async function serveShortUrl(invitation: JsonMessage, longUrl: string): Promise<ShortUrlServer> {
  const path = `/ssi/${String(invitation['@id'])}`;
  const hits: ShortUrlHit[] = [];
  const server = createServer((request, response) => {
    if (request.url !== path || request.method !== 'GET') return void response.writeHead(404).end();
    hits.push({ method: request.method, headers: request.headers });
    if (/application\/json/i.test(request.headers.accept ?? '')) {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(invitation));
    } else {
      response.writeHead(302, { location: longUrl }).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    hits,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

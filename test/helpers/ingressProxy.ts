/**
 * A stand-in for the supervisor's ingress proxy on loopback: requests under
 * /api/hassio_ingress/<token>/ are forwarded to the app with the prefix stripped, the
 * X-Ingress-Path header naming it and the logged-in user in X-Remote-User-Id/-Name/-Display-Name,
 * as Home Assistant does; responses (the event stream included) are piped back as they come. Any
 * request outside the prefix is answered 404 and recorded, so a test can prove the page only uses
 * relative URLs.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface IngressUser {
  id: string;
  name: string;
  displayName: string;
}

export interface IngressProxy {
  /** The page's URL through the proxy (ends in '/'). */
  pageUrl: string;
  prefix: string;
  /** Paths forwarded (without the prefix). */
  forwarded: string[];
  /** Requests that missed the prefix. */
  outside: string[];
  close(): Promise<void>;
}

export async function startIngressProxy(target: string, token: string, user: IngressUser): Promise<IngressProxy> {
  const prefix = `/api/hassio_ingress/${token}`;
  const upstream = new URL(target);
  const forwarded: string[] = [];
  const outside: string[] = [];
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (!url.startsWith(`${prefix}/`)) {
      outside.push(url);
      res.writeHead(404).end('outside the ingress prefix');
      return;
    }
    const path = url.slice(prefix.length);
    forwarded.push(path);
    const headers = {
      ...req.headers, host: upstream.host, 'x-ingress-path': prefix,
      'x-remote-user-id': user.id, 'x-remote-user-name': user.name, 'x-remote-user-display-name': user.displayName,
    };
    const out = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path, headers }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    });
    out.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(err));
    });
    res.on('close', () => out.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    pageUrl: `http://127.0.0.1:${port}${prefix}/`, prefix, forwarded, outside,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

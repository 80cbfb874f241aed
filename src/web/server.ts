/**
 * The dashboard's HTTP server (node:http, no framework): the static page, a small JSON API
 * (overview, entities, plan, optimization), live updates as server-sent events, and commands posted
 * through the same registry Home Assistant's services use, with the HA user from the ingress headers
 * as the caller. In app mode only the ingress proxy may connect; elsewhere it listens on loopback.
 * Every URL the page uses is relative, so it works under the X-Ingress-Path prefix. start() takes the
 * port and timers, stop() gives back exactly those; a port in use is logged, not fatal.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { CommandRegistry } from '../commands/registry.js';
import type { Clock } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { commandRefusal, dashboardCaller, ingressBase, INGRESS_PROXY_ADDRESS, isAllowedHost, isAllowedPeer } from './access.js';
import { loadAssets, type Asset } from './assets.js';
import { buildEntityTable } from './entitiesView.js';
import { LiveStream } from './liveStream.js';
import { buildOptimization } from './optimizationView.js';
import { buildOverview, costShares, type DashboardSource } from './overviewView.js';
import { buildPlan } from './planView.js';
import { DEFAULT_SERIES_OPTIONS, SeriesRecorder } from '../telemetry/series.js';

export interface WebOptions {
  port: number;
  host: string;
  /** App mode: accept only the ingress proxy (or `allowedPeers`). */
  ingressOnly: boolean;
  /** Peers allowed when ingressOnly (default: the supervisor's proxy, 172.30.32.2). */
  allowedPeers?: readonly string[];
  /** Standalone: host names answered besides loopback ones (WEB_ALLOWED_HOSTS, e.g. behind a reverse proxy). */
  allowedHosts?: readonly string[];
  /** Series sampling period (default 10 s) and live push period (default 2 s). */
  sampleEveryMs?: number;
  pushEveryMs?: number;
}

export interface WebServerDeps {
  clock: Clock;
  logger: Logger;
  source: DashboardSource;
  commands: Pick<CommandRegistry, 'handleLine'>;
  options: WebOptions;
  /** Default: read from src/web/static and node_modules/uplot. */
  assets?: Map<string, Asset>;
}

/** Command bodies are small JSON objects. */
const MAX_BODY = 64 * 1024;
/** JSON answers smaller than this go uncompressed. */
const GZIP_FROM = 1024;

export class WebServer {
  readonly series: SeriesRecorder;
  private readonly live: LiveStream;
  private server: Server | undefined;
  private assets: Map<string, Asset> | undefined;
  private shares: Map<string, number> | undefined;

  constructor(private readonly deps: WebServerDeps) {
    const { clock, logger, source } = deps;
    this.series = new SeriesRecorder({
      clock, logger, busWindows: source.busWindows, entityStatus: () => source.poller.allEntityStatus(), stats: source.stats,
      successRates: () => Object.fromEntries((source.optimizer?.statistics().strategies ?? []).map((s) => [s.name, s.success_rate])),
    }, { ...DEFAULT_SERIES_OPTIONS, everyMs: deps.options.sampleEveryMs ?? DEFAULT_SERIES_OPTIONS.everyMs });
    this.live = new LiveStream({ clock, logger, source, pushEveryMs: deps.options.pushEveryMs ?? 2000 });
    this.series.onPoint((p) => this.live.point(p));
  }

  /** Listens; a failure (port in use, no permission) is logged and leaves the dashboard off. */
  async start(): Promise<void> {
    const { host, port } = this.deps.options;
    try {
      this.assets ??= this.deps.assets ?? loadAssets();
      const server = createServer((req, res) => this.handle(req, res));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('error', (err) => this.deps.logger.error(`Dashboard server: ${describeError(err)}`));
      this.server = server;
    } catch (err) {
      const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
      this.deps.logger.error(`Dashboard not started on ${host}:${port}: ${describeError(err)}${inUse ? ' (set the web_port option or WEB_PORT to a free port)' : ''}`);
      return;
    }
    this.series.start();
  }

  async stop(): Promise<void> {
    this.series.stop();
    this.live.stop();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Where it listens (undefined when not started or failed). */
  address(): { host: string; port: number } | undefined {
    const a = this.server?.address() as AddressInfo | null | undefined;
    return a ? { host: a.address, port: a.port } : undefined;
  }

  /** The local URL to print (loopback form of the bound address). */
  url(): string | undefined {
    const a = this.address();
    if (!a) return undefined;
    const host = a.host === '0.0.0.0' || a.host === '::' ? '127.0.0.1' : a.host.includes(':') ? `[${a.host}]` : a.host;
    return `http://${host}:${a.port}/`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const { ingressOnly, allowedPeers } = this.deps.options;
    const allowed = ingressOnly ? (allowedPeers ?? [INGRESS_PROXY_ADDRESS]) : undefined;
    if (!isAllowedPeer(req.socket.remoteAddress, allowed)) {
      this.deps.logger.warn(`Dashboard: refused a request from ${req.socket.remoteAddress ?? 'an unknown address'} (only ${allowed?.join(', ')} may connect)`);
      text(res, 403, `Forbidden: only the Home Assistant ingress proxy (${allowed?.join(', ')}) may use this dashboard.`);
      return;
    }
    if (!ingressOnly && !isAllowedHost(req.headers.host, this.deps.options.allowedHosts ?? [])) {
      const host = (req.headers.host ?? '').slice(0, 100);
      this.deps.logger.warn(`Dashboard: refused a request for host "${host}" (a page from another site? allow a name with WEB_ALLOWED_HOSTS)`);
      text(res, 403, `Forbidden: this dashboard answers only to localhost, loopback addresses and WEB_ALLOWED_HOSTS, not "${host}".`);
      return;
    }
    this.route(req, res).catch((err: unknown) => {
      this.deps.logger.error(`Dashboard ${req.method} ${req.url}: ${describeError(err)}`);
      if (!res.headersSent) text(res, 500, `Internal error: ${describeError(err)}`);
      else res.end();
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://dashboard').pathname.replace(/^\/+/, '');
    if (req.method === 'POST' && path === 'api/command') return this.command(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, `Method ${req.method} not allowed`);
    const src = this.deps.source;
    switch (path) {
      case '':
      case 'index.html':
        return this.page(req, res);
      case 'api/overview':
        return json(req, res, buildOverview(src, this.series, (this.shares ??= costShares(src))));
      case 'api/entities':
        return json(req, res, buildEntityTable(src));
      case 'api/plan':
        return json(req, res, buildPlan(src));
      case 'api/optimization':
        return json(req, res, { ...buildOptimization(src), successRates: this.series.strategyColumns() });
      case 'api/events':
        return this.live.add(res);
      default: {
        const asset = this.assets?.get(path);
        if (!asset) return text(res, 404, `Not found: ${path}`);
        return sendAsset(req, res, asset);
      }
    }
  }

  /** The page, with a <base> naming the ingress prefix so relative URLs resolve under it. */
  private page(req: IncomingMessage, res: ServerResponse): void {
    const index = this.assets?.get('index.html');
    if (!index) return text(res, 500, 'index.html is missing');
    const base = ingressBase(req.headers);
    if (base === '') return sendAsset(req, res, index);
    const html = index.body.toString('utf8').replace('<head>', `<head>\n<base href="${base}">`);
    send(req, res, 200, index.type, Buffer.from(html), { 'Cache-Control': 'no-cache' });
  }

  private async command(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return text(res, 415, 'Commands must be sent as Content-Type: application/json');
    }
    const refusal = commandRefusal(req.headers, this.deps.options.ingressOnly ? undefined : { extraHosts: this.deps.options.allowedHosts ?? [] });
    if (refusal !== undefined) {
      this.deps.logger.warn(`Dashboard: refused a command: ${refusal}`);
      return text(res, 403, `Forbidden: ${refusal}`);
    }
    const body = await readBody(req);
    if (body === undefined) return text(res, 413, `Command body over ${MAX_BODY} bytes`);
    const result = await this.deps.commands.handleLine(body, dashboardCaller(req.headers));
    if (!result) return text(res, 400, 'Empty command: send a JSON object like {"command": "run_quick_optimization"}');
    json(req, res, result);
  }
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function acceptsGzip(req: IncomingMessage): boolean {
  return /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
}

function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: Buffer, extra: Record<string, string> = {}): void {
  const zip = acceptsGzip(req) && body.length >= GZIP_FROM;
  const payload = zip ? gzipSync(body, { level: 1 }) : body;
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': payload.length, Vary: 'Accept-Encoding', ...(zip ? { 'Content-Encoding': 'gzip' } : {}), ...extra });
  res.end(req.method === 'HEAD' ? undefined : payload);
}

function sendAsset(req: IncomingMessage, res: ServerResponse, asset: Asset): void {
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, { ETag: asset.etag });
    res.end();
    return;
  }
  const zip = acceptsGzip(req);
  const body = zip ? asset.gzip : asset.body;
  res.writeHead(200, {
    'Content-Type': asset.type, 'Content-Length': body.length, ETag: asset.etag, 'Cache-Control': 'no-cache', Vary: 'Accept-Encoding',
    ...(zip ? { 'Content-Encoding': 'gzip' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function json(req: IncomingMessage, res: ServerResponse, value: unknown): void {
  send(req, res, 200, 'application/json; charset=utf-8', Buffer.from(JSON.stringify(value)), { 'Cache-Control': 'no-store' });
}

function text(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${message}\n`);
}

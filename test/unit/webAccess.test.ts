// Who may use the dashboard and who they are: the peer check of app mode, the ingress prefix as a safe
// <base>, the standalone Host and command checks (DNS rebinding, cross-site posts), and the caller built from the ingress proxy's user headers (and how the audit names it).
import { describe, expect, it } from '@jest/globals';
import { callerId, describeCaller } from '../../src/commands/types.js';
import {
  commandRefusal, dashboardCaller, hostNameOf, ingressBase, INGRESS_PROXY_ADDRESS, isAllowedHost, isAllowedPeer, normaliseAddress,
} from '../../src/web/access.js';

describe('isAllowedPeer', () => {
  const ingress = [INGRESS_PROXY_ADDRESS];
  it.each([
    ['172.30.32.2', ingress, true],
    ['::ffff:172.30.32.2', ingress, true],
    ['::FFFF:172.30.32.2', ingress, true],
    ['172.30.32.1', ingress, false],
    ['172.30.32.20', ingress, false],
    ['127.0.0.1', ingress, false],
    ['::1', ingress, false],
    ['::ffff:127.0.0.1', ['127.0.0.1'], true],
    [undefined, ingress, false],
    ['', ingress, false],
    ['10.0.0.7', undefined, true],
    [undefined, undefined, true],
  ] as const)('%s with allow list %j → %s', (peer, allowed, expected) => {
    expect(isAllowedPeer(peer, allowed)).toBe(expected);
  });

  it('normalises IPv4-mapped addresses only', () => {
    expect([normaliseAddress('::ffff:10.1.2.3'), normaliseAddress('FE80::1'), normaliseAddress(undefined)]).toEqual(['10.1.2.3', 'fe80::1', '']);
  });
});

describe('ingressBase', () => {
  it.each([
    ['/api/hassio_ingress/AbC-12_x', '/api/hassio_ingress/AbC-12_x/'],
    ['/api/hassio_ingress/token/', '/api/hassio_ingress/token/'],
    [undefined, ''],
    ['  ', ''],
    ['api/no-leading-slash', ''],
    ['/x"><script>alert(1)</script>', ''],
    ['/a/../../etc', ''],
    ['//evil.example/x', ''],
  ])('X-Ingress-Path %j → <base href=%j>', (header, base) => {
    expect(ingressBase(header === undefined ? {} : { 'x-ingress-path': header })).toBe(base);
  });
});

describe('dashboardCaller', () => {
  it('takes the user name, falling back to the display name, and the id', () => {
    expect(dashboardCaller({ 'x-remote-user-name': 'alice', 'x-remote-user-id': 'u1', 'x-remote-user-display-name': 'Alice' }))
      .toEqual({ source: 'dashboard', userName: 'alice', userId: 'u1' });
    expect(dashboardCaller({ 'x-remote-user-display-name': 'Bob B', 'x-remote-user-id': 'u2' }))
      .toEqual({ source: 'dashboard', userName: 'Bob B', userId: 'u2' });
    expect(dashboardCaller({})).toEqual({ source: 'dashboard', userName: null, userId: null });
  });

  it('cuts forged long values', () => {
    expect(dashboardCaller({ 'x-remote-user-name': 'x'.repeat(500) }).userName).toHaveLength(100);
  });

  it('names the user in the audit and the log', () => {
    expect(callerId({ source: 'dashboard', userName: 'alice', userId: 'u1' })).toBe('dashboard:alice');
    expect(callerId({ source: 'dashboard', userName: null, userId: 'u1' })).toBe('dashboard:u1');
    expect(callerId({ source: 'dashboard', userName: null, userId: null })).toBe('dashboard');
    expect(describeCaller({ source: 'dashboard', userName: 'alice', userId: 'u1' })).toBe('the dashboard (alice)');
  });
});

describe('isAllowedHost (standalone: loopback names and WEB_ALLOWED_HOSTS only)', () => {
  it.each([
    ['127.0.0.1:8099', [], true],
    ['127.1.2.3', [], true],
    ['localhost:8099', [], true],
    ['LOCALHOST', [], true],
    ['dash.localhost:8099', [], true],
    ['[::1]:8099', [], true],
    ['attacker.example:8099', [], false], // a DNS-rebinding page keeps its own name
    ['127.0.0.1.attacker.example', [], false],
    ['localhost.attacker.example', [], false],
    ['ha.lan:8099', ['ha.lan'], true],
    ['HA.LAN', [' ha.lan '], true],
    ['ha.lan.evil', ['ha.lan'], false],
    ['', [], false],
    [undefined, [], false],
    ['user@localhost', [], false],
    ['localhost:80/x', [], false],
  ])('Host %p with %p: %p', (host, extra, allowed) => {
    expect(isAllowedHost(host, extra)).toBe(allowed);
  });

  it('takes the name out of an authority', () => {
    expect([hostNameOf('[::1]:80'), hostNameOf('Example.COM:443'), hostNameOf('a b')]).toEqual(['::1', 'example.com', undefined]);
  });
});

describe('commandRefusal', () => {
  const standalone = { extraHosts: ['ha.lan'] };
  const own = { 'x-modbus-optimizer': 'dashboard' };
  it.each([
    [{ ...own }, standalone, undefined],
    [{ ...own, origin: 'http://127.0.0.1:8099' }, standalone, undefined],
    [{ ...own, origin: 'http://localhost:3000' }, standalone, undefined],
    [{ ...own, origin: 'https://ha.lan' }, standalone, undefined],
    [{ ...own, origin: 'https://homeassistant.local:8123' }, undefined, undefined], // app mode: HA's origin, behind ingress
    [{}, standalone, /need the x-modbus-optimizer header/],
    [{ origin: 'http://127.0.0.1:8099' }, undefined, /need the x-modbus-optimizer header/],
    [{ ...own, origin: 'http://attacker.example:8099' }, standalone, /origin http:\/\/attacker\.example:8099 are refused/],
    [{ ...own, origin: 'null' }, standalone, /origin null are refused/],
    [{ ...own, origin: 'not a url' }, standalone, /origin not a url are refused/],
  ])('%p (%p): %p', (headers, mode, refusal) => {
    const result = commandRefusal(headers, mode);
    if (refusal === undefined) expect(result).toBeUndefined();
    else expect(result).toMatch(refusal);
  });
});

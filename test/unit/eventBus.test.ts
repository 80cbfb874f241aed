import { describe, expect, it } from '@jest/globals';
import { EventBus } from '../../src/core/eventBus.js';
import { createMemoryLogger } from '../../src/core/logger.js';

interface Events {
  ping: number;
  pong: string;
}

describe('EventBus', () => {
  it('delivers to listeners of that event only, in registration order', () => {
    const bus = new EventBus<Events>();
    const seen: string[] = [];
    bus.on('a', 'ping', (n) => seen.push(`a${n}`));
    bus.on('b', 'pong', (s) => seen.push(`b${s}`));
    bus.on('c', 'ping', (n) => seen.push(`c${n}`));
    bus.emit('ping', 1);
    expect(seen).toEqual(['a1', 'c1']);
  });

  it('logs a throwing listener with its owner and event and still calls the others', () => {
    const logger = createMemoryLogger();
    const bus = new EventBus<Events>(logger);
    const seen: number[] = [];
    bus.on('broken', 'ping', () => {
      throw new Error('boom');
    });
    bus.on('fine', 'ping', (n) => seen.push(n));
    bus.emit('ping', 7);
    expect(seen).toEqual([7]);
    expect(logger.lines).toEqual(['ERROR Listener of broken failed on event ping: boom']);
  });

  it('removes all listeners of an owner in one call, even while emitting', () => {
    const bus = new EventBus<Events>();
    const seen: string[] = [];
    bus.on('once', 'ping', () => {
      seen.push('once');
      bus.removeOwner('once');
    });
    bus.on('once', 'pong', () => seen.push('once-pong'));
    bus.on('stay', 'ping', () => seen.push('stay'));
    bus.emit('ping', 1);
    bus.emit('ping', 2);
    bus.emit('pong', 'x');
    expect(seen).toEqual(['once', 'stay', 'stay']);
    expect(bus.listenerCount('ping')).toBe(1);
    expect(bus.listenerCount('pong')).toBe(0);
  });
});

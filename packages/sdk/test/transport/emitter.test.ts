import { describe, expect, expectTypeOf, it } from 'vitest';
import { Emitter } from '../../src/transport/emitter';

interface Events {
  tick: [n: number];
  pair: [a: string, b: boolean];
  error: [error: Error];
  none: [];
}

describe('Emitter', () => {
  it('calls listeners in order with typed arguments and reports whether any ran', () => {
    const emitter = new Emitter<Events>();
    const calls: string[] = [];
    emitter.on('pair', (a, b) => {
      expectTypeOf(a).toEqualTypeOf<string>();
      expectTypeOf(b).toEqualTypeOf<boolean>();
      calls.push(`first ${a} ${b}`);
    });
    emitter.addListener('pair', (a) => calls.push(`second ${a}`));
    expect(emitter.emit('pair', 'x', true)).toBe(true);
    expect(emitter.emit('none')).toBe(false);
    expect(calls).toEqual(['first x true', 'second x']);
    expect(emitter.listenerCount('pair')).toBe(2);
  });

  it('does not throw for an error event nobody listens to', () => {
    expect(new Emitter<Events>().emit('error', new Error('boom'))).toBe(false);
  });

  it('runs a once listener a single time', () => {
    const emitter = new Emitter<Events>();
    const seen: number[] = [];
    emitter.once('tick', (n) => seen.push(n));
    emitter.emit('tick', 1);
    emitter.emit('tick', 2);
    expect(seen).toEqual([1]);
    expect(emitter.listenerCount('tick')).toBe(0);
  });

  it('removes one listener, all of an event, or all', () => {
    const emitter = new Emitter<Events>();
    const seen: string[] = [];
    const a = (n: number) => seen.push(`a${n}`);
    const b = (n: number) => seen.push(`b${n}`);
    emitter
      .on('tick', a)
      .on('tick', b)
      .on('none', () => seen.push('none'));
    emitter.off('tick', a);
    emitter.emit('tick', 1);
    emitter.removeListener('tick');
    emitter.emit('tick', 2);
    emitter.removeAllListeners();
    emitter.emit('none');
    expect(seen).toEqual(['b1']);
  });

  it('keeps the listeners of an emit in progress as they were when it started', () => {
    const emitter = new Emitter<Events>();
    const seen: string[] = [];
    const late = () => seen.push('late');
    const second = () => seen.push('second');
    emitter.on('none', () => {
      seen.push('first');
      emitter.off('none', second);
      emitter.on('none', late);
    });
    emitter.on('none', second);
    emitter.emit('none');
    expect(seen).toEqual(['first', 'second']);
    emitter.emit('none');
    expect(seen).toEqual(['first', 'second', 'first', 'late']);
  });
});

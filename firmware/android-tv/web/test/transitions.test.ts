import { describe, expect, it } from 'vitest';
import { entranceOf } from '../src/transitions';

describe('entranceOf', () => {
  const effects = (transition: string, fade_in = false) => ({
    fade_in,
    fade_out: false,
    transition,
  });

  it('fades or slides by the transition name, in any case', () => {
    expect(entranceOf(effects('fade'))).toBe('fade');
    expect(entranceOf(effects(' Slide '))).toBe('slide');
  });

  it('takes fade_in as a fade when the transition is none or unknown, else cuts', () => {
    expect(entranceOf(effects('none', true))).toBe('fade');
    expect(entranceOf(effects('zoom', true))).toBe('fade');
    expect(entranceOf(effects('zoom'))).toBe('cut');
    expect(entranceOf(effects('none'))).toBe('cut');
    expect(entranceOf(undefined)).toBe('cut');
  });
});

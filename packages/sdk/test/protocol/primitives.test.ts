/**
 * The field primitives are defined once, in zod/mini; the classic surfaces use chainable views
 * built on the same definitions. Both must accept, reject and document exactly alike.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import * as classic from '../../src/protocol/common';
import * as mini from '../../src/protocol/primitives';

const pairs: Array<[string, z.core.$ZodType, z.core.$ZodType]> = [
  ['isoDateTime', classic.isoDateTime, mini.isoDateTime],
  ['percent', classic.percent, mini.percent],
  ['nonNegativeInt', classic.nonNegativeInt, mini.nonNegativeInt],
  ['positiveInt', classic.positiveInt, mini.positiveInt],
  ['unixSeconds', classic.unixSeconds, mini.unixSeconds],
  ['hexColor', classic.hexColor, mini.hexColor],
  ['queryBoolean', classic.queryBoolean, mini.queryBoolean],
  ['queryInt(1, 9)', classic.queryInt(1, 9), mini.queryInt(1, 9)],
];

const inputs: unknown[] = [
  undefined,
  null,
  true,
  false,
  0,
  -1,
  1,
  1.5,
  100,
  101,
  2 ** 60,
  Number.NaN,
  '',
  '0',
  '1',
  '5',
  'true',
  'x',
  '#fff',
  '#ffff',
  '#00ff00cc',
  '2025-01-15T10:30:00Z',
  '2025-01-15T10:30:00+02:00',
  '2025-01-15',
];

describe.each(pairs)('%s', (_name, chainable, definition) => {
  it('shares the zod/mini definition', () => {
    expect(chainable).toBeInstanceOf(z.ZodType);
    expect(chainable._zod.def.type).toBe(definition._zod.def.type);
    const checks = (schema: z.core.$ZodType) => schema._zod.def.checks?.map((c) => c._zod.def);
    expect(checks(chainable)).toEqual(checks(definition));
  });

  it('parses every input alike', () => {
    for (const input of inputs) {
      const a = z.safeParse(chainable, input);
      const b = z.safeParse(definition, input);
      expect(a.success, String(input)).toBe(b.success);
      expect(a.data).toEqual(b.data);
      expect(a.error?.issues).toEqual(b.error?.issues);
    }
  });

  it('documents alike', () => {
    for (const io of ['input', 'output'] as const) {
      expect(z.toJSONSchema(chainable, { io, unrepresentable: 'any' })).toEqual(
        z.toJSONSchema(definition, { io, unrepresentable: 'any' }),
      );
    }
  });
});

describe('chainable views', () => {
  it('keep the classic methods the classic surfaces use', () => {
    expect(classic.isoDateTime.optional().safeParse(undefined).success).toBe(true);
    expect(classic.percent.nullable().parse(null)).toBeNull();
    expect(classic.queryInt(1, 500).default(50).parse(undefined)).toBe(50);
    expect(classic.queryBoolean.optional().parse('1')).toBe(true);
  });
});

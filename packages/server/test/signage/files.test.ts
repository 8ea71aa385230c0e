/**
 * Signage file naming: library and screenshot paths stay inside their folders whatever names and
 * serial numbers devices and uploads bring.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { safeFileName, SignageFiles } from '../../src/surfaces/signage/files';

describe('SignageFiles', () => {
  const files = new SignageFiles('/data');

  it('gives every serial number a screenshot folder of its own under screenshots/', () => {
    for (const sn of ['..', '.', '.hidden', '../../etc', 'a/b', 'SN 1']) {
      const path = files.screenshotPath(sn, 'k1');
      const [folder, name, ...rest] = path.split('/');
      expect(rest, sn).toEqual([]);
      expect(name).toBe('k1.jpg');
      expect(folder, sn).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/);
      expect(
        files.screenshotFile(path).startsWith(join('/data/signage/screenshots', folder ?? '')),
      ).toBe(true);
    }
    expect(files.screenshotPath('TV-01.lobby', 'k')).toBe('TV-01.lobby/k.jpg');
    expect(files.screenshotPath('..', 'k')).toBe('__/k.jpg');
  });

  it('reduces media names to plain file names', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('..')).toBe('file');
    expect(safeFileName('a\u0000b<c>.mp4')).toBe('ab_c_.mp4');
    expect(safeFileName(`${'x'.repeat(300)}.jpeg`)).toHaveLength(200);
    expect(safeFileName(`${'x'.repeat(300)}.jpeg`).endsWith('.jpeg')).toBe(true);
  });
});

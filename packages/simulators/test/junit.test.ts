/** The JUnit XML report of `--junit`: counts, one case per device, failures, escaping. */
import { describe, expect, it } from 'vitest';
import { junitXml, xmlEscape } from '../src/cli/junit';
import { UsageError, fleetOptions } from '../src/cli/options';

describe('junitXml', () => {
  const startedAt = new Date('2026-12-07T18:00:00.000Z');

  it('reports one testcase per device, failed ones with their reason', () => {
    const xml = junitXml({
      command: 'tv',
      startedAt,
      durationMs: 61_500,
      cases: [{ name: 'SIM-TV-0001' }, { name: 'SIM-TV-0002', failure: 'playlist 3 partial' }],
    });
    expect(xml.split('\n')).toEqual([
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuites name="marquee-sim" tests="2" failures="1" time="61.500">',
      '  <testsuite name="marquee-sim tv" tests="2" failures="1" errors="0" skipped="0" time="61.500" timestamp="2026-12-07T18:00:00.000Z">',
      '    <testcase classname="marquee-sim.tv" name="SIM-TV-0001" time="61.500"/>',
      '    <testcase classname="marquee-sim.tv" name="SIM-TV-0002" time="61.500">',
      '      <failure message="playlist 3 partial">playlist 3 partial</failure>',
      '    </testcase>',
      '  </testsuite>',
      '</testsuites>',
      '',
    ]);
  });

  it('escapes markup and replaces characters XML cannot carry', () => {
    expect(xmlEscape(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;',
    );
    expect(xmlEscape('bell\u0007 tab\t nl\n')).toBe('bell\ufffd tab\t nl\n');
    const xml = junitXml({
      command: 'panel',
      startedAt,
      durationMs: 0,
      cases: [{ name: 'panel-<1>', failure: 'closed "4401" & gone' }],
    });
    expect(xml).toContain('name="panel-&lt;1&gt;"');
    expect(xml).toContain('message="closed &quot;4401&quot; &amp; gone"');
  });
});

describe('--junit', () => {
  it('is read by every fleet command, and an empty path is a usage error', () => {
    const server = 'http://127.0.0.1:8000';
    expect(fleetOptions({ server, junit: 'reports/run.xml' }, 10).junitPath).toBe(
      'reports/run.xml',
    );
    expect(fleetOptions({ server }, 10).junitPath).toBeUndefined();
    expect(() => fleetOptions({ server, junit: '' }, 10)).toThrow(UsageError);
  });
});

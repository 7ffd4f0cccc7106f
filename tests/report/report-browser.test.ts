import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { writeIncidentBundle } from '../../src/bundle/testing/incident-bundle.js';
import { writeReport } from '../../src/report/index.js';

/**
 * The HTML report in a real browser: Debian's Chromium (`make test-report` installs it through
 * scripts/install-browser.sh), driven by playwright-core, renders the report of a whole incident from
 * file:// with every network request refused and recorded. The charts must have drawn (non-blank
 * canvases), the timeline, waterfalls and topology must be there, the events filter must work, nothing
 * may be logged as an error and nothing may be requested. FIREDRILL_REPORT_SCREENSHOT=<file.png> keeps
 * the full-page screenshot (docs/report-screenshot.png was made so from a real bundle).
 */

function findChromium(): string | undefined {
  const candidates = [process.env.FIREDRILL_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  for (const c of candidates) {
    if (!c) continue;
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  return undefined;
}

const executable = findChromium();
const reason = executable
  ? undefined
  : "no Chromium at /usr/bin/chromium (or $FIREDRILL_CHROMIUM): `make test-report` installs Debian's chromium package and runs this test";
// Straight to stderr: Jest hides console output of skipped suites unless --verbose.
if (reason) process.stderr.write(`tests/report/report-browser.test.ts skipped: ${reason}\n`);
const suite = reason ? describe.skip : describe;

suite('HTML report in headless Chromium', () => {
  let dir = '';
  let browser: Browser;
  let html = '';
  const requests: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fd-report-browser-'));
    const bundle = await writeIncidentBundle(join(dir, 'b'));
    html = await writeReport(bundle, { withTruth: true, out: join(dir, 'report.html') });
    browser = await chromium.launch({
      executablePath: executable,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        // no --user-data-dir: playwright gives every launch a fresh temporary profile of its own
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('renders the timeline, charts, traces, topology and events, offline and without errors', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Anything but the file itself leaves the page: refuse it and remember it.
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
      requests.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
    await page.waitForSelector('#chart-p95 canvas', { timeout: 20_000 });

    // Every chart drew lines: count the painted pixels of its canvas.
    // A string: the project compiles without the DOM library.
    const painted = await page.evaluate<number[]>(`
      ['chart-rate', 'chart-errors', 'chart-p95'].map((id) => {
        const canvas = document.querySelector('#' + id + ' canvas');
        const ctx = canvas && canvas.getContext('2d');
        if (!ctx) return 0;
        const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
        return n;
      })`);
    for (const n of painted) expect(n).toBeGreaterThan(1000);
    expect(await page.locator('.uplot .u-legend .u-series').count()).toBeGreaterThanOrEqual(3 * 5);

    expect(await page.locator('#alert-timeline rect.bar.firing').count()).toBe(3);
    expect(await page.locator('#alert-timeline rect.bar.pending').count()).toBe(2);
    expect(await page.locator('#alert-timeline line.marker-fault').count()).toBe(1);
    const bar = await page.locator('#alert-timeline rect.bar.firing').first().boundingBox();
    expect(bar?.width ?? 0).toBeGreaterThan(10);

    expect(await page.locator('svg.waterfall').count()).toBe(2);
    expect(await page.locator('svg.waterfall rect.span.error').count()).toBeGreaterThan(0);
    expect(await page.locator('svg.topology g.node').count()).toBe(17);
    expect(await page.locator('svg.topology g.node.alerting').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('svg.topology g.node.root-cause').count()).toBe(1);
    expect(await page.locator('svg.topology polyline.edge').count()).toBe(19);
    expect(await page.locator('#truth').count()).toBe(1);

    // The events filter hides what does not match.
    expect(await page.locator('#events tbody tr:visible').count()).toBe(3);
    await page.selectOption('#ev-type', 'Warning');
    expect(await page.locator('#events tbody tr:visible').count()).toBe(1);
    expect(await page.textContent('#ev-count')).toBe('1 of 3');
    await page.selectOption('#ev-type', '');
    await page.fill('#ev-text', 'replica set');
    expect(await page.locator('#events tbody tr:visible').count()).toBe(1);

    // A log line with markup stays text.
    expect(await page.locator('#logs script').count()).toBe(0);
    expect(await page.locator('#logs tr.trouble').count()).toBeGreaterThan(0);

    const shot = process.env.FIREDRILL_REPORT_SCREENSHOT ?? join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(50_000);

    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await context.close();
  }, 60_000);
});

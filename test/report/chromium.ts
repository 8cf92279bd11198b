/**
 * Measuring a page in headless Chromium: the page gets a probe script, Chromium prints the DOM
 * after load, and the probe's answer is read back out of it. The report itself has no script;
 * only this copy of it does.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';

/** What `probe`, the body of a function run on load, returns for `html`, through JSON. */
export function probeInChromium<T>(html: string, probe: string): T {
  const dir = mkdtempSync(join(tmpdir(), 'gradpool-chromium-'));
  const script = `<script>
window.addEventListener('load', () => {
  const pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify((() => { ${probe} })());
  document.body.append(pre);
});
</script>`;
  const page = join(dir, 'probed.html');
  writeFileSync(page, html.includes('</body>') ? html.replace('</body>', `${script}\n</body>`) : `${html}\n${script}`);
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
  const dom = execFileSync(CHROMIUM, [...args, `--user-data-dir=${join(dir, 'profile')}`, '--dump-dom', `file://${page}`], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] });
  const m = /<pre id="probe">(.*?)<\/pre>/s.exec(dom);
  if (m === null) throw new Error('the probe did not run in Chromium (no <pre id="probe"> in the DOM)');
  return JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&nbsp;/g, '\u00a0').replace(/&amp;/g, '&')) as T;
}

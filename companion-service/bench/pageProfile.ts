/* CPU profiles of a browser page over CDP, written as .cpuprofile files (open them in Chromium's DevTools, or
 * summarise them with profileSummary.ts), and Chromium traces of the whole browser. Shared by the benches that offer
 * --cpu-prof or --trace. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';

/** Profiles written so far per name, so a bench's runs get files of their own (name-1, name-2, …). */
const profiledRuns = new Map<string, number>();

export async function startProfile(page: Page): Promise<CDPSession> {
  const profiler = await page.context().newCDPSession(page);
  await profiler.send('Profiler.enable');
  await profiler.send('Profiler.setSamplingInterval', { interval: 250 });
  await profiler.send('Profiler.start');
  return profiler;
}

/** Starts a Chromium trace of every process (the timeline's categories: tasks, scripts, layout, paint, loading) into
 * DIR/name-N.json; stop it with `browser.stopTracing()`. Returns the file's path. */
export async function startTrace(browser: Browser, dir: string, name: string): Promise<string> {
  const run = (profiledRuns.get(name) ?? 0) + 1;
  profiledRuns.set(name, run);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}-${run}.json`);
  await browser.startTracing(undefined, {
    path: file,
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'v8.execute', 'loading'],
  });
  return file;
}

/** Stops the profile and writes it to DIR/name-N.cpuprofile; returns the file's path. */
export async function saveProfile(profiler: CDPSession, dir: string, name: string): Promise<string> {
  const { profile } = await profiler.send('Profiler.stop');
  const run = (profiledRuns.get(name) ?? 0) + 1;
  profiledRuns.set(name, run);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}-${run}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  return file;
}

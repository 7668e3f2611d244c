/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { onFileEnd } from './backends.js';

/**
 * Real headless Chromium (Debian's package, installed by scripts/setup.sh --browser
 * and .ci/run) driven by playwright-core; no browser is downloaded. CHROMIUM_PATH
 * points elsewhere when needed.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Chromium's own background traffic is refused on a closed network; these flags keep it quiet.
const FLAGS = ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Promise<Browser> | undefined;

/** One browser per test file (a fresh temporary profile), closed at the end of the file. */
export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: run 'bash scripts/setup.sh --browser' (installs Debian's chromium) or set CHROMIUM_PATH`);
  }
  browser ??= chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, chromiumSandbox: false, args: FLAGS }).then((b) => {
    onFileEnd(() => b.close());
    return b;
  });
  return browser;
}

export interface TabOptions {
  /** Viewport width (height follows); default 1280. */
  width?: number;
  /** Signs the tab in by putting the token in session storage before the app loads. */
  token?: string;
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Console errors and warnings, and uncaught page errors, seen so far. */
  problems: string[];
}

/** A new isolated browser context (own storage) with one page that records console problems. */
export async function openTab(opts: TabOptions = {}): Promise<Tab> {
  const width = opts.width ?? 1280;
  const context = await (await launchBrowser()).newContext({ viewport: { width, height: width < 600 ? 800 : 900 } });
  if (opts.token) {
    await context.addInitScript((token: string) => {
      if (!sessionStorage.getItem('jobservice.token')) sessionStorage.setItem('jobservice.token', token);
    }, opts.token);
  }
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console.${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return { context, page, problems };
}

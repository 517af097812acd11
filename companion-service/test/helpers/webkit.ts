import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { Builder, type WebDriver, type WebElement } from 'selenium-webdriver';
import { buttonNamed, textOfTestIdIn } from './deepQuery';
import { eventually } from './eventually';

/* WebKit, the engine of Safari: Debian's WebKitGTK MiniBrowser, driven by its WebDriver (WebKitWebDriver) through
 * selenium-webdriver, on a virtual X display (Xvfb) of its own. Playwright drives only its own WebKit build, which
 * can't be downloaded here. Debian builds WebKitGTK without WebRTC: this is a browser that can't make calls, with
 * Safari's JavaScript engine, DOM and CSS. Clicks and keys go through WebDriver, so pages see them as the person's
 * own (trusted), as the widget requires. */

const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

export interface WebKit {
  driver: WebDriver;
  stop(): Promise<void>;
}

export function webkitAvailable(): boolean {
  return existsSync(MINIBROWSER);
}

export async function launchWebKit(): Promise<WebKit> {
  if (!webkitAvailable()) throw new Error('WebKitGTK not found: install it (apt-get install webkit2gtk-driver xvfb)');
  const processes: ChildProcess[] = [];
  const stopProcesses = async () => {
    for (const p of processes.reverse()) await stopProcess(p);
  };
  try {
    const { process: xvfb, display } = await startXvfb();
    processes.push(xvfb);
    const port = await freePort();
    const driverProcess = spawn('WebKitWebDriver', [`--port=${port}`], {
      env: { ...process.env, DISPLAY: display },
      stdio: 'ignore',
    });
    processes.push(driverProcess);
    const server = `http://127.0.0.1:${port}`;
    await eventually(
      () =>
        fetch(`${server}/status`).then(
          (r) => r.ok,
          () => false,
        ),
      (ready) => ready,
      'WebKitWebDriver to answer',
      15_000,
      100,
    );
    const driver = await new Builder()
      .usingServer(server)
      .withCapabilities({
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
      })
      .build();
    await driver.manage().window().setRect({ width: 1280, height: 900 });
    return {
      driver,
      stop: async () => {
        await driver.quit().catch(() => undefined);
        await stopProcesses();
      },
    };
  } catch (err) {
    await stopProcesses();
    throw err;
  }
}

/** Ends a process and waits for it (SIGKILL if it lingers), so that none is left behind. */
async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  p.kill('SIGTERM');
  const lingering = setTimeout(() => p.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(lingering);
}

/** Xvfb on a display number it picks itself (-displayfd), so that parallel runs don't collide. */
function startXvfb(): Promise<{ process: ChildProcess; display: string }> {
  return new Promise((resolve, reject) => {
    const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error('Xvfb did not start')), 10_000);
    xvfb.stdio[3]!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!out.includes('\n')) return;
      clearTimeout(timer);
      resolve({ process: xvfb, display: `:${out.trim()}` });
    });
    xvfb.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** The visible, enabled button named `name` (its aria-label, else its text), wherever it is: the widget's are in a
 * shadow root. */
export async function findButton(driver: WebDriver, name: string, timeoutMs = 15_000): Promise<WebElement> {
  return eventually(
    () => driver.executeScript<WebElement | null>(buttonNamed, name),
    (button): button is WebElement => button !== null,
    `a button named "${name}"`,
    timeoutMs,
    100,
  ) as Promise<WebElement>;
}

/** Clicks that button as the person would (WebDriver's click: a trusted event). */
export async function clickButton(driver: WebDriver, name: string): Promise<void> {
  await (await findButton(driver, name)).click();
}

/** Everything the page shows, shadow roots included (the widget's), as one line. */
export function shownText(driver: WebDriver): Promise<string> {
  return driver.executeScript<string>(
    `const parts = [document.body.innerText];
    const visit = (root) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) { parts.push(el.shadowRoot.textContent ?? ''); visit(el.shadowRoot); }
      }
    };
    visit(document);
    return parts.join(' ').replace(/\\s+/g, ' ');`,
  );
}

/** The text of the element with this test id, wherever it is, once it has some. */
export function textOfTestId(driver: WebDriver, testId: string, timeoutMs = 15_000): Promise<string> {
  return eventually(
    () => driver.executeScript<string>(textOfTestIdIn, testId),
    (text) => text !== '',
    `text in [data-testid="${testId}"]`,
    timeoutMs,
    100,
  );
}

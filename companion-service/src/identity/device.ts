import { UAParser } from 'ua-parser-js';
import type { VisitorDevice } from '../protocol/messages';

/** The visitor's OS, browser and version for Customer Info, read from the User-Agent their socket connected with. */
export function deviceFromUserAgent(userAgent: string): VisitorDevice {
  const parsed = new UAParser(userAgent.slice(0, 512)).getResult();
  const os = [parsed.os.name, parsed.os.version].filter(Boolean).join(' ');
  return {
    os: os || 'Unknown',
    browser: parsed.browser.name ?? 'Unknown',
    browserVersion: parsed.browser.version ?? '',
  };
}

import type { startVisitorCobrowse } from './visitorCobrowse';

type Entry = { startVisitorCobrowse: typeof startVisitorCobrowse };

/** The recorder of this build, content-hashed (written in by the build: scripts/build-web.mjs). */
declare const __TANDEM_RECORDER_CHUNK__: string;

let loading: Promise<Entry> | undefined;

/** Loads the recorder from the service on first use (the widget itself stays small and recorder-free). */
export function loadRecorder(serviceOrigin: string): Promise<Entry> {
  loading ??= new Promise<Entry>((resolve, reject) => {
    const existing = (window as unknown as { __tandemCobrowse?: Entry }).__tandemCobrowse;
    if (existing) return resolve(existing);
    const script = document.createElement('script');
    script.src = new URL(__TANDEM_RECORDER_CHUNK__, serviceOrigin).toString();
    script.async = true;
    script.onload = () => {
      const entry = (window as unknown as { __tandemCobrowse?: Entry }).__tandemCobrowse;
      if (entry) resolve(entry);
      else reject(new Error('cobrowse recorder did not load'));
    };
    script.onerror = () => {
      loading = undefined;
      reject(new Error('cobrowse recorder could not be downloaded'));
    };
    document.head.append(script);
  });
  return loading;
}

import { VisitorWidget } from './app';
import { CALL_ABI, CALL_GLOBAL, type CallEntry } from './callLink';
import { Shell } from './shell';
import { CALL_CSS } from './styles';

/* The call chunk's entry (built as assets/widget-call-<hash>.js): everything the widget needs once a call starts,
 * comes back after a page load, or is offered, loaded by the loader (widget.ts, loader.ts) when that happens. It
 * hands the loader its entry through a global (callLink.ts) and does nothing else until the loader calls create(). */

const entry: CallEntry = {
  abi: CALL_ABI,
  create(link) {
    link.frame.addStyles(CALL_CSS);
    return new VisitorWidget(new Shell(link.frame), link);
  },
};

(window as unknown as Record<string, CallEntry>)[CALL_GLOBAL] = entry;

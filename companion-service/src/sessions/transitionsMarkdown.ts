import type { ControlState } from '../protocol/messages';
import { SESSION_STATUSES } from './state';
import { TRANSITIONS, guardRefusals, stateRefusal, type StateOrNone, type Transition } from './transitions';

/* The transition table as the Markdown docs/architecture.md shows (a test fails when the doc is stale; write it with
 * `npm run docs:transitions -- --write`). */

const CONTROL_STATES: readonly ControlState[] = ['off', 'requested', 'on'];

const code = (text: string) => `\`${text}\``;

function issuer(transition: Transition): string {
  if (typeof transition.by === 'string') return transition.by;
  return transition.by.length === 3 ? 'any member' : transition.by.join(' or ');
}

function cell(transition: Transition, state: StateOrNone): string {
  const next = transition.moves[state];
  if (next) {
    const others = next.filter((s) => s !== state);
    const moved = others.length ? `→ ${others.join(' or ')}` : '';
    return others.length === next.length ? moved : others.length ? `stays, or ${moved}` : 'stays';
  }
  if (state === 'none' || transition.moves.none) return '';
  return `✗ ${code(stateRefusal(transition, state)!)}`;
}

function controlCell(transition: Transition, state: ControlState): string {
  const control = transition.control!;
  const next = control.moves[state];
  if (next) return `→ ${next.join(' or ')}`;
  return control.otherwise === 'unchanged' ? 'unchanged' : `✗ ${code(control.otherwise)}`;
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** The session table (state × command), then remote control's (control state × command). */
export function transitionTableMarkdown(): string {
  const entries = Object.entries(TRANSITIONS);
  const states: StateOrNone[] = ['none', ...SESSION_STATUSES];
  const lines = [
    row([
      'Command',
      'Issued by',
      ...states.map((s) => (s === 'none' ? '(no session)' : s)),
      'Tells',
      'Refused with',
      'Does',
    ]),
    row(Array(states.length + 5).fill('---')),
    ...entries.map(([type, t]) =>
      row([
        code(type),
        issuer(t),
        ...states.map((s) => cell(t, s)),
        t.tells.map(code).join(', '),
        [...new Set([...guardRefusals(t), ...t.refuses])].map(code).join(', '),
        t.does,
      ]),
    ),
    '',
    'Remote control has a state of its own:',
    '',
    row(['Command', ...CONTROL_STATES]),
    row(Array(CONTROL_STATES.length + 1).fill('---')),
    ...entries
      .filter(([, t]) => t.control)
      .map(([type, t]) => row([code(type), ...CONTROL_STATES.map((s) => controlCell(t, s))])),
  ];
  return lines.join('\n') + '\n';
}

/** The markers around the generated transition table in docs/architecture.md. */
export const TABLE_BEGIN = '<!-- transitions:begin (generated: npm run docs:transitions -- --write) -->';
export const TABLE_END = '<!-- transitions:end -->';

/** The table as the doc has it, or undefined if its markers are missing. */
export function tableInDoc(doc: string): string | undefined {
  const begin = doc.indexOf(TABLE_BEGIN);
  const end = doc.indexOf(TABLE_END);
  if (begin < 0 || end < begin) return undefined;
  return doc.slice(begin + TABLE_BEGIN.length, end).replace(/^\n/, '');
}

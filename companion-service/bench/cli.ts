import { parseArgs } from 'node:util';

/* The benchmarks' command lines, read one way (Node's own parseArgs): --help prints the usage and exits, an unknown
 * option is an error, and every number is checked against its range before anything runs. */

export interface NumberOption {
  fallback: number;
  min: number;
  max: number;
  /** Whole numbers only (default true). */
  integer?: boolean;
}

export interface OptionSpec<N extends string, F extends string, S extends string> {
  numbers: Record<N, NumberOption>;
  flags?: readonly F[];
  strings?: readonly S[];
}

export interface ReadOptions<N extends string, F extends string, S extends string> {
  numbers: Record<N, number>;
  flags: Record<F, boolean>;
  strings: Partial<Record<S, string>>;
}

export function readOptions<N extends string, F extends string = never, S extends string = never>(
  argv: readonly string[],
  help: string,
  spec: OptionSpec<N, F, S>,
): ReadOptions<N, F, S> {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const name of Object.keys(spec.numbers)) options[name] = { type: 'string' };
  for (const name of spec.strings ?? []) options[name] = { type: 'string' };
  for (const name of spec.flags ?? []) options[name] = { type: 'boolean' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${help}`);
  }
  if (values.help) {
    process.stdout.write(`${help}\n`);
    process.exit(0);
  }
  const numbers = {} as Record<N, number>;
  for (const [name, { fallback, min, max, integer = true }] of Object.entries(spec.numbers) as Array<
    [N, NumberOption]
  >) {
    const raw = values[name];
    if (raw === undefined) {
      numbers[name] = fallback;
      continue;
    }
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value)))
      throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}\n${help}`);
    numbers[name] = value;
  }
  const flags = {} as Record<F, boolean>;
  for (const name of spec.flags ?? []) flags[name] = values[name] === true;
  const strings: Partial<Record<S, string>> = {};
  for (const name of spec.strings ?? []) {
    const value = values[name];
    if (typeof value === 'string') strings[name] = value;
  }
  return { numbers, flags, strings };
}

// Parses Apex classes and triggers with prettier-plugin-apex, offline. Used by the package validation test
// (companion-service/test/unit/salesforcePackage.test.ts), which runs it as a child process because the parser is
// an ES module. Prints one JSON array: [{ file, ok, error? }]. With "-" as the only argument, reads one source
// from standard input instead.
import { readFileSync } from 'node:fs';
import * as prettier from 'prettier';
import * as apex from 'prettier-plugin-apex';

async function check(name, source) {
    try {
        await prettier.format(source, { parser: 'apex', plugins: [apex] });
        return { file: name, ok: true };
    } catch (error) {
        return { file: name, ok: false, error: String(error && error.message ? error.message : error).slice(0, 2000) };
    }
}

const args = process.argv.slice(2);
const results =
    args.length === 1 && args[0] === '-'
        ? [await check('-', readFileSync(0, 'utf8'))]
        : await Promise.all(args.map((file) => check(file, readFileSync(file, 'utf8'))));
process.stdout.write(JSON.stringify(results));
